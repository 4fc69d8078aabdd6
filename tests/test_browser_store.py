"""Real browser, what changes the store and what the workbook says: sign-in, upload, preview and publish,
a hostile upload that must not stop the server, a leaked session ID, and workbook text shown literally on
every page. Its own module so that its servers and browser run on another worker than
tests/test_browser.py's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browsing import PAGES, SERVERS, launch_browser, open_page, ready, serve, settled
from tests.conftest import ARTIFACTS, bundled_with
from tests.tcp_proxy import TcpRelay

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser_store")]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    yield from launch_browser()


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from rbdash.store.sqlite import SqliteStore

    root = tmp_path_factory.mktemp("store")
    SqliteStore(root).add_user("edi", "editor", "kata-sandi-panjang")
    for url in serve({"RBDASH_DATA_DIR": str(root)}):
        yield url, root


def _with_sub_activity(path: Path, text: str) -> Path:
    """`path`: the bundled workbook with RA-10's sub-activity (Rencana Aksi!D18) changed to `text`."""
    path.write_bytes(bundled_with(lambda wb: wb["Rencana Aksi"].__setitem__("D18", text)))
    return path


def sign_in(page: Page) -> None:
    """Sign in as the store server's editor from the sidebar."""
    page.get_by_label("Nama pengguna").fill("edi")
    page.get_by_label("Kata sandi").fill("kata-sandi-panjang")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai edi").wait_for(timeout=30_000)


