"""The Info sheet and the Rencana Aksi sheet (the annex: programmes, activities, monthly ticks)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from rbdash.model import PLAN_COLUMNS, model_frame
from rbdash.problems import ProblemLog, cell_ref
from rbdash.workbook import columns, schema
from rbdash.workbook.grids import Grid
from rbdash.workbook.parse import (
    NOT_TICK_LABELS,
    TICK_LABELS,
    clean_text,
    parse_date,
    parse_month,
    parse_year,
    parse_yes_no,
)
from rbdash.workbook.schema import MONTHS, normalise_label
from rbdash.workbook.tables import (
    MISSING_LABEL,
    data_block,
    excel_rows,
    find_header,
    is_example,
    missing_columns,
    number_row_mask,
    repeated_header_rows,
    report_cells,
)

# ----------------------------------------------------------------------------------------------
# Info


_INVISIBLE = re.compile(columns.INVISIBLE)


def unit_name(value: object) -> object:
    """A PENANGGUNG JAWAB as one name however it was typed: characters that do not show dropped, every run of
    spaces (no-break spaces and line breaks too) one space, trimmed; nothing left is no name (NA). "Subbag
    Umum" typed with a no-break space is the same unit as with a space (seen: two filter options alike)."""
    if not isinstance(value, str):
        return value
    name = " ".join(_INVISIBLE.sub("", value).split())
    return name or pd.NA


def parse_info(grid: Grid | None, log: ProblemLog) -> dict[str, Any]:
    info: dict[str, Any] = {key.key: None for key in schema.INFO_FIELDS}
    info["notes"] = []
    info["responsible_options"] = []
    info["examples"] = {}
    name = schema.INFO.name
    if grid is None:
        return info
    header = find_header(grid, schema.INFO)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in schema.INFO.columns))
        return info
    if missing_columns(grid, schema.INFO, header, log):
        return info
    block = data_block(grid, header, header.row + 1, header.columns)
    labels = {f.key: {normalise_label(f.label), *(normalise_label(a) for a in f.aliases)} for f in schema.INFO_FIELDS}
    cells: dict[str, str] = {}
    fields = block["field"].tolist() if "field" in block else [None] * len(block)
    values = block["value"].tolist() if "value" in block else [None] * len(block)
    for row, field_text, value in zip(block.index, fields, values, strict=True):
        if field_text is None or pd.isna(field_text):
            continue
        label = normalise_label(field_text)
        key = next((k for k, names in labels.items() if label in names), None)
        if key is None:
            continue
        value = None if value is None or pd.isna(value) else str(value)
        cell = cell_ref(int(row), header.columns["value"])
        if key in ("notes", "responsible_options"):  # repeated lines: a list
            line = value if key == "notes" else unit_name(value)
            if isinstance(line, str) and line.strip():
                info[key].append(line)
            continue
        info[key] = value
        cells[key] = cell
    info["cells"] = cells  # where each field was read (Info!B5), for messages about the values
    name = grid.name
    for info_field in schema.INFO_FIELDS:
        if info_field.required and not info[info_field.key]:
            log.error("missing_info_field", name, cells.get(info_field.key), field=info_field.label)
    if info["year"] is not None:
        year = parse_year(info["year"])
        if year is None:
            log.error("invalid_year", name, cells.get("year"), value=info["year"])
        info["year"] = year
    for key in ("decree_date", "as_of"):
        if info[key] is not None:
            parsed = parse_date(info[key])
            if parsed is None:
                log.error("invalid_date", name, cells.get(key), value=info[key])
            info[key] = parsed
    if info["as_of"] is None:
        log.warning(
            "missing_info_field", name, None, field=next(f.label for f in schema.INFO_FIELDS if f.key == "as_of")
        )
    elif info["year"] is not None and info["as_of"].year != info["year"]:
        # Seen by the review: a 2024 plan "as of 30 June 2023" was shown as of June 2024 on one page and as of
        # 2023-06-30 on another. The date is set aside (the last month with realisation counts instead).
        log.warning("as_of_outside_year", name, cells.get("as_of"), as_of=info["as_of"].isoformat(), year=info["year"])
    for key, sheet_key in (
        ("example_realisation", "realisation"),
        ("example_indicator_values", "indicator_values"),
        ("example_targets", "indicators"),
        ("example_survey", "survey"),
    ):
        flag = parse_yes_no(info[key])
        if flag is None:
            log.warning(
                "invalid_flag",
                name,
                cells.get(key),
                value=info[key],
                field=next(f.label for f in schema.INFO_FIELDS if f.key == key),
            )
            flag = False
        info[key] = flag
        info["examples"][sheet_key] = flag
    return info


