"""The Laporan page through AppTest with fake builds held by threading.Event: pressing the button
queues the report and returns; the page shows the place in line, then the downloads; two sessions
asking for the same report share one build; a full queue and a failed build are messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from streamlit.testing.v1 import AppTest

from rbdash.exports import queue as rq
from rbdash.messages import t
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

    def __call__(self, model, request: rq.ReportRequest) -> rq.ReportFiles:
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


def open_page(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
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
