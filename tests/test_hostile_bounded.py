"""Hostile files through the full path: `rbdash.workbook.worker.load_untrusted`, the bounded worker process.

The classes the in-process corpus of test_hostile.py missed, after a workbook with a small declared
`<dimension>` and one cell at XFD1048576 made the native reader ask for 512 GB and abort the server:
far cells and rows whatever the dimension says (in every sheet, in every spelling the reader accepts),
implicit positions, whole-sheet ranges, parts and relationships that are absent or point outside the
package, XML nested 100,000 deep, a gigabyte hidden after an entry's declared end, and an honest 480 MiB
entry. Every file is generated in `tests/hostile_factory.py`.

Each case asserts a clear answer (a `LoadResult`; every problem has a message and a fix in Indonesian and
English; a refused file has no model and the expected problem), that the call returned within a loose
wall time, and bounded memory: the worker's peak resident memory when the worker answered, or the
`worker_memory` problem when the worker hit its address-space limit (then there is no peak to report).
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from rbdash.config import Limits
from rbdash.model import LoadResult
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.worker import load_untrusted
from tests import hostile_factory as hf
from tests.test_hostile import assert_bilingual, assert_same_model, describe, model_dump

#: The default limits, whatever rbdash.toml or RBDASH_* say on this machine.
LIMITS = Limits()
MAX_SECONDS = 30.0
MB = 1 << 20
#: Problems the caller makes when the worker gave no result: no peak memory comes with them.
WORKER_FAILURES = {"worker_memory", "worker_timeout", "worker_crashed", "worker_busy"}
#: Text of /etc/passwd that must never reach a result, whatever a relationship points at.
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")


@dataclass(frozen=True)
class Bounded:
    """One hostile file and what the worker path must answer.

    `code` is the error that refuses the file (plan None); with `code` None the workbook loads and
    `problems` lists the codes it must report, in order. `same_model` asks for the bundled model exactly.
    """

    make: Callable[[], bytes]
    code: str | None = None
    sheet: str | None = None
    cell: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    same_model: bool = False
    max_peak_mb: int = 256


def _far_cell_params() -> dict[str, Any]:
    return {"far_cell": hf.FAR_CELL, "row": hf.FAR_ROW, "col": hf.FAR_COLUMN}


def _far_row_params() -> dict[str, Any]:
    return {"row": hf.FAR_ROW, "max_rows": 250_000}


CASES: dict[str, Bounded] = {
    # A lying dimension (A1:D30) and one cell at XFD1048576 in a row of its own, in each sheet in turn.
    **{
        f"far_cell_in_{name.replace(' ', '_').lower()}": Bounded(
            lambda part=part: hf.far_cell_workbook(part),
            "sheet_extent_too_large",
            sheet=name,
            cell=hf.FAR_CELL,
            params=_far_cell_params(),
        )
        for name, part in hf.SHEET_PARTS.items()
    },
    # The same cell appended to the last row, so only its own reference places it, spelled as the reader accepts.
    "far_cell_lowercase": Bounded(
        lambda: hf.far_cell_workbook(cell=hf.FAR_CELL_SPELLINGS["lowercase"], own_row=False),
        "sheet_extent_too_large",
        sheet=hf.VALUES_SHEET,
        cell=hf.FAR_CELL,
        params=_far_cell_params(),
    ),
    "far_cell_single_quotes": Bounded(
        lambda: hf.far_cell_workbook(cell=hf.FAR_CELL_SPELLINGS["single_quotes"], own_row=False),
        "sheet_extent_too_large",
        sheet=hf.VALUES_SHEET,
        cell=hf.FAR_CELL,
        params=_far_cell_params(),
    ),
    "far_cell_spaces_around_equals": Bounded(
        lambda: hf.far_cell_workbook(cell=hf.FAR_CELL_SPELLINGS["spaces_around_equals"], own_row=False),
        "sheet_extent_too_large",
        sheet=hf.VALUES_SHEET,
        cell=hf.FAR_CELL,
        params=_far_cell_params(),
    ),
    # Row elements far below the table.
    "empty_far_row": Bounded(
        lambda: hf.far_row_workbook(hf.EMPTY_FAR_ROW),
        "sheet_row_too_far",
        sheet=hf.VALUES_SHEET,
        params=_far_row_params(),
    ),
    "far_row_implicit_cell": Bounded(
        lambda: hf.far_row_workbook(hf.FAR_ROW_IMPLICIT_CELL),
        "sheet_row_too_far",
        sheet=hf.VALUES_SHEET,
        params=_far_row_params(),
    ),
    # 20,000 cells without `r` (implicit columns) and a far row: refused by the row, or stopped by the worker.
    "implicit_columns_and_far_row": Bounded(
        hf.implicit_columns_workbook, "sheet_row_too_far", sheet=hf.VALUES_SHEET, params=_far_row_params()
    ),
    "implicit_columns_and_far_row_spaced": Bounded(
        lambda: hf.implicit_columns_workbook(far_row=hf.FAR_ROW_SPACED),
        "sheet_row_too_far",
        sheet=hf.VALUES_SHEET,
        params=_far_row_params(),
    ),
    # Seen by the attacker review: 4,000,000 cells in every sheet, spelled r = "GR20000" (server 230 -> 790 MB).
    **{
        f"area_in_every_sheet_{name}": Bounded(
            lambda cell=cell: hf.area_in_every_sheet(cell),
            "workbook_area_too_large",
            params={"max_cells": 8_000_000},
            max_peak_mb=640,  # sheets are read as their scans pass, up to 8,000,000 cells (see the last test)
        )
        for name, cell in hf.AREA_CELL_SPELLINGS.items()
        if name != "double_quotes"
    },
    # Ranges over the whole sheet or column: no reader sizes anything by them.
    "whole_sheet_shared_formula": Bounded(hf.whole_sheet_shared_formula, same_model=True),
    "whole_column_defined_name": Bounded(hf.whole_column_defined_name, same_model=True),
    # A merge over the whole sheet gives every cell A1's text, as Excel shows it: the header row is gone.
    "whole_sheet_merge": Bounded(hf.whole_sheet_merge, problems=("header_not_found",)),
    # Parts declared but absent.
    "content_type_without_part": Bounded(hf.content_type_without_part, same_model=True),
    "worksheet_target_missing": Bounded(
        hf.worksheet_target_missing, "part_missing", sheet=hf.VALUES_SHEET, params={"entry": hf.VALUES_PART}
    ),
    # Relationships pointing outside the package: a worksheet is missing, optional parts are ignored.
    "worksheet_target_outside_relative": Bounded(
        lambda: hf.relationship_outside("worksheet", "../../../etc/passwd"),
        "part_missing",
        sheet=hf.VALUES_SHEET,
        params={"entry": "../../etc/passwd"},
    ),
    "worksheet_target_outside_absolute": Bounded(
        lambda: hf.relationship_outside("worksheet", "/etc/passwd"),
        "part_missing",
        sheet=hf.VALUES_SHEET,
        params={"entry": "etc/passwd"},
    ),
    **{
        f"{kind.lower()}_target_outside_{how}": Bounded(
            lambda kind=kind, target=target: hf.relationship_outside(kind, target), same_model=True
        )
        for kind in ("styles", "sharedStrings")
        for how, target in zip(("relative", "absolute"), hf.OUTSIDE_TARGETS, strict=True)
    },
    # XML nested 100,000 elements deep.
    "deep_workbook_xml": Bounded(hf.deep_workbook_xml, same_model=True),
    "deep_inline_string": Bounded(hf.deep_inline_string, same_model=True),
    "deep_shared_strings": Bounded(hf.deep_shared_strings, same_model=True),
    # A gigabyte of inflate tail after the declared end of the sheet (about 1 MB on disk).
    "hidden_tail_gigabyte": Bounded(lambda: hf.hidden_tail(hf.GIGABYTE_TAIL), same_model=True),
    # Seen by the attacker review: 125 merged ranges to ZZZZ1000000 took 48 s to fill; clipped to the grid,
    # the whole table is merged over (no header) and the answer comes at once.
    "merged_125_ranges_to_zzzz": Bounded(lambda: hf.merged_ranges(125), problems=("header_not_found",)),
    # Seen by the attacker review: a 393 MB sharedStrings.xml was accepted (server peak 1,567 MB).
    "shared_strings_80mb": Bounded(
        hf.huge_shared_strings, "shared_strings_too_large", params={"entry": "xl/sharedStrings.xml"}
    ),
    # Honest 480 MiB entries in files of about 3 MB: a sheet the reader streams through, and a media part.
    "honest_padded_sheet_480mb": Bounded(hf.honest_padded_sheet, same_model=True),
    "honest_media_480mb": Bounded(hf.honest_large_media, same_model=True),
}


@pytest.fixture(scope="module")
def bundled_result() -> LoadResult:
    """The bundled workbook, loaded in process (the reference model)."""
    return load_workbook(hf.bundled_bytes())


def load_bounded(data: bytes) -> tuple[LoadResult, float]:
    """`data` through the worker with the default limits, and the seconds the call took."""
    started = time.monotonic()
    result = load_untrusted(data, limits=LIMITS)
    return result, time.monotonic() - started


def assert_clear_answer(result: LoadResult, data: bytes, seconds: float, max_peak_mb: int) -> None:
    """A LoadResult for these bytes, every problem in both languages, within the wall time and the memory bound."""
    assert isinstance(result, LoadResult)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.source_name == "upload"
    assert seconds < MAX_SECONDS, f"{seconds:.1f} s"
    for item in result.problems:
        assert_bilingual(item)
        assert "Traceback" not in item.render("en")
    if any(p.code in WORKER_FAILURES for p in result.problems):
        assert result.worker_peak_bytes == 0  # the caller's answer: the worker sent nothing
    else:
        assert 0 < result.worker_peak_bytes < max_peak_mb * MB, f"peak {result.worker_peak_bytes / MB:.0f} MB"


@pytest.mark.parametrize("name", list(CASES))
def test_worker_answers_hostile_file(name: str, bundled_result: LoadResult) -> None:
    case = CASES[name]
    data = case.make()
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, case.max_peak_mb)
    text = "".join(p.render(lang) for p in result.problems for lang in ("id", "en"))
    if case.code is not None:
        assert result.plan is None, describe(result)
        assert [p.code for p in result.errors] == [case.code], describe(result)
        found = result.errors[0]
        assert (found.sheet, found.cell) == (case.sheet, case.cell), describe(result)
        for key, value in case.params.items():
            assert found.params.get(key) == value, (key, found.params)
    else:
        assert result.plan is not None, describe(result)
        assert [p.code for p in result.problems] == list(case.problems), describe(result)
        text += model_dump(result)
        if case.same_model:
            assert_same_model(result, bundled_result)
    for marker in (hf.HIDDEN_MARKER, *PASSWD_MARKERS):
        assert marker not in text


def test_whole_sheet_merge_names_the_sheet() -> None:
    """The merge over the whole sheet is answered at that sheet, and the other sheets still load."""
    result, _ = load_bounded(hf.whole_sheet_merge())
    (found,) = result.errors
    assert found.sheet == hf.VALUES_SHEET
    assert result.plan is not None and result.plan.indicator_values.empty
    assert not result.plan.plan.empty and not result.plan.survey.empty


def test_hidden_gigabyte_stays_hidden_and_small() -> None:
    """About 1 MB on disk, a gigabyte past the declared end: the worker stays far below it."""
    data = hf.hidden_tail(hf.GIGABYTE_TAIL)
    assert len(data) < 2 * MB
    result, _ = load_bounded(data)
    assert result.plan is not None and result.problems == [], describe(result)
    assert result.worker_peak_bytes < 256 * MB
    assert hf.HIDDEN_MARKER not in model_dump(result)


@pytest.mark.parametrize("make", [hf.honest_padded_sheet, hf.honest_large_media], ids=["sheet", "media"])
def test_honest_large_entry_fixture_is_small_and_within_the_limits(make: Callable[[], bytes]) -> None:
    """About 3 MB on disk, one entry of 480 MiB, under the 500 MB total and the 250:1 ratio (the load above shows
    the headers are honest: the inspection checks every entry's size and CRC-32)."""
    data = make()
    assert 2 * MB < len(data) < 4 * MB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    largest = max(infos, key=lambda info: info.file_size)
    assert largest.file_size >= hf.HONEST_LARGE
    assert largest.file_size / largest.compress_size < 250
    assert sum(info.file_size for info in infos) < 500 * MB


# ----------------------------------------------------------------------------------------------
# The sheet limits (250,000 rows, 200 columns) whatever spells the positions
#
# The real-extent scan reads positions from references; a row or cell without `r` (implicit, legal
# SpreadsheetML) and a reference written r = "..." name no position it matches. The native reader
# places them all the same; the loader checks the grid the reader built against the limits
# (sheet_grid_too_large). Expected: the file is refused (no model) with a sheet-limit problem, or
# worker_memory when the reader's grid alone is over the worker's memory limit.

OVER_THE_LIMITS = {
    "implicit_rows": hf.implicit_rows_workbook,
    "far_row_spelled_with_spaces": lambda: hf.far_row_workbook(hf.FAR_ROW_SPACED, hf.PLAN_PART),
    "implicit_columns": lambda: hf.implicit_columns_workbook(far_row=None),
}


@pytest.mark.parametrize("name", list(OVER_THE_LIMITS))
def test_sheet_limits_hold_whatever_spells_the_positions(name: str) -> None:
    data = OVER_THE_LIMITS[name]()
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, max_peak_mb=LIMITS.worker_memory_mb)
    codes = [p.code for p in result.errors]
    if result.plan is not None:
        pytest.fail(
            f"{name}: loaded (peak {result.worker_peak_bytes / MB:.0f} MB, {seconds:.1f} s) with problems "
            f"{codes or 'none'}, over the sheet limits of {250_000:,} rows x 200 columns",
            pytrace=False,
        )
    assert codes and set(codes) <= {
        "sheet_row_too_far",
        "sheet_extent_too_large",
        "sheet_grid_too_large",
        "worker_memory",
    }, codes


