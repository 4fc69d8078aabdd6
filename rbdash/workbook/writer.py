"""Write workbooks in the RB Dash layout: the bundled 2022 workbook and the blank template.

Both come from `write_workbook` (one function per sheet in `sheet_writers`), driven by the schema,
so the layout the loader reads and the layout staff receive cannot drift apart.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook

from rbdash.workbook import cells, schema
from rbdash.workbook import sheet_writers as sheets
from rbdash.workbook.content import WorkbookContent, bundled_content


def write_workbook(target: str | Path | BinaryIO, content: WorkbookContent) -> None:
    """Write `content` in the RB Dash layout to a path or a binary stream."""
    wb = Workbook()
    info_ws = wb.active
    info_ws.title = schema.INFO.name
    sheets.write_info(info_ws, content)
    sheets.write_plan(wb.create_sheet(schema.PLAN.name), content)
    plan_codes = f"'{schema.PLAN.name}'!$S${sheets.PLAN_HEADER_ROW + 3}:$S${cells.MAX_VALIDATED_ROW}"
    sheets.write_indicators(wb.create_sheet(schema.INDICATORS.name), content, plan_codes)
    sheets.write_realisation(wb.create_sheet(schema.REALISATION.name), content, plan_codes)
    sheets.write_indicator_values(wb.create_sheet(schema.INDICATOR_VALUES.name), content)
    sheets.write_survey_nrr(wb.create_sheet(schema.SURVEY_NRR.name), content)
    sheets.write_survey_responses(wb.create_sheet(schema.SURVEY_RESPONSES.name), content)
    if content.guide:
        sheets.write_guide(wb.create_sheet(schema.GUIDE_SHEET_NAME, 0), content.lang)
    wb.active = 0
    for sheet in wb.worksheets:
        cells.text_only(sheet)
    if isinstance(target, (str, Path)):
        # Built in memory, then written in one call: a failed write (a full disk) is one OSError for the
        # caller, never a half-closed ZIP complaining later.
        buffer = io.BytesIO()
        wb.save(buffer)
        Path(target).write_bytes(buffer.getvalue())
    else:
        wb.save(target)


def workbook_bytes(content: WorkbookContent) -> bytes:
    """The workbook of `content` as .xlsx bytes."""
    buffer = io.BytesIO()
    write_workbook(buffer, content)
    return buffer.getvalue()


def build_bundled_workbook(path: str | Path) -> None:
    """(Re)write data/rencana_aksi_2022.xlsx from the annex data and the example data."""
    write_workbook(path, bundled_content())
