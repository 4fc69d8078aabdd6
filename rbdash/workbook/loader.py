"""Load an action-plan workbook into tidy DataFrames, collecting every problem on the way.

`load_workbook(source)` never raises for a bad file: it returns a `LoadResult` whose `plan` is
None when the file is unreadable, and whose `problems` say what to fix, where.

Reading: the package is inspected first (`package.open_package`, then each worksheet's own
streamed scan, `PackageInfo.scan`, whose passing starts that sheet's read); then every sheet is read
as a grid of text with fastexcel (calamine and Arrow), so a cell keeps what the file says and
each value is parsed, and checked, by the rule of its column.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import stat
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import pandas as pd

from rbdash.analysis.ikm import nrr_from_responses, score
from rbdash.problems import MessageRef, Problem, ProblemLog, Severity, cell_ref, column_index
from rbdash.workbook import columns, schema
from rbdash.workbook.package import (
    DEFAULT_LIMITS,
    PackageInfo,
    PackageLimits,
    PackageProblem,
    SheetPart,
    open_package,
    size_allowed,
)
from rbdash.workbook.parse import (
    NOT_TICK_LABELS,
    TICK_LABELS,
    clean_text,
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
from rbdash.workbook.schema import MONTHS, UNSUR, ColumnSpec, SheetSpec, lookup, normalise_label

HEADER_SEARCH_ROWS = 20
_MISSING_LABEL = "TIDAK ADA DALAM SALINAN"


# ----------------------------------------------------------------------------------------------
# The model


@dataclass
class ActionPlan:
    """A loaded workbook: one tidy DataFrame per concept, and the Info fields.

    Every frame carries `satker` and `year`, so several offices and years can be stacked.
    """

    info: dict[str, Any]
    plan: pd.DataFrame
    schedule: pd.DataFrame
    realisation: pd.DataFrame
    indicators: pd.DataFrame
    indicator_values: pd.DataFrame
    survey: pd.DataFrame
    responses: pd.DataFrame


@dataclass
class LoadResult:
    """The outcome of loading: the model (None when unreadable) and every problem found."""

    plan: ActionPlan | None
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    source_name: str = ""
    worker_peak_bytes: int = 0  # peak resident memory of the worker process that loaded it (0: in-process)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def is_valid(self) -> bool:
        return self.plan is not None and not self.errors

    @property
    def unreadable(self) -> bool:
        return self.plan is None


# ----------------------------------------------------------------------------------------------
# Sheet grids


@dataclass
class Grid:
    """A sheet as text: rows are 0-based sheet rows, columns are 0-based sheet columns."""

    name: str
    frame: pd.DataFrame

    def ref(self, row: int, col: int) -> str:
        return cell_ref(row, col)


_PARSE_ORDER = ("info", "plan", "indicators", "realisation", "indicator_values", "survey_nrr", "survey_responses")


class _OpenFailure(Exception):
    """The spreadsheet reader could not open the file at all."""


class _SheetReads:
    """Sheets being read on the pool's threads (the reader releases the GIL).

    A sheet's read is submitted (`submit`) as soon as its package scan has passed, largest sheet
    first, so the native reader works on one sheet while Python scans the next; parsing waits for
    every scan. Each thread opens its own reader, as one reader cannot serve two threads.
    `grid(key)` waits for one sheet and reports its failure.
    """

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        data: bytes,
        sheets: dict[str, SheetPart],
        log: ProblemLog,
        limits: PackageLimits = DEFAULT_LIMITS,
    ):
        self._limits = limits
        self._sheets = sheets
        self._log = log
        self._outcomes: dict[str, Grid | BaseException] = {}
        self.unreadable = False
        local = threading.local()

        def read(key: str) -> Grid | BaseException:
            try:
                if not hasattr(local, "reader"):
                    local.reader = fastexcel.read_excel(data)
            except Exception as exc:  # the reader's own errors: the file is unreadable
                return _OpenFailure(str(exc))
            try:
                return _read_grid(local.reader, sheets[key], limits)
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise  # a MemoryError ends the whole load: the bounded worker reports it as such
            except BaseException as exc:  # calamine rejects a sheet, or panics (a BaseException): report it
                return exc

        self._pool, self._read = pool, read
        self._futures: dict[str, Future[Grid | BaseException]] = {}
        self.scans: dict[str, Future[PackageProblem | None]] = {}

    def submit(self, key: str) -> None:
        """Start reading sheet `key` (its package scan has passed)."""
        self._futures[key] = self._pool.submit(self._read, key)

    def grid(self, key: str) -> Grid | None:
        """Sheet `key` as read, after its package scan; None when missing or unusable (`unreadable` set)."""
        if key in self.scans and self.scans[key].result() is not None:
            self.unreadable = True  # load_workbook reports the scan's problem
            return None
        if key not in self._futures:
            return None
        if key not in self._outcomes:
            outcome = self._futures[key].result()
            self._outcomes[key] = outcome
            if isinstance(outcome, _OpenFailure):
                if not self.unreadable:
                    self._log.error("corrupt_zip", detail=str(outcome)[:120])
                self.unreadable = True
            elif isinstance(outcome, _GridTooLarge):
                self._log.error(
                    "sheet_grid_too_large",
                    self._sheets[key].name,
                    None,
                    rows=outcome.rows,
                    cols=outcome.cols,
                    max_rows=self._limits.max_sheet_rows,
                    max_cols=self._limits.max_sheet_cols,
                    max_cells=self._limits.max_sheet_cells,
                )
                self.unreadable = True
            elif isinstance(outcome, BaseException):
                detail = str(outcome).splitlines()[0][:160] if str(outcome) else ""
                self._log.error("unreadable_sheet", self._sheets[key].name, None, detail=detail)
        outcome = self._outcomes[key]
        return outcome if isinstance(outcome, Grid) else None


class _GridTooLarge(Exception):
    """The reader placed a sheet's cells beyond the limits (positions the package scan could not see)."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__(f"{rows} x {cols}")
        self.rows, self.cols = rows, cols


