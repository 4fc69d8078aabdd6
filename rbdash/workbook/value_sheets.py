"""The Indikator, Realisasi and Capaian Indikator sheets."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rbdash.model import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS, REALISATION_COLUMNS, model_frame
from rbdash.problems import ProblemLog, cell_ref
from rbdash.workbook import columns, schema
from rbdash.workbook.parse import parse_numbers, parse_yes_no
from rbdash.workbook.schema import ColumnSpec
from rbdash.workbook.tables import (
    Table,
    excel_rows,
    read_months,
    read_numbers,
    read_required,
    read_vocabulary,
    report_cells,
    report_duplicates,
    report_unknown_refs,
)

# ----------------------------------------------------------------------------------------------
# Indikator, Realisasi, Capaian Indikator


def parse_indicators(
    table: Table | None, plan_codes: set[str] | None, info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    spec = schema.INDICATORS
    if table is None:
        return _empty_indicators()
    b = table.block
    read_required(table, spec.column("indicator_code"), log)
    read_required(table, spec.column("plan_code"), log)
    read_required(table, spec.column("text"), log)
    codes = columns.codes(b["indicator_code"])
    dup = codes.notna() & codes.duplicated(keep="first")
    if dup.any():
        first = {c: i for i, c in codes[codes.notna() & ~codes.duplicated(keep="first")].items()}
        col = table.col("indicator_code")
        for idx in b.index[dup][: log.room("duplicate_code", table.grid.name)]:
            log.error(
                "duplicate_code",
                table.grid.name,
                cell_ref(int(idx), col),
                code=codes[idx],
                first_cell=cell_ref(int(first[codes[idx]]), col),
            )
    plan_code = report_unknown_refs(table, "plan_code", plan_codes, schema.PLAN.name, log)
    units = read_vocabulary(table, spec.column("unit"), schema.UNITS, "unknown_unit", log)
    read_required(table, spec.column("unit"), log)
    directions = read_vocabulary(table, spec.column("direction"), schema.DIRECTIONS, "unknown_direction", log)
    read_required(table, spec.column("direction"), log)
    targets = _yes_no_numbers(table, spec.column("target"), units, log)
    baselines = _yes_no_numbers(table, spec.column("baseline"), units, log)
    assumed = columns.map_distinct(b["target_assumed"], parse_yes_no)
    assumed[b["target_assumed"].isna()] = False
    bad_flag = b["target_assumed"].notna() & assumed.isna()
    if bad_flag.any():
        report_cells(
            log,
            "warning",
            "invalid_flag",
            table.grid,
            b.index[bad_flag],
            table.col("target_assumed"),
            b["target_assumed"],
            field=spec.column("target_assumed").header,
        )
    item_no = _item_numbers(table, log)
    out = model_frame(
        INDICATOR_COLUMNS,
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "indicator_code": codes,
            "plan_code": plan_code,
            "item_no": item_no,
            "text": b["text"].astype("object"),
            "unit": units,
            "direction": directions,
            "target": targets,
            "baseline": baselines,
            "target_assumed": assumed.fillna(False).astype(bool),
            "note": b["note"].astype("object"),
            "excel_row": excel_rows(b.index),
        },
    )
    out = out[out["indicator_code"].notna() & ~dup].reset_index(drop=True)
    return out


#: An Indikator NO is the indicator's place under its plan row: a whole number from 1 to this.
MAX_ITEM_NO = 9999


def _item_numbers(table: Table, log: ProblemLog) -> pd.Series:
    """The NO column as whole numbers (Int64); anything else in it is reported and left empty.

    Seen by the review: '1,5' or '1e20' there made the loader raise (a cast to whole numbers)."""
    raw = table.block["item_no"]
    values, failed = parse_numbers(raw)
    whole = (values == values.round()) & (values >= 1) & (values <= MAX_ITEM_NO)
    bad = failed | (values.notna() & ~whole)
    if bad.any():
        report_cells(
            log,
            "warning",
            "invalid_item_no",
            table.grid,
            table.block.index[bad],
            table.col("item_no"),
            raw,
            max_no=MAX_ITEM_NO,
        )
    return values.where(whole).astype("Int64")


def _yes_no_numbers(table: Table, column: ColumnSpec, units: pd.Series, log: ProblemLog) -> pd.Series:
    """Numbers, where 'ada'/'ya' reads as 1 and 'tidak' as 0 for ada/tidak indicators."""
    raw = table.block[column.key]
    words = columns.upper(raw).map({"ADA": "1", "YA": "1", "TIDAK": "0", "TIDAK ADA": "0", "BELUM ADA": "0"})
    is_yes_no = (units == "ada/tidak") & words.notna()
    if is_yes_no.any():
        raw = raw.where(~is_yes_no, words)
        table.block[column.key] = raw
    return read_numbers(table, column, log)


def _empty_indicators() -> pd.DataFrame:
    return model_frame(INDICATOR_COLUMNS)


def parse_realisation(
    table: Table | None, plan_codes: set[str] | None, schedule: pd.DataFrame, info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    spec = schema.REALISATION
    if table is None:
        return model_frame(REALISATION_COLUMNS)
    b = table.block
    read_required(table, spec.column("code"), log)
    read_required(table, spec.column("month"), log)
    read_required(table, spec.column("status"), log)
    codes = report_unknown_refs(table, "code", plan_codes, schema.PLAN.name, log)
    months = read_months(table, spec.column("month"), log)
    status = read_vocabulary(table, spec.column("status"), schema.STATUSES, "unknown_status", log)
    progress = read_numbers(table, spec.column("progress"), log, 0, 100)
    dup = report_duplicates(
        table, [codes.rename("code"), months.rename("month")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    planned = pd.MultiIndex.from_arrays([schedule["code"].astype(object), schedule["month"].astype("int64")])
    asked = pd.MultiIndex.from_arrays([codes.astype(object), months.fillna(0).astype("int64")])
    scheduled = pd.Series(asked.isin(planned), index=b.index) & months.notna()
    off = columns.isin(codes, plan_codes or set()) & months.notna() & ~scheduled & ~dup
    month_col = table.col("month")
    for idx in b.index[off][: log.room("realisation_not_scheduled", table.grid.name)]:
        log.warning(
            "realisation_not_scheduled",
            table.grid.name,
            cell_ref(int(idx), month_col),
            code=codes[idx],
            month=int(months[idx]),
        )
    if off.sum() > log.room("realisation_not_scheduled", table.grid.name):
        log.suppress(
            "warning",
            "realisation_not_scheduled",
            table.grid.name,
            int(off.sum()) - log.room("realisation_not_scheduled", table.grid.name),
        )
    out = model_frame(
        REALISATION_COLUMNS,
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "code": codes,
            "month": months,
            "status": status,
            "progress": progress,
            "evidence": b["evidence"].astype("object"),
            "note": b["note"].astype("object"),
            "scheduled": scheduled,
            "excel_row": excel_rows(b.index),
        },
    )
    keep = out["code"].notna() & out["month"].notna() & ~dup
    return out[keep].reset_index(drop=True)


def parse_indicator_values(
    table: Table | None, indicators: pd.DataFrame, info: dict[str, Any], log: ProblemLog, *, checkable: bool = True
) -> pd.DataFrame:
    """The Capaian Indikator rows; their codes are checked against `indicators` when `checkable` (the
    Indikator sheet was read)."""
    spec = schema.INDICATOR_VALUES
    if table is None:
        return model_frame(INDICATOR_VALUE_COLUMNS)
    b = table.block
    read_required(table, spec.column("indicator_code"), log)
    read_required(table, spec.column("month"), log)
    known = set(indicators["indicator_code"].dropna()) if checkable else None
    codes = report_unknown_refs(table, "indicator_code", known, schema.INDICATORS.name, log)
    months = read_months(table, spec.column("month"), log)
    unit_of = dict(zip(indicators["indicator_code"], indicators["unit"], strict=False))
    values = _yes_no_numbers(table, spec.column("value"), codes.map(unit_of), log)
    dup = report_duplicates(
        table, [codes.rename("indicator_code"), months.rename("month")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    out = model_frame(
        INDICATOR_VALUE_COLUMNS,
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "indicator_code": codes,
            "month": months,
            "value": values,
            "note": b["note"].astype("object"),
            "excel_row": excel_rows(b.index),
        },
    )
    keep = out["indicator_code"].notna() & out["month"].notna() & ~dup
    return out[keep].reset_index(drop=True)
