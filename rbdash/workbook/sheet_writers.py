"""One function per sheet of the RB Dash layout, and the cell styles they share.

`rbdash.workbook.writer.write_workbook` calls them in sheet order; the headers come from the schema,
so the layout the loader reads and the layout staff receive cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rbdash.ikm import UNSUR
from rbdash.messages import t
from rbdash.workbook import cells, schema
from rbdash.workbook.content import WorkbookContent
from rbdash.workbook.schema import MISSING_MARKER, MONTHS

TICK = "✓"
READING_NOTE_PREFIX = "[Catatan pembacaan RB Dash] "
PLAN_HEADER_ROW = 6  # 1-based row of the plan header; months below it, column numbers below that


INFO_FIRST_ROW = 4  # the Info sheet's first line under its header


def info_lines(content: WorkbookContent) -> list[tuple[str, object]]:
    """The Info sheet's lines (label, value) from INFO_FIRST_ROW down."""
    info = content.info
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
    if content.guide:  # the template: lines for the PENANGGUNG JAWAB drop-down (write_plan), to fill in
        values += [(fields["responsible_options"], None)] * schema.RESPONSIBLE_SLOTS
    return values


def write_info(ws: Worksheet, content: WorkbookContent) -> None:
    """Info: office, year, decree, as-of date, example flags and the reading notes (and, in the template,
    lines for the PENANGGUNG JAWAB list)."""
    cells.banner(ws, "INFO BUKU KERJA RENCANA AKSI REFORMASI BIROKRASI", 2, False)
    cells.header_cells(ws, 3, schema.INFO, ["field", "value"], content.lang)
    values = info_lines(content)
    for offset, (label, value) in enumerate(values, start=INFO_FIRST_ROW):
        ws.cell(row=offset, column=1, value=label).alignment = cells.WRAP_TOP
        cell = ws.cell(row=offset, column=2, value=value)
        cell.alignment = cells.WRAP_TOP
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        for col in (1, 2):
            ws.cell(row=offset, column=col).border = cells.BORDER
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 110
    cells.fit_rows(ws, range(INFO_FIRST_ROW, INFO_FIRST_ROW + len(values)))
    ws.freeze_panes = f"A{INFO_FIRST_ROW}"
    cells.page_setup(ws, "3:3")


def write_plan(ws: Worksheet, content: WorkbookContent) -> None:
    """Rencana Aksi: the annex table as the decree lays it out, with KODE in column S."""
    lang = content.lang
    spec = schema.PLAN
    last_col = 20  # A..R mirror the annex (18 columns); S holds KODE, T the optional PENANGGUNG JAWAB
    for row, line in enumerate((*content.title_lines, content.source_line), start=1):
        cell = ws.cell(row=row, column=1, value=line)
        cell.font = Font(bold=row <= 3, size=13 if row <= 3 else 9, italic=row == 4)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    h = PLAN_HEADER_ROW
    headers = {
        1: "no",
        2: "program",
        3: "activity",
        4: "sub_activity",
        5: "indicators_text",
        18: "remarks",
        19: "code",
        20: "responsible",
    }
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
            cell.fill = cells.HEADER_FILL
            cell.alignment = cells.CENTER
            cell.border = cells.BORDER

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
            cell.border = cells.BORDER
            cell.alignment = cells.CENTER if 6 <= col <= 17 else cells.WRAP_TOP
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

    widths = {"A": 5, "B": 18, "C": 24, "D": 44, "E": 52, "R": 26, "S": 9, "T": 22}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for col in range(6, 18):
        ws.column_dimensions[get_column_letter(col)].width = 3.6
    cells.fit_rows(ws, range(first, first + len(rows)))
    ws.freeze_panes = ws.cell(row=first, column=1)
    cells.page_setup(ws, f"{h}:{h + 2}")
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(first + len(rows) - 1, first)}"
    tick_rule = cells.list_rule([TICK])
    tick_rule.showErrorMessage = False
    ws.add_data_validation(tick_rule)
    tick_rule.add(f"F{first}:Q{cells.MAX_VALIDATED_ROW}")
    if content.guide:  # the template: PENANGGUNG JAWAB picks from the Info sheet's list (other text only warned)
        listed = _responsible_rows(content)
        rule = DataValidation(
            type="list", formula1=f"'{schema.INFO.name}'!$B${listed[0]}:$B${listed[1]}", allow_blank=True
        )
        rule.errorStyle = "warning"
        cells.validation(ws, rule, 20, first, t("note.plan.responsible", lang))


def _responsible_rows(content: WorkbookContent) -> tuple[int, int]:
    """The Info sheet rows (first, last) of the template's "Daftar Penanggung Jawab" lines (write_info)."""
    label = next(f.label for f in schema.INFO_FIELDS if f.key == "responsible_options")
    rows = [row for row, (text, _) in enumerate(info_lines(content), start=INFO_FIRST_ROW) if text == label]
    return rows[0], rows[-1]


