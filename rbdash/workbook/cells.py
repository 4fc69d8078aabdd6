"""Cell styles and helpers shared by the sheet writers: headers, banners, validation, print setup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rbdash.messages import t
from rbdash.workbook.schema import SheetSpec

MAX_VALIDATED_ROW = 5000  # data validation rules reach this row

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def text_only(ws: Worksheet) -> None:
    """Every cell of `ws` that openpyxl took for a formula (text beginning with "="), written as the text it is.

    The writer writes no formulas; a workbook's own text does begin with "=" (seen by the review: a plan cell
    "=HYPERLINK(...)" carried into another office's template became a live link, and an office named "=..." an
    empty Satker)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def fit_rows(ws: Worksheet, rows: Iterable[int], point_size: float = 11) -> None:
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


def header_cells(ws: Worksheet, row: int, spec: SheetSpec, keys: Iterable[str], lang: str) -> dict[str, int]:
    """Write the headers of `keys` on `row`; return key -> 1-based column."""
    columns = {}
    for col, key in enumerate(keys, start=1):
        column = spec.column(key)
        cell = ws.cell(row=row, column=col, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
        if column.note_id:
            cell.comment = Comment(t(column.note_id, lang), "RB Dash", width=300, height=90)
        columns[key] = col
    return columns


def banner(ws: Worksheet, text: str, width: int, example: bool) -> None:
    """Row 1: the sheet's title or note across `width` columns, shaded when it marks example data."""
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=12)
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 32
    if example:
        ws.cell(row=1, column=1).fill = EXAMPLE_FILL


def page_setup(ws: Worksheet, title_rows: str) -> None:
    """Print on A4 landscape, one page wide, with `title_rows` repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def validation(ws: Worksheet, rule: DataValidation, column: int, first_row: int, prompt: str) -> None:
    """Apply `rule` to `column` from `first_row` down, with `prompt` as the input hint and the error text."""
    letter = get_column_letter(column)
    rule.error = prompt
    rule.errorTitle = "RB Dash"
    rule.prompt = prompt
    rule.promptTitle = "RB Dash"
    rule.showErrorMessage = True
    rule.showInputMessage = True
    ws.add_data_validation(rule)
    rule.add(f"{letter}{first_row}:{letter}{MAX_VALIDATED_ROW}")


def list_rule(values: Iterable[str]) -> DataValidation:
    """A drop-down rule offering `values`."""
    return DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)


def write_table(
    ws: Worksheet,
    spec: SheetSpec,
    rows: Iterable[Sequence[object]],
    title: str,
    example: bool,
    lang: str,
    widths: dict[str, float],
) -> dict[str, int]:
    """A titled table sheet: banner, the schema's headers on row 3, `rows` (in the schema's column
    order) from row 4, column widths."""
    keys = [column.key for column in spec.columns]
    banner(ws, title, len(keys), example)
    columns = header_cells(ws, 3, spec, keys, lang)
    ws.row_dimensions[3].height = 30
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    for key, width in widths.items():
        ws.column_dimensions[get_column_letter(columns[key])].width = width
    ws.freeze_panes = "A4"
    page_setup(ws, "3:3")
    return columns


def example_banner(sheet: str, example: bool, lang: str) -> str:
    """The banner of a data sheet: what it holds, and CONTOH when it holds example values."""
    key = "workbook.banner_example" if example else "workbook.banner_plain"
    return t(key, lang, sheet=sheet)
