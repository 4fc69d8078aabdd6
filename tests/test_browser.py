"""Real browser, the dashboard's pages: Debian's headless Chromium driven by Playwright loads every page
served by `python -m rbdash.ui.serve` (as `make run` serves it), clicks the main controls, prints each page,
and saves 1440x900 screenshots and A4-landscape PDFs to test-artifacts/. (Uploads, sign-in and workbook
text: tests/test_browser_store.py, on a worker of its own.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from rbdash.messages import t
from tests.browsing import PAGES, artifacts, launch_browser, open_page, ready, serve, settled
from tests.conftest import ARTIFACTS, BUNDLED, require_tool

# Slow (a browser or a server: left out of `make test-fast`); one worker runs this module's tests
# (under `pytest -n`), so its module fixtures start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    yield from launch_browser()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve({"RBDASH_WORKBOOK": str(BUNDLED), "RBDASH_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


def test_the_overview_answers_its_own_url(server: str, browser) -> None:
    """Seen by the user review: opening /ringkasan directly showed Streamlit's "Page not found"."""
    page = open_page(browser, f"{server}/ringkasan")
    ready(page, "Ringkasan")
    assert page.get_by_text("Page not found").count() == 0
    page.close()


def _overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    """(sheet, word, word) of printed words drawn over one another (boxes meeting over half a line's height):
    text printed over text. Charts' angled labels overlap by design: check sheets without them."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    found = []
    for sheet, page in enumerate(html.split("<page ")[1:], start=1):
        boxes = sorted(
            ((float(a), float(b), float(c), float(d), w) for a, b, c, d, w in word.findall(page)), key=lambda w: w[1]
        )
        for index, first in enumerate(boxes):
            for second in boxes[index + 1 :]:
                if second[1] >= first[3]:
                    break  # sorted by top: no later word reaches up into this one
                across = min(first[2], second[2]) - max(first[0], second[0])
                down = min(first[3], second[3]) - max(first[1], second[1])
                if across > 1 and down > 0.5 * min(first[3] - first[1], second[3] - second[1]):
                    found.append((sheet, first[4], second[4]))
    return found


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
        "triwulan": (
            "Realisasi per triwulan",
            {"TW III", "TW IV", "s.d. Sep", "Peningkatan Kualitas Pelayanan Publik"},
        ),
        "indikator": ("Capaian indikator terhadap target", set(model.indicators["indicator_code"])),
        "ikm": ("Indeks Kepuasan Masyarakat", {f"U{number}" for number in range(1, 10)}),
    }[path]


@pytest.mark.parametrize("path", list(PAGES), ids=[name for _, name in PAGES.values()])
def test_every_page_loads_and_prints(server: str, browser, path: str) -> None:
    """Printed as Ctrl+P prints (A4 landscape): the title, the filters and the first chart share sheet 1,
    and every table prints whole (seen: tables printed their scroll box, page 1 almost empty)."""
    title, name = PAGES[path]
    page = open_page(browser, f"{server}/{path}")
    ready(page, title)
    assert page.get_by_text("CONTOH:", exact=False).first.is_visible()
    assert page.get_by_text("Posisi data per", exact=False).first.is_visible()
    assert page.get_by_text("Page not found").count() == 0
    artifacts(page, name)
    page.close()
    require_tool(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)")
    sheets = _pdf_pages(ARTIFACTS / f"{name}_a4_landscape.pdf")
    first_chart, codes = _expected_print(path)
    assert title in sheets[0] and first_chart in sheets[0]
    assert path == "ikm" or "Filter: semua program" in sheets[0]  # the IKM is the office's, whatever the filter
    printed = "\n".join(sheets)
    assert codes and {code for code in codes if code not in printed} == set()
    # Seen by the review: Ringkasan's second list's heading printed over the first list's last row (a flex row
    # broken across sheets). The IKM's NRR chart names its unsur at an angle, so its sheets are not checked.
    if path != "ikm":
        assert _overlapping_words(ARTIFACTS / f"{name}_a4_landscape.pdf") == []


def test_print_mode_has_a_way_back_that_does_not_print(server: str, browser) -> None:
    """Seen: Mode cetak hid the sidebar and its toggle; only a reload led back."""
    page = open_page(browser, f"{server}/jadwal")
    ready(page, "Jadwal")
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
    page = open_page(browser, f"{server}/ikm")
    ready(page, "IKM")
    cdp = page.context.new_cdp_session(page)

    def window_listeners() -> int:
        window = cdp.send("Runtime.evaluate", {"expression": "window"})["result"]["objectId"]
        listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": window})["listeners"]
        return sum(1 for listener in listeners if listener["type"] == "resize")

    def charts_in_the_page() -> int:
        """IKM's three charts drawn (ready() waits for the first only), then every Plotly chart in the page."""
        page.wait_for_function(
            'document.querySelectorAll(\'[data-testid="rbdashChart"][data-drawn="true"]\').length === 3',
            timeout=60_000,
        )
        return page.evaluate("document.querySelectorAll('.js-plotly-plot').length")

    before = window_listeners()
    for title in ("Jadwal", "Indikator", "Ringkasan", "IKM"):  # before the fix: about two listeners more a page
        page.get_by_role("link", name=title, exact=True).click()
        ready(page, title)
    assert window_listeners() <= before
    assert charts_in_the_page() == 3  # IKM's three charts, none left from other pages
    page.close()