def write_indicators(ws: Worksheet, content: WorkbookContent, plan_codes: str) -> None:
    """Indikator: the indicators split from the annex, with unit, direction and targets."""
    lang = content.lang
    example = content.examples.get("indicators", False)
    banner = t("workbook.banner_indicators_example" if example else "workbook.banner_indicators", lang)
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
    cols = cells.write_table(
        ws,
        schema.INDICATORS,
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
            cell.alignment = cells.WRAP_TOP
    cells.fit_rows(ws, range(4, 4 + len(rows)))
    cells.validation(
        ws,
        DataValidation(type="list", formula1=plan_codes, allow_blank=True),
        cols["plan_code"],
        4,
        t("note.indicators.plan_code", lang),
    )
    cells.validation(ws, cells.list_rule(schema.UNITS), cols["unit"], 4, t("note.indicators.unit", lang))
    cells.validation(ws, cells.list_rule(schema.DIRECTIONS), cols["direction"], 4, t("note.indicators.direction", lang))
    cells.validation(
        ws, cells.list_rule(["ya", "tidak"]), cols["target_assumed"], 4, t("note.indicators.target_assumed", lang)
    )


def write_realisation(ws: Worksheet, content: WorkbookContent, plan_codes: str) -> None:
    """Realisasi: status and progress per plan row and month."""
    lang = content.lang
    example = content.examples.get("realisation", False)
    rows = [(r.code, r.month, r.status, r.progress, r.evidence or None, r.note) for r in content.realisation]
    cols = cells.write_table(
        ws,
        schema.REALISATION,
        rows,
        cells.example_banner(schema.REALISATION.name, example, lang),
        example,
        lang,
        {"code": 10, "month": 8, "status": 12, "progress": 11, "evidence": 40, "note": 50},
    )
    cells.validation(
        ws,
        DataValidation(type="list", formula1=plan_codes, allow_blank=True),
        cols["code"],
        4,
        t("note.plan.code", lang),
    )
    cells.validation(
        ws,
        DataValidation(type="whole", operator="between", formula1="1", formula2="12", allow_blank=True),
        cols["month"],
        4,
        t("note.month", lang),
    )
    cells.validation(
        ws, cells.list_rule(schema.STATUS_LABELS.values()), cols["status"], 4, t("note.realisation.status", lang)
    )
    cells.validation(
        ws,
        DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True),
        cols["progress"],
        4,
        t("note.realisation.progress", lang),
    )


def write_indicator_values(ws: Worksheet, content: WorkbookContent) -> None:
    """Capaian Indikator: indicator values per month."""
    lang = content.lang
    example = content.examples.get("indicator_values", False)
    cols = cells.write_table(
        ws,
        schema.INDICATOR_VALUES,
        content.indicator_values,
        cells.example_banner(schema.INDICATOR_VALUES.name, example, lang),
        example,
        lang,
        {"indicator_code": 14, "month": 8, "value": 10, "note": 50},
    )
    cells.validation(
        ws,
        DataValidation(
            type="list", formula1=f"'{schema.INDICATORS.name}'!$A$4:$A${cells.MAX_VALIDATED_ROW}", allow_blank=True
        ),
        cols["indicator_code"],
        4,
        t("note.indicators.indicator_code", lang),
    )
    cells.validation(
        ws,
        DataValidation(type="whole", operator="between", formula1="1", formula2="12", allow_blank=True),
        cols["month"],
        4,
        t("note.month", lang),
    )


def write_survey_nrr(ws: Worksheet, content: WorkbookContent) -> None:
    """IKM: NRR per unsur per period and unit (the alternative to answers)."""
    lang = content.lang
    example = content.examples.get("survey", False) and bool(content.nrr_rows)
    cols = cells.write_table(
        ws,
        schema.SURVEY_NRR,
        content.nrr_rows,
        t("workbook.banner_nrr_example" if example else "workbook.banner_nrr", lang),
        example,
        lang,
        {"period": 11, "unit": 40, "respondents": 12},
    )
    cells.validation(
        ws,
        DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True),
        cols["respondents"],
        4,
        t("workbook.respondents_prompt", lang),
    )
    for unsur in UNSUR:
        cells.validation(
            ws,
            DataValidation(type="decimal", operator="between", formula1="1", formula2="4", allow_blank=True),
            cols[unsur],
            4,
            t("note.survey.nrr", lang),
        )


def write_survey_responses(ws: Worksheet, content: WorkbookContent) -> None:
    """Responden SKM: one row of answers per respondent."""
    lang = content.lang
    example = content.examples.get("survey", False) and bool(content.responses)
    rows = [(period, unit, number, *answers) for period, unit, number, answers in content.responses]
    cols = cells.write_table(
        ws,
        schema.SURVEY_RESPONSES,
        rows,
        cells.example_banner(schema.SURVEY_RESPONSES.name, example, lang),
        example,
        lang,
        {"period": 11, "unit": 40, "respondent": 12},
    )
    for unsur in UNSUR:
        cells.validation(
            ws,
            DataValidation(type="whole", operator="between", formula1="1", formula2="4", allow_blank=True),
            cols[unsur],
            4,
            t("note.survey.answer", lang),
        )


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


def write_guide(ws: Worksheet, lang: str) -> None:
    """Petunjuk: how to fill in the workbook (templates only)."""
    ws.cell(row=1, column=1, value=t("guide.title", lang)).font = Font(bold=True, size=14)
    for row, key in enumerate(GUIDE_KEYS, start=3):
        cell = ws.cell(row=row, column=1, value=t(key, lang))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120
    cells.fit_rows(ws, range(3, 3 + len(GUIDE_KEYS)))
    cells.page_setup(ws, "1:1")