# ----------------------------------------------------------------------------------------------
# Findings of the fuzzer (tests/fuzz_workbook.py)


@pytest.mark.parametrize("version", [64, 255], ids=["6.4", "25.5"])
def test_zip_version_beyond_the_reader_is_refused_in_process(version: int) -> None:
    """An entry that declares it needs ZIP version 6.4 or later (fuzzer's input: 25.5) is a damaged ZIP for this
    reader: `load_workbook` answers corrupt_zip and never raises for a bad file."""
    try:
        result = load_workbook(hf.zip_version_needed(version))
    except Exception as exc:  # the contract of load_workbook, whatever the exception
        pytest.fail(f"load_workbook raised {type(exc).__name__}: {exc}", pytrace=False)
    assert result.plan is None
    assert [p.code for p in result.errors] == ["corrupt_zip"], describe(result)


@pytest.mark.parametrize("version", [64, 255], ids=["6.4", "25.5"])
def test_zip_version_beyond_the_reader_is_refused_by_the_worker(version: int) -> None:
    """The same file through the worker: a clear corrupt_zip, not worker_crashed (the worker dying on the exception)."""
    data = hf.zip_version_needed(version)
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, max_peak_mb=256)
    assert result.plan is None
    assert [p.code for p in result.errors] == ["corrupt_zip"], describe(result)


