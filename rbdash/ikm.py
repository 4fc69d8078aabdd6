"""Indeks Kepuasan Masyarakat (IKM) per PermenPANRB Nomor 14 Tahun 2017.

* NRR per unsur = the mean of the answers (1..4) given to that unsur; empty answers are not
  counted.
* Weight per unsur: the regulation writes 1/9 as "0,111". RB Dash applies exactly 1/9 by
  default, so that all answers 4 give IKM 4,00 and 100,00 (with 0,111 they give 3,996 and 99,90).
  `weight="regulation"` applies 0,111 for a figure that matches a hand calculation done with it.
* IKM (1..4) = sum of NRR x weight. IKM unit pelayanan (converted) = IKM x 25.
* The arithmetic is exact (fractions); the converted value is rounded half up to two decimals,
  and mutu is read off that two-decimal value against the regulation's bands:
  25,00-64,99 D Tidak Baik; 65,00-76,60 C Kurang Baik; 76,61-88,30 B Baik; 88,31-100,00 A Sangat Baik.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd

Weighting = Literal["exact", "regulation"]

#: The nine service elements (unsur) of the survey, U1..U9 (PermenPANRB 14/2017).
UNSUR = tuple(f"U{i}" for i in range(1, 10))


REGULATION_WEIGHT = Fraction(111, 1000)
EXACT_WEIGHT = Fraction(1, 9)
CONVERSION_FACTOR = 25


@dataclass(frozen=True)
class MutuBand:
    """One quality band of the regulation, on the converted (25..100) scale."""

    grade: str
    label_id: str
    label_en: str
    low: Decimal
    high: Decimal
    ikm_low: Decimal
    ikm_high: Decimal


MUTU_BANDS: tuple[MutuBand, ...] = (
    MutuBand("A", "Sangat Baik", "Very good", Decimal("88.31"), Decimal("100.00"), Decimal("3.5324"), Decimal("4.00")),
    MutuBand("B", "Baik", "Good", Decimal("76.61"), Decimal("88.30"), Decimal("3.0644"), Decimal("3.532")),
    MutuBand("C", "Kurang Baik", "Fair", Decimal("65.00"), Decimal("76.60"), Decimal("2.60"), Decimal("3.064")),
    MutuBand("D", "Tidak Baik", "Poor", Decimal("25.00"), Decimal("64.99"), Decimal("1.00"), Decimal("2.5996")),
)


@dataclass(frozen=True)
class IkmResult:
    """The computation for one set of nine NRR values, every step kept for auditing."""

    nrr: tuple[Fraction, ...]
    weight: Fraction
    weighted: tuple[Fraction, ...]
    ikm: Fraction
    converted: Decimal
    band: MutuBand

    @property
    def mutu(self) -> str:
        return self.band.grade


def weight_for(weighting: Weighting) -> Fraction:
    return EXACT_WEIGHT if weighting == "exact" else REGULATION_WEIGHT


def as_fraction(value: float | int | Fraction | Decimal | str) -> Fraction:
    """An exact fraction of a value as written: 3.788 becomes 3788/1000, not the binary float."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (float, np.floating)):
        return Fraction(Decimal(repr(float(value))))
    return Fraction(Decimal(str(value))) if not isinstance(value, int) else Fraction(value)


