"""What every sheet parser shares: finding the header row, the data block under it, and the column
rules (required values, numbers, months, vocabularies, references, duplicates) that report by cell."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rbdash.problems import ProblemCode, ProblemLog, Severity, cell_ref
from rbdash.workbook import columns, schema
from rbdash.workbook.grids import Grid
from rbdash.workbook.parse import parse_months, parse_numbers
from rbdash.workbook.schema import ColumnSpec, SheetSpec, lookup, normalise_label

HEADER_SEARCH_ROWS = 20
MISSING_LABEL = "TIDAK ADA DALAM SALINAN"


def _clean_series(series: pd.Series) -> pd.Series:
    """Text with NBSP and zero-width spaces folded and surrounding whitespace stripped; '' -> NA."""
    return columns.clean(series)


@dataclass
class Header:
    row: int
    columns: dict[str, int]
    above_text: list[str]
    duplicates: list[tuple[str, int]] = field(default_factory=list)


def find_header(grid: Grid, spec: SheetSpec) -> Header | None:
    top = grid.frame.head(HEADER_SEARCH_ROWS)
    cells = top.to_numpy(dtype=object, na_value=None)
    best: tuple[int, int, dict[str, int], list[tuple[str, int]]] | None = None
    for row, values in zip(top.index, cells, strict=True):
        found: dict[str, int] = {}
        duplicates: list[tuple[str, int]] = []
        for col, value in zip(top.columns, values, strict=True):
            if value is None:
                continue
            column = spec.column_of_label.get(normalise_label(value))
            if column is None:
                continue
            if column.key in found:
                duplicates.append((column.key, int(col)))
                continue
            found[column.key] = int(col)
        if best is None or len(found) > best[1]:
            best = (int(row), len(found), found, duplicates)
    needed = min(2, sum(1 for c in spec.columns if c.required))
    if best is None or best[1] < needed:
        return None
    row, _, found, duplicates = best
    above = [str(value) for values in cells[: top.index.get_loc(row)] for value in values if value is not None]
    return Header(row, found, above, duplicates)


def missing_columns(grid: Grid, spec: SheetSpec, header: Header, log: ProblemLog) -> bool:
    """Report repeated columns, and required columns absent from the header; True when any is missing."""
    for key, col in header.duplicates:
        log.warning("duplicate_column", grid.name, cell_ref(header.row, col), column=spec.column(key).header)
    missing = False
    for column in spec.columns:
        if column.required and column.key not in header.columns:
            log.error("missing_column", grid.name, cell_ref(header.row, 0), column=column.header, row=header.row + 1)
            missing = True
    return missing


def is_example(header: Header) -> bool:
    """Whether the sheet says CONTOH above its header: its rows are example data."""
    return any(schema.EXAMPLE_MARKER in str(text).upper() for text in header.above_text)


def excel_rows(index: pd.Index) -> np.ndarray:
    return np.asarray(index, dtype="int64") + 1


def report_cells(
    log: ProblemLog,
    severity: Severity,
    code: ProblemCode,
    grid: Grid,
    rows: pd.Index,
    col: int,
    values: pd.Series | None = None,
    **params: Any,
) -> None:
    """Add one problem per listed cell, within the log's per-kind room; count the rest."""
    rows = list(rows)
    room = log.room(code, grid.name)
    for row in rows[:room]:
        extra = dict(params)
        if values is not None:
            extra["value"] = values.get(row, "")
        log.add(severity, code, grid.name, cell_ref(int(row), col), **extra)
    if len(rows) > room:
        log.suppress(severity, code, grid.name, len(rows) - room)


def data_block(grid: Grid, header: Header, start_row: int, mapped: dict[str, int]) -> pd.DataFrame:
    """The cleaned text of the mapped columns below the header, blank rows dropped.

    Cut, cleaned and filtered as Arrow columns and turned into one DataFrame at the end: column by column
    in pandas, this was most of the time a small sheet takes to parse."""
    frame = grid.frame
    start = int(frame.index.searchsorted(start_row))
    index = frame.index[start:]
    if not mapped:
        return pd.DataFrame(index=index[:0])
    cleaned = [
        columns.clean_array(columns.arrow(frame[col]).slice(start))
        if col in frame.columns
        else pa.nulls(len(index), pa.string())
        for col in mapped.values()
    ]
    filled = functools.reduce(pc.or_, (pc.is_valid(array) for array in cleaned))
    block = pa.table(cleaned, names=list(mapped)).filter(filled).to_pandas()
    block.index = index[filled.to_numpy(zero_copy_only=False)]
    return block


def repeated_header_rows(block: pd.DataFrame, spec: SheetSpec) -> pd.Series:
    """Rows that repeat the header, as the annex does on each page: two of the sheet's first three
    columns hold their own header labels."""
    hits = np.zeros(len(block), dtype=int)
    for column in [c for c in spec.columns if c.key in block][:3]:
        hits += columns.isin(block[column.key], column.labels, upper_case=True)
    return pd.Series(hits >= 2, index=block.index)


