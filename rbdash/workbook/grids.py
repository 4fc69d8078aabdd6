"""Sheets read as grids of text by the native reader (fastexcel), on threads, each once its package
scan has passed; merged ranges filled as a reader sees them."""

from __future__ import annotations

import bisect
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rbdash.problems import ProblemLog, cell_ref, column_index
from rbdash.workbook.limits import DEFAULT_LIMITS, PackageLimits, PackageProblem
from rbdash.workbook.package import SheetPart

# ----------------------------------------------------------------------------------------------
# Sheet grids


@dataclass
class Grid:
    """A sheet as text: rows are 0-based sheet rows, columns are 0-based sheet columns."""

    name: str
    frame: pd.DataFrame
    #: Cells whose text was longer than a cell may hold: (0-based row, 0-based column, length). Their text
    #: in `frame` is cut to the limit, so no page ever gets the rest.
    long_cells: list[tuple[int, int, int]] = field(default_factory=list)


PARSE_ORDER = ("info", "plan", "indicators", "realisation", "indicator_values", "survey_nrr", "survey_responses")


class _OpenFailure(Exception):
    """The spreadsheet reader could not open the file at all."""


class SheetReads:
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
            elif isinstance(outcome, _MergesTooLarge):
                self._log.error(
                    "merged_cells_too_many",
                    self._sheets[key].name,
                    None,
                    count=outcome.count,
                    cells=outcome.cells,
                    max_cells=self._limits.max_merged_cells,
                )
                self.unreadable = True
            elif isinstance(outcome, BaseException):
                detail = str(outcome).splitlines()[0][:160] if str(outcome) else ""
                self._log.error("unreadable_sheet", self._sheets[key].name, None, detail=detail)
            elif isinstance(outcome, Grid):
                for row, col, length in outcome.long_cells:
                    self._log.error(
                        "cell_text_too_long",
                        outcome.name,
                        cell_ref(row, col),
                        chars=length,
                        max_chars=self._limits.max_cell_chars,
                    )
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
    # The package scan bounds the rectangle from every reference and counts the rows and cells without
    # one; the reader's grid must fit in it (else the scan missed a position: refused, whatever the size).
    width = max(absolute, default=-1) + 1
    if (
        sheet.total_height > part.extent[0]
        or width > part.extent[1]
        or sheet.total_height > limits.max_sheet_rows
        or width > limits.max_sheet_cols
        or sheet.total_height * width > limits.max_sheet_cells
    ):
        raise _GridTooLarge(sheet.total_height, width)
    if not absolute:
        return Grid(part.name, pd.DataFrame())
    # Cut and fill on the Arrow columns, then one conversion to a DataFrame: a column-by-column change of
    # a DataFrame costs more than the read itself on a small sheet.
    batch = sheet.to_arrow()
    columns = {col: _as_text(array) for col, array in zip(absolute, batch.columns, strict=True)}
    long_cells = _cut_long_texts(columns, limits.max_cell_chars)
    if part.merged_ranges and batch.num_rows:
        _fill_merged(columns, batch.num_rows, part.merged_ranges, limits.max_merged_cells)
    frame = pa.table(list(columns.values()), names=[str(col) for col in columns]).to_pandas()
    frame.columns = absolute
    return Grid(part.name, frame, long_cells)


def _as_text(array: pa.Array) -> pa.Array:
    return array if pa.types.is_string(array.type) else pc.cast(array, pa.string())


def _cut_long_texts(columns: dict[int, pa.Array], max_chars: int) -> list[tuple[int, int, int]]:
    """Cut every text longer than `max_chars` (Excel's own cell limit), replacing the columns in
    `columns`; where they were, as (row, column, length in characters)."""
    found: list[tuple[int, int, int]] = []
    for col, array in columns.items():
        lengths = pc.utf8_length(array)
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= max_chars:
            continue
        over = pc.fill_null(pc.greater(lengths, max_chars), False)
        rows = np.flatnonzero(over.to_numpy(zero_copy_only=False))
        found += [(int(row), col, int(lengths[row].as_py())) for row in rows]
        columns[col] = pc.if_else(over, pc.utf8_slice_codeunits(array, 0, max_chars), array)
    return found


_RANGE_RE = re.compile(r"^([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?$")


class _MergesTooLarge(Exception):
    """The merged ranges cover more of the sheet's grid than the limit."""

    def __init__(self, count: int, cells: int) -> None:
        super().__init__(f"{count} ranges, {cells} cells")
        self.count, self.cells = count, cells


def _fill_merged(
    columns: dict[int, pa.Array], height: int, ranges: list[str], max_cells: int = DEFAULT_LIMITS.max_merged_cells
) -> None:
    """Give every cell of a merged range the value of its top-left cell, as a reader sees it, replacing
    the filled columns in `columns` (sheet column -> text of its `height` rows).

    Each range is clipped to the grid first (a range may name columns to ZZZZ and rows to a million: only the
    grid's own columns and rows are filled); over `max_cells` filled cells, `_MergesTooLarge`.
    """
    fills: dict[int, tuple[list[range], list[object]]] = {}
    present = sorted(columns)
    last_row = height - 1
    total = 0
    for ref in ranges:
        match = _RANGE_RE.match(ref)
        if not match or not match.group(3):
            continue
        c1, r1 = column_index(match.group(1)), int(match.group(2)) - 1
        c2, r2 = column_index(match.group(3)), int(match.group(4)) - 1
        if not 0 <= r1 <= last_row or c1 not in columns:
            continue
        value = columns[c1][r1].as_py()
        if value is None:
            continue
        span = range(r1, min(r2, last_row) + 1)
        inside = present[bisect.bisect_left(present, c1) : bisect.bisect_right(present, c2)]
        total += len(span) * len(inside)
        if total > max_cells:
            raise _MergesTooLarge(len(ranges), total)
        for col in inside:
            spans, values = fills.setdefault(col, ([], []))
            spans.append(span)
            values.append(value)
    for col, (spans, values) in fills.items():
        column = columns[col].to_numpy(zero_copy_only=False).copy()
        for span, value in zip(spans, values, strict=True):
            column[span.start : span.stop] = value
        columns[col] = pa.array(column, type=pa.string())