def round_converted(value: Fraction) -> Decimal:
    """Round half up to two decimals, exactly."""
    scaled = value * 100
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    result = floor + (1 if rest >= Fraction(1, 2) else 0)
    return (Decimal(result) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def band_for(converted: Decimal) -> MutuBand:
    """The mutu band of a converted value rounded to two decimals."""
    for band in MUTU_BANDS:
        if converted >= band.low:
            return band
    return MUTU_BANDS[-1]


def compute_ikm(nrr: Sequence[float | Fraction | Decimal | str], weighting: Weighting = "exact") -> IkmResult:
    """IKM from the nine NRR values U1..U9, with each step of the computation."""
    if len(nrr) != len(UNSUR):
        raise ValueError(f"expected {len(UNSUR)} NRR values, got {len(nrr)}")
    exact = tuple(as_fraction(v) for v in nrr)
    weight = weight_for(weighting)
    weighted = tuple(v * weight for v in exact)
    ikm = sum(weighted, Fraction(0))
    converted = round_converted(ikm * CONVERSION_FACTOR)
    return IkmResult(exact, weight, weighted, ikm, converted, band_for(converted))


def nrr_from_responses(responses: pd.DataFrame, keys: Iterable[str] = ("period", "unit")) -> pd.DataFrame:
    """Per group of `keys`: respondents, and per unsur the answer sum, answer count and NRR."""
    keys = list(keys)
    grouped = responses.groupby(keys, sort=False, dropna=False)
    sums = grouped[list(UNSUR)].sum(min_count=1)
    counts = grouped[list(UNSUR)].count()
    columns: dict[str, Any] = {"respondents": grouped.size().reindex(sums.index).to_numpy()}
    for unsur in UNSUR:  # numpy columns: per-Series arithmetic was most of this on a small survey
        total, given = sums[unsur].to_numpy(), counts[unsur].to_numpy()
        columns[f"{unsur}_sum"] = total
        columns[f"{unsur}_n"] = given
        with np.errstate(divide="ignore", invalid="ignore"):
            columns[unsur] = np.where(given > 0, total / np.where(given > 0, given, 1), np.nan)
    return pd.DataFrame(columns, index=sums.index).reset_index()


def _exact_nrr(row: Mapping[str, Any], unsur: str) -> Fraction | None:
    total = row.get(f"{unsur}_sum")
    count = row.get(f"{unsur}_n")
    if total is not None and count is not None and not pd.isna(total) and not pd.isna(count):
        return Fraction(round(total), int(count)) if count else None
    value = row.get(unsur)
    return None if value is None or pd.isna(value) else as_fraction(float(value))


def compute_row(row: Mapping[str, Any], weighting: Weighting = "exact") -> IkmResult | None:
    """The computation for one survey row (exact NRR from answer sums when the row has them)."""
    nrr = [_exact_nrr(row, u) for u in UNSUR]
    return None if any(v is None for v in nrr) else compute_ikm(nrr, weighting)  # type: ignore[arg-type]


def score(survey: pd.DataFrame, weighting: Weighting = "exact") -> pd.DataFrame:
    """Add ikm, ikm_converted, mutu and mutu_label columns to a frame of NRR rows.

    Rows with a missing NRR get no score (NaN and an empty mutu), never a partial one.
    """
    ikm_values: list[float] = []
    converted_values: list[float] = []
    grades: list[str | None] = []
    labels: list[str | None] = []
    # The NRR columns as lists, read row by row: a Series (iterrows) or dict (to_dict) of every whole row
    # was most of the time this takes.
    needed = [name for unsur in UNSUR for name in (unsur, f"{unsur}_sum", f"{unsur}_n") if name in survey.columns]
    values = {name: survey[name].tolist() for name in needed}
    for at in range(len(survey)):
        result = compute_row({name: values[name][at] for name in needed}, weighting)
        if result is None:
            ikm_values.append(float("nan"))
            converted_values.append(float("nan"))
            grades.append(None)
            labels.append(None)
            continue
        ikm_values.append(float(result.ikm))
        converted_values.append(float(result.converted))
        grades.append(result.band.grade)
        labels.append(result.band.label_id)
    out = survey.copy()
    out["ikm"] = ikm_values
    out["ikm_converted"] = converted_values
    out["mutu"] = pd.Series(grades, index=out.index, dtype="object")
    out["mutu_label"] = pd.Series(labels, index=out.index, dtype="object")
    return out


def _all_from_answers(group: pd.DataFrame) -> bool:
    """Every row of `group` carries its answer sums and counts (it was computed from the answers)."""
    columns = [f"{unsur}_{part}" for unsur in UNSUR for part in ("sum", "n")]
    return all(column in group for column in columns) and not group[columns].isna().to_numpy().any()


def combine_units(
    survey: pd.DataFrame,
    keys: Iterable[str] = ("period",),
    weighting: Weighting = "exact",
    unit_label: str = "Semua unit",
) -> pd.DataFrame:
    """Overall NRR per period across service units, then scored.

    Units whose rows come from the answers (Responden SKM) are pooled exactly, as PermenPANRB 14/2017
    computes an NRR: the sum of all answers to the unsur over the number of answers given, so blank
    answers weigh nothing and the score is computed from the exact sums. A group with a unit known only
    by its NRR (the IKM sheet) is weighted by respondents, as those NRR stand for every respondent.
    """
    keys = list(keys)
    rows = []
    for key_values, group in survey.groupby(keys, sort=False):
        key_values = key_values if isinstance(key_values, tuple) else (key_values,)
        record = dict(zip(keys, key_values, strict=False))
        record["unit"] = unit_label
        respondents = int(group["respondents"].sum())
        record["respondents"] = respondents
        if _all_from_answers(group):
            for unsur in UNSUR:
                answers = int(sum(round(float(v)) for v in group[f"{unsur}_sum"]))
                given = int(sum(int(v) for v in group[f"{unsur}_n"]))
                record[f"{unsur}_sum"], record[f"{unsur}_n"] = float(answers), given
                record[unsur] = answers / given if given else float("nan")
            rows.append(record)
            continue
        for unsur in UNSUR:
            if group[unsur].isna().any() or respondents == 0:
                record[unsur] = float("nan")
                continue
            weighted = sum(
                (as_fraction(float(v)) * int(n) for v, n in zip(group[unsur], group["respondents"], strict=False)),
                Fraction(0),
            )
            record[unsur] = float(weighted / respondents)
        rows.append(record)
    return score(pd.DataFrame(rows), weighting) if rows else survey.iloc[0:0].copy()


def counted_by(survey: pd.DataFrame, year: int, month: int) -> pd.Series:
    """Mask of the survey rows counted at the posisi data month `month` of `year`: periods that start by
    the month's last day (a period without a start counts). The one rule of the pages, the report, the
    deck and the upload's warning."""
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    return pd.Series(
        [start is None or pd.isna(start) or start <= last_day for start in survey["period_start"]],
        index=survey.index,
        dtype=bool,
    )


#: An indicator measured by the satisfaction index: SATUAN "indeks" and a text that names the survey's
#: "kepuasan" or "IKM" (the rule the Petunjuk sheet states).
_SATISFACTION = re.compile(r"(?i)\bkepuasan\b|\bIKM\b")


def is_ikm_indicator(unit: object, text: object) -> bool:
    """Whether an indicator's value is the IKM (SATUAN "indeks", text naming "kepuasan" or "IKM")."""
    return str(unit).strip().lower() == "indeks" and bool(_SATISFACTION.search(str(text)))


def survey_indicator_values(indicators: pd.DataFrame, survey: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The values the survey gives IKM indicators: per IKM indicator and survey period of `year`, the
    overall converted IKM (all units pooled: `combine_units`) in the period's last month.

    Columns: indicator_code, month, value, period. The survey wins over the Capaian Indikator sheet for
    those months (the sheet's value is said when it differs)."""
    columns = ["indicator_code", "month", "value", "period"]
    if indicators.empty or survey.empty or not year:
        return pd.DataFrame(columns=columns)
    codes = [
        code
        for code, unit, text in zip(indicators["indicator_code"], indicators["unit"], indicators["text"], strict=True)
        if is_ikm_indicator(unit, text)
    ]
    ends = pd.to_datetime(survey["period_end"], errors="coerce")
    in_year = survey[(ends.dt.year == int(year)).to_numpy()]
    if not codes or in_year.empty:
        return pd.DataFrame(columns=columns)
    overall = combine_units(in_year, keys=("period",))
    last_month = in_year.assign(_end=pd.to_datetime(in_year["period_end"])).groupby("period")["_end"].max().dt.month
    rows = [
        (code, int(last_month[period]), float(converted), period)
        for period, converted in zip(overall["period"], overall["ikm_converted"], strict=True)
        if not pd.isna(converted)
        for code in codes
    ]
    return pd.DataFrame(rows, columns=columns)
