"""Real browser: Debian's headless Chromium driven by Playwright loads every page served by
`python -m rbdash.ui.serve` (streamlit run app.py, as `make run` serves it), clicks the main controls, and saves
1440x900 screenshots and A4-landscape PDFs
to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from rbdash.messages import t
from tests.conftest import ARTIFACTS, BUNDLED, ROOT, require_tool

# Slow (a browser or a server: left out of `make test-fast`); one worker runs this module's tests
# (under `pytest -n`), so its module fixtures start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
require_tool(Path(CHROMIUM).exists(), "Debian's chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URL path -> (page title, artifact name); the overview is the default page, served at "/".
PAGES = {
    "": ("Ringkasan", "ringkasan"),
    "jadwal": ("Jadwal", "jadwal"),
    "indikator": ("Indikator", "indikator"),
    "ikm": ("IKM", "ikm"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(process: subprocess.Popen, timeout: float = 90) -> None:
    """Read the server's output until it announces its URL (a watchdog ends a server that never does)."""
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            if "URL:" in line:
                return
        raise RuntimeError(f"streamlit exited with {process.wait()} before serving")
    finally:
        watchdog.cancel()


#: URL -> the server process serving it (tests check the server survived what they did).
SERVERS: dict[str, subprocess.Popen] = {}