def number_row_mask(block: pd.DataFrame, mapped: dict[str, int]) -> pd.Series:
    """Rows where each mapped column holds its own position number (1, 2, 3, ... across)."""
    first = min(mapped.values())
    mask = np.ones(len(block), dtype=bool)
    filled = np.zeros(len(block), dtype=int)
    for key, col in mapped.items():
        array = columns.arrow(block[key])
        present = columns.present(array)
        mask &= ~present | columns.equals_array(array, str(col - first + 1))
        filled += present
    return pd.Series(mask & (filled >= 3), index=block.index)


# ----------------------------------------------------------------------------------------------
# Generic table sheets


@dataclass
class Table:
    """A table sheet read under its header: cleaned text per key, and where each key lives."""

    grid: Grid
    header: Header
    block: pd.DataFrame
    example: bool

    def col(self, key: str) -> int:
        return self.header.columns[key]


def read_table(grid: Grid | None, spec: SheetSpec, log: ProblemLog) -> Table | None:
    if grid is None:
        return None
    header = find_header(grid, spec)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in spec.columns if c.required))
        return None
    if missing_columns(grid, spec, header, log):
        return None
    block = data_block(grid, header, header.row + 1, header.columns)
    block = block[~repeated_header_rows(block, spec)]
    for column in spec.columns:
        if column.key not in block:
            block[column.key] = pd.Series(pd.NA, index=block.index, dtype="object")
    return Table(grid, header, block, is_example(header))


def read_required(table: Table, column: ColumnSpec, log: ProblemLog) -> pd.Series:
    """Mask of rows whose required cell is filled; the empty ones are reported."""
    filled = table.block[column.key].notna()
    if (~filled).any():
        report_cells(
            log,
            "error",
            "missing_value",
            table.grid,
            table.block.index[~filled],
            table.col(column.key),
            column=column.header,
        )
    return filled


def read_numbers(
    table: Table,
    column: ColumnSpec,
    log: ProblemLog,
    low: float | None = None,
    high: float | None = None,
    code: ProblemCode = "number_out_of_range",
) -> pd.Series:
    raw = table.block[column.key]
    values, failed = parse_numbers(raw)
    if failed.any():
        report_cells(
            log,
            "error",
            "not_a_number",
            table.grid,
            raw.index[failed],
            table.col(column.key),
            raw,
            column=column.header,
        )
    if low is not None and high is not None:
        outside = values.notna() & ((values < low) | (values > high))
        if outside.any():
            shown = values.map(lambda v: f"{v:g}")
            report_cells(
                log,
                "error",
                code,
                table.grid,
                raw.index[outside],
                table.col(column.key),
                shown,
                column=column.header,
                low=f"{low:g}",
                high=f"{high:g}",
            )
            values = values.where(~outside)
    return values


def read_months(table: Table, column: ColumnSpec, log: ProblemLog) -> pd.Series:
    raw = table.block[column.key]
    months, failed = parse_months(raw)
    if failed.any():
        report_cells(log, "error", "invalid_month", table.grid, raw.index[failed], table.col(column.key), raw)
    return months


def read_vocabulary(
    table: Table, column: ColumnSpec, vocabulary: dict[str, tuple[str, ...]], code: ProblemCode, log: ProblemLog
) -> pd.Series:
    raw = table.block[column.key]
    values = columns.map_distinct(raw, lambda value: lookup(vocabulary, value))
    unknown = raw.notna() & values.isna()
    if unknown.any():
        report_cells(
            log,
            "error",
            code,
            table.grid,
            raw.index[unknown],
            table.col(column.key),
            raw,
            allowed=", ".join(vocabulary),
        )
    return values.astype("object")


def report_unknown_refs(table: Table, key: str, known: set[str] | None, target: str, log: ProblemLog) -> pd.Series:
    """Upper-cased codes of column `key`; codes absent from `known` are reported. `known` None: the sheet
    they refer to is missing or unreadable, which is reported once already, so no code is reported."""
    codes = columns.codes(table.block[key])
    if known is None:
        return codes
    unknown = codes.notna().to_numpy() & ~columns.isin(codes, known)
    room = log.room("unknown_code", table.grid.name)
    rows = list(codes.index[unknown])
    for idx in rows[:room]:
        log.error("unknown_code", table.grid.name, cell_ref(int(idx), table.col(key)), code=codes[idx], target=target)
    if len(rows) > room:
        log.suppress("error", "unknown_code", table.grid.name, len(rows) - room)
    return codes


def report_duplicates(table: Table, keys: list[pd.Series], log: ProblemLog, describe) -> pd.Series:
    """Mask of rows repeating an earlier row's key; each repeat is reported."""
    frame = pd.concat(keys, axis=1)
    complete = frame.notna().all(axis=1)
    dup = complete & frame.duplicated(keep="first")
    if dup.any():
        firsts = frame[complete & ~frame.duplicated(keep="first")]
        first_row = {tuple(r): idx for idx, r in zip(firsts.index, firsts.itertuples(index=False), strict=False)}
        room = log.room("duplicate_entry", table.grid.name)
        rows = list(frame.index[dup])
        for idx in rows[:room]:
            key = tuple(frame.loc[idx])
            log.error(
                "duplicate_entry",
                table.grid.name,
                cell_ref(int(idx), table.header.columns[keys[0].name]),
                key=describe(key),
                first_row=int(first_row[key]) + 1,
            )
        if len(rows) > room:
            log.suppress("error", "duplicate_entry", table.grid.name, len(rows) - room)
    return dup
