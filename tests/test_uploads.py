"""The upload policy (rbdash.access.uploads): who may hold uploaded bytes and how many."""

from __future__ import annotations

import threading

import pytest

from rbdash.access.uploads import MB, Refusal, UploadLedger, may_upload
from rbdash.config import Limits

ROLES = {"edi": "editor", "ani": "admin", "vina": "viewer"}


@pytest.fixture
def roles() -> dict[str, str]:
    return dict(ROLES)


@pytest.fixture
def ledger(roles: dict[str, str]) -> UploadLedger:
    return UploadLedger(session_limit=60 * MB, total_limit=100 * MB, role_of=roles.get)


def test_only_editors_and_admins_may_upload() -> None:
    assert [may_upload(r) for r in ("viewer", "editor", "admin", None, "root")] == [False, True, True, False, False]


def test_limits_come_from_the_settings_in_mb() -> None:
    ledger = UploadLedger.from_limits(Limits(upload_session_mb=2, upload_total_mb=5), ROLES.get)
    assert (ledger.session_limit, ledger.total_limit) == (2 * MB, 5 * MB)


def test_a_session_without_the_uploader_is_refused_and_holds_nothing(ledger: UploadLedger) -> None:
    assert ledger.admit("visitor", "f1", 10 * MB) == Refusal("not_allowed", 10 * MB)
    assert ledger.held() == 0
    assert ledger.holders() == 0
    assert ledger.refused()["not_allowed"] == 1
    assert ledger.notice("visitor") is None  # a visitor is told nothing


@pytest.mark.parametrize("user", ["vina", "gone"])
def test_a_session_whose_user_is_not_an_editor_is_refused(ledger: UploadLedger, user: str) -> None:
    ledger.open("s", user)
    assert ledger.admit("s", "f1", MB).reason == "not_allowed"
    assert ledger.held("s") == 0


def test_the_role_is_read_at_each_upload(ledger: UploadLedger, roles: dict[str, str]) -> None:
    ledger.open("s", "edi")
    assert ledger.admit("s", "f1", MB) is None
    roles["edi"] = "viewer"  # demoted while the page is open
    refusal = ledger.admit("s", "f2", MB)
    assert refusal is not None and refusal.status == 403
    assert ledger.held("s") == MB


def test_closing_the_uploader_refuses_further_uploads_but_keeps_the_file(ledger: UploadLedger) -> None:
    ledger.open("s", "edi")
    assert ledger.admit("s", "f1", MB) is None
    ledger.close("s")
    assert ledger.admit("s", "f2", MB).reason == "not_allowed"
    assert ledger.held("s") == MB


def test_per_session_cap(ledger: UploadLedger) -> None:
    ledger.open("s", "ani")
    assert ledger.admit("s", "f1", 50 * MB) is None
    refusal = ledger.admit("s", "f2", 11 * MB)
    assert refusal == Refusal("session_cap", 11 * MB, 60 * MB)
    assert refusal.status == 413
    assert ledger.held("s") == 50 * MB
    assert ledger.notice("s") == refusal
    assert ledger.notice("s") == refusal  # until an upload is accepted again
    assert ledger.admit("s", "f3", 10 * MB) is None  # exactly at the cap
    assert ledger.held("s") == 60 * MB
    assert ledger.notice("s") is None


def test_replacing_or_removing_a_file_frees_its_bytes(ledger: UploadLedger) -> None:
    ledger.open("s", "edi")
    assert ledger.admit("s", "f1", 50 * MB) is None
    assert ledger.admit("s", "f1", 40 * MB) is None  # the same id again replaces the file
    assert ledger.held() == 40 * MB
    ledger.discard("s", "f1")
    assert ledger.held() == 0
    assert ledger.holders() == 0
    assert ledger.admit("s", "f2", 55 * MB) is None
    ledger.discard("s", "unknown")
    ledger.discard("other", "f2")
    assert ledger.held() == 55 * MB


def test_files_the_uploader_stops_showing_are_to_be_removed(ledger: UploadLedger) -> None:
    ledger.open("s", "edi")
    assert ledger.admit("s", "a", MB) is None
    assert ledger.shown("s", []) == []  # "a" arrived, its rerun has not come yet: it stays
    assert ledger.shown("s", ["a"]) == []
    assert ledger.admit("s", "b", MB) is None  # the user picks another file
    assert ledger.shown("s", []) == ["a"]  # the uploader dropped "a" ("b" is still on its way)
    ledger.discard("s", "a")  # as the caller does
    assert ledger.shown("s", ["b"]) == []
    assert ledger.held("s") == MB
    ledger.close("s")  # another page: the uploader is not drawn, nothing is decided
    assert ledger.shown("s", []) == ["b"]  # back on the page, the uploader is empty: "b" was left behind
    ledger.discard("s", "b")
    assert ledger.shown("s", []) == []