def _serve(env_extra: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("RBDASH_WORKBOOK", "RBDASH_DATA_DIR")},
        "PYTHONPATH": str(ROOT),
        **env_extra,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rbdash.ui.serve",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
            assert response.read().strip() == b"ok"
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
        SERVERS[url] = process
        yield url
    finally:
        SERVERS.pop(url, None)
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve({"RBDASH_WORKBOOK": str(BUNDLED), "RBDASH_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from rbdash.store.sqlite import SqliteStore

    root = tmp_path_factory.mktemp("store")
    SqliteStore(root).add_user("edi", "editor", "kata-sandi-panjang")
    for url in _serve({"RBDASH_DATA_DIR": str(root)}):
        yield url, root


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(url)
    return page


def _ready(page: Page, title: str) -> None:
    """Wait for the page title and its charts to be drawn, then check no error box is shown."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="rbdashChart"] .main-svg').first.wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="stException"]').count() == 0


def _artifacts(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}_1440x900.png"))
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / f"{name}_a4_landscape.pdf"), format="A4", landscape=True, print_background=True)
    page.emulate_media(media="screen")
    assert (ARTIFACTS / f"{name}_a4_landscape.pdf").stat().st_size > 10_000


def test_the_overview_answers_its_own_url(server: str, browser) -> None:
    """Seen by the user review: opening /ringkasan directly showed Streamlit's "Page not found"."""
    page = _open(browser, f"{server}/ringkasan")
    _ready(page, "Ringkasan")
    assert page.get_by_text("Page not found").count() == 0
    page.close()


def _pdf_pages(pdf: Path) -> list[str]:
    """The text of each sheet of a printed PDF, as pdftotext reads it."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _expected_print(path: str) -> tuple[str, set[str]]:
    """Per page: the title of its first chart (which must print on sheet 1) and the codes its tables hold."""
    from rbdash.analysis import metrics
    from rbdash.workbook.loader import load_workbook

    model = load_workbook(BUNDLED.read_bytes()).plan
    assert model is not None
    figures = metrics.overview(model, metrics.default_as_of_month(model))
    return {
        "": ("Kemajuan per program", set(figures.overdue_rows) | set(figures.due_next_month)),
        "jadwal": ("Jadwal Rencana Aksi", set(model.plan["code"])),
        "indikator": ("Capaian indikator terhadap target", set(model.indicators["indicator_code"])),
        "ikm": ("Indeks Kepuasan Masyarakat", {f"U{number}" for number in range(1, 10)}),
    }[path]


@pytest.mark.parametrize("path", list(PAGES), ids=[name for _, name in PAGES.values()])
def test_every_page_loads_and_prints(server: str, browser, path: str) -> None:
    """Printed as Ctrl+P prints (A4 landscape): the title, the filters and the first chart share sheet 1,
    and every table prints whole (seen: tables printed their scroll box, page 1 almost empty)."""
    title, name = PAGES[path]
    page = _open(browser, f"{server}/{path}")
    _ready(page, title)
    assert page.get_by_text("CONTOH:", exact=False).first.is_visible()
    assert page.get_by_text("Posisi data per", exact=False).first.is_visible()
    assert page.get_by_text("Page not found").count() == 0
    _artifacts(page, name)
    page.close()
    require_tool(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)")
    sheets = _pdf_pages(ARTIFACTS / f"{name}_a4_landscape.pdf")
    first_chart, codes = _expected_print(path)
    assert title in sheets[0] and first_chart in sheets[0]
    assert path == "ikm" or "Filter: semua program" in sheets[0]  # the IKM is the office's, whatever the filter
    printed = "\n".join(sheets)
    assert codes and {code for code in codes if code not in printed} == set()


def test_print_mode_has_a_way_back_that_does_not_print(server: str, browser) -> None:
    """Seen: Mode cetak hid the sidebar and its toggle; only a reload led back."""
    page = _open(browser, f"{server}/jadwal")
    _ready(page, "Jadwal")
    page.get_by_text("Mode cetak").click()
    way_back = page.get_by_role("button", name="Keluar dari mode cetak")
    way_back.wait_for(timeout=30_000)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    # Charts are scaled for the sheet only when printing: scaled on screen, Plotly redrew them at the
    # scaled width and they were scaled again (seen: the indicator chart at a quarter of the sheet).
    zoom = "getComputedStyle(document.querySelector('.st-key-schedule_gantt')).zoom"
    assert page.evaluate(zoom) == "1"
    page.emulate_media(media="print")
    assert float(page.evaluate(zoom)) < 1
    pdf = ARTIFACTS / "jadwal_print_mode.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    page.emulate_media(media="screen")
    require_tool(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)")
    assert "Keluar dari mode cetak" not in "".join(_pdf_pages(pdf))
    way_back.click()
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=30_000)
    way_back.wait_for(state="detached", timeout=30_000)  # gone once the rerun has finished
    page.close()


@pytest.mark.parametrize("lost", ["aborted", "not Plotly"])
def test_a_chart_whose_script_does_not_arrive_says_so_and_tries_again(server: str, browser, lost: str) -> None:
    """The chart script is fetched by the page (rbdash.ui.plotly_chart); lost on the way (no answer, or an
    answer that is not Plotly), the reader is told in the language chosen, the rest of the page is shown,
    and the next run of the page tries again (seen: a broken answer was never asked for again)."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})

    def lose(route) -> None:
        if lost == "aborted":
            route.abort()
        else:
            route.fulfill(status=200, content_type="application/javascript", body="window.notPlotly = 1;")

    page.route("**/app/static/plotly/**", lose)
    page.goto(f"{server}/")
    notice = page.locator('[data-testid="rbdashChart"] .rbdash-chart-failed').first
    notice.wait_for(timeout=60_000)
    assert notice.text_content() == t("chart.not_loaded", "id")
    assert notice.get_attribute("role") == "alert"
    assert page.get_by_text("Baris rencana aksi").count() >= 1  # the cards above the chart are shown
    assert page.locator('[data-testid="rbdashChart"] .main-svg').count() == 0
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=60_000)
    page.wait_for_function(
        "text => document.querySelector('.rbdash-chart-failed').textContent === text",
        arg=t("chart.not_loaded", "en"),
        timeout=30_000,
    )
    page.unroute("**/app/static/plotly/**")
    page.get_by_text("Bahasa Indonesia", exact=True).click()  # a new run: the chart asks again
    page.locator('[data-testid="rbdashChart"] .main-svg').first.wait_for(timeout=60_000)
    assert page.locator(".rbdash-chart-failed").count() == 0
    page.close()


def test_charts_of_pages_left_behind_are_released(server: str, browser) -> None:
    """Seen: every chart drawn stayed in memory with a window listener after its page was left (4 -> 60
    resize listeners after 32 page changes). Charts follow their box, and are purged when removed."""
    page = _open(browser, f"{server}/ikm")
    _ready(page, "IKM")
    cdp = page.context.new_cdp_session(page)

    def window_listeners() -> int:
        window = cdp.send("Runtime.evaluate", {"expression": "window"})["result"]["objectId"]
        listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": window})["listeners"]
        return sum(1 for listener in listeners if listener["type"] == "resize")

    def charts_holding_a_figure() -> int:
        return page.evaluate("window.Plotly ? document.querySelectorAll('.js-plotly-plot').length : 0")

    before = window_listeners()
    for _ in range(3):
        for title in ("Jadwal", "Indikator", "Ringkasan", "IKM"):
            page.get_by_role("link", name=title, exact=True).click()
            _ready(page, title)
    assert window_listeners() <= before
    assert charts_holding_a_figure() == 3  # IKM's three charts, nothing else
    page.close()


def test_main_controls(server: str, browser) -> None:
    page = _open(browser, f"{server}/jadwal")
    _ready(page, "Jadwal")
    chart = page.locator('[data-testid="rbdashChart"]').first
    chart.hover()
    with page.expect_download(timeout=60_000) as download:
        chart.locator(".modebar-btn[data-title*='png' i]").first.click()
    assert download.value.suggested_filename == "jadwal_2022_posisi_2022-09.png"
    ARTIFACTS.mkdir(exist_ok=True)
    download.value.save_as(ARTIFACTS / download.value.suggested_filename)
    with page.expect_download(timeout=60_000) as table_download:  # the file is made on the click
        page.get_by_role("button", name="Unduh CSV").first.click()
    assert table_download.value.suggested_filename == "jadwal_2022_posisi_2022-09.csv"
    table_csv = Path(table_download.value.path()).read_bytes().decode("utf-8-sig")
    assert table_csv.startswith("Kode;") and "RA-11" in table_csv
    page.get_by_label("Cari teks (kode, kegiatan, indikator)").fill("Kerja Sama")
    page.keyboard.press("Enter")
    page.get_by_text("1 dari 11 baris ditampilkan").wait_for(timeout=30_000)
    page.get_by_text("English").click()
    page.get_by_role("heading", name="Schedule", exact=True).wait_for(timeout=30_000)
    page.get_by_text("EXAMPLE:", exact=False).first.wait_for()
    page.get_by_text("Print mode").click()
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    _artifacts(page, "jadwal_en_print_mode")
    page.close()


def test_sign_in_upload_preview_publish_and_see_it(store_server, browser, tmp_path: Path) -> None:
    import openpyxl

    from rbdash.store.sqlite import SqliteStore

    url, root = store_server
    changed = tmp_path / "rencana_diubah.xlsx"
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Rencana Aksi"]["D18"] = "2. Pelibatan masyarakat (diubah lewat unggahan)"
    wb.save(changed)

    page = _open(browser, f"{url}/data")
    page.get_by_text("memerlukan peran editor").wait_for(timeout=60_000)
    menu = page.locator('[data-testid="stSidebarNav"]')
    # A visitor's menu lists neither the upload page nor the admin page (their URLs still answer, with the check).
    assert "Riwayat Versi" in menu.inner_text() and "Unggah Data" not in menu.inner_text()
    assert "Pengguna" not in menu.inner_text()
    page.get_by_label("Nama pengguna").fill("edi")
    page.get_by_label("Kata sandi").fill("kata-sandi-panjang")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai edi").wait_for(timeout=30_000)
    menu.get_by_text("Unggah Data").wait_for(timeout=30_000)  # an editor's menu lists it; not the admin page
    assert "Pengguna" not in menu.inner_text()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(changed))
    page.get_by_text("Tidak ada galat").wait_for(timeout=60_000)
    page.get_by_text("Rencana Aksi: 0 ditambah, 1 diubah, 0 dihapus").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_preview_1440x900.png"), full_page=True)
    page.get_by_label("Catatan penerbitan (wajib)").fill("uji peramban")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Terbitkan sebagai versi baru").click()
    page.get_by_text("Versi 2 diterbitkan").wait_for(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "data_published_1440x900.png"))
    assert SqliteStore(root).current().number == 2

    page.goto(f"{url}/jadwal")
    _ready(page, "Jadwal")
    page.get_by_text("2. Pelibatan masyarakat (diubah lewat unggahan)", exact=False).first.wait_for(timeout=60_000)
    page.close()


