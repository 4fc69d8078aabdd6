"""Who is responsible (#12.4): an optional PENANGGUNG JAWAB column in Rencana Aksi after KODE, a drop-down in the
template from an optional list on the Info sheet, the bundled workbook leaving it empty; the late and due
lists and the report grouped by it, and a sidebar filter, when rows name one."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.config import ReportLayout
from rbdash.exports.report import build_pdf
from rbdash.model import LoadResult
from rbdash.present import formatting as fmt
from rbdash.present import views
from rbdash.workbook.content import template_content
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.writer import workbook_bytes
from tests.conftest import ROOT, bundled_with

#: The reports here are read for their text: no chart images (tests/test_report.py renders them).
pytestmark = pytest.mark.usefixtures("text_only_reports")

ASSIGNED = {"RA-02": "Subbag Teknis", "RA-05": "Subbag Umum", "RA-06": "Subbag Umum", "RA-08": "Subbag Teknis"}


def _assign(listed: tuple[str, ...] = ("Subbag Teknis", "Subbag Umum")):
    def edit(wb: openpyxl.Workbook) -> None:
        plan = wb["Rencana Aksi"]
        for row in range(9, plan.max_row + 1):
            name = ASSIGNED.get(plan.cell(row, 19).value)
            if name:
                plan.cell(row, 20).value = name
        info = wb["Info"]
        for name in listed:
            info.append(["Daftar Penanggung Jawab", name])

    return edit


@pytest.fixture(scope="module")
def assigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pj") / "pj.xlsx"
    path.write_bytes(bundled_with(_assign()))
    return path


def test_the_bundled_workbook_has_the_column_and_leaves_it_empty(bundled: LoadResult) -> None:
    """The decree does not say who is responsible: nothing is made up."""
    wb = openpyxl.load_workbook(ROOT / "data" / "rencana_aksi_2022.xlsx")
    assert [wb["Rencana Aksi"].cell(6, col).value for col in (19, 20)] == ["KODE", "PENANGGUNG JAWAB"]
    assert bundled.plan is not None and bundled.plan.plan["responsible"].isna().all()
    assert bundled.plan.info["responsible_options"] == [] and selection.responsible_keys(bundled.plan) == []
    assert "Penanggung Jawab" not in views.plan_table(bundled.plan, "id", 9).columns


def test_a_workbook_without_the_column_loads_as_before(bundled: LoadResult) -> None:
    def drop(wb: openpyxl.Workbook) -> None:
        wb["Rencana Aksi"].delete_cols(20)

    result = load_workbook(bundled_with(drop))
    assert result.problems == bundled.problems and result.plan is not None
    assert result.plan.plan["responsible"].isna().all()


def test_the_template_offers_the_info_list_as_a_drop_down() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(template_content())))
    info = wb["Info"]
    slots = [row for row in range(1, info.max_row + 1) if info.cell(row, 1).value == "Daftar Penanggung Jawab"]
    assert len(slots) == 15 and slots == list(range(slots[0], slots[0] + 15))
    plan = wb["Rencana Aksi"]
    assert plan.cell(6, 20).value == "PENANGGUNG JAWAB" and plan.cell(6, 20).comment is not None
    rule = next(dv for dv in plan.data_validations.dataValidation if "T9" in str(dv.sqref))
    assert rule.type == "list" and rule.formula1 == f"'Info'!$B${slots[0]}:$B${slots[-1]}"
    assert rule.errorStyle == "warning"  # a name outside the list is warned about, not refused


def test_names_are_read_and_one_outside_the_list_is_a_warning_naming_its_cell(assigned: Path) -> None:
    result = load_workbook(bundled_with(_assign(listed=("Subbag Teknis",))))
    assert result.plan is not None and result.is_valid
    assert result.plan.info["responsible_options"] == ["Subbag Teknis"]
    warned = [(p.code, p.cell, p.params["value"]) for p in result.problems if p.code == "responsible_not_listed"]
    assert warned == [
        ("responsible_not_listed", "T13", "Subbag Umum"),
        ("responsible_not_listed", "T14", "Subbag Umum"),
    ]
    clean = load_workbook(assigned)
    assert clean.plan is not None and not [p for p in clean.problems if p.code == "responsible_not_listed"]
    plan = clean.plan.plan.set_index("code")["responsible"]
    assert plan["RA-02"] == "Subbag Teknis" and pd_isna(plan["RA-01"])
    assert selection.responsible_keys(clean.plan) == ["Subbag Teknis", "Subbag Umum", ""]


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_the_filter_keeps_the_rows_of_the_chosen_names(assigned: Path) -> None:
    model = load_workbook(assigned).plan
    assert model is not None
    umum = selection.for_programmes(model, [], ["Subbag Umum"])
    assert umum.plan["code"].tolist() == ["RA-05", "RA-06"]
    assert set(umum.realisation["code"]) == {"RA-05", "RA-06"} and set(umum.indicators["plan_code"]) <= {
        "RA-05",
        "RA-06",
    }
    unassigned = selection.for_programmes(model, [], [""])
    assert unassigned.plan["code"].tolist() == ["RA-01", "RA-03", "RA-04", "RA-07", "RA-09", "RA-10", "RA-11"]
    # With a programme too: both narrow (RA-01..RA-03 are the unnamed programme).
    both = selection.for_programmes(model, [""], ["Subbag Teknis"])
    assert both.plan["code"].tolist() == ["RA-02"]


def test_the_late_list_is_grouped_by_who_is_responsible(assigned: Path) -> None:
    model = load_workbook(assigned).plan
    assert model is not None
    overdue = m.overview(model, 9).overdue_rows  # RA-02, RA-05, RA-06, RA-08, RA-09, RA-11
    table = views.plan_rows_table(model, overdue, "id", 9)
    assert list(zip(table["Penanggung Jawab"], table["Kode"], strict=True)) == [
        ("Subbag Teknis", "RA-02"),
        ("Subbag Teknis", "RA-08"),
        ("Subbag Umum", "RA-05"),
        ("Subbag Umum", "RA-06"),
        ("", "RA-09"),
        ("", "RA-11"),
    ]
    # Jadwal's table keeps the plan order of its Gantt, the name beside the code.
    schedule = views.schedule_table(model, overdue, "id", 9)
    assert schedule["Kode"].tolist() == overdue and list(schedule.columns[:2]) == ["Kode", "Penanggung Jawab"]


def test_the_reports_rows_not_done_are_grouped_by_who_is_responsible(assigned: Path) -> None:
    model = load_workbook(assigned).plan
    assert model is not None
    pages = [
        p.extract_text() for p in PdfReader(io.BytesIO(build_pdf(model, 9, "id", "v1", layout=ReportLayout()))).pages
    ]
    listed = next(text for text in pages if "Baris belum selesai s.d. September" in text)
    assert "Penanggung" in listed
    order = [code for code in ("RA-02", "RA-08", "RA-05", "RA-06", "RA-09", "RA-11") if code in listed]
    positions = [listed.index(code) for code in order]
    assert len(order) == 6 and positions == sorted(positions)
    assert "(belum ditetapkan)" in listed.replace("\n", " ")  # the rows naming none come last


def test_the_sidebar_filter_narrows_every_figure(monkeypatch: pytest.MonkeyPatch, assigned: Path) -> None:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(assigned))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    chooser = at.sidebar.multiselect(key="responsible")
    assert chooser.options == ["Subbag Teknis", "Subbag Umum", "(belum ditetapkan)"]
    chooser.set_value(["Subbag Umum"]).run()
    assert not at.exception
    assert at.metric[0].value == "2"  # RA-05 and RA-06
    captions = "\n".join(c.value for c in at.caption)
    assert "penanggung jawab Subbag Umum" in captions


def test_without_names_there_is_no_filter(monkeypatch: pytest.MonkeyPatch, bundled: LoadResult) -> None:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(ROOT / "data" / "rencana_aksi_2022.xlsx"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not [w for w in at.sidebar.multiselect if w.key == "responsible"]


def test_names_typed_alike_are_one_unit_and_none_is_told_apart() -> None:
    """Seen by a review: "Subbag Umum" with a no-break space, a double space or a zero-width space made filter
    options that look the same; a unit written "(belum ditetapkan)" looked like the rows naming none."""
    typed = {
        "RA-02": "Subbag\u00a0Umum",
        "RA-05": " Subbag  Umum\u200b",
        "RA-06": "Subbag Umum",
        "RA-08": "(Belum ditetapkan)",
    }

    def edit(wb: openpyxl.Workbook) -> None:
        plan = wb["Rencana Aksi"]
        for row in range(9, plan.max_row + 1):
            if plan.cell(row, 19).value in typed:
                plan.cell(row, 20).value = typed[plan.cell(row, 19).value]
        wb["Info"].append(["Daftar Penanggung Jawab", "Subbag\u00a0\u00a0Umum "])
        wb["Info"].append(["Daftar Penanggung Jawab", "(Belum ditetapkan)"])

    result = load_workbook(bundled_with(edit))
    assert result.plan is not None and result.is_valid
    assert result.plan.info["responsible_options"] == ["Subbag Umum", "(Belum ditetapkan)"]
    assert not [p for p in result.warnings if p.code == "responsible_not_listed"]  # the list matches, typed alike
    keys = selection.responsible_keys(result.plan)
    assert sorted(keys) == ["", "(Belum ditetapkan)", "Subbag Umum"]
    assert [fmt.responsible_label(key, "id") for key in sorted(keys)] == [
        "(belum ditetapkan)",
        "“(Belum ditetapkan)”",
        "Subbag Umum",
    ]
    assert len(selection.for_programmes(result.plan, [], ["Subbag Umum"]).plan) == 3


def test_a_huge_name_is_quoted_not_reprinted() -> None:
    """Seen by a review: a 32,000-character name outside a 32,000-character list made a 64 kB line."""

    def edit(wb: openpyxl.Workbook) -> None:
        plan = wb["Rencana Aksi"]
        for row in range(9, plan.max_row + 1):
            if plan.cell(row, 19).value == "RA-02":
                plan.cell(row, 20).value = "X" * 32_000
        wb["Info"].append(["Daftar Penanggung Jawab", "Y" * 32_000])

    result = load_workbook(bundled_with(edit))
    found = [p for p in result.warnings if p.code == "responsible_not_listed"]
    assert len(found) == 1 and found[0].cell == "T10"
    line = found[0].render("id")
    assert "X" * 199 + "…" in line and "Y" * 199 + "…" in line and len(line) < 1000