# ----------------------------------------------------------------------------------------------
# The rectangle the reader holds: at most 4,000,000 cells per sheet and 8,000,000 per workbook
#
# The reader keeps every cell of a sheet's rectangle (about 45 bytes each), empty or not. Seen by the
# attacker review: one value at GR110000 (200 columns x 110,000 rows, within the row and column limits)
# cost about 1 GB, in the worker and again in the server when the published version was read.


def far_cells(cells: Mapping[str, str]) -> bytes:
    """The bundled workbook with one number at each `cells[sheet]` (a reference such as "T200000")."""
    entries = hf.bundled_entries()
    edits = {}
    for sheet, ref in cells.items():
        part = hf.SHEET_PARTS[sheet]
        row = "".join(c for c in ref if c.isdigit())
        edits[part] = hf._append_to_sheet_data(
            entries[part], f'<row r="{int(row)}"><c r="{ref}" t="n"><v>1</v></c></row>'.encode()
        )
    return hf.rewrite_bundled(edits)


@pytest.mark.parametrize(
    ("ref", "corner", "cells"),
    [
        ("GR110000", "GR110000", 22_000_000),
        ("T200001", "T200001", 4_000_020),
        ('A0000001"/><c r="T210000', "T210000", 4_200_000),  # a leading-zero reference hides nothing
    ],
)
def test_a_sheet_over_the_cell_limit_is_refused_at_its_corner(ref: str, corner: str, cells: int) -> None:
    part = hf.SHEET_PARTS[hf.VALUES_SHEET]
    row = int("".join(c for c in corner if c.isdigit()))
    data = hf.rewrite_bundled(
        {
            part: hf._append_to_sheet_data(
                hf.bundled_entries()[part], f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row>'.encode()
            )
        }
    )
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, max_peak_mb=160)
    assert result.plan is None
    (found,) = result.errors
    assert (found.code, found.sheet, found.cell) == ("sheet_area_too_large", hf.VALUES_SHEET, corner), describe(result)
    assert found.params["cells"] == cells and found.params["max_cells"] == 4_000_000
    assert corner in found.message("id") and "Ctrl+End" in found.fix("id")