@pytest.mark.parametrize(
    ("path", "title", "ready"),
    [
        ("laporan", "Laporan", "Buat laporan"),
        ("riwayat", "Riwayat Versi", "Unduh versi 1"),
        ("data", "Unggah Data", "memerlukan peran editor"),
        ("admin", "Pengguna & Audit", "memerlukan peran admin"),
    ],
)
def test_pages_without_charts(server: str, browser, path: str, title: str, ready: str) -> None:
    page = _open(browser, f"{server}/{path}")
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.get_by_text(ready, exact=False).first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}_1440x900.png"))
    page.close()


def _far_cell_workbook() -> bytes:
    """The bundled workbook with one value at XFD1048576 of 'Capaian Indikator', whose <dimension> still
    says A1:D30: the file that made the native reader abort the whole server (issue #8)."""
    from tests import hostile_factory as hf

    xml = hf.bundled_entries()[hf.VALUES_PART]
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return hf.rewrite_bundled({hf.VALUES_PART: xml.replace(b"</sheetData>", far, 1)})


def test_far_cell_upload_is_refused_and_the_same_server_goes_on(store_server, browser, tmp_path: Path) -> None:
    import openpyxl

    from rbdash.store.sqlite import SqliteStore

    url, root = store_server
    server = SERVERS[url]
    pid = server.pid
    far = tmp_path / "sel_jauh.xlsx"
    far.write_bytes(_far_cell_workbook())
    valid = tmp_path / "rencana_valid.xlsx"
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Rencana Aksi"]["D18"] = "2. Pelibatan masyarakat (setelah berkas sel jauh)"
    wb.save(valid)

    page = _open(browser, f"{url}/data")
    page.get_by_text("memerlukan peran editor").wait_for(timeout=60_000)
    before = SqliteStore(root).current().number  # the server seeds version 1 on its first page
    page.get_by_label("Nama pengguna").fill("edi")
    page.get_by_label("Kata sandi").fill("kata-sandi-panjang")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai edi").wait_for(timeout=30_000)
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

    for path, (title, _) in PAGES.items():
        page.goto(f"{url}/{path}")
        _ready(page, title)
        if path == "jadwal":
            page.get_by_text("2. Pelibatan masyarakat (setelah berkas sel jauh)", exact=False).first.wait_for(
                state="attached"
            )
    for path, title in (
        ("laporan", "Laporan"),
        ("riwayat", "Riwayat Versi"),
        ("data", "Unggah Data"),
        ("admin", "Pengguna & Audit"),
    ):
        page.goto(f"{url}/{path}")
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
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
    page.get_by_label("Nama pengguna").fill("edi")
    page.get_by_label("Kata sandi").fill("kata-sandi-panjang")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Masuk sebagai edi").wait_for(timeout=30_000)
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


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled workbook with the hostile texts of tests/payloads.py typed into it."""
    from tests.conftest import bundled_with
    from tests.payloads import with_payloads

    folder = tmp_path_factory.mktemp("payloads")
    (folder / "payloads.xlsx").write_bytes(bundled_with(with_payloads))
    yield from _serve({"RBDASH_WORKBOOK": str(folder / "payloads.xlsx"), "RBDASH_DATA_DIR": str(folder / "data")})


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
    page = _open(browser, f"{payload_server}/{path}")
    _ready(page, title)
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