# ----------------------------------------------------------------------------------------------
# Rencana Aksi


def _find_month_columns(grid: Grid, header_row: int, taken: set[int]) -> tuple[int, dict[int, int]]:
    """The row (header row or up to two below) naming the most months, and month -> column."""
    best_row, best = header_row, dict[int, int]()
    for row in range(header_row, header_row + 3):
        if row not in grid.frame.index:
            continue
        found: dict[int, int] = {}
        for col, value in grid.frame.loc[row].items():
            if int(col) in taken or pd.isna(value):
                continue
            month = _header_month(value)
            if month is not None and month not in found:
                found[month] = int(col)
        if len(found) > len(best):
            best_row, best = row, found
    return best_row, best


def _header_month(value: object) -> int | None:
    text = clean_text(value)
    if text is None:
        return None
    text = re.sub(r"^(BULAN|BLN|MONTH)\s*", "", text, flags=re.I)
    return parse_month(text)


def parse_plan(grid: Grid, info: dict[str, Any], log: ProblemLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = schema.PLAN
    header = find_header(grid, spec)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in spec.columns if c.required))
        return empty_plan(), empty_schedule()
    if missing_columns(grid, spec, header, log):
        return empty_plan(), empty_schedule()
    if is_example(header):  # "CONTOH" in the title above the table: the plan rows are example data
        info.setdefault("examples", {})["plan"] = True
    month_row, month_cols = _find_month_columns(grid, header.row, set(header.columns.values()))
    missing_months = [m for m in MONTHS if m not in month_cols]
    if missing_months:
        log.error(
            "missing_month_columns",
            grid.name,
            cell_ref(header.row, 0),
            months=", ".join(map(str, missing_months)),
            group=schema.MONTH_GROUP_HEADER,
        )
    mapped = dict(header.columns)
    mapped.update({f"m{m}": c for m, c in month_cols.items()})
    block = data_block(grid, header, max(header.row, month_row) + 1, mapped)
    skip = repeated_header_rows(block, spec).to_numpy() | number_row_mask(block, mapped).to_numpy()
    if month_cols:  # a row that numbers the months (1 .. 12 under their names) and holds nothing else
        month_only = np.ones(len(block), dtype=bool)
        any_month = np.zeros(len(block), dtype=bool)
        for m in month_cols:
            array = columns.arrow(block[f"m{m}"])
            present = columns.present(array)
            month_only &= ~present | columns.equals_array(array, str(m))
            any_month |= present
        for key in header.columns:
            month_only &= ~columns.filled(block[key])
        skip |= month_only & any_month
    block = block[~skip]
    for key in ("no", "program", "activity", "sub_activity", "indicators_text", "remarks", "code", "responsible"):
        if key not in block:
            block[key] = pd.Series(pd.NA, index=block.index, dtype="object")

    # Hierarchy: NO and PROGRAM carry down; KEGIATAN carries down within its programme.
    program = block["program"].ffill()
    group = (program.fillna("") != program.fillna("").shift()).cumsum()
    block["program"] = program
    block["no"] = block["no"].groupby(group).ffill()
    block["activity"] = block["activity"].groupby(group).ffill()

    month_order = sorted(month_cols)
    ticks = np.zeros((len(block), len(month_order)), dtype=bool)  # row x month (in month order)
    for m, col in month_cols.items():
        raw = block[f"m{m}"]
        upper = pc.utf8_upper(columns.arrow(raw))
        is_tick = columns.isin_array(upper, TICK_LABELS)
        unknown = columns.present(upper) & ~is_tick & ~columns.isin_array(upper, NOT_TICK_LABELS)
        if unknown.any():
            report_cells(log, "warning", "unknown_tick", grid, block.index[unknown], col, raw, month=m)
        ticks[:, month_order.index(m)] = is_tick
    is_row = ticks.any(axis=1)
    for key in ("code", "sub_activity", "indicators_text"):
        is_row |= columns.filled(block[key])
    rows = block[is_row].copy()
    ticks = ticks[is_row]
    if rows.empty:
        log.error("no_plan_rows", grid.name, cell_ref(header.row, 0))
        return empty_plan(), empty_schedule()

    code_col = header.columns["code"]
    rows["code"] = columns.codes(rows["code"])
    no_code = rows["code"].isna()
    if no_code.any():
        report_cells(log, "error", "missing_code", grid, rows.index[no_code], code_col)
    dup = rows["code"].notna() & rows["code"].duplicated(keep="first")
    if dup.any():
        first_row = {code: idx for idx, code in rows["code"][~rows["code"].duplicated(keep="first")].items()}
        for idx in rows.index[dup][: log.room("duplicate_code", grid.name)]:
            code = rows.at[idx, "code"]
            log.error(
                "duplicate_code",
                grid.name,
                cell_ref(int(idx), code_col),
                code=code,
                first_cell=cell_ref(int(first_row[code]), code_col),
            )

    text_fields = ["no", "program", "activity", "sub_activity", "indicators_text", "remarks"]
    missing_in_copy = pd.Series([[] for _ in range(len(rows))], index=rows.index, dtype="object")
    for key in text_fields:
        marked = columns.equals_array(pc.utf8_upper(pc.utf8_trim(columns.arrow(rows[key]), "[]() ")), MISSING_LABEL)
        if not marked.any():
            continue
        for idx in rows.index[marked]:
            missing_in_copy[idx] = [*missing_in_copy[idx], key]
        rows.loc[marked, key] = pd.NA

    rows["responsible"] = rows["responsible"].map(unit_name)
    options = info.get("responsible_options") or []
    if options and "responsible" in header.columns:  # a list is given: a name outside it is likely a typo
        given = rows["responsible"]
        unlisted = given.notna() & ~given.isin(options)
        if unlisted.any():
            report_cells(
                log,
                "warning",
                "responsible_not_listed",
                grid,
                rows.index[unlisted],
                header.columns["responsible"],
                given,
                options=fmt_options(options),
            )

    month_numbers = np.array(month_order, dtype=int)
    months = [month_numbers[row].tolist() for row in ticks]
    plan = model_frame(
        PLAN_COLUMNS,
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "order": np.arange(len(rows)),
            "code": rows["code"].to_numpy(),
            "no": rows["no"].to_numpy(),
            "program": rows["program"].to_numpy(),
            "activity": rows["activity"].to_numpy(),
            "sub_activity": rows["sub_activity"].to_numpy(),
            "indicators_text": rows["indicators_text"].to_numpy(),
            "remarks": rows["remarks"].to_numpy(),
            "responsible": rows["responsible"].to_numpy(),
            "months": pd.Series(months, dtype="object").to_numpy(),
            "missing_in_copy": missing_in_copy.to_numpy(),
            "excel_row": excel_rows(rows.index),
        },
    )
    plan = plan.astype({key: "object" for key in ["code", "responsible", *text_fields]})
    for idx, code, month_list in zip(rows.index, plan["code"], plan["months"], strict=False):
        if not month_list and code is not None and not pd.isna(code):
            log.warning("row_without_schedule", grid.name, cell_ref(int(idx), code_col), code=code)
    # One row per ticked month, in plan order then month order (as the months lists read).
    plan_row, month_at = np.nonzero(ticks)
    schedule = plan[["satker", "year", "code"]].iloc[plan_row].reset_index(drop=True)
    schedule["month"] = month_numbers[month_at].astype("int64")
    plan = plan[plan["code"].notna()].reset_index(drop=True)
    schedule = schedule[schedule["code"].notna()].reset_index(drop=True)
    return plan, schedule


def fmt_options(options: list[str], shown: int = 10) -> str:
    """The first `shown` options of a list, for a message: "A; B; C …"."""
    text = "; ".join(options[:shown])
    return text + (" …" if len(options) > shown else "")


def empty_plan() -> pd.DataFrame:
    return model_frame(PLAN_COLUMNS)


def empty_schedule() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "satker": pd.Series(dtype="object"),
            "year": pd.Series(dtype="object"),
            "code": pd.Series(dtype="object"),
            "month": pd.Series(dtype="int64"),
        }
    )