def test_sheets_together_over_the_workbook_cell_limit_are_refused_naming_the_largest() -> None:
    data = far_cells({hf.VALUES_SHEET: "T200000", "Realisasi": "T200000"})  # 4,000,000 each: each sheet allowed
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, max_peak_mb=LIMITS.worker_memory_mb)
    assert result.plan is None
    (found,) = result.errors
    assert (found.code, found.sheet, found.cell) == ("workbook_area_too_large", None, None), describe(result)
    assert found.params["cells"] > 8_000_000
    assert found.params["sheets"].startswith(
        f"'{hf.VALUES_SHEET}' 200000 x 20, 'Realisasi' 200000 x 20"
    ) or found.params["sheets"].startswith(f"'Realisasi' 200000 x 20, '{hf.VALUES_SHEET}' 200000 x 20")


def test_the_largest_accepted_rectangles_read_well_within_the_worker_limit() -> None:
    """Two sheets of 3,800,000 cells (7.6 million with the rest, under 8 million): accepted, in a few hundred MB."""
    data = far_cells({hf.VALUES_SHEET: "T190000", "Realisasi": "T190000"})
    result, seconds = load_bounded(data)
    assert_clear_answer(result, data, seconds, max_peak_mb=640)
    assert result.plan is not None and not result.errors, describe(result)