def _read_grid(reader: fastexcel.ExcelReader, part: SheetPart, limits: PackageLimits) -> Grid:
    sheet = reader.load_sheet(part.name, header_row=None, skip_rows=0, dtypes="string")
    absolute = [info.absolute_index for info in sheet.available_columns()]
    # The package scan reads references spelled r="A1"; cells and rows without one (or spelled
    # r = "A1") are placed by the reader all the same. Its grid is the last word on the extent.
    width = max(absolute, default=-1) + 1
    if (
        sheet.total_height > limits.max_sheet_rows
        or width > limits.max_sheet_cols
        or sheet.total_height * width > limits.max_sheet_cells
    ):
        raise _GridTooLarge(sheet.total_height, width)
    frame = sheet.to_pandas() if absolute else pd.DataFrame()
    frame.columns = absolute
    if part.merged_ranges and not frame.empty:
        frame = _fill_merged(frame, part.merged_ranges)
    return Grid(part.name, frame)


_RANGE_RE = re.compile(r"^([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?$")


def _fill_merged(frame: pd.DataFrame, ranges: list[str]) -> pd.DataFrame:
    """Give every cell of a merged range the value of its top-left cell, as a reader sees it."""
    fills: dict[int, tuple[list[int], list[object]]] = {}
    for ref in ranges:
        match = _RANGE_RE.match(ref)
        if not match or not match.group(3):
            continue
        c1, r1 = column_index(match.group(1)), int(match.group(2)) - 1
        c2, r2 = column_index(match.group(3)), int(match.group(4)) - 1
        if not 0 <= r1 < len(frame) or c1 not in frame.columns:
            continue
        value = frame.iat[r1, frame.columns.get_loc(c1)]
        if pd.isna(value):
            continue
        for col in range(c1, c2 + 1):
            if col in frame.columns:
                rows, values = fills.setdefault(col, ([], []))
                span = range(r1, min(r2, len(frame) - 1) + 1)
                rows.extend(span)
                values.extend([value] * len(span))
    for col, (rows, values) in fills.items():
        column = frame[col].to_numpy(dtype=object, na_value=None).copy()
        column[rows] = values
        frame[col] = pd.Series(column, index=frame.index, dtype="str")
    return frame


def _clean_series(series: pd.Series) -> pd.Series:
    """Text with NBSP and zero-width spaces folded and surrounding whitespace stripped; '' -> NA."""
    return columns.clean(series)


@dataclass
class Header:
    row: int
    columns: dict[str, int]
    above_text: list[str]
    duplicates: list[tuple[str, int]] = field(default_factory=list)


def _find_header(grid: Grid, spec: SheetSpec) -> Header | None:
    top = grid.frame.head(HEADER_SEARCH_ROWS)
    cells = top.to_numpy(dtype=object, na_value=None)
    best: tuple[int, int, dict[str, int], list[tuple[str, int]]] | None = None
    for row, values in zip(top.index, cells, strict=True):
        found: dict[str, int] = {}
        duplicates: list[tuple[str, int]] = []
        for col, value in zip(top.columns, values, strict=True):
            if value is None:
                continue
            label = normalise_label(value)
            column = next((c for c in spec.columns if c.matches(label)), None)
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
    above = [str(v) for v in top.loc[: row - 1].stack().tolist()] if row > top.index[0] else []
    return Header(row, found, above, duplicates)


def _missing_columns(grid: Grid, spec: SheetSpec, header: Header, log: ProblemLog) -> bool:
    """Report repeated columns, and required columns absent from the header; True when any is missing."""
    for key, col in header.duplicates:
        log.warning("duplicate_column", grid.name, cell_ref(header.row, col), column=spec.column(key).header)
    missing = False
    for column in spec.columns:
        if column.required and column.key not in header.columns:
            log.error("missing_column", grid.name, cell_ref(header.row, 0), column=column.header, row=header.row + 1)
            missing = True
    return missing


