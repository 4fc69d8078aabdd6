"""The PDF report: the expected pages and text (extracted with pypdf), embedded fonts, rendered to PNG
with pdftoppm into test-artifacts/ for a person to look at; and the report CLI."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from rbdash.exports import images
from rbdash.exports.report import build_pdf
from rbdash.model import LoadResult
from tests.conftest import ARTIFACTS, BUNDLED, ROOT, CliRun, require_tool

# Slow (a browser or a server: left out of `make test-fast`); one worker runs this module's tests
# (under `pytest -n`), so its module fixtures start once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

require_tool(images.find_browser() is not None, "Debian's chromium")


@pytest.fixture(scope="module")
def report(bundled: LoadResult) -> bytes:
    return build_pdf(bundled.plan, 9, "id", "versi 1", dt.datetime(2022, 10, 3, 8, 0, tzinfo=dt.UTC))


def test_pages_and_text(report: bytes) -> None:
    reader = PdfReader(io.BytesIO(report))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 8  # the rows not done, the indicators behind, the appendix: a page each
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape
    assert "Rencana Aksi Reformasi Birokrasi di Lingkungan Komisi" in pages[0]
    assert "003/HK.03.1/36/2022" in pages[0] and "Posisi data per 30 September 2022" in pages[0]
    assert "Versi data: versi 1" in pages[0] and "Dibuat: 03-10-2022 15.00.00 WIB" in pages[0]
    assert "83,0%" in pages[1] and "86,20 (B), 2022-TW3" in pages[1]
    # The rows not done with their progress, note and evidence (#12), then the indicators behind target.
    assert "Baris belum selesai s.d. September" in pages[5] and "RA-08" in pages[5] and "Terlambat" in pages[5]
    assert "CONTOH: draf kerja sama dalam" in pages[5] and "CONTOH: laporan" in pages[5]
    assert "Indikator tertinggal dari target" in pages[6] and "RA-05.4" in pages[6]
    for number, text in enumerate(pages, start=1):
        assert f"Halaman {number}" in text and "versi 1" in text
        assert "CONTOH" in text


def test_fonts_are_embedded_and_pages_render(report: bytes, tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(report))
    fonts = {
        font["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/FontFile2" in font.get_object().get("/FontDescriptor", {})
        or font["/BaseFont"].endswith("DejaVuSans")
        or "+" in font["/BaseFont"]
    }
    assert any("DejaVuSans" in name or "Vera" in name for name in fonts)
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is installed by .ci/run"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "laporan_2022_posisi_2022-09.pdf"
    pdf.write_bytes(report)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "laporan_halaman")], check=True, timeout=120
    )
    assert len(list(ARTIFACTS.glob("laporan_halaman-*.png"))) == len(reader.pages) == 8


def test_report_cli(tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's one subprocess run (the smoke test); the refusal without an output file in process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RBDASH_DATA_DIR": str(tmp_path / "data")}
    pdf, pptx = tmp_path / "laporan.pdf", tmp_path / "rapat.pptx"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rbdash",
            "report",
            str(BUNDLED),
            "--pdf",
            str(pdf),
            "--pptx",
            str(pptx),
            "--lang",
            "en",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pptx.stat().st_size > 10_000
    assert "Page 1" in PdfReader(str(pdf)).pages[0].extract_text()
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    nothing = cli("report", str(BUNDLED))
    assert nothing.returncode == 1 and "--pdf" in nothing.stderr


def test_report_page_builds_both_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from rbdash.exports import queue as report_queue

    monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
    old = report_queue.replace_report_queue(None)  # a queue of this test's own, from the settings
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).switch_page("app_pages/laporan.py").run()
        assert at.title[0].value == "Laporan" and at.warning[0].value.startswith("CONTOH")
        at.button(key="report_build").click().run()  # queued: the page returns at once
        assert not at.exception and not at.get("download_button")
        assert at.info[0].value.startswith(("Antrean laporan: posisi 1", "Membuat laporan"))
        job = at.session_state["report_job"]
        assert job.wait(300), "the report was not built within 5 minutes"
        at.run()
        labels = [b.proto.label for b in at.get("download_button")]
        assert labels == ["Unduh PDF", "Unduh PowerPoint"]
        assert job.result.pdf[:5] == b"%PDF-" and job.result.pptx[:2] == b"PK"
    finally:
        used = report_queue.replace_report_queue(old)
        if used is not None:
            used.shutdown(timeout=60)


def test_pdf_without_a_browser_says_so(bundled: LoadResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "find_browser", lambda: None)
    reader = PdfReader(io.BytesIO(build_pdf(bundled.plan, 9, "en", "v1")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Static chart images need Chromium" in text and "Key figure" in text


# ----------------------------------------------------------------------------------------------
# Large and empty plans (seen by the review: 2,000 rows hit the Kaleido timeout; no survey: KeyError)


def _spy_on_figures(monkeypatch: pytest.MonkeyPatch) -> list:
    """Record the figures a build hands to the renderer, then refuse as if there were no browser (fast)."""
    seen: list = []

    def record(figures, scale=3, width=1400):
        seen.extend(figures)
        raise images.ExportUnavailable

    monkeypatch.setattr(images, "figures_png", record)
    return seen


def test_a_large_plan_gets_a_few_gantt_pages_and_a_full_row_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from rbdash.exports import deck, report
    from rbdash.workbook.synthetic import synthetic_plan

    seen = _spy_on_figures(monkeypatch)
    model = synthetic_plan(300)
    reader = PdfReader(io.BytesIO(build_pdf(model, 9, "id", "versi 1")))
    # Programmes, 4 Gantt pages of 18 rows, indicators: whatever the plan's size.
    assert len(seen) == 1 + report.GANTT_PAGES + 1
    gantts = seen[1 : 1 + report.GANTT_PAGES]
    assert all(figure.layout.height <= 140 + 26 * 3 * report.GANTT_ROWS_PER_PAGE for figure in gantts)
    assert "baris 55–72 dari 300" in gantts[-1].layout.title.subtitle.text
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Grafik jadwal menampilkan baris 1–72 dari 300" in text
    assert "Daftar lengkap baris rencana aksi" in text
    listed = {code for code in model.plan["code"] if code in text}
    assert len(listed) == 300  # every row, beyond the 72 in the charts, is in the table
    seen.clear()
    deck.build_deck(model, 9, "id", "versi 1")
    [gantt_slide] = seen  # the deck's one picture: its other charts are PowerPoint's own
    assert "baris 1–18 dari 300" in gantt_slide.layout.title.subtitle.text and not gantt_slide.layout.title.text


def test_a_small_plan_has_no_row_table(bundled: LoadResult, monkeypatch: pytest.MonkeyPatch) -> None:
    _spy_on_figures(monkeypatch)
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(bundled.plan, 9, "id", "v1"))).pages
    )
    assert "Daftar lengkap baris rencana aksi" not in text and "Grafik jadwal menampilkan" not in text


def test_a_large_plan_report_has_every_chart_image_rendered() -> None:
    """Seen: a 2000-row plan's Gantt as one figure made the render time out after some 120 s. The Gantt now
    has at most GANTT_PAGES pages of GANTT_ROWS_PER_PAGE rows whatever the plan's size (checked above on 300
    rows); here the real browser renders all six images of such a report. Its build time for 2000 rows is
    bench/bench_report.py's (timed there, not here)."""
    from rbdash.workbook.synthetic import synthetic_plan

    pdf = build_pdf(synthetic_plan(300), 9, "id", "versi 1")
    assert pdf[:5] == b"%PDF-"
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 6


