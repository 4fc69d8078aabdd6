"""One list of hostile text typed into a workbook, and how each must read wherever it is shown: the
characters as typed, except a bidirectional control, which shows as its code point (present.text.literal).
Used by the page, browser, PDF and deck tests."""

from __future__ import annotations

from collections.abc import Callable

import openpyxl

LONG_TOKEN = "A" * 200
#: Where each payload goes: (sheet, cell) -> text. Rencana Aksi row 12 is RA-04 (its programme, activity
#: and sub-activity), row 13 RA-05 (late: in the report's list); Indikator row 6 is RA-01.3 (behind target).
PAYLOADS: dict[tuple[str, str], str] = {
    ("Info", "B4"): "KPU <b>Banten</b> **tebal** https://evil.example/login",
    ("Rencana Aksi", "B12"): "Program $x^2$ exe\u202etxt.exe",
    ("Rencana Aksi", "C12"): '<img src=x onerror="window.__pwned=1"> [tautan](javascript:alert(1))',
    ("Rencana Aksi", "D12"): "&quot;kutip&quot; &amp; _miring_ " + LONG_TOKEN,
    ("Rencana Aksi", "D13"): "Sub <i>miring</i> \\(y\\) \u202eabc",
    ("Indikator", "D6"): "Indikator <script>window.__pwned=2</script> \u2067isolasi\u2069",
}
#: The example survey unit renamed everywhere on Responden SKM.
SURVEY_UNIT = ("Layanan Informasi Publik (contoh)", 'U<script>x</script>"k"\u202e')


def shown(text: str) -> str:
    """How `text` must read on a page, in the PDF and the deck."""
    for control in ("\u202e", "\u2067", "\u2069"):
        text = text.replace(control, f"[U+{ord(control):04X}]")
    return text


def with_payloads(wb: openpyxl.Workbook) -> None:
    """Type every payload into the workbook (an edit for tests.conftest.bundled_with)."""
    for (sheet, cell), text in PAYLOADS.items():
        wb[sheet][cell] = text
    old, new = SURVEY_UNIT
    for row in wb["Responden SKM"].iter_rows():
        for cell in row:
            if cell.value == old:
                cell.value = new


EDIT: Callable[[openpyxl.Workbook], None] = with_payloads