def _is_example(header: Header) -> bool:
    return any(schema.EXAMPLE_MARKER in str(text).upper() for text in header.above_text)


def _excel_rows(index: pd.Index) -> np.ndarray:
    return np.asarray(index, dtype="int64") + 1


def _report_cells(
    log: ProblemLog,
    severity: Severity,
    code: str,
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


def _data_block(grid: Grid, header: Header, start_row: int, mapped: dict[str, int]) -> pd.DataFrame:
    """The cleaned text of the mapped columns below the header, blank rows dropped."""
    frame = grid.frame.loc[start_row:]
    block = pd.DataFrame(index=frame.index)
    for key, col in mapped.items():
        block[key] = (
            _clean_series(frame[col]) if col in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="object")
        )
    return block.dropna(how="all")


def _repeated_header_rows(block: pd.DataFrame, spec: SheetSpec) -> pd.Series:
    """Rows that repeat the header, as the annex does on each page: two of the sheet's first three
    columns hold their own header labels."""
    hits = np.zeros(len(block), dtype=int)
    for column in [c for c in spec.columns if c.key in block][:3]:
        hits += columns.isin(block[column.key], column.labels, upper_case=True)
    return pd.Series(hits >= 2, index=block.index)


def _number_row_mask(block: pd.DataFrame, mapped: dict[str, int]) -> pd.Series:
    """Rows where each mapped column holds its own position number (1, 2, 3, ... across)."""
    first = min(mapped.values())
    mask = pd.Series(True, index=block.index)
    for key, col in mapped.items():
        mask &= block[key].isna().to_numpy() | columns.equals(block[key], str(col - first + 1))
    filled = block[list(mapped)].notna().sum(axis=1)
    return mask & (filled >= 3)


# ----------------------------------------------------------------------------------------------
# Info


def _parse_info(grid: Grid | None, log: ProblemLog) -> dict[str, Any]:
    info: dict[str, Any] = {key.key: None for key in schema.INFO_FIELDS}
    info["notes"] = []
    info["examples"] = {}
    name = schema.INFO.name
    if grid is None:
        return info
    header = _find_header(grid, schema.INFO)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in schema.INFO.columns))
        return info
    if _missing_columns(grid, schema.INFO, header, log):
        return info
    block = _data_block(grid, header, header.row + 1, header.columns)
    labels = {f.key: {normalise_label(f.label), *(normalise_label(a) for a in f.aliases)} for f in schema.INFO_FIELDS}
    cells: dict[str, str] = {}
    for row, record in block.iterrows():
        field_text = record.get("field")
        if field_text is None or pd.isna(field_text):
            continue
        label = normalise_label(field_text)
        key = next((k for k, names in labels.items() if label in names), None)
        if key is None:
            continue
        value = record.get("value")
        value = None if value is None or pd.isna(value) else str(value)
        cell = cell_ref(int(row), header.columns["value"])
        if key == "notes":
            if value:
                info["notes"].append(value)
            continue
        info[key] = value
        cells[key] = cell
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
    best_row, best = header_row, {}
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


