"""Tables exported as CSV or XLSX, safe to open in a spreadsheet (no formula injection).

A text cell that starts with =, +, -, @, a tab or a carriage return would be run as a formula by
Excel or LibreOffice; such cells get a leading apostrophe (OWASP's advice), so they show as text.
Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from typing import Any

import pandas as pd

from rbdash.present.text import evidence_href

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value with a leading apostrophe when it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and headers) are neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame, lang: str = "id") -> bytes:
    """CSV in UTF-8 with a BOM (Excel reads the accents); ';' and decimal comma for Indonesian Excel."""
    text = safe_frame(frame).to_csv(index=False, sep=";" if lang == "id" else ",", decimal="," if lang == "id" else ".")
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(
    frame: pd.DataFrame,
    sheet: str = "Data",
    about: Sequence[tuple[str, str]] = (),
    about_sheet: str = "About",
    linked: Collection[str] = (),
) -> bytes:
    """An .xlsx of `frame` (bold headers, text written as text) and, when `about` is given, a second sheet
    `about_sheet` of (label, text) rows saying what the table is: its source, date and filters. The cells of the
    `linked` columns that hold an http(s) address (`text.evidence_href`) are hyperlinks to it."""
    # Imported on the first download, not with every page: openpyxl (and the PIL it loads) cost about
    # 160 ms of a server's first run (bench/bench_browser.py).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    safe = safe_frame(frame)
    ws.append([str(c) for c in safe.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in safe.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v for v in row])
    for index, column in enumerate(frame.columns, start=1):
        if column in linked:
            for row, value in enumerate(frame[column], start=2):
                href = evidence_href(value)
                if href is not None:
                    ws.cell(row, index).hyperlink = href
                    ws.cell(row, index).style = "Hyperlink"
    for index, column in enumerate(safe.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in safe[column].head(200)])
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 70)
    ws.freeze_panes = "A2"
    if about:
        notes = wb.create_sheet(about_sheet[:31])
        for label, text in about:
            notes.append([neutralise(label), neutralise(text)])
            notes.cell(notes.max_row, 1).font = Font(bold=True)
        notes.column_dimensions["A"].width = max(len(label) for label, _ in about) + 2
        notes.column_dimensions["B"].width = min(max(len(text) for _, text in about) + 2, 100)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
