"""Every validation rule: a changed copy of the bundled workbook yields the expected problem, at the
expected sheet and cell, with a message and a fix in both languages — and never an exception."""

from __future__ import annotations

from collections.abc import Callable

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell

from rbdash.workbook.loader import load_workbook
from tests.conftest import BUNDLED, bundled_with, edit_workbook, found


def sheet_edit(sheet: str, **cells: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value

    return edit


CASES = [
    # (id, edit, severity, code, sheet, cell)
    ("duplicate plan code", sheet_edit("Rencana Aksi", S10="RA-01"), "error", "duplicate_code", "Rencana Aksi", "S10"),
    ("missing plan code", sheet_edit("Rencana Aksi", S10=None), "error", "missing_code", "Rencana Aksi", "S10"),
    ("unknown tick", sheet_edit("Rencana Aksi", G9="2"), "warning", "unknown_tick", "Rencana Aksi", "G9"),
    (
        "row without schedule",
        sheet_edit("Rencana Aksi", F9=None),
        "warning",
        "row_without_schedule",
        "Rencana Aksi",
        "S9",
    ),
    ("unknown code in Realisasi", sheet_edit("Realisasi", A4="RA-99"), "error", "unknown_code", "Realisasi", "A4"),
    ("unknown plan code in Indikator", sheet_edit("Indikator", B4="RA-42"), "error", "unknown_code", "Indikator", "B4"),
    (
        "unknown indicator code in Capaian",
        sheet_edit("Capaian Indikator", A4="RA-01.9"),
        "error",
        "unknown_code",
        "Capaian Indikator",
        "A4",
    ),
    ("duplicate indicator code", sheet_edit("Indikator", A5="RA-01.1"), "error", "duplicate_code", "Indikator", "A5"),
    ("month 13", sheet_edit("Realisasi", B4=13), "error", "invalid_month", "Realisasi", "B4"),
    ("month 0", sheet_edit("Capaian Indikator", B4=0), "error", "invalid_month", "Capaian Indikator", "B4"),
    ("month as text", sheet_edit("Realisasi", B4="Bulan depan"), "error", "invalid_month", "Realisasi", "B4"),
    ("unknown status", sheet_edit("Realisasi", C4="Hampir"), "error", "unknown_status", "Realisasi", "C4"),
    ("empty status", sheet_edit("Realisasi", C4=None), "error", "missing_value", "Realisasi", "C4"),
    ("text for progress", sheet_edit("Realisasi", D4="banyak"), "error", "not_a_number", "Realisasi", "D4"),
    ("progress over 100", sheet_edit("Realisasi", D4=150), "error", "number_out_of_range", "Realisasi", "D4"),
    ("text for a target", sheet_edit("Indikator", G4="seratus"), "error", "not_a_number", "Indikator", "G4"),
    ("unknown unit", sheet_edit("Indikator", E4="meter"), "error", "unknown_unit", "Indikator", "E4"),
    ("unknown direction", sheet_edit("Indikator", F4="samping"), "error", "unknown_direction", "Indikator", "F4"),
    (
        "text for a value",
        sheet_edit("Capaian Indikator", C4="lengkap"),
        "error",
        "not_a_number",
        "Capaian Indikator",
        "C4",
    ),
    ("answer 5", sheet_edit("Responden SKM", D4=5), "error", "answer_out_of_range", "Responden SKM", "D4"),
    ("answer 0", sheet_edit("Responden SKM", L4=0), "error", "answer_out_of_range", "Responden SKM", "L4"),
    ("answer as text", sheet_edit("Responden SKM", E4="baik"), "error", "answer_out_of_range", "Responden SKM", "E4"),
    ("answer 2.5", sheet_edit("Responden SKM", F4=2.5), "error", "answer_out_of_range", "Responden SKM", "F4"),
    ("bad period", sheet_edit("Responden SKM", A4="kemarin"), "error", "invalid_period", "Responden SKM", "A4"),
    (
        "period of another year",
        sheet_edit("Responden SKM", A4="2021-TW1"),
        "warning",
        "period_outside_year",
        "Responden SKM",
        "A4",
    ),
    (
        "zero respondents",
        sheet_edit("IKM", A4="2022-TW4", B4="Unit uji", C4=0, D4=3, E4=3, F4=3, G4=3, H4=3, I4=3, J4=3, K4=3, L4=3),
        "error",
        "zero_respondents",
        "IKM",
        "C4",
    ),
    (
        "NRR over 4",
        sheet_edit("IKM", A4="2022-TW4", B4="Unit uji", C4=10, D4=4.5, E4=3, F4=3, G4=3, H4=3, I4=3, J4=3, K4=3, L4=3),
        "error",
        "number_out_of_range",
        "IKM",
        "D4",
    ),
    (
        "same period and unit in both survey sheets",
        sheet_edit(
            "IKM",
            A4="2022-TW1",
            B4="Layanan Informasi Publik (contoh)",
            C4=10,
            D4=3,
            E4=3,
            F4=3,
            G4=3,
            H4=3,
            I4=3,
            J4=3,
            K4=3,
            L4=3,
        ),
        "error",
        "survey_conflict",
        "IKM",
        None,
    ),
    (
        "realisation in an unscheduled month",
        sheet_edit("Realisasi", B4=2),
        "warning",
        "realisation_not_scheduled",
        "Realisasi",
        "B4",
    ),
    ("duplicate realisation", sheet_edit("Realisasi", A5="RA-01", B5=1), "error", "duplicate_entry", "Realisasi", "A5"),
    ("missing year", sheet_edit("Info", B5=None), "error", "missing_info_field", "Info", "B5"),
    ("bad year", sheet_edit("Info", B5="dua ribu"), "error", "invalid_year", "Info", "B5"),
    ("bad as-of date", sheet_edit("Info", B9="akhir bulan"), "error", "invalid_date", "Info", "B9"),
    ("duplicate column", sheet_edit("Realisasi", F3="STATUS"), "warning", "duplicate_column", "Realisasi", "F3"),
    ("bad example flag", sheet_edit("Info", B11="mungkin"), "warning", "invalid_flag", "Info", "B11"),
    # Seen by the review: these made the loader raise (a cast of NO to whole numbers).
    ("item no 1.5", sheet_edit("Indikator", C4=1.5), "warning", "invalid_item_no", "Indikator", "C4"),
    ("item no 1e20", sheet_edit("Indikator", C4=1e20), "warning", "invalid_item_no", "Indikator", "C4"),
    ("item no as text", sheet_edit("Indikator", C4="satu"), "warning", "invalid_item_no", "Indikator", "C4"),
]


@pytest.mark.parametrize(
    ("edit", "severity", "code", "sheet", "cell"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(bundled_bytes: bytes, edit, severity: str, code: str, sheet: str, cell: str | None) -> None:
    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.plan is not None
    assert (severity, code, sheet, cell) in found(result), [p.render("en") for p in result.problems]
    problem = next(p for p in result.problems if p.code == code)
    for lang in ("id", "en"):
        assert problem.message(lang) and problem.fix(lang)
        assert "{" not in problem.message(lang) + problem.fix(lang), "unfilled placeholder"
    assert problem.message("id") != problem.message("en")
    # The bundled workbook has no problem at all (test below): one edit gives one kind of problem, so a
    # warning leaves it publishable and an error does not.
    assert result.is_valid is (severity == "warning"), [p.render("en") for p in result.errors]


def test_warnings_do_not_make_a_workbook_invalid(bundled_bytes: bytes) -> None:
    result = load_workbook(edit_workbook(bundled_bytes, sheet_edit("Realisasi", B4=2)))
    assert result.warnings and not result.errors and result.is_valid


def test_accepted_spellings_give_no_problem(bundled_bytes: bytes) -> None:
    edit = sheet_edit("Realisasi", B4="Jan", C4="selesai", D4="100%", B5="Januari", C5=" SELESAI ", D5="99,5")
    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.problems == []
    realisation = result.plan.realisation
    assert realisation.loc[1, "progress"] == 99.5


def test_missing_sheets() -> None:
    wb = openpyxl.load_workbook("data/rencana_aksi_2022.xlsx")
    for name in ("Realisasi", "Capaian Indikator", "IKM", "Responden SKM"):
        del wb[name]
    import io

    out = io.BytesIO()
    wb.save(out)
    result = load_workbook(out.getvalue())
    missing = {(p.severity, p.params.get("sheet")) for p in result.problems if p.code == "missing_sheet"}
    assert ("warning", "Realisasi") in missing and ("warning", "IKM / Responden SKM") in missing
    assert result.is_valid, "progress sheets are optional: a plan-only workbook is valid"
    assert len(result.plan.plan) == 11 and result.plan.realisation.empty and result.plan.survey.empty


@pytest.mark.parametrize("sheet", ["Rencana Aksi", "Info"])
def test_required_sheets(bundled_bytes: bytes, sheet: str) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        del wb[sheet]

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert ("error", "missing_sheet") in {(p.severity, p.code) for p in result.problems}
    assert not result.is_valid


@pytest.mark.parametrize(("sheet", "cause"), [("Rencana Aksi", "error"), ("Indikator", "warning")])
def test_a_missing_sheet_is_reported_once_not_by_every_row_that_refers_to_it(
    bundled_bytes: bytes, sheet: str, cause: str
) -> None:
    """Seen by the user review: a missing Indikator gave 1 + 26 problems, a missing Rencana Aksi 73."""

    def edit(wb: openpyxl.Workbook) -> None:
        del wb[sheet]

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert [(p.severity, p.code, p.params.get("sheet")) for p in result.problems] == [(cause, "missing_sheet", sheet)]


@pytest.mark.parametrize(
    ("sheet", "cell", "column"),
    [
        ("Realisasi", "A3", "KODE"),
        ("Rencana Aksi", "S6", "KODE"),
        ("Responden SKM", "D3", "U1"),
        ("Indikator", "E3", "SATUAN"),
    ],
)
def test_missing_column(bundled_bytes: bytes, sheet: str, cell: str, column: str) -> None:
    result = load_workbook(edit_workbook(bundled_bytes, sheet_edit(sheet, **{cell: "KOLOM LAIN"})))
    problems = [p for p in result.problems if p.code == "missing_column"]
    assert problems and problems[0].sheet == sheet and problems[0].params["column"] == column
    assert column in problems[0].message("id") and column in problems[0].message("en")


def test_missing_month_columns(bundled_bytes: bytes) -> None:
    result = load_workbook(edit_workbook(bundled_bytes, sheet_edit("Rencana Aksi", J7="Bulan?", K7=None)))
    problem = next(p for p in result.problems if p.code == "missing_month_columns")
    assert problem.severity == "error" and problem.params["months"] == "5, 6"


def test_many_bad_answers_are_summarised(bundled_bytes: bytes) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Responden SKM"]
        for row in range(4, 204):
            ws.cell(row=row, column=4, value=9)

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    listed = [p for p in result.problems if p.code == "answer_out_of_range"]
    summary = [p for p in result.problems if p.code == "more_problems"]
    assert len(listed) == 50
    assert summary and summary[0].params == {"count": 150, "code": "answer_out_of_range"}


def test_formula_without_cached_value_is_listed_and_read_as_empty(bundled_bytes: bytes) -> None:
    """openpyxl writes '=...' as a formula with no cached value, as a generator script would."""
    edit = sheet_edit("Realisasi", D5="=50+25", E4='=HYPERLINK("http://x")')
    result = load_workbook(edit_workbook(bundled_bytes, edit))
    problem = next(p for p in result.problems if p.code == "formula_without_value")
    assert (problem.severity, problem.sheet, problem.params["count"]) == ("warning", "Realisasi", 2)
    assert "D5" in problem.params["cells"] and "E4" in problem.params["cells"]
    realisation = result.plan.realisation
    assert pd.isna(realisation.loc[1, "progress"]), "a formula without a value is empty, never 0"
    assert pd.isna(realisation.loc[0, "evidence"])


SHEETS_AND_CELLS = st.sampled_from(
    [
        ("Rencana Aksi", "S"),
        ("Rencana Aksi", "F"),
        ("Rencana Aksi", "D"),
        ("Realisasi", "A"),
        ("Realisasi", "B"),
        ("Realisasi", "C"),
        ("Realisasi", "D"),
        ("Indikator", "A"),
        ("Indikator", "G"),
        ("Indikator", "E"),
        ("Capaian Indikator", "C"),
        ("Responden SKM", "A"),
        ("Responden SKM", "G"),
        ("Info", "B"),
    ]
)
VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(edits=st.lists(st.tuples(SHEETS_AND_CELLS, st.integers(1, 30), VALUES), min_size=1, max_size=6))
@example(edits=[(("Capaian Indikator", "C"), 29, 1.000000000002316e26)])  # found once: 1e26 in a message
def test_any_cell_garbage_gives_problems_not_exceptions(edits) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        for (sheet, column), row, value in edits:
            if isinstance(value, str):
                value = "".join(ch for ch in value if ch.isprintable())
            if not isinstance(wb[sheet][f"{column}{row}"], MergedCell):
                wb[sheet][f"{column}{row}"] = value

    result = load_workbook(edit_workbook(BUNDLED.read_bytes(), edit))
    for problem in result.problems:
        assert problem.message("id") and problem.message("en") and problem.fix("en")


def test_an_oversized_file_on_disk_is_not_read_whole(tmp_path) -> None:
    from rbdash.workbook.limits import PackageLimits

    big = tmp_path / "besar.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(3 * 1024 * 1024))
    result = load_workbook(big, limits=PackageLimits(max_file_bytes=1_000_000))
    problem = result.problems[0]
    assert result.plan is None and problem.code == "file_too_large"
    assert problem.params == {"size": 4 + 3 * 1024 * 1024, "limit": 1_000_000, "limit_mb": 1}


def test_a_reader_panic_is_reported_not_raised(bundled_bytes: bytes, monkeypatch) -> None:
    """Found by the fuzz test: fastexcel can panic on a cell (pyo3's PanicException is a BaseException)."""
    import rbdash.workbook.grids as grids

    class Panic(BaseException):
        pass

    real = grids._read_grid

    def panicking(reader, part, limits):
        if part.name == "Info":
            raise Panic("TimeDelta::milliseconds out of bounds")
        return real(reader, part, limits)

    monkeypatch.setattr(grids, "_read_grid", panicking)
    result = load_workbook(bundled_bytes)
    problem = next(p for p in result.problems if p.code == "unreadable_sheet")
    assert problem.sheet == "Info" and "out of bounds" in problem.params["detail"]


def test_every_frame_has_the_models_columns_with_or_without_its_sheet(bundled_bytes: bytes) -> None:
    """Columns are declared once (rbdash.model); an empty frame (its sheet removed) has the same ones."""
    from rbdash import model

    expected = {
        "plan": model.PLAN_COLUMNS,
        "indicators": model.INDICATOR_COLUMNS,
        "realisation": model.REALISATION_COLUMNS,
        "indicator_values": model.INDICATOR_VALUE_COLUMNS,
        "survey": model.SURVEY_COLUMNS,
    }

    def without_progress(wb) -> None:
        for name in ("Indikator", "Realisasi", "Capaian Indikator", "IKM", "Responden SKM"):
            if name in wb.sheetnames:
                del wb[name]

    full = load_workbook(bundled_bytes).plan
    bare = load_workbook(edit_workbook(bundled_bytes, without_progress)).plan
    assert full is not None and bare is not None
    for frame, columns in expected.items():
        assert tuple(getattr(full, frame).columns) == columns, frame
        assert tuple(getattr(bare, frame).columns) == columns, frame
    assert len(bare.survey) == 0 and len(full.survey) > 0


def test_a_text_longer_than_an_excel_cell_is_an_error_and_is_cut(bundled_bytes: bytes) -> None:
    """Seen by the attacker review: three 20 MB texts in a 820 KB file validated, then made every page
    slow and cost gigabytes. Excel holds at most 32,767 characters in a cell; more is refused, and cut
    on the way, so no page gets the rest even from a stored version."""
    from tests import hostile_factory as hf

    # openpyxl cuts texts at 32,767 on save: the long text is written into the sheet's XML instead.
    sheet = hf.bundled_entries()[hf.PLAN_PART]
    start = b'<c r="D9" s="3" t="inlineStr"><is><t>3. Penyelenggaraan'
    assert sheet.count(start) == 1
    result = load_workbook(hf.rewrite_bundled({hf.PLAN_PART: sheet.replace(start, start + b"x" * 40_000)}))
    assert ("error", "cell_text_too_long", "Rencana Aksi", "D9") in found(result)
    problem = next(p for p in result.problems if p.code == "cell_text_too_long")
    assert "32.767 karakter" in problem.message("id") and "40." in problem.message("id")
    assert not result.is_valid
    assert result.plan is not None
    longest = result.plan.plan["sub_activity"].dropna().str.len().max()
    assert longest == 32_767
    exact = load_workbook(edit_workbook(bundled_bytes, sheet_edit("Rencana Aksi", D9="y" * 32_767)))
    assert "cell_text_too_long" not in {p.code for p in exact.problems}


def test_a_code_typed_with_an_invisible_character_is_the_code_it_shows() -> None:
    """Seen by a review: "RA-0\\u200b1" published beside RA-01 and was listed as "RA-01" in the changes."""

    def hide(wb: openpyxl.Workbook) -> None:
        wb["Rencana Aksi"]["S10"] = "RA-0\u200b1"  # RA-02's row
        wb["Realisasi"]["A4"] = "\u2060ra-01"

    result = load_workbook(bundled_with(hide))
    assert ("error", "duplicate_code", "Rencana Aksi", "S10") in found(result)
    assert result.plan is None or "RA-0\u200b1" not in set(result.plan.plan["code"])
    assert not [p for p in result.problems if p.code == "unknown_code" and p.cell == "A4"]  # "\u2060ra-01" is RA-01
