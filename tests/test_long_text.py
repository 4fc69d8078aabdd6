"""Any cell text lays out: the bundled workbook with 32,767 characters (Excel's most) in every text
column of every sheet still gives a PDF report and a deck. Table cells, the cover, headings and the
footer are cut with "…" and a pointer to the appendix, which holds the full text; slide text boxes
keep to their lines with the full text in the notes; chart labels are cut."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from pptx import Presentation
from pypdf import PdfReader

from rbdash.analysis import metrics
from rbdash.exports import deck, images, pdf_parts, report
from rbdash.model import ActionPlan
from rbdash.present import charts, fitting
from rbdash.workbook.loader import load_workbook
from tests.conftest import ARTIFACTS, CliRun, edit_workbook, require_tool

# One worker runs this module's tests (under `pytest -n`), so its module fixtures start once.
pytestmark = pytest.mark.xdist_group("long_text")

EXCEL_MAX = 32_767
WORDS = ["rencana", "aksi", "reformasi", "birokrasi", "pelayanan", "publik", "integritas", "evaluasi"]
# Free-text columns per sheet (codes are handled apart: every sheet that refers to a code gets the same text).
TEXT_COLUMNS = {
    "Rencana Aksi": "BCDER",
    "Indikator": "DJ",
    "Realisasi": "EF",
    "Capaian Indikator": "D",
    "Responden SKM": "B",
}
CODE_COLUMNS = {"Rencana Aksi": "S", "Indikator": "AB", "Realisasi": "A", "Capaian Indikator": "A"}
INFO_TEXT = ("Satker", "Judul", "Disusun Oleh", "Catatan")
FIRST_DATA_ROW = {"Rencana Aksi": 9}


def long_text(tag: str, words: bool = True) -> str:
    """Exactly 32,767 characters, starting with <tag>& and ending with its closing tag (markup on purpose)."""
    head, tail = f"<{tag}>& ", f" </{tag}>"
    room = EXCEL_MAX - len(head) - len(tail)
    if words:
        body = " ".join(WORDS[i % len(WORDS)] for i in range(room // 5))[:room]
    else:  # one unbroken "word", as a decree number or a pasted link might be
        body = ("003/HK.03.1/36/2022/" * (room // 20 + 1))[:room]
    return head + body.rstrip().ljust(room, "x") + tail


def _fill(wb: openpyxl.Workbook) -> dict[str, str]:
    full: dict[str, str] = {}
    info = wb["Info"]
    for row in range(1, info.max_row + 1):
        if info[f"A{row}"].value in INFO_TEXT:
            info[f"B{row}"] = full[f"Info B{row}"] = long_text(f"Info-B{row}")
        elif info[f"A{row}"].value == "Nomor Keputusan":
            info[f"B{row}"] = full["decree"] = long_text("Nomor", words=False)
    codes: dict[str, str] = {}
    units: dict[str, str] = {}
    for name in dict.fromkeys([*TEXT_COLUMNS, *CODE_COLUMNS]):
        sheet, columns = wb[name], TEXT_COLUMNS.get(name, "") + CODE_COLUMNS.get(name, "")
        for row in range(FIRST_DATA_ROW.get(name, 4), sheet.max_row + 1):
            for column in columns:
                cell = sheet[f"{column}{row}"]
                if isinstance(cell, MergedCell) or cell.value is None:
                    continue
                if column in CODE_COLUMNS.get(name, ""):
                    old = str(cell.value)
                    cell.value = codes.setdefault(old, long_text(f"KODE-{old}"))
                elif name == "Responden SKM":
                    cell.value = units.setdefault(str(cell.value), long_text(f"Unit-{len(units) + 1}"))
                else:
                    cell.value = full[f"{name} {column}{row}"] = long_text(f"{name}-{column}{row}".replace(" ", "-"))
    full.update({f"code {old}": new for old, new in codes.items()})
    return full


@pytest.fixture(scope="module")
def long_workbook(tmp_path_factory: pytest.TempPathFactory, bundled_bytes: bytes) -> tuple[Path, dict[str, str]]:
    full: dict[str, str] = {}
    data = edit_workbook(bundled_bytes, lambda wb: full.update(_fill(wb)))
    path = tmp_path_factory.mktemp("long") / "teks_panjang.xlsx"
    path.write_bytes(data)
    return path, full


@pytest.fixture(scope="module")
def long_model(long_workbook: tuple[Path, dict[str, str]]) -> ActionPlan:
    result = load_workbook(long_workbook[0])
    assert result.is_valid, [p.render("en") for p in result.errors]
    model = result.plan
    assert model.info["title"].startswith("<Info-B6>&") and len(model.info["title"]) == EXCEL_MAX
    assert model.plan["sub_activity"].map(len).min() == EXCEL_MAX
    assert model.plan["code"].map(len).min() == EXCEL_MAX
    return model


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_body(text: str, number: int) -> str:
    """A page's text without its footer, page number and CONTOH line (drawn first on every page)."""
    lines = text.split("\n")
    assert lines[1] == f"Halaman {number}" and lines[2].startswith("CONTOH:"), lines[:3]
    return "\n".join(lines[3:])


