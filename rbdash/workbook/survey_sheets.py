"""The survey sheets: IKM (per-unsur NRR by period) and Responden SKM (one answer row per respondent)."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from rbdash.ikm import UNSUR, nrr_from_responses, score
from rbdash.model import SURVEY_COLUMNS, model_frame
from rbdash.problems import ProblemLog, cell_ref
from rbdash.workbook import columns, schema
from rbdash.workbook.parse import parse_number, parse_period
from rbdash.workbook.tables import Table, excel_rows, read_numbers, read_required, report_cells, report_duplicates

# ----------------------------------------------------------------------------------------------
# Survey (IKM)


def _period_part(value: object, attribute: str) -> object:
    """One attribute of the period `value` names (None when it names none)."""
    return getattr(parse_period(value), attribute, None)


def _periods(table: Table, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    raw = table.block["period"]
    periods = columns.map_distinct(raw, parse_period)
    bad = raw.notna() & periods.isna()
    col = table.col("period")
    if bad.any():
        report_cells(log, "error", "invalid_period", table.grid, raw.index[bad], col, raw)
    year = info.get("year")
    if year:
        outside = columns.map_distinct(raw, lambda v: (p := parse_period(v)) is not None and p.year != year)
        outside = outside.fillna(False).astype(bool)
        if outside.any():
            report_cells(log, "warning", "period_outside_year", table.grid, raw.index[outside], col, raw, year=year)
    fields = {"label": "period", "kind": "period_kind", "start": "period_start", "end": "period_end"}
    return pd.DataFrame(
        {
            name: columns.map_distinct(raw, functools.partial(_period_part, attribute=attribute))
            for attribute, name in fields.items()
        },
        index=raw.index,
    )


def parse_survey_nrr(table: Table | None, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    spec = schema.SURVEY_NRR
    if table is None:
        return pd.DataFrame()
    b = table.block
    read_required(table, spec.column("period"), log)
    read_required(table, spec.column("unit"), log)
    read_required(table, spec.column("respondents"), log)
    periods = _periods(table, info, log)
    respondents = read_numbers(table, spec.column("respondents"), log)
    zero = respondents.notna() & (respondents <= 0)
    for idx in b.index[zero]:
        log.error(
            "zero_respondents",
            table.grid.name,
            cell_ref(int(idx), table.col("respondents")),
            period=b.at[idx, "period"],
            unit=b.at[idx, "unit"],
        )
    frame = periods.copy()
    frame["unit"] = b["unit"].astype("object")
    frame["respondents"] = respondents.where(~zero)
    for unsur in UNSUR:
        frame[unsur] = read_numbers(table, spec.column(unsur), log, 1, 4)
        read_required(table, spec.column(unsur), log)
    frame["source"] = table.grid.name
    frame["excel_row"] = excel_rows(b.index)
    dup = report_duplicates(
        table, [frame["period"].rename("period"), frame["unit"].rename("unit")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    keep = frame["period"].notna() & frame["unit"].notna() & frame["respondents"].notna() & ~dup
    return frame[keep].reset_index(drop=True)


_ANSWER_CELLS = {**{str(a): a for a in range(1, 5)}, **{f"{a}.0": a for a in range(1, 5)}}


def _answer(text: str) -> int | None:
    """A survey answer 1..4 written some other way (' 3', '4,0'), else None."""
    number = parse_number(text)
    return int(number) if number is not None and number in (1, 2, 3, 4) else None


def parse_survey_responses(table: Table | None, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    spec = schema.SURVEY_RESPONSES
    if table is None:
        return pd.DataFrame()
    b = table.block
    read_required(table, spec.column("period"), log)
    read_required(table, spec.column("unit"), log)
    frame = _periods(table, info, log)
    frame["unit"] = b["unit"].astype("object")
    frame["respondent"] = b["respondent"].astype("object")
    for unsur in UNSUR:
        raw = b[unsur]
        values, bad = columns.lookup(raw, _ANSWER_CELLS, _answer)
        if bad.any():
            report_cells(
                log, "error", "answer_out_of_range", table.grid, raw.index[bad], table.col(unsur), raw, column=unsur
            )
        frame[unsur] = values.astype("Int8")
    frame["excel_row"] = excel_rows(b.index)
    keep = frame["period"].notna() & frame["unit"].notna()
    return frame[keep].reset_index(drop=True)


def parse_survey(
    nrr_rows: pd.DataFrame, responses: pd.DataFrame, names: tuple[str, str], info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    parts = []
    keys = ["period", "unit"]
    if not responses.empty:
        computed = nrr_from_responses(responses[[*keys, *UNSUR]].astype({u: "float64" for u in UNSUR}), keys)
        meta = responses.drop_duplicates("period").set_index("period")[["period_kind", "period_start", "period_end"]]
        computed = computed.join(meta, on="period")
        computed["source"] = names[1]
        for row in computed.to_dict("records"):
            for unsur in UNSUR:
                if row[f"{unsur}_n"] == 0:
                    log.warning(
                        "unsur_without_answers", names[1], None, period=row["period"], unit=row["unit"], unsur=unsur
                    )
        parts.append(computed)
    if not nrr_rows.empty:
        if not responses.empty:
            both = set(zip(nrr_rows["period"], nrr_rows["unit"], strict=True)) & set(
                zip(responses["period"], responses["unit"], strict=True)
            )
            for period, unit in sorted(both):
                log.error("survey_conflict", names[0], None, period=period, unit=unit, other=names[1])
            nrr_rows = nrr_rows[[pair not in both for pair in zip(nrr_rows["period"], nrr_rows["unit"], strict=True)]]
        parts.append(nrr_rows.drop(columns=["excel_row"]))
    if not parts:
        return model_frame(SURVEY_COLUMNS)
    survey = pd.concat(parts, ignore_index=True)
    survey = score(survey).sort_values(["period_start", "unit"], kind="stable").reset_index(drop=True)
    survey.insert(0, "year", info.get("year"))
    survey.insert(0, "satker", info.get("satker"))
    survey["respondents"] = survey["respondents"].astype("int64")
    return survey.reindex(columns=list(SURVEY_COLUMNS))  # rows from NRR sheets have no answer sums