def test_sign_in_upload_preview_publish_and_see_it(store_server, browser, tmp_path: Path) -> None:

    from rbdash.store.sqlite import SqliteStore

    url, root = store_server
    changed = _with_sub_activity(tmp_path / "rencana_diubah.xlsx", "2. Pelibatan masyarakat (diubah lewat unggahan)")

    page = open_page(browser, f"{url}/data")
    page.get_by_text("memerlukan peran editor").wait_for(timeout=60_000)
    menu = page.locator('[data-testid="stSidebarNav"]')
    # A visitor's menu lists neither the upload page nor the admin page (their URLs still answer, with the check).
    assert "Riwayat Versi" in menu.inner_text() and "Unggah Data" not in menu.inner_text()
    assert "Pengguna" not in menu.inner_text()
    sign_in(page)
    menu.get_by_text("Unggah Data").wait_for(timeout=30_000)  # an editor's menu lists it; not the admin page
    assert "Pengguna" not in menu.inner_text()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(changed))
    page.get_by_text("Tidak ada galat").wait_for(timeout=60_000)
    page.get_by_text("Rencana Aksi: 0 ditambah, 1 diubah, 0 dihapus").wait_for()
    settled(page)  # seen: the changes table still a loading placeholder in the screenshot
    page.get_by_role("button", name="Unduh CSV").first.wait_for(timeout=30_000)  # the table's script has loaded
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_preview_1440x900.png"), full_page=True)
    page.get_by_label("Catatan penerbitan (wajib)").fill("uji peramban")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Terbitkan sebagai versi baru").click()
    page.get_by_text("Versi 2 diterbitkan").wait_for(timeout=60_000)
    settled(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_published_1440x900.png"))
    assert SqliteStore(root).current().number == 2

    page.goto(f"{url}/jadwal")
    ready(page, "Jadwal")
    page.get_by_text("2. Pelibatan masyarakat (diubah lewat unggahan)", exact=False).first.wait_for(timeout=60_000)

    # Since the last meeting (#12): compare with version 1 on Ringkasan; the choice carries to Laporan (seen:
    # it did not) and back.
    page.get_by_role("link", name="Ringkasan", exact=True).click()
    ready(page, "Ringkasan")
    page.get_by_role("combobox", name="Bandingkan dengan versi").click()
    page.get_by_role("option", name=re.compile(r"^Versi 1 · ")).click()
    page.get_by_role("heading", name=re.compile(r"^Perubahan sejak versi 1 ")).wait_for(timeout=30_000)
    page.get_by_text("Tidak ada perubahan.").wait_for()  # version 2 changed a text, nothing the comparison counts
    settled(page)
    page.screenshot(path=str(ARTIFACTS / "ringkasan_since_1440x900.png"), full_page=True)
    page.get_by_role("link", name="Laporan", exact=True).click()
    page.get_by_role("heading", name="Laporan", exact=True).wait_for(timeout=60_000)
    settled(page)
    assert page.get_by_role("combobox", name="Bandingkan dengan versi").input_value().startswith("Versi 1 · ")
    page.close()


def _far_cell_workbook() -> bytes:
    """The bundled workbook with one value at XFD1048576 of 'Capaian Indikator', whose <dimension> still
    says A1:D30: the file that made the native reader abort the whole server (issue #8)."""
    from tests import hostile_factory as hf

    xml = hf.bundled_entries()[hf.VALUES_PART]
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return hf.rewrite_bundled({hf.VALUES_PART: xml.replace(b"</sheetData>", far, 1)})


def test_far_cell_upload_is_refused_and_the_same_server_goes_on(store_server, browser, tmp_path: Path) -> None:

    from rbdash.store.sqlite import SqliteStore

    url, root = store_server
    server = SERVERS[url]
    pid = server.pid
    far = tmp_path / "sel_jauh.xlsx"
    far.write_bytes(_far_cell_workbook())
    valid = _with_sub_activity(tmp_path / "rencana_valid.xlsx", "2. Pelibatan masyarakat (setelah berkas sel jauh)")

    page = open_page(browser, f"{url}/data")
    page.get_by_text("memerlukan peran editor").wait_for(timeout=60_000)
    before = SqliteStore(root).current().number  # the server seeds version 1 on its first page
    sign_in(page)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files(str(far))
    page.get_by_text("XFD1048576", exact=False).filter(visible=True).first.wait_for(timeout=60_000)
    page.get_by_text("Capaian Indikator", exact=False).filter(visible=True).first.wait_for()  # not a hidden grid cell
    assert page.locator('[data-testid="stException"]').count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_far_cell_refused_1440x900.png"))
    assert server.poll() is None and server.pid == pid  # the same server process, alive

    uploader.set_input_files(str(valid))
    try:
        page.get_by_text("Tidak ada galat").wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "data_after_far_cell_FAILED_1440x900.png"))  # what the editor saw
        raise
    page.get_by_label("Catatan penerbitan (wajib)").fill("setelah berkas sel jauh")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Terbitkan sebagai versi baru").click()
    page.get_by_text(f"Versi {before + 1} diterbitkan").wait_for(timeout=60_000)
    assert SqliteStore(root).current().number == before + 1

    # The same server shows the new version on a page with charts and lists it in the store's history (every
    # page's own checks are tests/test_browser.py's).
    page.goto(f"{url}/jadwal")
    ready(page, "Jadwal")
    page.get_by_text("2. Pelibatan masyarakat (setelah berkas sel jauh)", exact=False).first.wait_for(state="attached")
    page.goto(f"{url}/riwayat")
    page.get_by_role("heading", name="Riwayat Versi", exact=True).first.wait_for(timeout=60_000)
    page.get_by_text("setelah berkas sel jauh").first.wait_for(state="attached", timeout=60_000)  # in the grid
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert server.poll() is None and server.pid == pid
    page.close()


