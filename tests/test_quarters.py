"""Quarters (#12.2): plan against realisation per triwulan for each programme and kegiatan, on the Triwulan
page, and a report for a quarter (the Laporan page's choice, `report --quarter 2022-TW3`) with the quarter's
figures beside the cumulative ones.

Expected values worked by hand from the example realisation (rbdash/annex2022.py) as of September: the
unnamed programme RA-01-RA-03 has RA-01 (Jan), RA-02 (every month) and RA-03 (Aug); TW III holds RA-02 in
Jul-Sep and RA-03 in Aug: 4 row-months due, RA-02/September partial, so 3 done."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from rbdash.analysis import quarters
from rbdash.config import ReportLayout
from rbdash.exports import queue as rq
from rbdash.exports.report import build_pdf
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import charts, views
from tests.conftest import BUNDLED, ROOT, CliRun

#: The reports here are read for their text: no chart images (tests/test_report.py renders them).
pytestmark = pytest.mark.usefixtures("text_only_reports")


@pytest.fixture(scope="module")
def model(bundled: LoadResult) -> ActionPlan:
    assert bundled.plan is not None
    return bundled.plan


def test_quarter_progress_per_programme_and_kegiatan(model: ActionPlan) -> None:
    progress = quarters.quarter_progress(model, 9)
    unnamed = progress.iloc[0]
    assert (unnamed["level"], unnamed["program"]) == ("program", "")
    figures = [(unnamed[f"planned_{q}"], unnamed[f"due_{q}"], unnamed[f"done_{q}"]) for q in range(1, 5)]
    # TW I: RA-01/Jan, RA-02/Jan-Mar; TW II: RA-02/Apr-Jun; TW III: RA-02/Jul-Sep, RA-03/Aug; TW IV: RA-02 only.
    assert figures == [(4, 4, 4), (3, 3, 3), (4, 4, 3), (3, 0, 0)]
    assert (unnamed["partial_3"], unnamed["due"], unnamed["done"], unnamed["partial"]) == (1, 11, 10, 1)
    other = progress[(progress["level"] == "program") & (progress["program"] != "")].iloc[0]
    # 36 row-months due to September: 29 done (as on Ringkasan), 3 partial.
    assert (other["due"], other["done"], other["partial"]) == (36, 29, 3)
    assert sum(other[f"due_{q}"] for q in range(1, 5)) == 36
    levels = progress["level"].tolist()
    assert levels[:2] == ["program", "activity"] and levels.count("program") == 2


def test_the_quarter_table_reads_done_of_due(model: ActionPlan) -> None:
    table = views.quarter_table(model, 9, "id")
    assert list(table.columns) == ["Program / kegiatan", "TW I", "TW II", "TW III", "TW IV", "s.d. Sep"]
    first = table.iloc[0].tolist()
    assert first == [
        "RA-01–RA-03 · nama tidak ada dalam salinan",
        "4/4 · 100%",
        "3/3 · 100%",
        "3/4 · 75%",
        "rencana 3",
        "10/11 · 91%",
    ]
    assert table.iloc[1, 0].startswith("· ")  # its kegiatan, under it
    assert views.quarter_cell(0, 0, 0, "id") == "–"
    english = views.quarter_table(model, 6, "en")
    assert list(english.columns) == ["Programme / activity", "Q1", "Q2", "Q3", "Q4", "to Jun"]
    assert english.iloc[0, 3] == "planned 4"  # nothing of TW III is due in June


def test_the_quarter_chart_has_a_bar_group_per_programme(model: ActionPlan) -> None:
    fig = charts.quarter_bars(quarters.quarter_progress(model, 9), model, 9, "id")
    assert [list(trace.text) for trace in fig.data] == [["4/4", "3/3", "3/4", ""], ["9/9", "12/13", "8/14", ""]]
    assert fig.data[0].y[3] is None  # TW IV: nothing due yet, no bar
    assert {trace.marker.pattern.shape for trace in fig.data} == {"", "/"}  # told apart in grayscale


def test_a_quarter_chart_with_nothing_due_says_so(model: ActionPlan) -> None:
    """Seen by the review: empty axes and no word why (a filter leaving only rows due later)."""
    progress = quarters.quarter_progress(model, 1)
    only_later = progress[progress["due"] == 0]
    fig = charts.quarter_bars(only_later, model, 1, "id")
    assert any("Tidak ada data" in (note.text or "") for note in fig.layout.annotations)
    assert not any(
        "Tidak ada data" in (n.text or "") for n in charts.quarter_bars(progress, model, 9, "id").layout.annotations
    )


def test_the_triwulan_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/triwulan.py").run()
    assert not at.exception and at.title[0].value == "Triwulan"
    table = at.dataframe[0].value
    assert table.iloc[0].tolist()[1:] == ["4/4 · 100%", "3/3 · 100%", "3/4 · 75%", "rencana 3", "10/11 · 91%"]
    at.sidebar.select_slider(key="as_of_month").set_value(6).run()
    assert at.dataframe[0].value.iloc[0, 3] == "rencana 4"


def test_a_quarter_report_has_the_quarter_beside_the_cumulative_figures(model: ActionPlan) -> None:
    pdf = build_pdf(model, 9, "id", "v1", layout=ReportLayout(), quarter=3)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Triwulan III 2022 (Jul–Sep) dan kumulatif" in pages[0]  # the cover says which report it is
    page = next(text for text in pages[1:] if "Triwulan III 2022 (Jul–Sep) dan kumulatif" in text)
    assert "TW III" in page and "s.d. Sep" in page and "3/4 · 75%" in page and "10/11 · 91%" in page
    plain = [
        page.extract_text()
        for page in PdfReader(io.BytesIO(build_pdf(model, 9, "id", "v1", layout=ReportLayout()))).pages
    ]
    assert not any("dan kumulatif" in text for text in plain)


def test_report_quarter_on_the_command_line(tmp_path: Path, cli: Callable[..., CliRun]) -> None:
    out = tmp_path / "tw2.pdf"
    done = cli("report", str(BUNDLED), "--pdf", str(out), "--quarter", "2022-tw2")
    assert done.returncode == 0, done.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "Triwulan II 2022 (Apr–Jun) dan kumulatif" in text and "Posisi data per Juni 2022" in text
    later = cli("report", str(BUNDLED), "--pdf", str(out), "--quarter", "2022-TW4")
    assert later.returncode == 1 and "dimulai sesudah posisi data buku kerja (September 2022)" in later.stderr
    # Seen by the review: "" wrote an ordinary report; other scripts' digits were read; a long value echoed whole.
    for wrong in (
        "2021-TW1",
        "2022-TW5",
        "TW3",
        "2022-Q3",
        "",
        "\u0662\u0660\u0662\u0662-TW3",
        "2022-TW3" + "x" * 100_000,
    ):
        refused = cli("report", str(BUNDLED), "--pdf", str(out), "--quarter", wrong)
        assert refused.returncode == 1 and "--quarter" in refused.stderr and "2022-TW3" in refused.stderr
        assert len(refused.stderr) < 400


def test_the_report_page_offers_the_quarters_begun(monkeypatch: pytest.MonkeyPatch) -> None:
    requests: list[rq.ReportRequest] = []

    def fake(model, request: rq.ReportRequest, reference=None) -> rq.ReportFiles:
        requests.append(request)
        return rq.ReportFiles(pdf=b"%PDF-", pptx=b"PK")

    queue = rq.BuildQueue(builders=1, capacity=2)
    monkeypatch.setattr(rq, "build_report", fake)
    old = rq.replace_report_queue(queue)
    try:
        monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page("app_pages/laporan.py").run()
        chooser = at.selectbox(key="report_quarter")
        assert chooser.options == [
            "posisi data (bulan di panel samping)",
            "Triwulan I (dengan kumulatif)",
            "Triwulan II (dengan kumulatif)",
            "Triwulan III (dengan kumulatif)",
        ]
        assert chooser.value == 0
        chooser.set_value(2).run()
        at.button(key="report_build").click().run()
        assert at.session_state["report_job"].wait(30)
        assert (requests[0].quarter, requests[0].as_of_month) == (2, 6)
        # Seen by the review: the month moved before the quarter chosen left "Choose an option" (and no quarter).
        at.sidebar.select_slider(key="as_of_month").set_value(3).run()
        assert at.selectbox(key="report_quarter").value == 0
        assert at.selectbox(key="report_quarter").options[-1] == "Triwulan I (dengan kumulatif)"
    finally:
        queue.shutdown(timeout=30)
        rq.replace_report_queue(old)


def test_a_quarter_whose_months_are_not_all_due_says_to_when(model: ActionPlan) -> None:
    """Seen by a review: a TW III report as of August read as a whole quarter."""
    from reportlab.platypus import Paragraph

    from rbdash.exports.pdf_parts import Appendix, Sheet, paragraph_styles
    from rbdash.exports.report_pages import quarter_page
    from rbdash.present.fitting import register_fonts

    def heading(lang: str, as_of_month: int) -> str:
        regular, bold = register_fonts()
        flow = quarter_page(
            model, as_of_month, 3, lang, Sheet(700, regular, bold, Appendix(lang), paragraph_styles(regular, bold))
        )
        return next(part.text for part in flow if isinstance(part, Paragraph))  # the heading, first

    assert heading("id", 8) == "Triwulan III 2022 (Jul–Sep) dan kumulatif — data sampai Agustus"
    assert heading("en", 8) == "Quarter III 2022 (Jul–Sep) and to date — data to August"
    assert heading("id", 9) == "Triwulan III 2022 (Jul–Sep) dan kumulatif"


def test_many_programmes_label_their_quarter_bars_upright(model: ActionPlan) -> None:
    """Seen by a review: eight programmes' "done/due" labels ran into each other side by side."""
    from rbdash.workbook.synthetic import synthetic_plan

    many = synthetic_plan(300)
    progress = quarters.quarter_progress(many, 9)
    figure = charts.quarter_bars(progress, many, 9, "id")
    assert len(figure.data) == 8 and {(bar.textangle, bar.constraintext) for bar in figure.data} == {(-90, "none")}
    few = charts.quarter_bars(quarters.quarter_progress(model, 9), model, 9, "id")
    assert {bar.textangle for bar in few.data} == {0}


def test_a_quarter_deck_names_the_quarter_and_gives_its_figures(model: ActionPlan) -> None:
    """Seen by a review: the quarter's deck said nothing of the quarter (its file was named laporan_TW3_...)."""
    from pptx import Presentation

    from rbdash.exports.deck import build_deck

    slides = list(Presentation(io.BytesIO(build_deck(model, 9, "id", "v1", quarter=3))).slides)
    first = [shape.text_frame.text for shape in slides[0].shapes if shape.has_text_frame]
    assert first[1] == "Posisi data per 30 September 2022 · Triwulan III 2022 (Jul–Sep) dan kumulatif"
    table = next(shape.table for shape in slides[1].shapes if shape.has_table)
    assert [cell.text for cell in table.rows[0].cells] == ["Program / kegiatan", "TW III", "s.d. Sep"]
    assert [cell.text for cell in table.rows[1].cells][1:] == ["3/4 · 75%", "10/11 · 91%"]
    assert "· " in slides[1].notes_slide.notes_text_frame.text  # the kegiatan, in the notes
    plain = list(Presentation(io.BytesIO(build_deck(model, 9, "id", "v1"))).slides)
    assert len(plain) == len(slides) - 1
