"""Cell-value parsers: ticks, months, numbers, dates, periods, yes/no, numbered items."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from rbdash.workbook.parse import (
    is_tick,
    parse_date,
    parse_month,
    parse_months,
    parse_number,
    parse_numbers,
    parse_period,
    parse_year,
    parse_yes_no,
    split_numbered_items,
)


@pytest.mark.parametrize(
    "value", ["✓", "✔", "√", "v", "V", "x", "X", "1", "1.0", "TRUE", "true", "ya", "Ya", " ✓ ", "\u00a0v\u00a0"]
)
def test_ticks(value: str) -> None:
    assert is_tick(value) is True


@pytest.mark.parametrize("value", [None, float("nan"), "", "  ", "0", "FALSE", "-", "tidak"])
def test_not_ticks(value: object) -> None:
    assert is_tick(value) is False


@pytest.mark.parametrize("value", ["2", "?", "done"])
def test_unknown_ticks(value: str) -> None:
    assert is_tick(value) is None


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("1", 1),
        ("12", 12),
        ("8.0", 8),
        ("Jan", 1),
        ("Januari", 1),
        ("January", 1),
        ("Mei", 5),
        ("May", 5),
        ("Agu", 8),
        ("Agt", 8),
        ("Ags", 8),
        ("Agustus", 8),
        ("Aug", 8),
        ("Okt", 10),
        ("Oct", 10),
        ("Des", 12),
        ("Desember", 12),
        ("Nop", 11),
        (" jun ", 6),
        ("2022-06-01 00:00:00", 6),
        ("BULAN 3", None),
        ("13", None),
        ("0", None),
        ("2.5", None),
        ("Foo", None),
        (None, None),
    ],
)
def test_months(value: object, month: int | None) -> None:
    assert parse_month(value) == month


def test_months_vectorised_reports_failures() -> None:
    months, failed = parse_months(pd.Series(["1", "Agt", None, "13", "x"]))
    assert months.tolist()[:2] == [1, 8]
    assert pd.isna(months[2]) and failed.tolist() == [False, False, False, True, True]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("3.25", 3.25),
        ("7", 7.0),
        ("88,31", 88.31),
        ("1.234,5", 1234.5),
        ("75 %", 75.0),
        ("75%", 75.0),
        ("\u00a0 12 ", 12.0),
        ("-2", -2.0),
        ("1e-7", 1e-7),
        ("abc", None),
        ("true", None),
        ("", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_numbers(value: str, number: float | None) -> None:
    result = parse_number(value)
    if number is None:
        assert result is None
    else:
        assert math.isclose(result, number)


def test_numbers_vectorised() -> None:
    values, failed = parse_numbers(pd.Series(["1", "88,5", None, "banyak", "inf"]))
    assert values.tolist()[:2] == [1.0, 88.5]
    assert failed.tolist() == [False, False, False, True, True]


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2022-09-30 00:00:00", dt.date(2022, 9, 30)),
        ("2022-09-30", dt.date(2022, 9, 30)),
        ("30/09/2022", dt.date(2022, 9, 30)),
        ("30-09-2022", dt.date(2022, 9, 30)),
        ("30 September 2022", dt.date(2022, 9, 30)),
        ("September 2022", dt.date(2022, 9, 30)),
        ("Februari 2024", dt.date(2024, 2, 29)),
        ("31 Juni 2022", None),
        ("kemarin", None),
    ],
)
def test_dates(value: str, date: dt.date | None) -> None:
    assert parse_date(value) == date


@pytest.mark.parametrize(
    ("value", "label", "kind", "start", "end"),
    [
        ("2022-06", "2022-06", "month", "2022-06-01", "2022-06-30"),
        ("06/2022", "2022-06", "month", "2022-06-01", "2022-06-30"),
        ("Juni 2022", "2022-06", "month", "2022-06-01", "2022-06-30"),
        ("2022-06-01 00:00:00", "2022-06", "month", "2022-06-01", "2022-06-30"),
        ("2022-TW2", "2022-TW2", "quarter", "2022-04-01", "2022-06-30"),
        ("TW II 2022", "2022-TW2", "quarter", "2022-04-01", "2022-06-30"),
        ("2022 Q4", "2022-TW4", "quarter", "2022-10-01", "2022-12-31"),
        ("2022-S1", "2022-S1", "half", "2022-01-01", "2022-06-30"),
        ("Semester II 2022", "2022-S2", "half", "2022-07-01", "2022-12-31"),
        ("2022", "2022", "year", "2022-01-01", "2022-12-31"),
    ],
)
def test_periods(value: str, label: str, kind: str, start: str, end: str) -> None:
    period = parse_period(value)
    assert (period.label, period.kind, period.start.isoformat(), period.end.isoformat()) == (label, kind, start, end)


@pytest.mark.parametrize("value", ["2022-13", "2022-TW5", "triwulan", "", None])
def test_bad_periods(value: object) -> None:
    assert parse_period(value) is None


def test_year_and_yes_no() -> None:
    assert parse_year("2022") == 2022 and parse_year("2022.0") == 2022
    assert parse_year("22,5") is None and parse_year("abc") is None
    assert parse_yes_no("ya") is True and parse_yes_no("TIDAK") is False and parse_yes_no(None) is False
    assert parse_yes_no("mungkin") is None


def test_split_numbered_items() -> None:
    assert split_numbered_items("1) A; 2) B 3) C") == [(1, "A;"), (2, "B"), (3, "C")]
    assert split_numbered_items("1. Adanya x. 2. Dilaksanakannya y.") == [(1, "Adanya x."), (2, "Dilaksanakannya y.")]
    # Numbers out of sequence or inside an item do not split; lettered sub-items stay in their item.
    text = "1. Sesuai UU Nomor 25 Tahun 2009 meliputi 14 komponen 2. Dokumen: a). Surat b). Deklarasi 4. lain"
    assert split_numbered_items(text) == [
        (1, "Sesuai UU Nomor 25 Tahun 2009 meliputi 14 komponen"),
        (2, "Dokumen: a). Surat b). Deklarasi 4. lain"),
    ]
    assert split_numbered_items("Informasi jenis-jenis layanan;") == [(None, "Informasi jenis-jenis layanan;")]
    assert split_numbered_items("Pengantar 1. A 2. B") == [(None, "Pengantar 1. A 2. B")]
