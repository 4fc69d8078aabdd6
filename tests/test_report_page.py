"""The Laporan page through AppTest with fake builds held by threading.Event: pressing the button
queues the report and returns; the page shows the place in line, then the downloads; two sessions
asking for the same report share one build; a full queue, a visitor's full share of it and a failed
build are messages; a signed-in user counts apart from the address they share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rbdash.exports import queue as rq
from rbdash.messages import t
from rbdash.ui import session
from tests.conftest import BUNDLED, ROOT

WAIT = 30  # seconds: an upper bound for events that should come at once, never a pause
PAGE = "app_pages/laporan.py"


@dataclass
class FakeBuilds:
    """Stands in for rbdash.exports.queue.build_report: each build waits for `release`."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None
    requests: list[rq.ReportRequest] = field(default_factory=list)

    def __call__(self, model, request: rq.ReportRequest, reference=None) -> rq.ReportFiles:
        self.requests.append(request)
        self.started.set()
        assert self.release.wait(WAIT), "the test never released this build"
        if self.error is not None:
            raise self.error
        return rq.ReportFiles(pdf=b"%PDF-fake " + request.lang.encode(), pptx=b"PK fake deck")


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeBuilds, rq.BuildQueue]]:
    fake = FakeBuilds()
    queue = rq.BuildQueue(builders=1, capacity=1)
    monkeypatch.setattr(rq, "build_report", fake)
    old = rq.replace_report_queue(queue)
    yield fake, queue
    fake.release.set()
    queue.shutdown(timeout=WAIT)
    rq.replace_report_queue(old)


def occupy(queue: rq.BuildQueue) -> threading.Event:
    """Keep the single builder busy with another report until the returned event is set."""
    started, release = threading.Event(), threading.Event()

    def build() -> bytes:
        started.set()
        release.wait(WAIT)
        return b""

    queue.submit("another report", build)
    assert started.wait(WAIT)
    return release


def open_page(monkeypatch: pytest.MonkeyPatch, tab: str = "") -> AppTest:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["test_tab"] = tab
    at.switch_page(PAGE).run()
    assert not at.exception and at.title[0].value == "Laporan"
    return at