def _without(tmp_path: Path, name: str, sheets: list[str]) -> Path:
    """The bundled workbook without `sheets`."""
    import openpyxl

    workbook = openpyxl.load_workbook(BUNDLED)
    for sheet in sheets:
        del workbook[sheet]
    path = tmp_path / f"{name}.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "sheets"),
    [
        ("tanpa_survei", ["IKM", "Responden SKM"]),
        ("hanya_ikm", ["Responden SKM"]),
        ("tanpa_realisasi", ["Realisasi", "Capaian Indikator"]),
        ("tanpa_indikator", ["Indikator", "Capaian Indikator"]),
    ],
)
def test_report_cli_without_a_sheet(
    tmp_path: Path, name: str, sheets: list[str], cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = _without(tmp_path, name, sheets)
    pdf, pptx = tmp_path / "laporan.pdf", tmp_path / "rapat.pptx"
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    result = cli("report", str(workbook), "--pdf", str(pdf), "--pptx", str(pptx))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pptx.read_bytes()[:2] == b"PK"
    assert "Halaman 1" in PdfReader(str(pdf)).pages[0].extract_text()


def test_the_report_follows_the_programme_filter_and_names_it(
    bundled: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: the Laporan report ignored the programme filter while its page said "dari data yang ditampilkan"."""
    import pptx

    from rbdash.exports.queue import ReportRequest, build_report

    seen = _spy_on_figures(monkeypatch)
    files = build_report(bundled.plan, ReportRequest(bundled.sha256, 9, "id", "v1", ("",)))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files.pdf)).pages)
    assert "Filter: program RA-01–RA-03 · nama tidak ada dalam salinan" in text
    assert "3 (8 indikator)" in text  # rows and indicators of the chosen programme (by hand: test_metrics)
    assert "filter program tidak berlaku untuk IKM" in text
    programme_chart = seen[0]
    assert len(programme_chart.data[0].y) == 1  # one programme charted
    gantt_labels = " ".join(seen[1].layout.yaxis.ticktext)
    assert "RA-01" in gantt_labels and "RA-04" not in gantt_labels
    deck_text = " ".join(
        shape.text_frame.text
        for slide in pptx.Presentation(io.BytesIO(files.pptx)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Filter: program RA-01–RA-03" in deck_text and "3" in deck_text
    slides = [
        " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in pptx.Presentation(io.BytesIO(files.pptx)).slides
    ]
    assert "IKM terakhir (seluruh satker)" in slides[0]  # the key figures: the IKM is the office's
    ikm_slides = [text for text in slides if "Indeks Kepuasan" in text or "NRR" in text]
    assert ikm_slides and all("filter program tidak berlaku untuk IKM" in text for text in ikm_slides)
    assert not [text for text in ikm_slides if "Filter: program" in text]


def test_workbook_text_shows_literally_in_the_pdf_and_the_deck(monkeypatch: pytest.MonkeyPatch) -> None:
    """The payloads of tests/payloads.py (also tried on every page in tests/test_browser_store.py) as typed."""
    import pptx

    from rbdash.exports.deck import build_deck
    from rbdash.workbook.loader import load_workbook
    from tests.conftest import bundled_with
    from tests.payloads import PAYLOADS, shown, with_payloads

    _spy_on_figures(monkeypatch)
    model = load_workbook(bundled_with(with_payloads)).plan
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(model, 9, "id", "v1"))).pages)
    for where in [("Info", "B4"), ("Rencana Aksi", "D13"), ("Indikator", "D6")]:
        assert shown(PAYLOADS[where]) in " ".join(text.split()), where
    deck = pptx.Presentation(io.BytesIO(build_deck(model, 9, "id", "v1")))
    deck_text = " ".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    )
    assert shown(PAYLOADS[("Info", "B4")]) in deck_text
    assert not [c for c in ("\u202e", "\u2067", "\u2069") if c in text or c in deck_text]


def test_the_deck_reuses_the_reports_chart_images(bundled: LoadResult) -> None:
    """#12.6: chart images rendered once for the PDF and the deck (the deck's Gantt is the PDF's first Gantt
    page's picture; its other charts are PowerPoint's own). Seen: the deck rendered its title-less Gantt again."""
    from rbdash.exports.deck import build_deck

    build_pdf(bundled.plan, 9, "id", "v1")
    before = images.renderer().rendered
    build_deck(bundled.plan, 9, "id", "v1")
    assert images.renderer().rendered == before