def _parse_plan(grid: Grid, info: dict[str, Any], log: ProblemLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = schema.PLAN
    header = _find_header(grid, spec)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in spec.columns if c.required))
        return _empty_plan(), _empty_schedule()
    if _missing_columns(grid, spec, header, log):
        return _empty_plan(), _empty_schedule()
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
    block = _data_block(grid, header, max(header.row, month_row) + 1, mapped)
    skip = _repeated_header_rows(block, spec) | _number_row_mask(block, mapped)
    if month_cols:
        month_only = pd.Series(True, index=block.index)
        for m in month_cols:
            month_only &= block[f"m{m}"].isna() | (block[f"m{m}"] == str(m))
        other = [k for k in header.columns]
        month_only &= block[other].isna().all(axis=1) & block[[f"m{m}" for m in month_cols]].notna().any(axis=1)
        skip |= month_only
    block = block[~skip]
    for key in ("no", "program", "activity", "sub_activity", "indicators_text", "remarks", "code"):
        if key not in block:
            block[key] = pd.Series(pd.NA, index=block.index, dtype="object")

    # Hierarchy: NO and PROGRAM carry down; KEGIATAN carries down within its programme.
    program = block["program"].ffill()
    group = (program.fillna("") != program.fillna("").shift()).cumsum()
    block["program"] = program
    block["no"] = block["no"].groupby(group).ffill()
    block["activity"] = block["activity"].groupby(group).ffill()

    ticks = pd.DataFrame(index=block.index)
    for m, col in month_cols.items():
        raw = block[f"m{m}"]
        is_tick = columns.isin(raw, TICK_LABELS, upper_case=True)
        unknown = raw.notna().to_numpy() & ~is_tick & ~columns.isin(raw, NOT_TICK_LABELS, upper_case=True)
        if unknown.any():
            _report_cells(log, "warning", "unknown_tick", grid, block.index[unknown], col, raw, month=m)
        ticks[m] = is_tick
    any_tick = ticks.any(axis=1) if not ticks.empty else pd.Series(False, index=block.index)
    is_row = block["code"].notna() | block["sub_activity"].notna() | block["indicators_text"].notna() | any_tick
    rows = block[is_row].copy()
    ticks = ticks[is_row]
    if rows.empty:
        log.error("no_plan_rows", grid.name, cell_ref(header.row, 0))
        return _empty_plan(), _empty_schedule()

    code_col = header.columns["code"]
    rows["code"] = columns.upper(rows["code"])
    no_code = rows["code"].isna()
    if no_code.any():
        _report_cells(log, "error", "missing_code", grid, rows.index[no_code], code_col)
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
        marked = rows[key].str.strip("[]() ").str.upper() == _MISSING_LABEL
        marked = marked.fillna(False).astype(bool)
        for idx in rows.index[marked]:
            missing_in_copy[idx] = [*missing_in_copy[idx], key]
        rows.loc[marked, key] = pd.NA

    month_order = sorted(month_cols)
    flags = ticks[month_order].to_numpy(dtype=bool) if month_order else np.zeros((len(rows), 0), dtype=bool)
    month_numbers = np.array(month_order, dtype=int)
    months = [month_numbers[row].tolist() for row in flags]
    plan = pd.DataFrame(
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
            "months": pd.Series(months, dtype="object").to_numpy(),
            "missing_in_copy": missing_in_copy.to_numpy(),
            "excel_row": _excel_rows(rows.index),
        }
    )
    plan = plan.astype({key: "object" for key in ["code", *text_fields]})
    for idx, code, month_list in zip(rows.index, plan["code"], plan["months"], strict=False):
        if not month_list and code is not None and not pd.isna(code):
            log.warning("row_without_schedule", grid.name, cell_ref(int(idx), code_col), code=code)
    schedule = plan[["satker", "year", "code", "months"]].explode("months").dropna(subset=["months"])
    schedule = schedule.rename(columns={"months": "month"}).astype({"month": "int64"}).reset_index(drop=True)
    plan = plan[plan["code"].notna()].reset_index(drop=True)
    schedule = schedule[schedule["code"].notna()].reset_index(drop=True)
    return plan, schedule


def _empty_plan() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "satker",
            "year",
            "order",
            "code",
            "no",
            "program",
            "activity",
            "sub_activity",
            "indicators_text",
            "remarks",
            "months",
            "missing_in_copy",
            "excel_row",
        ]
    )


def _empty_schedule() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "satker": pd.Series(dtype="object"),
            "year": pd.Series(dtype="object"),
            "code": pd.Series(dtype="object"),
            "month": pd.Series(dtype="int64"),
        }
    )


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


def _read_table(grid: Grid | None, spec: SheetSpec, log: ProblemLog) -> Table | None:
    if grid is None:
        return None
    header = _find_header(grid, spec)
    if header is None:
        log.error("header_not_found", grid.name, columns=", ".join(c.header for c in spec.columns if c.required))
        return None
    if _missing_columns(grid, spec, header, log):
        return None
    block = _data_block(grid, header, header.row + 1, header.columns)
    block = block[~_repeated_header_rows(block, spec)]
    for column in spec.columns:
        if column.key not in block:
            block[column.key] = pd.Series(pd.NA, index=block.index, dtype="object")
    return Table(grid, header, block, _is_example(header))


def _require(table: Table, column: ColumnSpec, log: ProblemLog) -> pd.Series:
    """Mask of rows whose required cell is filled; the empty ones are reported."""
    filled = table.block[column.key].notna()
    if (~filled).any():
        _report_cells(
            log,
            "error",
            "missing_value",
            table.grid,
            table.block.index[~filled],
            table.col(column.key),
            column=column.header,
        )
    return filled


