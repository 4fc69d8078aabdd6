"""Load an action-plan workbook into tidy DataFrames, collecting every problem on the way.

`load_workbook(source)` never raises for a bad file: it returns a `LoadResult` whose `plan` is
None when the file is unreadable, and whose `problems` say what to fix, where.

Reading: the package is inspected first (`package.open_package`, then each worksheet's own
streamed scan, `PackageInfo.scan`, whose passing starts that sheet's read); then every sheet is read
as a grid of text with fastexcel (calamine and Arrow), so a cell keeps what the file says and
each value is parsed, and checked, by the rule of its column.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from rbdash.ikm import counted_by, survey_indicator_values
from rbdash.model import ActionPlan, LoadResult
from rbdash.problems import MessageRef, ProblemLog, Severity, cell_ref
from rbdash.workbook import schema
from rbdash.workbook.archive import size_allowed
from rbdash.workbook.grids import PARSE_ORDER, SheetReads
from rbdash.workbook.limits import DEFAULT_LIMITS, PackageLimits, PackageProblem
from rbdash.workbook.package import PackageInfo, SheetPart, open_package
from rbdash.workbook.plan_sheets import empty_plan, empty_schedule, parse_info, parse_plan
from rbdash.workbook.survey_sheets import parse_survey, parse_survey_nrr, parse_survey_responses
from rbdash.workbook.tables import Table, read_table
from rbdash.workbook.value_sheets import parse_indicator_values, parse_indicators, parse_realisation

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
    unmatched = [part.name for part in package.sheets if part not in found.values()]
    for spec in schema.SHEETS:
        if spec.key in found or spec.key in ("survey_nrr", "survey_responses"):
            continue
        severity: Severity = "error" if spec.required else "warning"
        closest = schema.closest_sheet_name(unmatched, spec)
        if closest is not None:  # renamed, as staff do ("Realisasi Sep"): say which sheet it probably is
            log.add(severity, "missing_sheet_renamed", closest, None, sheet=spec.name, found=closest)
        else:
            log.add(severity, "missing_sheet", None, None, sheet=spec.name)
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
        reads = SheetReads(read_pool, data, sheets, parsing, limits)

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
    if model is not None:
        model.info["workbook_sheets"] = [part.name for part in package.sheets]  # matched or not, in file order
    problems = log.finish() + matching.finish() + parsing.finish()
    return LoadResult(model, problems, digest, name)


def _warn_of_later_periods(survey: pd.DataFrame, info: dict[str, Any], log: ProblemLog) -> None:
    """Survey periods that start after the posisi data month are left out of every figure (ikm.counted_by,
    the rule of every page): say so at upload, so the date or the period can be corrected."""
    as_of = info.get("as_of")
    if as_of is None or survey.empty:
        return
    later = survey[~counted_by(survey, as_of.year, as_of.month)]
    if not later.empty:
        periods = ", ".join(dict.fromkeys(later["period"]))
        log.warning(
            "survey_after_as_of", str(later["source"].iloc[0]), None, periods=periods, as_of=f"{as_of:%d-%m-%Y}"
        )


def _warn_of_values_the_survey_replaces(
    table: Table | None,
    indicators: pd.DataFrame,
    values: pd.DataFrame,
    survey: pd.DataFrame,
    info: dict,
    log: ProblemLog,
) -> None:
    """An IKM indicator's value on Capaian Indikator that differs from the survey's for that month, or stands
    in a month no survey period ends in: the dashboard uses the survey's alone (seen: 89,1 in the sheet,
    band A, against a survey of 86,20, band B)."""
    derived = survey_indicator_values(indicators, survey, info.get("year"))
    if table is None or derived.empty or values.empty:
        return
    merged = values.merge(derived, on=["indicator_code", "month"], how="left", suffixes=("", "_survey"))
    merged = merged[merged["indicator_code"].isin(set(derived["indicator_code"]))]
    off_month = merged["period"].isna()  # a month no survey period ends in
    differing = merged["period"].notna() & ((merged["value"] - merged["value_survey"]).abs() > 0.005)
    for row in merged[off_month | differing].itertuples(index=False):
        where = (table.grid.name, cell_ref(int(row.excel_row) - 1, table.col("value")))
        said = {"code": row.indicator_code, "month": int(row.month), "value": float(row.value)}
        if pd.isna(row.period):
            log.warning("indicator_value_not_survey_month", *where, **said)
        else:
            log.warning(
                "indicator_value_from_survey", *where, **said, survey=float(row.value_survey), period=row.period
            )


def _parse_sheets(reads: SheetReads, sheets: dict[str, SheetPart], log: ProblemLog) -> ActionPlan | None:
    """Parse and cross-check every sheet as it arrives; None when the workbook is unreadable."""
    info = parse_info(reads.grid("info"), log)
    plan_grid = reads.grid("plan")
    if reads.unreadable or (plan_grid is None and "plan" in sheets):
        return None
    if plan_grid is not None:
        plan, schedule = parse_plan(plan_grid, info, log)
    else:
        plan, schedule = empty_plan(), empty_schedule()
    # Codes are checked against a sheet only when it was read: a missing sheet is reported once, not again
    # for every row that refers to it (seen: 73 follow-on errors for a missing Rencana Aksi).
    plan_codes = set(plan["code"].dropna()) if not plan.empty else None

    tables = {}
    for key in PARSE_ORDER[2:]:
        tables[key] = read_table(reads.grid(key), schema.sheet_spec(key), log)
        if reads.unreadable:
            return None
    indicators = parse_indicators(tables["indicators"], plan_codes, info, log)
    realisation = parse_realisation(tables["realisation"], plan_codes, schedule, info, log)
    values = parse_indicator_values(
        tables["indicator_values"], indicators, info, log, checkable=tables["indicators"] is not None
    )
    nrr_rows = parse_survey_nrr(tables["survey_nrr"], info, log)
    responses = parse_survey_responses(tables["survey_responses"], info, log)
    names = (
        sheets["survey_nrr"].name if "survey_nrr" in sheets else schema.SURVEY_NRR.name,
        sheets["survey_responses"].name if "survey_responses" in sheets else schema.SURVEY_RESPONSES.name,
    )
    survey = parse_survey(nrr_rows, responses, names, info, log)
    _warn_of_later_periods(survey, info, log)
    _warn_of_values_the_survey_replaces(tables["indicator_values"], indicators, values, survey, info, log)

    for key, table in tables.items():
        sheet_key = "survey" if key.startswith("survey") else key
        if table is not None and table.example:
            info["examples"][sheet_key] = True
    info["sheets"] = {key: part.name for key, part in sheets.items()}
    if not responses.empty:
        responses.insert(0, "year", info.get("year"))
        responses.insert(0, "satker", info.get("satker"))
    return ActionPlan(info, plan, schedule, realisation, indicators, values, survey, responses)
