"""Parsers for the cell values staff write: ticks, months, numbers, dates, periods, yes/no.

Each parser takes what the reader gives (a string, as every cell is read as text, or NaN for
an empty cell) and returns the value or None when it cannot be read. Vectorised forms work on
whole pandas Series and report which cells failed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass

import pandas as pd

from rbdash.workbook import columns
from rbdash.workbook.schema import MONTH_NAMES, NO_WORDS, NOT_TICKS, PLAN_YEARS, TICKS, YES_WORDS, normalise_label

_MONTH_LOOKUP = {name: number for number, names in MONTH_NAMES.items() for name in names}
# Upper-cased cell texts that mean a tick / explicitly no tick ("1.0": a numeric 1 read as text).
TICK_LABELS = frozenset(TICKS) | {"1.0"}
NOT_TICK_LABELS = frozenset(NOT_TICKS) | {"0.0"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_NAMED_DATE = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-z]+)\.?\s+(\d{4})$")


def clean_text(value: object) -> str | None:
    """Strip a cell's text of surrounding whitespace and non-breaking spaces; None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).replace("\u00a0", " ").replace("\u200b", "").strip()
    return text or None


def is_tick(value: object) -> bool | None:
    """True for a schedule tick, False for empty or an explicit no, None when not recognised."""
    text = clean_text(value)
    if text is None:
        return False
    label = text.upper()
    if label in TICK_LABELS:
        return True
    if label in NOT_TICK_LABELS:
        return False
    return None


def parse_month(value: object) -> int | None:
    """Month number 1..12 from a number, an Indonesian or English name or abbreviation, or a date."""
    text = clean_text(value)
    if text is None:
        return None
    number = parse_number(text)
    if number is not None:
        return int(number) if number.is_integer() and 1 <= number <= 12 else None
    label = normalise_label(text)
    if label in _MONTH_LOOKUP:
        return _MONTH_LOOKUP[label]
    date = parse_date(text)
    return date.month if date else None


def parse_number(value: object) -> float | None:
    """A number from a numeric cell ('3.25') or typed text ('88,31', '1.234,5', '75 %')."""
    text = clean_text(value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        return number if math.isfinite(number) else None
    compact = text.replace(" ", "").rstrip("%")
    if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?", compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[-+]?\d+,\d+", compact):
        compact = compact.replace(",", ".")
    elif not re.fullmatch(r"[-+]?\d+(\.\d+)?", compact):
        return None
    return float(compact)


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised `parse_number`: (float values, mask of non-empty cells that are not numbers)."""
    return columns.numbers(series, parse_number)


_MONTH_CELLS = {**{str(m): m for m in range(1, 13)}, **{f"{m}.0": m for m in range(1, 13)}}


def parse_months(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised `parse_month`: (Int64 months, mask of non-empty cells that are not months)."""
    return columns.lookup(series, _MONTH_CELLS, parse_month)


def parse_date(value: object) -> dt.date | None:
    """A date from an Excel date cell or text: 2022-09-30, 30/09/2022, 30 September 2022, Sep 2022.

    A month without a day ('September 2022') means its last day, as in "posisi data per".
    """
    text = clean_text(value)
    if text is None:
        return None
    try:
        if match := _ISO_DATE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _NAMED_DATE.match(text):
            month = _MONTH_LOOKUP.get(normalise_label(match[2]))
            if month is None:
                return None
            year = int(match[3])
            day = int(match[1]) if match[1] else calendar.monthrange(year, month)[1]
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def parse_year(value: object) -> int | None:
    """A plan year: a whole number within `PLAN_YEARS` (a typo such as 20223 or 1999 is refused: a plan's
    year becomes an office-year the dashboard lists for good), else None."""
    number = parse_number(value)
    if number is None or not number.is_integer() or int(number) not in PLAN_YEARS:
        return None
    return int(number)


def parse_yes_no(value: object) -> bool | None:
    """True for ya/yes/true/1, False for tidak/no/false/0 or empty, None when not recognised."""
    text = clean_text(value)
    if text is None:
        return False
    label = normalise_label(text)
    if label in YES_WORDS or label.startswith("YA ") or label.startswith("YA,"):
        return True
    if label in NO_WORDS or label.startswith("TIDAK ") or label.startswith("TIDAK,"):
        return False
    return None


@dataclass(frozen=True)
class Period:
    """A survey period: canonical label, kind (month, quarter, half, year) and its first day."""

    label: str
    kind: str
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.start.year


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_PERIOD_PATTERNS = (
    (re.compile(r"^(\d{4})\s*[-/ ]\s*(?:TW|Q|TRIWULAN|KUARTAL)\s*([1-4]|IV|III|II|I)$"), "quarter", False),
    (re.compile(r"^(?:TW|Q|TRIWULAN|KUARTAL)\s*([1-4]|IV|III|II|I)\s*[-/ ]?\s*(\d{4})$"), "quarter", True),
    (re.compile(r"^(\d{4})\s*[-/ ]\s*(?:S|SMT|SEMESTER|H)\s*([12]|II|I)$"), "half", False),
    (re.compile(r"^(?:S|SMT|SEMESTER|H)\s*([12]|II|I)\s*[-/ ]?\s*(\d{4})$"), "half", True),
    (re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"), "month", False),
    (re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$"), "month", True),
)


def _period(kind: str, year: int, index: int) -> Period | None:
    span = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    if not 1 <= index <= 12 // span:
        return None
    first_month = (index - 1) * span + 1
    last_month = first_month + span - 1
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    label = {
        "month": f"{year}-{index:02d}",
        "quarter": f"{year}-TW{index}",
        "half": f"{year}-S{index}",
        "year": f"{year}",
    }[kind]
    return Period(label, kind, start, end)


def parse_period(value: object) -> Period | None:
    """A survey period from 2022-06, 06/2022, Juni 2022, 2022-TW2, TW II 2022, 2022-S1, 2022 or a date."""
    text = clean_text(value)
    if text is None:
        return None
    label = re.sub(r"\s+", " ", text.upper())
    if re.fullmatch(r"\d{4}(\.0)?", label):
        return _period("year", int(float(label)), 1)
    for pattern, kind, reversed_order in _PERIOD_PATTERNS:
        if match := pattern.match(label):
            year_text, index_text = (match[2], match[1]) if reversed_order else (match[1], match[2])
            index = _ROMAN.get(index_text) or int(index_text)
            return _period(kind, int(year_text), index)
    date = parse_date(text)
    if date is not None:
        return _period("month", date.year, date.month)
    return None


_ITEM_MARKER = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\s?[.)]\s+")


def split_numbered_items(text: str) -> list[tuple[int | None, str]]:
    """Split an annex cell holding "1. ... 2. ..." or "1) ... 2) ..." into numbered items.

    Only markers numbered 1, 2, 3, ... in sequence split the text, so numbers inside an item
    ("UU Nomor 25 Tahun 2009") and lettered sub-items ("a). ... b). ...") stay in their item.
    Text without a leading "1." is one unnumbered item. Item text is kept verbatim (only the
    surrounding whitespace is removed).
    """
    markers = []
    expected = 1
    for match in _ITEM_MARKER.finditer(text):
        if int(match.group(1)) == expected:
            markers.append(match)
            expected += 1
    if not markers or text[: markers[0].start()].strip():
        return [(None, text.strip())]
    items: list[tuple[int | None, str]] = []
    for number, (marker, following) in enumerate(zip(markers, [*markers[1:], None], strict=False), start=1):
        end = following.start() if following else len(text)
        items.append((number, text[marker.end() : end].strip()))
    return items