def test_a_leaked_session_id_does_not_carry_the_sign_in(store_server, browser) -> None:
    """Seen by the attacker review: a raw websocket presenting an editor's session ID (it is in upload
    URLs, so in proxy logs) took over the signed-in session. Now the sign-in is bound to the browser's
    cookie: the thief gets a signed-out session (and the editor signs in again)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from tests import streamlit_client as client

    url, _ = store_server
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    frames: list[bytes] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(payload)))
    page.goto(f"{url}/riwayat")
    sign_in(page)
    session_ids = set()
    for frame in frames:
        message = ForwardMsg()
        message.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
        if message.WhichOneof("type") == "new_session":
            session_ids.add(message.new_session.initialize.session_id)
    assert len(session_ids) == 1, session_ids
    (session_id,) = session_ids

    thief = client.open_session(url, existing_session_id=session_id, page="riwayat")
    try:
        seen = b"".join(thief.received)
        assert thief.session_id == session_id  # Streamlit did hand over the same session...
        assert b"Masuk sebagai edi" not in seen  # ... but not the sign-in
        assert b"Sesi masuk ini dibuka dari peramban lain" in seen
    finally:
        thief.close()
    page.reload()
    page.get_by_label("Nama pengguna").wait_for(timeout=30_000)
    assert page.get_by_text("Masuk sebagai edi").count() == 0
    page.close()


def test_a_reconnection_keeps_the_sign_in(store_server, browser) -> None:
    """Seen by the deployment review: after a network drop the page asks /_stcore/health (which sets the XSRF
    cookie again, its token under a fresh mask) and reconnects to its session; the sign-in must hold."""
    url, _ = store_server
    relay = TcpRelay(int(url.rsplit(":", 1)[1]))
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{relay.port}/riwayat")
        sign_in(page)
        before = {c["name"]: c["value"] for c in context.cookies()}["_streamlit_xsrf"]
        with page.expect_response(lambda response: "/_stcore/health" in response.url, timeout=60_000):
            assert relay.drop() >= 1  # the page's websocket among them: it asks the server's health, reconnects
        page.get_by_role("link", name="Ringkasan", exact=True).click()  # a rerun on the reconnected session
        ready(page, "Ringkasan")
        page.get_by_text("Masuk sebagai edi").wait_for(timeout=30_000)
        assert page.get_by_text("Sesi masuk ini dibuka dari peramban lain").count() == 0
        after = {c["name"]: c["value"] for c in context.cookies()}["_streamlit_xsrf"]
        assert after != before  # set again on the way: the same token under another mask
    finally:
        context.close()
        relay.close()


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled workbook with the hostile texts of tests/payloads.py typed into it."""
    from tests.conftest import bundled_with
    from tests.payloads import with_payloads

    folder = tmp_path_factory.mktemp("payloads")
    (folder / "payloads.xlsx").write_bytes(bundled_with(with_payloads))
    yield from serve({"RBDASH_WORKBOOK": str(folder / "payloads.xlsx"), "RBDASH_DATA_DIR": str(folder / "data")})


#: Per page, the payload texts it must show literally (in its captions, its printed tables or its charts).
PAYLOAD_PAGES = {
    "": [("Info", "B4"), ("Rencana Aksi", "B12"), ("Rencana Aksi", "C12"), ("Rencana Aksi", "D12")],
    "jadwal": [("Info", "B4"), ("Rencana Aksi", "B12"), ("Rencana Aksi", "D12"), ("Rencana Aksi", "D13")],
    "indikator": [("Info", "B4"), ("Indikator", "D6")],
    "ikm": [("Info", "B4")],
}


@pytest.mark.parametrize("path", list(PAYLOAD_PAGES), ids=[PAGES[path][1] for path in PAYLOAD_PAGES])
def test_workbook_text_shows_literally_on_every_page(payload_server: str, browser, path: str) -> None:
    """Seen by the attacker review: Markdown and LaTeX rendered from workbook text, bare addresses became
    links, escape codes showed in charts, and a right-to-left override reversed what followed it."""
    from tests.payloads import PAYLOADS, SURVEY_UNIT, shown

    title = PAGES[path][0]
    page = open_page(browser, f"{payload_server}/{path}")
    ready(page, title)
    text = page.evaluate("document.body.textContent").replace("\u2060", "")  # the word joiner breaks links
    for where in PAYLOAD_PAGES[path]:
        assert shown(PAYLOADS[where]) in text, where
    if path == "ikm":  # the unit's name in the chart's legend
        legend = " ".join(page.locator('[data-testid="rbdashChart"] .legendtext').all_text_contents())
        assert shown(SURVEY_UNIT[1]) in legend
    for control in ("\u202e", "\u2067", "\u2069"):
        at = text.find(control)
        assert at < 0, text[max(at - 80, 0) : at + 40]
    assert page.evaluate("window.__pwned") is None  # no script from the workbook ran
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    assert not [href for href in hrefs if "evil" in href or href.startswith("javascript")], hrefs
    assert page.locator(".katex").count() == 0  # no formula typeset
    bold = page.eval_on_selector_all("strong, b, em, i", "nodes => nodes.map(node => node.textContent)")
    assert not [b for b in bold if "Banten" in b or "tebal" in b or "miring" in b]
    page.close()
