"""Write workbooks in the RB Dash layout: the bundled 2022 workbook and the blank template.

Both come from `write_workbook`, driven by the schema, so the layout the loader reads and the
layout staff receive cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rbdash.ikm import UNSUR
from rbdash.messages import t
from rbdash.workbook import annex2022, schema
from rbdash.workbook.schema import MISSING_MARKER, MONTHS, SheetSpec

TICK = "✓"
READING_NOTE_PREFIX = "[Catatan pembacaan RB Dash] "
PLAN_HEADER_ROW = 6  # 1-based row of the plan header; months below it, column numbers below that
MAX_VALIDATED_ROW = 5000

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class WorkbookContent:
    """What goes into a workbook; empty lists give empty sheets with headers only."""

    info: dict
    plan_rows: Sequence[annex2022.AnnexRow]
    indicators: Sequence[annex2022.IndicatorRow]
    notes: Sequence[str] = ()
    realisation: Sequence[annex2022.RealisationRow] = ()
    indicator_values: Sequence[tuple[str, int, float, str]] = ()
    responses: Sequence[tuple[str, str, int, tuple[int, ...]]] = ()
    nrr_rows: Sequence[tuple] = ()
    examples: dict[str, bool] = field(default_factory=dict)
    guide: bool = False
    lang: str = "id"


def bundled_content() -> WorkbookContent:
    """The shipped 2022 workbook: the annex, plus example (CONTOH) progress data."""
    indicators = []
    for row in annex2022.indicator_rows():
        target, baseline = annex2022.EXAMPLE_TARGETS.get(row.code, (None, None))
        indicators.append(
            annex2022.IndicatorRow(
                row.code,
                row.plan_code,
                row.item_no,
                row.text,
                row.unit,
                row.direction,
                target,
                baseline,
                target is not None,
            )
        )
    values = [
        (code, month, value, "CONTOH")
        for code, series in annex2022.EXAMPLE_INDICATOR_VALUES.items()
        for month, value in series.items()
    ]
    info = dict(annex2022.INFO, as_of=annex2022.EXAMPLE_AS_OF, prepared_by="Tim RB Dash (penyusunan buku kerja)")
    return WorkbookContent(
        info=info,
        plan_rows=annex2022.ROWS,
        indicators=indicators,
        notes=annex2022.READING_NOTES,
        realisation=annex2022.example_realisation(),
        indicator_values=values,
        responses=annex2022.example_responses(),
        examples={"realisation": True, "indicator_values": True, "indicators": True, "survey": True},
    )


def template_content(lang: str = "id") -> WorkbookContent:
    """A blank template: the 2022 plan rows and indicators, empty progress sheets, a guide."""
    info = dict(annex2022.INFO, as_of=None, prepared_by=None)
    return WorkbookContent(
        info=info,
        plan_rows=annex2022.ROWS,
        indicators=annex2022.indicator_rows(),
        notes=annex2022.READING_NOTES,
        guide=True,
        lang=lang,
    )


# ----------------------------------------------------------------------------------------------


def _fit_rows(ws: Worksheet, rows: Iterable[int], point_size: float = 11) -> None:
    """Set the height of each row so its wrapped text shows in full.

    Excel grows such rows when it opens a file, but LibreOffice and printing from a converted
    file do not; the estimate is deliberately generous (one character per unit of column width).
    Cells inside merged ranges are skipped: their text spans several rows or columns.
    """
    merged = {cell for rng in ws.merged_cells.ranges for cell in rng.cells}
    line_height = point_size * 1.35
    for row in rows:
        lines = 1
        for cell in ws[row]:
            if cell.value is None or (cell.row, cell.column) in merged:
                continue
            width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            per_line = max(int(width), 1)
            text_lines = sum(max(1, -(-len(part) // per_line)) for part in str(cell.value).split("\n"))
            lines = max(lines, text_lines)
        ws.row_dimensions[row].height = round(lines * line_height + 4, 1)


def _header_cells(ws: Worksheet, row: int, spec: SheetSpec, keys: Iterable[str], lang: str) -> dict[str, int]:
    """Write the headers of `keys` on `row`; return key -> 1-based column."""
    columns = {}
    for col, key in enumerate(keys, start=1):
        column = spec.column(key)
        cell = ws.cell(row=row, column=col, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
        if column.note_id:
            cell.comment = Comment(t(column.note_id, lang), "RB Dash", width=300, height=90)
        columns[key] = col
    return columns


def _banner(ws: Worksheet, text: str, width: int, example: bool) -> None:
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=12)
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 32
    if example:
        ws.cell(row=1, column=1).fill = _EXAMPLE_FILL


def _page_setup(ws: Worksheet, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _validation(ws: Worksheet, rule: DataValidation, column: int, first_row: int, prompt: str) -> None:
    letter = get_column_letter(column)
    rule.error = prompt
    rule.errorTitle = "RB Dash"
    rule.prompt = prompt
    rule.promptTitle = "RB Dash"
    rule.showErrorMessage = True
    rule.showInputMessage = True
    ws.add_data_validation(rule)
    rule.add(f"{letter}{first_row}:{letter}{MAX_VALIDATED_ROW}")


def _list_rule(values: Iterable[str]) -> DataValidation:
    return DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)


def _write_info(ws: Worksheet, content: WorkbookContent) -> None:
    info = content.info
    lang = content.lang
    _banner(ws, "INFO BUKU KERJA RENCANA AKSI REFORMASI BIROKRASI", 2, False)
    _header_cells(ws, 3, schema.INFO, ["field", "value"], lang)
    fields = {f.key: f.label for f in schema.INFO_FIELDS}
    yes_no = {True: "ya", False: "tidak"}
    values: list[tuple[str, object]] = [
        (fields["satker"], info["satker"]),
        (fields["year"], info["year"]),
        (fields["title"], info["title"]),
        (fields["decree_number"], info["decree_number"]),
        (fields["decree_date"], info["decree_date"]),
        (fields["as_of"], info.get("as_of")),
        (fields["prepared_by"], info.get("prepared_by")),
        (fields["example_realisation"], yes_no[content.examples.get("realisation", False)]),
        (fields["example_indicator_values"], yes_no[content.examples.get("indicator_values", False)]),
        (fields["example_targets"], yes_no[content.examples.get("indicators", False)]),
        (fields["example_survey"], yes_no[content.examples.get("survey", False)]),
    ]
    values += [(fields["notes"], note) for note in content.notes]
    for offset, (label, value) in enumerate(values, start=4):
        ws.cell(row=offset, column=1, value=label).alignment = _WRAP_TOP
        cell = ws.cell(row=offset, column=2, value=value)
        cell.alignment = _WRAP_TOP
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        for col in (1, 2):
            ws.cell(row=offset, column=col).border = _BORDER
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 110
    _fit_rows(ws, range(4, 4 + len(values)))
    ws.freeze_panes = "A4"
    _page_setup(ws, "3:3")


def _write_plan(ws: Worksheet, content: WorkbookContent) -> None:
    lang = content.lang
    spec = schema.PLAN
    last_col = 19  # A..R mirror the annex (18 columns); S holds KODE
    for row, line in enumerate((*annex2022.TITLE_LINES, annex2022.SOURCE_LINE), start=1):
        cell = ws.cell(row=row, column=1, value=line)
        cell.font = Font(bold=row <= 3, size=13 if row <= 3 else 9, italic=row == 4)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    h = PLAN_HEADER_ROW
    headers = {1: "no", 2: "program", 3: "activity", 4: "sub_activity", 5: "indicators_text", 18: "remarks", 19: "code"}
    for col, key in headers.items():
        column = spec.column(key)
        cell = ws.cell(row=h, column=col, value=column.header)
        if column.note_id:
            cell.comment = Comment(t(column.note_id, lang), "RB Dash", width=300, height=90)
        ws.merge_cells(start_row=h, start_column=col, end_row=h + 1, end_column=col)
    ws.cell(row=h, column=6, value=schema.MONTH_GROUP_HEADER)
    ws.merge_cells(start_row=h, start_column=6, end_row=h, end_column=17)
    for month in MONTHS:
        ws.cell(row=h + 1, column=5 + month, value=month)
    for col in range(1, 19):
        ws.cell(row=h + 2, column=col, value=col)
    for row in range(h, h + 3):
        for col in range(1, last_col + 1):
            cell = ws.cell(row=row, column=col)
            cell.font = Font(bold=row < h + 2, size=10 if row < h + 2 else 8)
            cell.fill = _HEADER_FILL
            cell.alignment = _CENTER
            cell.border = _BORDER

    first = h + 3
    rows = list(content.plan_rows)
    for offset, plan_row in enumerate(rows):
        r = first + offset
        values = {
            1: plan_row.no,
            2: plan_row.program,
            3: plan_row.activity,
            4: plan_row.sub_activity,
            5: plan_row.indicators,
            18: READING_NOTE_PREFIX + plan_row.remarks if plan_row.remarks else None,
            19: plan_row.code,
        }
        for col, value in values.items():
            if col in (1, 2, 3, 4, 5) and value is None:
                value = MISSING_MARKER
            ws.cell(row=r, column=col, value=value)
        for month in plan_row.months:
            ws.cell(row=r, column=5 + month, value=TICK)
        for col in range(1, last_col + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = _BORDER
            cell.alignment = _CENTER if 6 <= col <= 17 else _WRAP_TOP
            if cell.value == MISSING_MARKER:
                cell.font = Font(italic=True, color="595959")
    # Merge NO, PROGRAM and KEGIATAN over the rows they span, as the annex does.
    for col, depth in ((1, 2), (2, 2), (3, 3)):
        keys = [(plan_row.no, plan_row.program, plan_row.activity)[:depth] for plan_row in rows]
        start = 0
        while start < len(keys):
            end = start
            while end + 1 < len(keys) and keys[end + 1] == keys[start]:
                end += 1
            if end > start:
                ws.merge_cells(start_row=first + start, start_column=col, end_row=first + end, end_column=col)
            start = end + 1

    widths = {"A": 5, "B": 18, "C": 24, "D": 44, "E": 52, "R": 26, "S": 9}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for col in range(6, 18):
        ws.column_dimensions[get_column_letter(col)].width = 3.6
    _fit_rows(ws, range(first, first + len(rows)))
    ws.freeze_panes = ws.cell(row=first, column=1)
    _page_setup(ws, f"{h}:{h + 2}")
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(first + len(rows) - 1, first)}"
    tick_rule = _list_rule([TICK])
    tick_rule.showErrorMessage = False
    ws.add_data_validation(tick_rule)
    tick_rule.add(f"F{first}:Q{MAX_VALIDATED_ROW}")


def _write_table(
    ws: Worksheet,
    spec: SheetSpec,
    keys: Sequence[str],
    rows: Iterable[Sequence[object]],
    banner: str,
    example: bool,
    lang: str,
    widths: dict[str, float],
) -> dict[str, int]:
    _banner(ws, banner, len(keys), example)
    columns = _header_cells(ws, 3, spec, keys, lang)
    ws.row_dimensions[3].height = 30
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    for key, width in widths.items():
        ws.column_dimensions[get_column_letter(columns[key])].width = width
    ws.freeze_panes = "A4"
    _page_setup(ws, "3:3")
    return columns


def _example_banner(sheet: str, example: bool, lang: str) -> str:
    key = "workbook.banner_example" if example else "workbook.banner_plain"
    return t(key, lang, sheet=sheet)


def write_workbook(target: str | Path | BinaryIO, content: WorkbookContent) -> None:
    """Write `content` in the RB Dash layout to a path or a binary stream."""
    lang = content.lang
    wb = Workbook()
    info_ws = wb.active
    info_ws.title = schema.INFO.name
    _write_info(info_ws, content)
    _write_plan(wb.create_sheet(schema.PLAN.name), content)
    plan_codes = f"'{schema.PLAN.name}'!$S${PLAN_HEADER_ROW + 3}:$S${MAX_VALIDATED_ROW}"

    # Indikator
    ws = wb.create_sheet(schema.INDICATORS.name)
    example = content.examples.get("indicators", False)
    banner = t("workbook.banner_indicators_example" if example else "workbook.banner_indicators", lang)
    keys = [
        "indicator_code",
        "plan_code",
        "item_no",
        "text",
        "unit",
        "direction",
        "target",
        "baseline",
        "target_assumed",
        "note",
    ]
    rows = [
        (
            i.code,
            i.plan_code,
            i.item_no,
            i.text,
            i.unit,
            i.direction,
            i.target,
            i.baseline,
            "ya" if i.target_assumed else "tidak",
            t("workbook.target_assumed_note", lang) if i.target_assumed else None,
        )
        for i in content.indicators
    ]
    cols = _write_table(
        ws,
        schema.INDICATORS,
        keys,
        rows,
        banner,
        example,
        lang,
        {
            "indicator_code": 12,
            "plan_code": 9,
            "text": 70,
            "unit": 11,
            "direction": 8,
            "target_assumed": 10,
            "note": 40,
        },
    )
    for row in ws.iter_rows(min_row=4, max_row=3 + len(rows)):
        for cell in row:
            cell.alignment = _WRAP_TOP
    _fit_rows(ws, range(4, 4 + len(rows)))
    _validation(
        ws,
        DataValidation(type="list", formula1=plan_codes, allow_blank=True),
        cols["plan_code"],
        4,
        t("note.indicators.plan_code", lang),
    )
    _validation(ws, _list_rule(schema.UNITS), cols["unit"], 4, t("note.indicators.unit", lang))
    _validation(ws, _list_rule(schema.DIRECTIONS), cols["direction"], 4, t("note.indicators.direction", lang))
    _validation(ws, _list_rule(["ya", "tidak"]), cols["target_assumed"], 4, t("note.indicators.target_assumed", lang))

    # Realisasi
    ws = wb.create_sheet(schema.REALISATION.name)
    example = content.examples.get("realisation", False)
    keys = ["code", "month", "status", "progress", "evidence", "note"]
    rows = [(r.code, r.month, r.status, r.progress, r.evidence or None, r.note) for r in content.realisation]
    cols = _write_table(
        ws,
        schema.REALISATION,
        keys,
        rows,
        _example_banner(schema.REALISATION.name, example, lang),
        example,
        lang,
        {"code": 10, "month": 8, "status": 12, "progress": 11, "evidence": 40, "note": 50},
    )
    _validation(
        ws,
        DataValidation(type="list", formula1=plan_codes, allow_blank=True),
        cols["code"],
        4,
        t("note.plan.code", lang),
    )
    _validation(
        ws,
        DataValidation(type="whole", operator="between", formula1="1", formula2="12", allow_blank=True),
        cols["month"],
        4,
        t("note.month", lang),
    )
    _validation(ws, _list_rule(schema.STATUS_LABELS.values()), cols["status"], 4, t("note.realisation.status", lang))
    _validation(
        ws,
        DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True),
        cols["progress"],
        4,
        t("note.realisation.progress", lang),
    )

    # Capaian Indikator
    ws = wb.create_sheet(schema.INDICATOR_VALUES.name)
    example = content.examples.get("indicator_values", False)
    cols = _write_table(
        ws,
        schema.INDICATOR_VALUES,
        ["indicator_code", "month", "value", "note"],
        content.indicator_values,
        _example_banner(schema.INDICATOR_VALUES.name, example, lang),
        example,
        lang,
        {"indicator_code": 14, "month": 8, "value": 10, "note": 50},
    )
    _validation(
        ws,
        DataValidation(
            type="list", formula1=f"'{schema.INDICATORS.name}'!$A$4:$A${MAX_VALIDATED_ROW}", allow_blank=True
        ),
        cols["indicator_code"],
        4,
        t("note.indicators.indicator_code", lang),
    )
    _validation(
        ws,
        DataValidation(type="whole", operator="between", formula1="1", formula2="12", allow_blank=True),
        cols["month"],
        4,
        t("note.month", lang),
    )

    # IKM (NRR per unsur)
    ws = wb.create_sheet(schema.SURVEY_NRR.name)
    example = content.examples.get("survey", False) and bool(content.nrr_rows)
    keys = ["period", "unit", "respondents", *UNSUR]
    cols = _write_table(
        ws,
        schema.SURVEY_NRR,
        keys,
        content.nrr_rows,
        t("workbook.banner_nrr_example" if example else "workbook.banner_nrr", lang),
        example,
        lang,
        {"period": 11, "unit": 40, "respondents": 12},
    )
    _validation(
        ws,
        DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True),
        cols["respondents"],
        4,
        t("workbook.respondents_prompt", lang),
    )
    for unsur in UNSUR:
        _validation(
            ws,
            DataValidation(type="decimal", operator="between", formula1="1", formula2="4", allow_blank=True),
            cols[unsur],
            4,
            t("note.survey.nrr", lang),
        )

    # Responden SKM
    ws = wb.create_sheet(schema.SURVEY_RESPONSES.name)
    example = content.examples.get("survey", False) and bool(content.responses)
    keys = ["period", "unit", "respondent", *UNSUR]
    rows = [(period, unit, number, *answers) for period, unit, number, answers in content.responses]
    cols = _write_table(
        ws,
        schema.SURVEY_RESPONSES,
        keys,
        rows,
        _example_banner(schema.SURVEY_RESPONSES.name, example, lang),
        example,
        lang,
        {"period": 11, "unit": 40, "respondent": 12},
    )
    for unsur in UNSUR:
        _validation(
            ws,
            DataValidation(type="whole", operator="between", formula1="1", formula2="4", allow_blank=True),
            cols[unsur],
            4,
            t("note.survey.answer", lang),
        )

    if content.guide:
        _write_guide(wb.create_sheet(schema.GUIDE_SHEET_NAME, 0), lang)
    wb.active = 0
    if isinstance(target, (str, Path)):
        # Built in memory, then written in one call: a failed write (a full disk) is one OSError for the
        # caller, never a half-closed ZIP complaining later.
        buffer = io.BytesIO()
        wb.save(buffer)
        Path(target).write_bytes(buffer.getvalue())
    else:
        wb.save(target)


GUIDE_KEYS = (
    "guide.intro",
    "guide.info",
    "guide.plan",
    "guide.indicators",
    "guide.realisation",
    "guide.indicator_values",
    "guide.survey",
    "guide.upload",
)


def _write_guide(ws: Worksheet, lang: str) -> None:
    ws.cell(row=1, column=1, value=t("guide.title", lang)).font = Font(bold=True, size=14)
    for row, key in enumerate(GUIDE_KEYS, start=3):
        cell = ws.cell(row=row, column=1, value=t(key, lang))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120
    _fit_rows(ws, range(3, 3 + len(GUIDE_KEYS)))
    _page_setup(ws, "1:1")


def workbook_bytes(content: WorkbookContent) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, content)
    return buffer.getvalue()


def build_bundled_workbook(path: str | Path) -> None:
    """(Re)write data/rencana_aksi_2022.xlsx from the annex data and the example data."""
    write_workbook(path, bundled_content())