def _numbers(
    table: Table,
    column: ColumnSpec,
    log: ProblemLog,
    low: float | None = None,
    high: float | None = None,
    code: str = "number_out_of_range",
) -> pd.Series:
    raw = table.block[column.key]
    values, failed = parse_numbers(raw)
    if failed.any():
        _report_cells(
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
            _report_cells(
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


def _months(table: Table, column: ColumnSpec, log: ProblemLog) -> pd.Series:
    raw = table.block[column.key]
    months, failed = parse_months(raw)
    if failed.any():
        _report_cells(log, "error", "invalid_month", table.grid, raw.index[failed], table.col(column.key), raw)
    return months


def _vocabulary(
    table: Table, column: ColumnSpec, vocabulary: dict[str, tuple[str, ...]], code: str, log: ProblemLog
) -> pd.Series:
    raw = table.block[column.key]
    values = columns.map_distinct(raw, lambda value: lookup(vocabulary, value))
    unknown = raw.notna() & values.isna()
    if unknown.any():
        _report_cells(
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


def _report_unknown_refs(table: Table, key: str, known: set[str], target: str, log: ProblemLog) -> pd.Series:
    """Upper-cased codes of column `key`; codes absent from `known` are reported."""
    codes = columns.upper(table.block[key])
    unknown = codes.notna().to_numpy() & ~columns.isin(codes, known)
    room = log.room("unknown_code", table.grid.name)
    rows = list(codes.index[unknown])
    for idx in rows[:room]:
        log.error("unknown_code", table.grid.name, cell_ref(int(idx), table.col(key)), code=codes[idx], target=target)
    if len(rows) > room:
        log.suppress("error", "unknown_code", table.grid.name, len(rows) - room)
    return codes


def _report_duplicates(table: Table, keys: list[pd.Series], log: ProblemLog, describe) -> pd.Series:
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


# ----------------------------------------------------------------------------------------------
# Indikator, Realisasi, Capaian Indikator


def _parse_indicators(table: Table | None, plan_codes: set[str], info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    spec = schema.INDICATORS
    if table is None:
        return _empty_indicators()
    b = table.block
    _require(table, spec.column("indicator_code"), log)
    _require(table, spec.column("plan_code"), log)
    _require(table, spec.column("text"), log)
    codes = columns.upper(b["indicator_code"])
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
    plan_code = _report_unknown_refs(table, "plan_code", plan_codes, schema.PLAN.name, log)
    units = _vocabulary(table, spec.column("unit"), schema.UNITS, "unknown_unit", log)
    _require(table, spec.column("unit"), log)
    directions = _vocabulary(table, spec.column("direction"), schema.DIRECTIONS, "unknown_direction", log)
    _require(table, spec.column("direction"), log)
    targets = _yes_no_numbers(table, spec.column("target"), units, log)
    baselines = _yes_no_numbers(table, spec.column("baseline"), units, log)
    assumed = columns.map_distinct(b["target_assumed"], parse_yes_no)
    assumed[b["target_assumed"].isna()] = False
    bad_flag = b["target_assumed"].notna() & assumed.isna()
    if bad_flag.any():
        _report_cells(
            log,
            "warning",
            "invalid_flag",
            table.grid,
            b.index[bad_flag],
            table.col("target_assumed"),
            b["target_assumed"],
            field=spec.column("target_assumed").header,
        )
    item_no, _ = parse_numbers(b["item_no"])
    out = pd.DataFrame(
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "indicator_code": codes,
            "plan_code": plan_code,
            "item_no": item_no.astype("Int64") if item_no.notna().all() or item_no.isna().all() else item_no,
            "text": b["text"].astype("object"),
            "unit": units,
            "direction": directions,
            "target": targets,
            "baseline": baselines,
            "target_assumed": assumed.fillna(False).astype(bool),
            "note": b["note"].astype("object"),
            "excel_row": _excel_rows(b.index),
        }
    )
    out = out[out["indicator_code"].notna() & ~dup].reset_index(drop=True)
    return out


def _yes_no_numbers(table: Table, column: ColumnSpec, units: pd.Series, log: ProblemLog) -> pd.Series:
    """Numbers, where 'ada'/'ya' reads as 1 and 'tidak' as 0 for ada/tidak indicators."""
    raw = table.block[column.key]
    words = columns.upper(raw).map({"ADA": "1", "YA": "1", "TIDAK": "0", "TIDAK ADA": "0", "BELUM ADA": "0"})
    is_yes_no = (units == "ada/tidak") & words.notna()
    if is_yes_no.any():
        raw = raw.where(~is_yes_no, words)
        table.block[column.key] = raw
    return _numbers(table, column, log)


def _empty_indicators() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "satker",
            "year",
            "indicator_code",
            "plan_code",
            "item_no",
            "text",
            "unit",
            "direction",
            "target",
            "baseline",
            "target_assumed",
            "note",
            "excel_row",
        ]
    )


def _parse_realisation(
    table: Table | None, plan_codes: set[str], schedule: pd.DataFrame, info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    spec = schema.REALISATION
    if table is None:
        return pd.DataFrame(
            columns=[
                "satker",
                "year",
                "code",
                "month",
                "status",
                "progress",
                "evidence",
                "note",
                "scheduled",
                "excel_row",
            ]
        )
    b = table.block
    _require(table, spec.column("code"), log)
    _require(table, spec.column("month"), log)
    _require(table, spec.column("status"), log)
    codes = _report_unknown_refs(table, "code", plan_codes, schema.PLAN.name, log)
    months = _months(table, spec.column("month"), log)
    status = _vocabulary(table, spec.column("status"), schema.STATUSES, "unknown_status", log)
    progress = _numbers(table, spec.column("progress"), log, 0, 100)
    dup = _report_duplicates(
        table, [codes.rename("code"), months.rename("month")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    planned = pd.MultiIndex.from_arrays([schedule["code"].astype(object), schedule["month"].astype("int64")])
    asked = pd.MultiIndex.from_arrays([codes.astype(object), months.fillna(0).astype("int64")])
    scheduled = pd.Series(asked.isin(planned), index=b.index) & months.notna()
    off = columns.isin(codes, plan_codes) & months.notna() & ~scheduled & ~dup
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
    out = pd.DataFrame(
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
            "excel_row": _excel_rows(b.index),
        }
    )
    keep = out["code"].notna() & out["month"].notna() & ~dup
    return out[keep].reset_index(drop=True)


def _parse_indicator_values(
    table: Table | None, indicators: pd.DataFrame, info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    spec = schema.INDICATOR_VALUES
    if table is None:
        return pd.DataFrame(columns=["satker", "year", "indicator_code", "month", "value", "note", "excel_row"])
    b = table.block
    _require(table, spec.column("indicator_code"), log)
    _require(table, spec.column("month"), log)
    known = set(indicators["indicator_code"].dropna())
    codes = _report_unknown_refs(table, "indicator_code", known, schema.INDICATORS.name, log)
    months = _months(table, spec.column("month"), log)
    unit_of = dict(zip(indicators["indicator_code"], indicators["unit"], strict=False))
    values = _yes_no_numbers(table, spec.column("value"), codes.map(unit_of), log)
    dup = _report_duplicates(
        table, [codes.rename("indicator_code"), months.rename("month")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    out = pd.DataFrame(
        {
            "satker": info.get("satker"),
            "year": info.get("year"),
            "indicator_code": codes,
            "month": months,
            "value": values,
            "note": b["note"].astype("object"),
            "excel_row": _excel_rows(b.index),
        }
    )
    keep = out["indicator_code"].notna() & out["month"].notna() & ~dup
    return out[keep].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Survey (IKM)


def _periods(table: Table, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    raw = table.block["period"]
    periods = columns.map_distinct(raw, parse_period)
    bad = raw.notna() & periods.isna()
    col = table.col("period")
    if bad.any():
        _report_cells(log, "error", "invalid_period", table.grid, raw.index[bad], col, raw)
    year = info.get("year")
    if year:
        outside = columns.map_distinct(raw, lambda v: (p := parse_period(v)) is not None and p.year != year)
        outside = outside.fillna(False).astype(bool)
        if outside.any():
            _report_cells(log, "warning", "period_outside_year", table.grid, raw.index[outside], col, raw, year=year)
    fields = {"label": "period", "kind": "period_kind", "start": "period_start", "end": "period_end"}
    return pd.DataFrame(
        {
            name: columns.map_distinct(raw, lambda v, attribute=attribute: getattr(parse_period(v), attribute, None))
            for attribute, name in fields.items()
        },
        index=raw.index,
    )


def _parse_survey_nrr(table: Table | None, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    spec = schema.SURVEY_NRR
    if table is None:
        return pd.DataFrame()
    b = table.block
    _require(table, spec.column("period"), log)
    _require(table, spec.column("unit"), log)
    _require(table, spec.column("respondents"), log)
    periods = _periods(table, info, log)
    respondents = _numbers(table, spec.column("respondents"), log)
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
        frame[unsur] = _numbers(table, spec.column(unsur), log, 1, 4)
        _require(table, spec.column(unsur), log)
    frame["source"] = table.grid.name
    frame["excel_row"] = _excel_rows(b.index)
    dup = _report_duplicates(
        table, [frame["period"].rename("period"), frame["unit"].rename("unit")], log, lambda key: f"{key[0]} / {key[1]}"
    )
    keep = frame["period"].notna() & frame["unit"].notna() & frame["respondents"].notna() & ~dup
    return frame[keep].reset_index(drop=True)


_ANSWER_CELLS = {**{str(a): a for a in range(1, 5)}, **{f"{a}.0": a for a in range(1, 5)}}


def _answer(text: str) -> int | None:
    """A survey answer 1..4 written some other way (' 3', '4,0'), else None."""
    number = parse_number(text)
    return int(number) if number is not None and number in (1, 2, 3, 4) else None


def _parse_survey_responses(table: Table | None, info: dict[str, Any], log: ProblemLog) -> pd.DataFrame:
    spec = schema.SURVEY_RESPONSES
    if table is None:
        return pd.DataFrame()
    b = table.block
    _require(table, spec.column("period"), log)
    _require(table, spec.column("unit"), log)
    frame = _periods(table, info, log)
    frame["unit"] = b["unit"].astype("object")
    frame["respondent"] = b["respondent"].astype("object")
    for unsur in UNSUR:
        raw = b[unsur]
        values, bad = columns.lookup(raw, _ANSWER_CELLS, _answer)
        if bad.any():
            _report_cells(
                log, "error", "answer_out_of_range", table.grid, raw.index[bad], table.col(unsur), raw, column=unsur
            )
        frame[unsur] = values.astype("Int8")
    frame["excel_row"] = _excel_rows(b.index)
    keep = frame["period"].notna() & frame["unit"].notna()
    return frame[keep].reset_index(drop=True)


def _survey(
    nrr_rows: pd.DataFrame, responses: pd.DataFrame, names: tuple[str, str], info: dict[str, Any], log: ProblemLog
) -> pd.DataFrame:
    parts = []
    keys = ["period", "unit"]
    if not responses.empty:
        computed = nrr_from_responses(responses[[*keys, *UNSUR]].astype({u: "float64" for u in UNSUR}), keys)
        meta = responses.drop_duplicates("period").set_index("period")[["period_kind", "period_start", "period_end"]]
        computed = computed.join(meta, on="period")
        computed["source"] = names[1]
        for _, row in computed.iterrows():
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
        return pd.DataFrame(
            columns=[
                "satker",
                "year",
                "period",
                "period_kind",
                "period_start",
                "period_end",
                "unit",
                "respondents",
                *UNSUR,
                "source",
                "ikm",
                "ikm_converted",
                "mutu",
                "mutu_label",
            ]
        )
    survey = pd.concat(parts, ignore_index=True)
    survey = score(survey).sort_values(["period_start", "unit"], kind="stable").reset_index(drop=True)
    survey.insert(0, "year", info.get("year"))
    survey.insert(0, "satker", info.get("satker"))
    survey["respondents"] = survey["respondents"].astype("int64")
    return survey


# ----------------------------------------------------------------------------------------------
# Entry point


def _match_sheets(package: PackageInfo, log: ProblemLog) -> dict[str, SheetPart]:
    found: dict[str, SheetPart] = {}
    for spec in schema.SHEETS:
        for part in package.sheets:
            if spec.matches(part.name):
                if spec.key in found:
                    log.warning("duplicate_sheet", part.name, None, other=found[spec.key].name, expected=spec.name)
                    continue
                found[spec.key] = part
    for spec in schema.SHEETS:
        if spec.key in found or spec.key in ("survey_nrr", "survey_responses"):
            continue
        log.add("error" if spec.required else "warning", "missing_sheet", None, None, sheet=spec.name)
    if "survey_nrr" not in found and "survey_responses" not in found:
        log.warning("missing_sheet", None, None, sheet=f"{schema.SURVEY_NRR.name} / {schema.SURVEY_RESPONSES.name}")
    return found


_SPECIAL_KINDS = (
    (stat.S_ISCHR, "kind.device"),
    (stat.S_ISBLK, "kind.device"),
    (stat.S_ISFIFO, "kind.fifo"),
    (stat.S_ISSOCK, "kind.socket"),
)


def read_workbook_file(path: str | Path, limits: PackageLimits, log: ProblemLog) -> bytes | None:
    """The bytes of the file at `path`, read with bounded memory; None (and a problem) when it must not be read.

    Devices (/dev/zero), named pipes and sockets are refused by type, without reading: the file is opened
    non-blocking (so a FIFO without a writer does not hang) and checked with fstat. A regular file over the
    size limit is refused from its size; one that grows while being read is cut off at the limit.
    OSError (missing file, no permission) and IsADirectoryError are left to the caller.
    """
    path = Path(path)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb", buffering=0) as stream:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            kind = next((key for test, key in _SPECIAL_KINDS if test(info.st_mode)), "kind.special")
            log.error("not_a_regular_file", name=path.name, kind=MessageRef(kind))
            return None
        if not size_allowed(info.st_size, log, limits):
            return None
        data = stream.read(limits.max_file_bytes + 1) or b""
    if not size_allowed(len(data), log, limits):
        return None
    return data


def _read_source(source: str | Path | bytes, limits: PackageLimits, log: ProblemLog) -> tuple[bytes | None, str]:
    """The file's bytes and name; None (and a problem) for a file that must not be read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "upload"
    return read_workbook_file(source, limits, log), Path(source).name


def load_workbook(source: str | Path | bytes, limits: PackageLimits = DEFAULT_LIMITS) -> LoadResult:
    """Load and validate a workbook from a path or bytes. Never raises for a bad file.

    OSError from reading a path (missing file, no permission) is left to the caller.
    """
    log = ProblemLog()
    data, name = _read_source(source, limits, log)
    if data is None:
        return LoadResult(None, log.finish(), "", name)
    digest = hashlib.sha256(data).hexdigest()
    package = open_package(data, log, limits)
    if package is None:
        return LoadResult(None, log.finish(), digest, name)
    # Each worksheet's scan starts its read as soon as it passes (largest sheet first), and parsing
    # starts on the sheets that are ready: the native reader and the Python scans overlap. Parsing
    # writes to its own log, kept only when every scan passed, so a file refused by a late scan
    # reports that one problem and nothing parsed before it.
    matching, parsing = ProblemLog(), ProblemLog()
    sheets = _match_sheets(package, matching)
    key_of = {part.path: key for key, part in sheets.items()}
    with ThreadPoolExecutor(max_workers=2) as read_pool, ThreadPoolExecutor(max_workers=2) as scan_pool:
        reads = _SheetReads(read_pool, data, sheets, parsing, limits)

        admitted = [0]  # cells of the sheets whose read has started
        admission = threading.Lock()

        def scan_then_read(part: SheetPart) -> PackageProblem | None:
            problem = package.scan(part)
            if problem is None and part.path in key_of:
                with admission:  # past the workbook's cell limit no further read starts
                    admitted[0] += part.cells
                    start = admitted[0] <= limits.max_workbook_cells
                if start:
                    reads.submit(key_of[part.path])
            return problem

        scans = {
            part.path: scan_pool.submit(scan_then_read, part)
            for part in sorted(package.sheets, key=lambda part: -part.size)
        }
        reads.scans = {key: scans[part.path] for key, part in sheets.items()}
        model = _parse_sheets(reads, sheets, parsing)
        first = (
            next((problem for part in package.sheets if (problem := scans[part.path].result()) is not None), None)
            or package.area_problem()
        )
        if first is not None:
            read_pool.shutdown(wait=True, cancel_futures=True)
    if first is not None:
        first.log(log)
        return LoadResult(None, log.finish(), digest, name)
    if package.has_macros:
        log.warning("macros_ignored")
    for part in package.sheets:
        if part.formula_cells_without_value:
            cells = part.formula_cells_without_value
            shown = ", ".join(cells[: limits.max_listed_cells]) + (
                " ..." if len(cells) > limits.max_listed_cells else ""
            )
            log.warning("formula_without_value", part.name, cells[0], count=len(cells), cells=shown)
    problems = log.finish() + matching.finish() + parsing.finish()
    return LoadResult(model, problems, digest, name)


def _parse_sheets(reads: _SheetReads, sheets: dict[str, SheetPart], log: ProblemLog) -> ActionPlan | None:
    """Parse and cross-check every sheet as it arrives; None when the workbook is unreadable."""
    info = _parse_info(reads.grid("info"), log)
    plan_grid = reads.grid("plan")
    if reads.unreadable or (plan_grid is None and "plan" in sheets):
        return None
    if plan_grid is not None:
        plan, schedule = _parse_plan(plan_grid, info, log)
    else:
        plan, schedule = _empty_plan(), _empty_schedule()
    plan_codes = set(plan["code"].dropna())

    tables = {}
    for key in _PARSE_ORDER[2:]:
        tables[key] = _read_table(reads.grid(key), schema.sheet_spec(key), log)
        if reads.unreadable:
            return None
    indicators = _parse_indicators(tables["indicators"], plan_codes, info, log)
    realisation = _parse_realisation(tables["realisation"], plan_codes, schedule, info, log)
    values = _parse_indicator_values(tables["indicator_values"], indicators, info, log)
    nrr_rows = _parse_survey_nrr(tables["survey_nrr"], info, log)
    responses = _parse_survey_responses(tables["survey_responses"], info, log)
    names = (
        sheets["survey_nrr"].name if "survey_nrr" in sheets else schema.SURVEY_NRR.name,
        sheets["survey_responses"].name if "survey_responses" in sheets else schema.SURVEY_RESPONSES.name,
    )
    survey = _survey(nrr_rows, responses, names, info, log)

    for key, table in tables.items():
        sheet_key = "survey" if key.startswith("survey") else key
        if table is not None and table.example:
            info["examples"][sheet_key] = True
    info["sheets"] = {key: part.name for key, part in sheets.items()}
    if not responses.empty:
        responses.insert(0, "year", info.get("year"))
        responses.insert(0, "satker", info.get("satker"))
    return ActionPlan(info, plan, schedule, realisation, indicators, values, survey, responses)


def indicator_items(model: ActionPlan) -> dict[str, list[str]]:
    """Indicator texts per plan code: from the Indikator sheet, else split from the annex cell."""
    items: dict[str, list[str]] = {}
    if not model.indicators.empty:
        for code, text in zip(model.indicators["plan_code"], model.indicators["text"], strict=False):
            items.setdefault(code, []).append(text)
        return items
    for code, text in zip(model.plan["code"], model.plan["indicators_text"], strict=False):
        items[code] = [item for _, item in split_numbered_items(text)] if isinstance(text, str) else []
    return items


def as_of_month(model: ActionPlan) -> int | None:
    """The month of the workbook's "posisi data per" date, when it lies in the plan year."""
    as_of = model.info.get("as_of")
    if isinstance(as_of, dt.date) and as_of.year == model.info.get("year"):
        return as_of.month
    return None