def downloads(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_the_page_shows_the_queue_then_the_downloads(builds, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, queue = builds
    release_other = occupy(queue)
    at = open_page(monkeypatch)
    at.button(key="report_build").click().run()  # returns at once: the builder is busy
    assert not at.exception
    assert [info.value for info in at.info] == ["Antrean laporan: posisi 1. Halaman ini diperbarui sendiri."]
    assert downloads(at) == [] and not fake.started.is_set()
    release_other.set()
    assert fake.started.wait(WAIT)
    at.run()  # what the fragment's run_every does in the browser
    assert [info.value for info in at.info] == [t("report.building", "id")]
    fake.release.set()
    assert at.session_state["report_job"].wait(WAIT)
    at.run()
    assert not at.info and downloads(at) == ["Unduh PDF", "Unduh PowerPoint"]
    request = fake.requests[0]
    assert (request.as_of_month, request.lang, request.version_label) == (9, "id", BUNDLED.name)
    assert len(request.sha256) == 64


def test_two_sessions_share_one_build(builds, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, _ = builds
    first, second = open_page(monkeypatch), open_page(monkeypatch)
    first.button(key="report_build").click().run()
    assert fake.started.wait(WAIT)
    second.button(key="report_build").click().run()
    assert second.session_state["report_job"] is first.session_state["report_job"]
    assert [info.value for info in second.info] == [t("report.building", "id")]
    fake.release.set()
    job = first.session_state["report_job"]
    assert job.wait(WAIT)
    first.run()
    second.run()
    assert downloads(first) == downloads(second) == ["Unduh PDF", "Unduh PowerPoint"]
    assert len(fake.requests) == 1 and job.result.pdf == b"%PDF-fake id"


def test_another_month_or_language_is_another_report(builds, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, _ = builds
    fake.release.set()
    at = open_page(monkeypatch)
    at.button(key="report_build").click().run()
    assert at.session_state["report_job"].wait(WAIT)
    at.run()
    assert downloads(at) == ["Unduh PDF", "Unduh PowerPoint"]
    at.sidebar.radio(key="lang").set_value("en").run()
    assert downloads(at) == [] and not at.info  # the English report has not been asked for
    at.button(key="report_build").click().run()
    assert at.session_state["report_job"].wait(WAIT)
    at.run()
    assert downloads(at) == ["Download PDF", "Download PowerPoint"]
    assert [request.lang for request in fake.requests] == ["id", "en"]


def test_a_full_queue_is_a_message(builds, monkeypatch: pytest.MonkeyPatch) -> None:
    _, queue = builds
    release_other = occupy(queue)
    queue.submit("a waiting report", lambda: b"")  # capacity 1: the only waiting slot
    at = open_page(monkeypatch)
    at.button(key="report_build").click().run()
    assert not at.exception
    assert [error.value for error in at.error] == ["Antrean laporan penuh; coba lagi sebentar."]
    assert "report_job" not in at.session_state and downloads(at) == []
    release_other.set()


def test_a_failed_build_is_a_message_not_a_traceback(builds, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, _ = builds
    fake.error = RuntimeError("Kaleido exploded at line 42")
    fake.release.set()
    at = open_page(monkeypatch)
    at.button(key="report_build").click().run()
    assert at.session_state["report_job"].wait(WAIT)
    at.run()
    assert not at.exception
    assert [error.value for error in at.error] == [t("report.failed", "id")]
    assert downloads(at) == []


def ask_for_month(at: AppTest, month: int) -> AppTest:
    """Move the as-of slider to `month` and press "Buat laporan" (another month is another report)."""
    at.sidebar.select_slider(key="as_of_month").set_value(month).run()
    return at.button(key="report_build").click().run()


@pytest.fixture
def roomy_queue(builds, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeBuilds, rq.BuildQueue]]:
    """The fake builds with a queue of 8 places, 2 per visitor: only the bound per visitor refuses.
    Every AppTest has the same session id; here a test names each one's tab in `test_tab`."""
    fake, _ = builds
    monkeypatch.setattr(session, "browser_session", lambda: st.session_state.get("test_tab", ""))
    queue = rq.BuildQueue(builders=1, capacity=8, per_visitor=2)
    old = rq.replace_report_queue(queue)
    yield fake, queue
    fake.release.set()
    queue.shutdown(timeout=WAIT)
    rq.replace_report_queue(old)


def test_a_third_report_from_one_address_is_a_message(roomy_queue, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the attacker review: anonymous tabs (one session each) from one address filled the queue."""
    fake, queue = roomy_queue
    client = {"address": "203.0.113.7"}
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda _self: client["address"]))
    tabs = [open_page(monkeypatch, f"tab-{n}") for n in range(4)]
    for tab, month in zip(tabs, (9, 6), strict=False):
        assert not ask_for_month(tab, month).error and "report_job" in tab.session_state
    third = ask_for_month(tabs[2], 3)
    assert not third.exception
    assert [error.value for error in third.error] == [
        "Antrean laporan penuh untuk akun atau alamat jaringan Anda; "
        "tunggu laporan yang sedang dibuat selesai, lalu coba lagi."
    ]
    assert "report_job" not in third.session_state and queue.jobs_of("address:203.0.113.7") == 2
    client["address"] = "198.51.100.2"  # another visitor is served
    fourth = ask_for_month(tabs[3], 3)
    assert not fourth.error and fourth.session_state["report_job"].visitor == "address:198.51.100.2"
    fake.release.set()
    assert tabs[0].session_state["report_job"].wait(WAIT)
    client["address"] = "203.0.113.7"  # once one of its reports is done, the first address may ask again
    third.run()
    assert not ask_for_month(third, 4).error and "report_job" in third.session_state


def test_a_signed_in_user_counts_apart_from_the_shared_address(
    roomy_queue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Staff behind the office's one address (NAT): anonymous tabs there do not take a user's places."""
    from rbdash.store.sqlite import SqliteStore

    password = "kata-sandi-panjang-1"
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    SqliteStore(tmp_path / "data").add_user("edi", "editor", password)
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda _self: "203.0.113.7"))
    anonymous = [open_page(monkeypatch, f"tab-{n}") for n in range(2)]
    for tab, month in zip(anonymous, (9, 6), strict=True):
        ask_for_month(tab, month)
    assert rq.report_queue().jobs_of("address:203.0.113.7") == 2
    staff = open_page(monkeypatch, "staff-tab")
    staff.sidebar.text_input(key="login_user").input("edi")
    staff.sidebar.text_input(key="login_password").input(password)
    next(button for button in staff.sidebar.button if button.label == "Masuk").click().run()
    assert staff.session_state["user"] == "edi"
    staff.switch_page(PAGE).run()
    assert not ask_for_month(staff, 3).error
    assert staff.session_state["report_job"].visitor == "user:edi"