def test_total_cap_across_sessions(ledger: UploadLedger) -> None:
    for session in ("a", "b", "c"):
        ledger.open(session, "edi")
    assert ledger.admit("a", "f", 50 * MB) is None
    assert ledger.admit("b", "f", 50 * MB) is None
    refusal = ledger.admit("c", "f", 1)
    assert refusal == Refusal("total_cap", 1, 100 * MB)
    assert refusal.status == 503
    assert ledger.notice("c") == refusal
    assert ledger.held() == 100 * MB
    assert ledger.holders() == 2
    ledger.end("a")
    assert ledger.admit("c", "f", 50 * MB) is None
    assert ledger.refused() == {"not_allowed": 0, "session_cap": 0, "total_cap": 1}


def test_session_end_releases_its_bytes_and_its_permission(ledger: UploadLedger) -> None:
    ledger.open("s", "edi")
    ledger.open("t", "edi")
    assert ledger.admit("s", "f1", 30 * MB) is None
    assert ledger.admit("s", "f2", 20 * MB) is None
    assert ledger.admit("t", "f1", 5 * MB) is None
    assert ledger.admit("s", "f3", 20 * MB).reason == "session_cap"
    assert ledger.end("s") == 50 * MB
    assert ledger.held("s") == 0
    assert ledger.held() == 5 * MB
    assert ledger.notice("s") is None
    assert ledger.admit("s", "f4", MB).reason == "not_allowed"  # an ended session cannot upload again
    assert ledger.end("s") == 0


def test_release_frees_the_bytes_but_keeps_the_permission(ledger: UploadLedger) -> None:
    ledger.open("s", "edi")
    assert ledger.admit("s", "f1", 30 * MB) is None
    assert ledger.release("s") == 30 * MB
    assert ledger.held() == 0
    assert ledger.admit("s", "f2", 30 * MB) is None


def test_parallel_uploads_never_exceed_the_total_cap(roles: dict[str, str]) -> None:
    ledger = UploadLedger(session_limit=10 * MB, total_limit=50 * MB, role_of=roles.get)
    sessions = [f"s{i}" for i in range(40)]
    for session in sessions:
        ledger.open(session, "edi")
    start = threading.Barrier(len(sessions))
    results: list[Refusal | None] = []

    def upload(session: str) -> None:
        start.wait()
        results.append(ledger.admit(session, "f", 5 * MB))

    threads = [threading.Thread(target=upload, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(None) == 10
    assert ledger.held() == 50 * MB
    assert ledger.refused()["total_cap"] == 30


class _FakeFiles:
    def __init__(self) -> None:
        self.removed: list[str] = []

    def remove_session_files(self, session_id: str) -> None:
        self.removed.append(session_id)


def test_a_run_stopped_before_the_uploader_keeps_the_new_file(
    ledger: UploadLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in CI under load: replacing a file reruns the page; Streamlit stops the running script (the
    same StopException as st.stop()) before it draws the uploader, and that run's end deleted the file
    that had just arrived. Only a run that returns without the uploader closes the session."""
    from types import SimpleNamespace

    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from rbdash.ui import uploads

    files = _FakeFiles()
    ctx = SimpleNamespace(session_id="tab", uploaded_file_mgr=files)
    monkeypatch.setattr(uploads, "ledger_of_this_process", lambda: ledger)
    monkeypatch.setattr(uploads, "get_script_run_ctx", lambda: ctx)
    ledger.open("tab", "edi")
    assert ledger.admit("tab", "new-file", 1 * MB) is None  # the replacement arrives
    with pytest.raises(StopException), uploads.upload_run():
        raise StopException()  # stopped before the uploader was drawn
    assert files.removed == [] and ledger.held("tab") == 1 * MB
    assert ledger.admit("tab", "another", 1 * MB) is None  # still open: the page's next run decides
    with uploads.upload_run():
        pass  # a run that returns without the uploader (another page): the session is closed, files freed
    assert files.removed == ["tab"]
    assert ledger.admit("tab", "late", 1 * MB) is not None