# ----------------------------------------------------------------------------------------------
# The fitting helpers, without a browser


def test_fit_cuts_to_the_lines_given_and_keeps_short_text() -> None:
    assert fitting.fit("kata pendek", 500, "Helvetica", 10) == "kata pendek"
    text = long_text("x")
    for lines in (1, 3):
        shown = fitting.fit(text, 200, "Helvetica", 10, lines, " (lihat Lampiran 2)")
        assert shown.endswith("… (lihat Lampiran 2)") and fitting.fits(shown, 200, "Helvetica", 10, lines)
        assert text.startswith(shown[: -len("… (lihat Lampiran 2)")])
    unbroken = long_text("y", words=False)
    shown = fitting.fit(unbroken, 200, "Helvetica", 10, 2)
    assert len(shown) < 100 and shown.endswith("…") and fitting.fits(shown, 200, "Helvetica", 10, 2)


def test_short_names_stay_distinct() -> None:
    first, second = "Program " + "a" * 200 + " satu", "Program " + "a" * 200 + " dua"
    names = fitting.short_names([first, second, first, None], 40)
    assert set(names) == {first, second} and len(set(names.values())) == 2
    assert all(len(name) <= 40 for name in names.values())
    assert fitting.short_names(["RA-01"], 24) == {"RA-01": "RA-01"}


def test_chart_labels_are_cut(long_model: ActionPlan) -> None:
    labelled = fitting.chart_model(long_model)
    assert labelled.plan["code"].map(len).max() <= fitting.CODE_CHARS
    assert labelled.plan["code"].nunique() == long_model.plan["code"].nunique()
    figures = [
        charts.gantt(labelled, 9, "id"),
        charts.indicator_bars(metrics.indicator_status(labelled, 9), labelled, 9, "id"),
    ]
    for figure in figures:
        assert max(len(label) for label in figure.layout.yaxis.ticktext) < 350  # at most two wrapped lines
    progress = metrics.programme_progress(labelled, 9)
    assert len(progress) == len(metrics.programme_progress(long_model, 9))  # no programmes merged
    table = metrics.ikm_table(labelled, "Semua unit", 12)
    legend = [trace.name for trace in charts.ikm_trend(table, labelled, 9, "id").data]
    assert max(len(name) for name in legend) <= fitting.UNIT_CHARS + 10


def test_the_bundled_model_is_not_copied_for_charts(bundled) -> None:
    bundled = bundled.plan
    assert fitting.chart_model(bundled) is bundled


# ----------------------------------------------------------------------------------------------
# The PDF and the deck (charts through Chromium)


@pytest.fixture(scope="module")
def long_pdf(long_model: ActionPlan) -> bytes:
    require_tool(images.find_browser() is not None, "Debian's chromium")
    return report.build_pdf(long_model, 9, "id", "versi 1")