def test_a_language_switch_keeps_the_month_and_the_programmes_chosen(server: str, browser) -> None:
    """Seen by the review: after a switch to English the month slider stood at January while the figures
    said July (and the next run took January); a programme chosen by its translated label was dropped on
    the way back. The choices, as shown and as counted, survive both switches."""
    page = open_page(browser, f"{server}/")
    ready(page, "Ringkasan")
    slider = page.get_by_role("slider").first
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.get_by_text("s.d. Juli", exact=False).first.wait_for(timeout=30_000)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    box.click()
    box.fill("nama tidak ada")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text("Filter: program RA-01–RA-03", exact=False).first.wait_for(timeout=30_000)
    settled(page)
    for language, heading, month, scope in [
        ("English", "Overview", "July", "Filter: programme(s) RA-01–RA-03 · name not in the copy"),
        ("Bahasa Indonesia", "Ringkasan", "Juli", "Filter: program RA-01–RA-03 · nama tidak ada dalam salinan"),
        ("English", "Overview", "July", "Filter: programme(s) RA-01–RA-03 · name not in the copy"),
    ]:
        page.get_by_text(language, exact=True).click()
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=30_000)
        settled(page)
        assert slider.get_attribute("aria-valuetext") == month
        captions = "\n".join(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts())
        assert f" {month} 2022" in captions and scope in captions
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "3"  # the programme's rows
    page.close()


def test_main_controls(server: str, browser) -> None:
    page = open_page(browser, f"{server}/jadwal")
    ready(page, "Jadwal")
    chart = page.locator('[data-testid="rbdashChart"]').first
    chart.hover()
    with page.expect_download(timeout=60_000) as download:
        chart.locator(".modebar-btn[data-title*='png' i]").first.click()
    assert download.value.suggested_filename == "jadwal_kpu_provinsi_banten_2022_posisi_2022-09.png"
    ARTIFACTS.mkdir(exist_ok=True)
    download.value.save_as(ARTIFACTS / download.value.suggested_filename)
    with page.expect_download(timeout=60_000) as table_download:  # the file is made on the click
        page.get_by_role("button", name="Unduh CSV").first.click()
    assert table_download.value.suggested_filename == "jadwal_kpu_provinsi_banten_2022_posisi_2022-09.csv"
    table_csv = Path(table_download.value.path()).read_bytes().decode("utf-8-sig")
    assert table_csv.startswith("Kode;") and "RA-11" in table_csv
    page.get_by_label("Cari teks (kode, kegiatan, indikator)").fill("Kerja Sama")
    page.keyboard.press("Enter")
    page.get_by_text("1 dari 11 baris ditampilkan").wait_for(timeout=30_000)
    settled(page)
    # Select the one row left (its marker, left of the first cell: header and rows 35 px tall): its realisation
    # month by month, below the table (#12).
    heading = page.get_by_role("heading", name="Rincian RA-09: 1. Pembangunan Kerja Sama")
    for attempt in range(3):  # the narrowed table is a new grid: a click while it still mounts does nothing
        table = page.locator('[data-testid="stDataFrame"]').first
        table.wait_for(state="visible", timeout=30_000)
        grid = table.bounding_box()
        if grid is not None:
            page.mouse.click(grid["x"] + 18, grid["y"] + 35 + 17)
        try:
            heading.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            assert attempt < 2, "the row's detail never appeared"
    detail = page.locator(".rb-detail-table").inner_text()
    assert "September\tSebagian\t40\tCONTOH: draf kerja sama dalam pembahasan.\tCONTOH: laporan kegiatan" in detail
    page.get_by_text("English").click()
    page.get_by_role("heading", name="Schedule", exact=True).wait_for(timeout=30_000)
    page.get_by_text("EXAMPLE:", exact=False).first.wait_for()
    page.get_by_text("Print mode").click()
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=30_000)
    settled(page)  # the run Mode cetak started has ended and its chart is drawn again (seen: printed without it)
    assert page.locator('[data-testid="stException"]').count() == 0
    artifacts(page, "jadwal_en_print_mode")
    assert "Action plan 2022 schedule" in _pdf_pages(ARTIFACTS / "jadwal_en_print_mode_a4_landscape.pdf")[0]
    # Seen: Plotly's "Image download succeeded - jadwal_....png" boxes printed over the chart.
    assert _overlapping_words(ARTIFACTS / "jadwal_en_print_mode_a4_landscape.pdf") == []
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
    page = open_page(browser, f"{server}/{path}")
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.get_by_text(ready, exact=False).first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    settled(page)  # seen: the sidebar's widgets still loading placeholders in the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}_1440x900.png"))
    page.close()
