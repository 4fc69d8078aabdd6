"""The loader reads what staff really produce: merged or repeated cells, moved headers, month names,
other tick marks, odd sheet-name spelling, stray spaces, blank rows, inline strings, repeated
page headers."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest

from rbdash.model import LoadResult
from rbdash.workbook.loader import load_workbook
from tests.conftest import edit_workbook, insert_rows

PLAN_SHEET = "Rencana Aksi"
FIRST_DATA_ROW = 9
LAST_DATA_ROW = 19


def plan_signature(result: LoadResult) -> list[tuple]:
    assert result.plan is not None, [p.render("en") for p in result.problems]
    plan = result.plan.plan
    return [
        (
            r.code,
            tuple(r.months),
            r.no,
            r.program,
            r.activity,
            r.sub_activity,
            r.indicators_text,
            tuple(r.missing_in_copy),
        )
        for r in plan.itertuples(index=False)
    ]


def model_signature(result: LoadResult) -> tuple:
    model = result.plan
    return (
        plan_signature(result),
        model.realisation[["code", "month", "status", "progress"]].to_records(index=False).tolist(),
        model.indicators[["indicator_code", "plan_code", "text", "unit", "direction"]].to_records(index=False).tolist(),
        model.indicator_values[["indicator_code", "month", "value"]].to_records(index=False).tolist(),
        model.survey[["period", "unit", "respondents", "ikm_converted", "mutu"]].to_records(index=False).tolist(),
    )


@pytest.fixture(scope="module")
def reference(bundled: LoadResult) -> tuple:
    return model_signature(bundled)


def _unmerge_plan(wb: openpyxl.Workbook, repeat: bool) -> None:
    ws = wb[PLAN_SHEET]
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row < FIRST_DATA_ROW:
            continue
        value = ws.cell(row=rng.min_row, column=rng.min_col).value
        ws.unmerge_cells(str(rng))
        if repeat:
            for row in range(rng.min_row, rng.max_row + 1):
                ws.cell(row=row, column=rng.min_col, value=value)


def test_repeated_cells_instead_of_merged(bundled_bytes: bytes, reference: tuple) -> None:
    data = edit_workbook(bundled_bytes, lambda wb: _unmerge_plan(wb, repeat=True))
    result = load_workbook(data)
    assert result.is_valid and model_signature(result) == reference


def test_blank_cells_below_a_value_carry_it_down(bundled_bytes: bytes, reference: tuple) -> None:
    data = edit_workbook(bundled_bytes, lambda wb: _unmerge_plan(wb, repeat=False))
    result = load_workbook(data)
    assert result.is_valid and model_signature(result) == reference


def test_programme_heading_row_sets_the_context(bundled_bytes: bytes) -> None:
    """A row holding only NO and PROGRAM (a heading) is context for the rows below, not a plan row."""

    def edit(wb: openpyxl.Workbook) -> None:
        _unmerge_plan(wb, repeat=False)
        ws = wb[PLAN_SHEET]
        insert_rows(ws, 12)
        ws["A12"], ws["B12"] = "8.", "Peningkatan Kualitas Pelayanan Publik"
        ws["A13"] = ws["B13"] = None

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    plan = result.plan.plan.set_index("code")
    assert len(plan) == 11
    assert plan.loc["RA-04", "program"] == "Peningkatan Kualitas Pelayanan Publik"
    assert plan.loc["RA-11", "program"] == "Peningkatan Kualitas Pelayanan Publik"


@pytest.mark.parametrize("extra_rows", [1, 11])
def test_header_anywhere_in_the_first_20_rows(bundled_bytes: bytes, reference: tuple, extra_rows: int) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        for name in wb.sheetnames:
            insert_rows(wb[name], 1, extra_rows)

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and model_signature(result) == reference


def test_header_below_row_20_is_reported(bundled_bytes: bytes) -> None:
    data = edit_workbook(bundled_bytes, lambda wb: insert_rows(wb[PLAN_SHEET], 1, 20))
    result = load_workbook(data)
    assert ("error", "header_not_found", PLAN_SHEET) in {(p.severity, p.code, p.sheet) for p in result.problems}


@pytest.mark.parametrize(
    "names",
    [
        ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
        [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ],
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "Agt", "sep", "okt", "nop", "des"],
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Ags", "Sep", "Oct", "Nov", "Dec"],
    ],
)
def test_month_headers_as_names(bundled_bytes: bytes, reference: tuple, names: list[str]) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        for col, name in enumerate(names, start=6):
            wb[PLAN_SHEET].cell(row=7, column=col, value=name)

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and model_signature(result) == reference


def test_flat_single_row_header(bundled_bytes: bytes, reference: tuple) -> None:
    """Header, month names and no column-number row, all on one row."""

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[PLAN_SHEET]
        for rng in list(ws.merged_cells.ranges):
            if rng.min_row <= 8:
                ws.unmerge_cells(str(rng))
        for col in range(6, 18):
            ws.cell(row=6, column=col, value=f"BULAN {col - 5}")
        ws.delete_rows(7, 2)

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and plan_signature(result) == reference[0]


@pytest.mark.parametrize("mark", ["v", "V", "x", "X", 1, True, "ya", "√", "✔", " ✓\u00a0"])
def test_other_tick_marks(bundled_bytes: bytes, reference: tuple, mark: object) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        for row in wb[PLAN_SHEET].iter_rows(min_row=FIRST_DATA_ROW, max_row=LAST_DATA_ROW, min_col=6, max_col=17):
            for cell in row:
                if cell.value == "✓":
                    cell.value = mark

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and model_signature(result) == reference


@pytest.mark.parametrize("spelling", ["upper", "lower", "spaced"])
def test_sheet_names_in_any_case_and_spacing(bundled_bytes: bytes, reference: tuple, spelling: str) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        titles = [ws.title for ws in wb.worksheets]
        for number, ws in enumerate(wb.worksheets):  # openpyxl refuses names equal but for case
            ws.title = f"tmp{number}"
        for ws, title in zip(wb.worksheets, titles, strict=True):
            ws.title = {"upper": title.upper(), "lower": title.lower(), "spaced": " " + title.replace(" ", "  ") + " "}[
                spelling
            ]

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and model_signature(result) == reference


def test_stray_spaces_and_blank_rows(bundled_bytes: bytes, reference: tuple) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        for name in ("Realisasi", "Indikator", "Capaian Indikator"):
            ws = wb[name]
            for row in ws.iter_rows(min_row=4):
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.value = f"\u00a0 {cell.value}  "
            insert_rows(ws, 6, 3)
        ws = wb[PLAN_SHEET]
        ws["S10"] = " RA-02\u00a0"
        ws["A25"] = "   "

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and model_signature(result) == reference


def test_repeated_page_headers_inside_the_table(bundled_bytes: bytes, reference: tuple) -> None:
    """The annex repeats its header and column-number rows on each page."""

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[PLAN_SHEET]
        _unmerge_plan(wb, repeat=True)
        insert_rows(ws, 12, 3)
        for col, value in enumerate(
            ["NO", "PROGRAM KEGIATAN", "KEGIATAN", "SUB KEGIATAN", "INDIKATOR KEBERHASILAN"], start=1
        ):
            ws.cell(row=12, column=col, value=value)
        ws.cell(row=12, column=18, value="KET")
        for month in range(1, 13):
            ws.cell(row=13, column=5 + month, value=month)
        for col in range(1, 19):
            ws.cell(row=14, column=col, value=col)

    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.is_valid and plan_signature(result) == reference[0]


def _to_shared_strings(data: bytes) -> bytes:
    """Rewrite every inline-string cell (as openpyxl and Google Sheets write) as a shared string (as Excel does)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(match: re.Match) -> str:
        text = match[4]
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{match[1]}"{match[2]} t="s"{match[3]}><v>{index[text]}</v></c>'

    sheets = {}
    for info in source.infolist():
        if info.filename.startswith("xl/worksheets/sheet"):
            sheets[info.filename] = re.sub(
                r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"([^>]*)><is><t[^>]*>(.*?)</t></is></c>',
                shared,
                source.read(info).decode(),
                flags=re.S,
            ).encode()
    assert strings, "the fixture should start from inline strings"
    shared_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
        + "</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = sheets.get(info.filename, source.read(info))
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                    b'sharedStrings+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSST" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(info, content)
        target.writestr("xl/sharedStrings.xml", shared_xml)
    return out.getvalue()


def test_inline_and_shared_strings_read_the_same(bundled_bytes: bytes, reference: tuple) -> None:
    assert b"inlineStr" in zipfile.ZipFile(io.BytesIO(bundled_bytes)).read("xl/worksheets/sheet2.xml")
    data = _to_shared_strings(bundled_bytes)
    assert b"inlineStr" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    result = load_workbook(data)
    assert result.is_valid and model_signature(result) == reference


def test_markup_in_cells_is_kept_as_text(bundled_bytes: bytes) -> None:
    hostile = '<script>alert("x")</script> [klik](javascript:alert(1)) **tebal** =1+1'
    data = edit_workbook(bundled_bytes, lambda wb: wb[PLAN_SHEET].cell(row=9, column=4, value=hostile))
    result = load_workbook(data)
    assert result.plan.plan.set_index("code").loc["RA-01", "sub_activity"] == hostile
    assert escape(hostile)  # the text arrives unchanged; the UI escapes it when shown