@pytest.mark.slow
def test_pdf_cuts_cells_and_keeps_the_full_text_in_the_appendix(
    long_pdf: bytes, long_workbook: tuple[Path, dict[str, str]]
) -> None:
    full = long_workbook[1]
    reader = PdfReader(io.BytesIO(long_pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert 10 <= len(pages) <= 120  # the appendix is bounded (pdf_parts.APPENDIX_CHARS)
    pages = [page_body(text, number) for number, text in enumerate(pages, start=1)]
    cover = pages[0]
    assert "(lihat Lampiran 1)" in cover and "(lihat Lampiran 2)" in cover and "(lihat Lampiran 3)" in cover
    assert "<Info-B6>&" in cover and "</Info-B6>" not in cover  # the title, cut
    start = next(i for i, text in enumerate(pages) if "Lampiran: teks lengkap" in text)
    assert all("Lampiran:" not in text for text in pages[:start])
    assert any("lihat Lampiran" in text for text in pages[1:start])  # table cells point to it
    body = squash("".join(pages[start:]))
    for key in ("Info B6", "Info B4", "decree", "Rencana Aksi D10"):  # title, satker, decree, a sub-activity
        assert squash(full[key]) in body, key
    assert "Lampiran1:Judul" in body and "Lampiran3:KeputusanNomor" in body
    assert len(body) < pdf_parts.APPENDIX_CHARS * 1.1


@pytest.mark.slow
def test_pdf_text_stays_on_the_page(long_pdf: bytes, tmp_path: Path) -> None:
    require_tool(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext)")
    pdf = tmp_path / "panjang.pdf"
    pdf.write_bytes(long_pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "12", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    width, height = (float(v) for v in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html).groups())
    boxes = [
        tuple(float(v) for v in box)
        for box in re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', html)
    ]
    assert len(boxes) > 1000
    assert all(x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height for x0, y0, x1, y1 in boxes)


@pytest.mark.slow
def test_pdf_pages_render_for_a_person(long_pdf: bytes) -> None:
    require_tool(shutil.which("pdftoppm") is not None, "poppler-utils (pdftoppm)")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("laporan_teks_panjang*"):
        old.unlink()
    pdf = ARTIFACTS / "laporan_teks_panjang.pdf"
    pdf.write_bytes(long_pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-l", "12", str(pdf), str(ARTIFACTS / "laporan_teks_panjang")],
        check=True,
        timeout=120,
    )
    assert len(list(ARTIFACTS.glob("laporan_teks_panjang-*.png"))) == 12


@pytest.mark.slow
def test_deck_boxes_keep_to_the_slide_and_notes_hold_the_full_text(
    long_model: ActionPlan, long_workbook: tuple[Path, dict[str, str]]
) -> None:
    require_tool(images.find_browser() is not None, "Debian's chromium")
    full = long_workbook[1]
    presentation = Presentation(io.BytesIO(deck.build_deck(long_model, 9, "id", "versi 1")))
    slides = list(presentation.slides)
    assert len(slides) == 6
    for slide in slides:
        texts = []
        for shape in slide.shapes:
            assert shape.left + shape.width <= presentation.slide_width
            assert shape.top + shape.height <= presentation.slide_height
            if shape.has_text_frame:
                run = shape.text_frame.paragraphs[0].runs[0]
                room = (shape.width - 2 * deck.INSET) / deck.EMU_PER_POINT
                font, points = fitting.register_fonts()[1 if run.font.bold else 0], int(run.font.size.pt)
                lines = deck.box_lines(shape.height, points)  # the lines the box holds at that size
                assert lines >= 1 and fitting.fits(run.text, room, font, points, lines), run.text[:80]
                texts.append(run.text)
        assert any(text.startswith("CONTOH:") for text in texts)
        charts = sum(1 for shape in slide.shapes if shape.shape_type == 13 or shape.has_chart)  # a picture or a chart
        assert charts == (1 if slide != slides[0] else 0)
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith("Teks lengkap yang dipotong") and full["Info B4"] in notes  # the satker, whole
    first = slides[0].notes_slide.notes_text_frame.text
    assert full["decree"] in first
    assert any(code in first for code in long_model.plan["code"])  # a list of codes, whole


@pytest.mark.slow
def test_report_cli_on_the_long_file(
    long_workbook: tuple[Path, dict[str, str]],
    tmp_path: Path,
    cli: Callable[..., CliRun],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command's own path with the long file (its PDF is `long_pdf`'s: ReportLab lays out some 60 pages of
    appendix in about 15 s here, so the command writes the deck)."""
    require_tool(images.find_browser() is not None, "Debian's chromium")
    pptx = tmp_path / "rapat.pptx"
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    result = cli("report", str(long_workbook[0]), "--pptx", str(pptx))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and len(Presentation(str(pptx)).slides) == 6


# ----------------------------------------------------------------------------------------------
# A long name on the dashboard's charts (seen by the review: a 300-character programme name overlapped the plot)


def _ticks_of(figure) -> list[str]:
    return list(figure.layout.yaxis.ticktext)


def _lines(label: str) -> list[str]:
    """The lines of an axis label as shown: markup tags dropped, entities read."""
    import html

    return [html.unescape(re.sub(r"</?[bi]>", "", line)) for line in label.split("<br>")]


@pytest.fixture(scope="module")
def long_name_model(bundled) -> tuple[ActionPlan, str, str]:
    """The bundled model whose first programme and first service unit have 300-character names."""
    import dataclasses

    model = bundled.plan
    old = model.plan["program"].dropna().iloc[0]
    name = ("Program penguatan akuntabilitas & kinerja " * 8)[:300]
    unit = ("Layanan informasi publik dan pengaduan " * 8)[:300]
    old_unit = model.survey["unit"].iloc[0]
    return (
        dataclasses.replace(
            model,
            plan=model.plan.assign(program=model.plan["program"].replace(old, name)),
            survey=model.survey.assign(unit=model.survey["unit"].replace(old_unit, unit)),
            responses=model.responses.assign(unit=model.responses["unit"].replace(old_unit, unit)),
        ),
        name,
        unit,
    )


def test_long_names_are_bounded_on_the_axis_and_whole_in_the_hover(long_name_model) -> None:
    import html

    model, name, unit = long_name_model
    escaped = html.escape(name)
    bars = charts.programme_bars(metrics.programme_progress(model, 9), model, 9, "id")
    label = next(tick for tick in _ticks_of(bars) if _lines(tick)[0].startswith("Program penguatan"))
    assert len(_lines(label)) <= 2 and all(len(line) <= 40 for line in _lines(label))
    assert _lines(label)[-1].endswith("…")
    hover = bars.data[0].hovertext[_ticks_of(bars).index(label)]
    assert escaped.replace(" ", "") in hover.replace("<br>", "").replace(" ", "")  # wrapped, but every character
    gantt = charts.gantt(model, 9, "id")
    heading = next(tick for tick in _ticks_of(gantt) if "Program penguatan" in tick)
    assert len(_lines(heading)) == 1 and len(_lines(heading)[0]) <= charts.LABEL_CHARS
    headings = gantt.data[-1]  # the invisible markers that carry the headings' full names
    index = list(headings.y).index(_ticks_of(gantt).index(heading))
    assert escaped.replace(" ", "") in headings.hovertext[index].replace("<br>", "").replace(" ", "")
    indicators = charts.indicator_bars(metrics.indicator_status(model, 9), model, 9, "id")
    assert all(len(line) <= charts.LABEL_CHARS for tick in _ticks_of(indicators) for line in _lines(tick))
    table = metrics.ikm_table(model, "Semua unit", 12)
    trend = charts.ikm_trend(table, model, 9, "id")
    legend = next(trace for trace in trend.data if trace.name.startswith("Layanan informasi"))
    assert len(legend.name) <= charts.LEGEND_CHARS and legend.name.endswith("…")
    assert html.escape(unit).replace(" ", "") in legend.hovertext[0].replace("<br>", "").replace(" ", "")


def test_the_plan_table_keeps_the_long_name_whole(long_name_model) -> None:
    from rbdash.present.views import plan_table

    model, name, _ = long_name_model
    assert name in set(plan_table(model, "id")["Program Kegiatan"])


def test_tables_show_bidirectional_controls_as_code_points_whatever_the_dtype() -> None:
    """Seen: a right-to-left override in a cell reversed what followed it ("exe.txt" read "txt.exe")."""
    import pandas as pd

    from rbdash.present.text import literal_frame

    frame = pd.DataFrame({"teks": pd.Series(["a\u202eb", None], dtype="str"), "lain": ["c\u2067d", 1], "n": [1, 2]})
    shown = literal_frame(frame)
    assert shown["teks"].tolist()[0] == "a[U+202E]b" and pd.isna(shown["teks"].tolist()[1])
    assert shown["lain"].tolist() == ["c[U+2067]d", 1] and shown["n"].tolist() == [1, 2]
    assert frame["teks"].tolist()[0] == "a\u202eb"  # the frame itself (and so the downloads) is untouched
