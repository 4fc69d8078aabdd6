"""Upload limits on a real `streamlit run` server: visitors cannot make it hold uploaded bytes, an
editor can upload on the Unggah Data page within the per-session cap, and a session's bytes are
freed when it ends. The attacker is a bare client (tests/streamlit_client.py); the editor is
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from rbdash.access.uploads import MB  # decimal: the unit of every upload figure
from rbdash.store import open_store
from tests.browsing import SERVERS, launch_browser, serve
from tests.conftest import ARTIFACTS, BUNDLED, ROOT
from tests.streamlit_client import (
    XSRF_COOKIE,
    Session,
    metric,
    metrics,
    open_session,
    put_file,
    rss_mb,
    streamlit_held_bytes,
    wait_until,
)

# Slow (a browser or a server: left out of `make test-fast`); one worker runs this module's tests
# (under `pytest -n`), so its module fixtures start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("uploads_server")]

EDITOR, PASSWORD = "edi", "kata-sandi-panjang"
SESSION_MB = 1  # RBDASH_UPLOAD_SESSION_MB of the test server


@dataclass
class Server:
    url: str
    pid: int
    early_status: int  # HTTP status of an upload sent before any session ran the app
    versions_before_visit: list[int]  # the store's versions, seen before any session ran the app


def held(url: str) -> float:
    """Bytes the upload ledger says the server holds."""
    return metric(metrics(url), "rbdash_upload_held_bytes", default=-1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("data")
    settings = {
        "RBDASH_DATA_DIR": str(data),
        "RBDASH_VIEW_REQUIRES_LOGIN": "1",
        "RBDASH_UPLOAD_SESSION_MB": str(SESSION_MB),
    }
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RBDASH_")}, "PYTHONPATH": str(ROOT), **settings}
    subprocess.run(
        [sys.executable, "-m", "rbdash", "users", "add", EDITOR, "--role", "editor", "--password-stdin"],
        input=f"{PASSWORD}\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for url in serve(settings):
        # Before any session has run the app: `python -m rbdash.ui.serve` hooked the guard in as the runtime
        # was made, so an upload from a session that never ran the app is refused at once.
        early = open_session(url, run=False)
        early_status = put_file(early, b"x" * (MB // 2))
        # Still no run of the app: the server warms itself as it starts (rbdash.ui.serve.warm_server).
        store = open_store(data)
        history = wait_until(store.history, what="the store seeded by the server's own warm-up")
        yield Server(url, SERVERS[url].pid, early_status, [version.number for version in history])
        early.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    yield from launch_browser()


def test_the_server_reads_the_workbook_before_the_first_visit(server: Server) -> None:
    """What a first visitor's run did while they waited (seed the store, read the workbook) is done as the
    server starts."""
    assert server.versions_before_visit == [1]


def test_uploads_before_the_first_run_are_refused(server: Server) -> None:
    assert server.early_status == 403
    assert streamlit_held_bytes(server.url) == 0 and held(server.url) == 0


def test_a_visitor_cannot_make_the_server_hold_uploads(server: Server) -> None:
    visitor = open_session(server.url)
    try:
        before = rss_mb(server.pid)
        refused_before = metric(metrics(server.url), 'rbdash_upload_refused_total{reason="not_allowed"}')
        blob = os.urandom(10 * MB)
        statuses = [put_file(visitor, blob) for _ in range(20)]
        after = rss_mb(server.pid)
    finally:
        visitor.close()
    assert statuses == [403] * 20
    text = metrics(server.url)
    assert metric(text, 'rbdash_upload_refused_total{reason="not_allowed"}') == refused_before + 20
    assert metric(text, "rbdash_upload_held_bytes") == 0
    wait_until(lambda: streamlit_held_bytes(server.url) == 0, what="Streamlit's figure (cached 5 s) to show nothing")
    # Storing them would add 200 MB; reading each refused body leaves at most some allocator slack.
    assert after - before < 100, f"RSS grew from {before:.0f} MB to {after:.0f} MB"


def _sign_in_on_the_data_page(browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(url)
    page.get_by_text("Masuk terlebih dahulu").wait_for(timeout=60_000)
    page.get_by_label("Nama pengguna").fill(EDITOR)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text(f"Masuk sebagai {EDITOR}").wait_for(timeout=30_000)
    page.get_by_role("link", name="Unggah Data").click()
    page.get_by_text("Unggah buku kerja (.xlsx", exact=False).wait_for(timeout=60_000)
    return page


def _upload(page: Page, path: Path) -> Session:
    """Choose `path` in the page's uploader; the editor's session as the upload request names it."""
    with page.expect_request(lambda r: r.method == "PUT" and "/_stcore/upload_file/" in r.url) as request:
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    session_id = urlsplit(request.value.url).path.split("/")[-2]
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == XSRF_COOKIE)
    url = "{0.scheme}://{0.netloc}".format(urlsplit(request.value.url))
    return Session(url, session_id, xsrf)


def test_an_editor_uploads_within_the_session_cap(server: Server, browser, tmp_path: Path) -> None:
    size = BUNDLED.stat().st_size
    page = _sign_in_on_the_data_page(browser, server.url)
    editor = _upload(page, BUNDLED)
    page.get_by_text("Tidak ada galat").wait_for(timeout=60_000)
    assert held(server.url) == size

    # More than the session may hold: refused, and the page says why (Indonesian by default).
    assert put_file(editor, b"x" * SESSION_MB * MB) == 413
    page.get_by_text(
        f"Berkas terakhir (1,0 MB) tidak diterima: unggahan dalam satu sesi paling banyak {SESSION_MB} MB"
    ).wait_for(timeout=30_000)
    assert held(server.url) == size
    assert page.get_by_text("Tidak ada galat").is_visible()  # the accepted file stays

    # Another page of the same session shows no uploader: even its editor cannot upload there.
    page.get_by_role("link", name="Jadwal").click()
    page.get_by_role("heading", name="Jadwal", exact=True).wait_for(timeout=60_000)
    # The permission ends when the run that no longer shows the uploader has finished.
    page.locator('[data-testid="rbdashChart"] .main-svg').first.wait_for(timeout=60_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
    assert put_file(editor, b"x" * 1024) == 403
    # The file left behind is freed when that run ends, not when the editor comes back or closes the tab
    # (seen by the attacker review: held until then).
    wait_until(lambda: held(server.url) == 0, what="the left-behind file to be freed")
    wait_until(lambda: streamlit_held_bytes(server.url) == 0, what="Streamlit to drop the left-behind file")
    # Back on Unggah Data the uploader is empty again.
    page.get_by_role("link", name="Unggah Data").click()
    page.get_by_text("Unggah buku kerja (.xlsx", exact=False).wait_for(timeout=60_000)
    assert put_file(editor, b"x" * 1024) == 204  # the uploader is on screen again

    # Too big a file chosen on the page itself: the uploader marks it failed, the page says why.
    big = tmp_path / "besar.xlsx"
    big.write_bytes(os.urandom(3 * MB // 2))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(big))
    page.get_by_text("Berkas terakhir (1,5 MB) tidak diterima").wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_upload_refused_1440x900.png"))
    page.get_by_text("English").click()
    page.get_by_text(
        f"The last file (1.5 MB) was not accepted: the uploads of one session may hold at most {SESSION_MB} MB"
    ).wait_for(timeout=30_000)
    assert held(server.url) == 1024
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()
    wait_until(lambda: held(server.url) == 0, what="the closed session to be released")


def test_closing_the_browser_frees_the_session_bytes(server: Server, browser) -> None:
    page = _sign_in_on_the_data_page(browser, server.url)
    _upload(page, BUNDLED)
    page.get_by_text("Tidak ada galat").wait_for(timeout=60_000)
    size = BUNDLED.stat().st_size
    assert held(server.url) == size
    wait_until(lambda: streamlit_held_bytes(server.url) == size, what="Streamlit's figure (cached 5 s) to agree")
    page.close()
    # Streamlit alone keeps a closed tab's files for server.disconnectedSessionTTL (2 minutes) and
    # longer; here they go when the websocket does.
    wait_until(lambda: held(server.url) == 0, timeout=30, what="the ledger to release the session")
    wait_until(lambda: streamlit_held_bytes(server.url) == 0, timeout=30, what="Streamlit to drop the files")


def test_the_warm_up_imports_what_the_pages_import() -> None:
    from rbdash.ui.serve import page_imports

    names = page_imports()
    assert {"streamlit", "rbdash.ui.frame", "rbdash.present.charts", "rbdash.analysis.metrics"} <= set(names)
    assert len(names) == len(set(names)) and all(not name.startswith(".") for name in names)
