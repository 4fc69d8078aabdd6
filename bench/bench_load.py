"""Time `rbdash.workbook.loader.load_workbook` against a bare read of the same sheets, and measure its peak memory.

Cases: the bundled `data/rencana_aksi_2022.xlsx` and the synthetic workbooks of `bench/generate.py`
(1k, 10k and 50k plan rows with a few survey responses; 10k plan rows with 100k responses).

Per case:

* ``load``: wall time of `load_workbook(path)` (read + inspect + parse + validate), median of N runs
  after one warm-up;
* ``bare``: wall time of reading the same sheets with fastexcel and nothing else (file bytes ->
  `read_excel` -> `load_sheet` -> `to_pandas` per sheet), in two variants timed in the same loop:
  ``fastexcel str`` is the call rbdash itself makes (``header_row=None, dtypes="string"``) and
  ``fastexcel typed`` reads each sheet under its header row with fastexcel's default dtype inference;
  the ratio is taken against the faster of the two, i.e. against the fastest bare read measured;
* peak memory of one load, and of one bare read, each in a fresh subprocess: ``ru_maxrss`` after the
  work, absolute and minus the ``ru_maxrss`` taken after the imports;
* for the record, pandas `read_excel` of the same sheets with ``engine="openpyxl"`` and, when
  python-calamine is installed, ``engine="calamine"`` (fewer runs: openpyxl is slow);
* for the 10k + 100k case, a cProfile of one load (``bench/.cache/profile-*.prof`` and ``.txt``), and a
  pyinstrument report when pyinstrument is installed.

Usage::

    .venv/bin/python -m bench.bench_load                # print the tables
    .venv/bin/python -m bench.bench_load --write        # ... and record them in bench/RESULTS.md
    .venv/bin/python -m bench.bench_load --runs 9 --cases 10k+100k
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import importlib.metadata
import io
import json
import logging
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pandas as pd

from bench.generate import CACHE_DIR, FEW_RESPONSES, GENERATOR_VERSION, WorkbookSize, cache_path
from rbdash.model import LoadResult
from rbdash.workbook import schema
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.sheet_writers import PLAN_HEADER_ROW

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

RESULTS_PATH = BENCH_DIR / "RESULTS.md"
BUNDLED_PATH = ROOT / "data" / "rencana_aksi_2022.xlsx"

GOAL_CASE = "10k+100k"
GOAL_SECONDS = 1.5
GOAL_MEMORY_MB = 600.0
GOAL_RATIO = 2.0
GOAL_TEXT = (
    "10k plan rows plus 100k responses loaded and validated in under 1.5 s on this 2-core machine, "
    "peak memory under 600 MB, and within 2x of a bare read of the same sheets by the fastest reader, "
    "measured in the same run and stated as a ratio."
)
PACKAGES = ("pandas", "numpy", "fastexcel", "pyarrow", "openpyxl", "python-calamine", "pyinstrument")
# Loader phases picked out of the profile: direct callees of load_workbook, with a readable name.
PHASES = {
    "_read_source": "read file bytes",
    "openssl_sha256": "sha256 of the file",
    "inspect_package": "inspect package (zip, XML checks, merged ranges)",
    "read_excel": "fastexcel.read_excel (open workbook)",
    "_read_grid": "fastexcel load_sheet + to_pandas + merged fill",
    "_parse_info": "parse Info",
    "_parse_plan": "parse + validate Rencana Aksi",
    "_read_table": "header search + cleaning of table sheets",
    "_parse_indicators": "validate Indikator",
    "_parse_realisation": "validate Realisasi",
    "_parse_indicator_values": "validate Capaian Indikator",
    "_parse_survey_nrr": "validate IKM",
    "_parse_survey_responses": "validate Responden SKM",
    "_survey": "IKM scores from responses",
    "finish": "problem log finish",
}


@dataclass(frozen=True)
class Case:
    """One workbook to benchmark."""

    name: str
    path: Path
    plan_rows: int | None = None
    responses: int | None = None

    @property
    def file_mb(self) -> float:
        return self.path.stat().st_size / 1e6


@dataclass
class CaseResult:
    """What was measured for one case; times in seconds, memory in MB."""

    case: Case
    load: list[float] = field(default_factory=list)
    bare_string: list[float] = field(default_factory=list)
    bare_typed: list[float] = field(default_factory=list)
    pandas_openpyxl: list[float] = field(default_factory=list)
    pandas_calamine: list[float] = field(default_factory=list)
    memory_load: dict[str, float] = field(default_factory=dict)
    memory_bare: dict[str, float] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)

    @property
    def bare_best(self) -> float:
        return min(median(self.bare_string), median(self.bare_typed))

    @property
    def ratio(self) -> float:
        return median(self.load) / self.bare_best


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------------------------------
# Cases


def synthetic_case(name: str, plan_rows: int, responses: int) -> Case:
    """A synthetic case; a missing workbook is generated in a subprocess, so this process stays small."""
    path = cache_path(WorkbookSize(plan_rows, responses))
    if not path.exists():
        subprocess.run([sys.executable, "-m", "bench.generate", str(plan_rows), str(responses)], cwd=ROOT, check=True)
    return Case(name, path, plan_rows, responses)


CASE_FACTORIES: dict[str, Callable[[], Case]] = {
    "bundled": lambda: Case("bundled", BUNDLED_PATH),
    "1k": lambda: synthetic_case("1k", 1_000, FEW_RESPONSES),
    "10k": lambda: synthetic_case("10k", 10_000, FEW_RESPONSES),
    GOAL_CASE: lambda: synthetic_case(GOAL_CASE, 10_000, 100_000),
    "50k": lambda: synthetic_case("50k", 50_000, FEW_RESPONSES),
}


# ----------------------------------------------------------------------------------------------
# The operations timed


def sheets_read_by_rbdash(reader: fastexcel.ExcelReader) -> list[str]:
    """The sheets the loader reads: those matching a sheet of the schema."""
    return [name for name in reader.sheet_names if any(spec.matches(name) for spec in schema.SHEETS)]


def _header_row(sheet_name: str) -> int:
    """0-based header row of a sheet as `write_workbook` lays it out."""
    return PLAN_HEADER_ROW - 1 if schema.PLAN.matches(sheet_name) else 2


def bare_read_string(path: Path) -> int:
    """Read the loader's sheets exactly as the loader does (every cell as text); return cells read."""
    reader = fastexcel.read_excel(path.read_bytes())
    cells = 0
    for name in sheets_read_by_rbdash(reader):
        frame = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_pandas()
        cells += frame.size
    return cells


def bare_read_typed(path: Path) -> int:
    """Read the loader's sheets under their header rows with fastexcel's default dtype inference."""
    reader = fastexcel.read_excel(path.read_bytes())
    cells = 0
    for name in sheets_read_by_rbdash(reader):
        frame = reader.load_sheet(name, header_row=_header_row(name)).to_pandas()
        cells += frame.size
    return cells


def pandas_read(path: Path, engine: str) -> int:
    """Read the loader's sheets with `pandas.read_excel` and `engine`, no header parsing."""
    names = sheets_read_by_rbdash(fastexcel.read_excel(path.read_bytes()))
    frames = pd.read_excel(path, sheet_name=names, header=None, engine=engine)
    return sum(frame.size for frame in frames.values())


def calamine_available() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def timed(operation: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    operation()
    return time.perf_counter() - started


def summarise_load(result: LoadResult) -> dict[str, int]:
    """Row counts of the loaded model and problem counts, to check the load did the whole job."""
    model = result.plan
    counts = {"errors": len(result.errors), "warnings": len(result.warnings)}
    if model is not None:
        counts.update(
            plan=len(model.plan),
            indicators=len(model.indicators),
            realisation=len(model.realisation),
            indicator_values=len(model.indicator_values),
            responses=len(model.responses),
            survey=len(model.survey),
        )
    return counts


# ----------------------------------------------------------------------------------------------
# Memory, in a fresh subprocess per measurement


def _status_kb(field_name: str) -> int:
    """A field of /proc/self/status in kB (VmHWM: peak RSS of this process image; VmRSS: current RSS)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise KeyError(field_name)


def probe_memory(path: Path, mode: str) -> dict[str, float]:
    """Child side: peak RSS after the imports, then after one load (or one bare read); MB.

    Two readings of the same peak: `ru_maxrss` (getrusage) and `VmHWM` (/proc/self/status). On Linux
    `ru_maxrss` also counts the RSS the process had before its exec, i.e. the parent's at fork time, so
    a probe started by a parent that already holds a loaded workbook would inherit that parent's peak;
    `VmHWM` belongs to this process image only. The parent runs the probes before its own timing runs,
    so both readings normally agree; the report uses `VmHWM` and shows `ru_maxrss` beside it.
    """
    gc.collect()
    base_maxrss, base_hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _status_kb("VmHWM")
    started = time.perf_counter()
    if mode == "load":
        result = load_workbook(path)
        if result.plan is None:
            raise SystemExit(f"{path} did not load")
    else:
        bare_read_string(path)
    seconds = time.perf_counter() - started
    peak_maxrss, peak_hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _status_kb("VmHWM")
    return {
        "baseline_mb": base_hwm / 1024,
        "peak_mb": peak_hwm / 1024,
        "delta_mb": (peak_hwm - base_hwm) / 1024,
        "maxrss_baseline_mb": base_maxrss / 1024,
        "maxrss_peak_mb": peak_maxrss / 1024,
        "maxrss_delta_mb": (peak_maxrss - base_maxrss) / 1024,
        "seconds": seconds,
    }


def measure_memory(path: Path, mode: str) -> dict[str, float]:
    """Run `probe_memory` in a fresh interpreter so earlier work does not raise the high-water mark."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_load", "--probe-memory", str(path), "--probe-mode", mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
# Profile of one load


@dataclass
class Profile:
    """cProfile of one load: total, phases (direct callees of load_workbook) and top functions."""

    total: float
    phases: list[tuple[str, str, float]]
    top: list[tuple[str, int, float, float]]
    prof_path: Path
    text_path: Path
    pyinstrument_path: Path | None = None


def _function_label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    path = Path(filename)
    for marker in ("site-packages", "rbdash"):
        if marker in path.parts:
            index = path.parts.index(marker)
            start = index + 1 if marker == "site-packages" else index
            return f"{'/'.join(path.parts[start:])}:{line}({name})"
    return f"{path.name}:{line}({name})"


def _short_name(func: tuple[str, int, str]) -> str:
    """The bare function name; built-ins are named like '<built-in method _hashlib.openssl_sha256>'."""
    match = re.search(r"(\w+)>$", func[2])
    return match.group(1) if func[0] == "~" and match else func[2]


def profile_load(case: Case, top: int = 25) -> Profile:
    """Profile one (warm) load of `case` with cProfile; also with pyinstrument when installed."""
    load_workbook(case.path)  # warm imports and caches, as in the timed runs
    slug = re.sub(r"[^A-Za-z0-9]+", "-", case.name).strip("-")
    prof_path = CACHE_DIR / f"profile-{slug}.prof"
    text_path = CACHE_DIR / f"profile-{slug}.txt"
    profiler = cProfile.Profile()
    gc.collect()
    started = time.perf_counter()
    profiler.enable()
    load_workbook(case.path)
    profiler.disable()
    total = time.perf_counter() - started
    profiler.dump_stats(prof_path)

    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(80)
    stats.sort_stats("tottime").print_stats(40)
    text_path.write_text(buffer.getvalue())

    raw = stats.stats  # type: ignore[attr-defined]  # {func: (cc, nc, tottime, cumtime, callers)}
    loader_key = next(func for func in raw if func[2] == "load_workbook" and func[0].endswith("loader.py"))
    phases = []
    for func, (_, _, _, _, callers) in raw.items():
        name = _short_name(func)
        if loader_key in callers and name in PHASES:
            phases.append((name, PHASES[name], callers[loader_key][3]))
    phases.sort(key=lambda item: -item[2])
    ranked = sorted(raw.items(), key=lambda item: -item[1][3])
    top_rows = [
        (_function_label(func), nc, tottime, cumtime)
        for func, (_, nc, tottime, cumtime, _) in ranked
        if func != loader_key and not func[2].startswith("<built-in method builtins.exec")
    ][:top]
    pyinstrument_path = _pyinstrument(case, slug)
    return Profile(total, phases, top_rows, prof_path, text_path, pyinstrument_path)


def _pyinstrument(case: Case, slug: str) -> Path | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    profiler = Profiler(interval=0.001)
    profiler.start()
    load_workbook(case.path)
    profiler.stop()
    path = CACHE_DIR / f"pyinstrument-{slug}.txt"
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return path


# ----------------------------------------------------------------------------------------------
# Running


def measure_case_memory(result: CaseResult) -> None:
    """Peak memory of one load and of one bare read of the case, each in a fresh subprocess."""
    result.memory_load = measure_memory(result.case.path, "load")
    result.memory_bare = measure_memory(result.case.path, "bare")


def time_case(result: CaseResult, runs: int, slow_runs: int) -> None:
    """Warm up once, then time load and both bare reads interleaved, `runs` times each."""
    case = result.case
    result.loaded = summarise_load(load_workbook(case.path))
    bare_read_string(case.path)
    bare_read_typed(case.path)
    for _ in range(runs):
        result.load.append(timed(lambda: load_workbook(case.path)))
        result.bare_string.append(timed(lambda: bare_read_string(case.path)))
        result.bare_typed.append(timed(lambda: bare_read_typed(case.path)))
    for _ in range(slow_runs):
        result.pandas_openpyxl.append(timed(lambda: pandas_read(case.path, "openpyxl")))
        if calamine_available():
            result.pandas_calamine.append(timed(lambda: pandas_read(case.path, "calamine")))


# ----------------------------------------------------------------------------------------------
# Reporting


def _seconds(values: list[float]) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def results_table(results: list[CaseResult]) -> str:
    lines = [
        "| case | plan rows | responses | file MB | load s, median (min–max) | fastexcel str s | fastexcel typed s "
        "| load / fastest bare | load peak RSS MB (Δ over imports) | load ru_maxrss MB (Δ) | bare read peak RSS MB (Δ) "
        "| errors / warnings |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]

    def memory(values: dict[str, float], prefix: str = "") -> str:
        if not values:
            return "n/a"
        return f"{values[prefix + 'peak_mb']:.0f} ({values[prefix + 'delta_mb']:+.0f})"

    for r in results:
        loaded = r.loaded
        lines.append(
            f"| {r.case.name} | {_count(loaded.get('plan'))} | {_count(loaded.get('responses'))} "
            f"| {r.case.file_mb:.1f} | {_seconds(r.load)} | {_seconds(r.bare_string)} | {_seconds(r.bare_typed)} "
            f"| {r.ratio:.1f}x | {memory(r.memory_load)} | {memory(r.memory_load, 'maxrss_')} "
            f"| {memory(r.memory_bare)} | {loaded['errors']} / {loaded['warnings']} |"
        )
    return "\n".join(lines)


def other_readers_table(results: list[CaseResult], calamine: bool) -> str:
    lines = [
        "| case | load_workbook s | fastexcel str s | pandas read_excel openpyxl s | pandas read_excel calamine s |",
        "|---|--:|--:|--:|--:|",
    ]
    for r in results:
        calamine_cell = _seconds(r.pandas_calamine) if calamine else "not installed"
        lines.append(
            f"| {r.case.name} | {median(r.load):.3f} | {median(r.bare_string):.3f} "
            f"| {_seconds(r.pandas_openpyxl)} | {calamine_cell} |"
        )
    return "\n".join(lines)


def loaded_rows_table(results: list[CaseResult]) -> str:
    keys = ("plan", "indicators", "realisation", "indicator_values", "responses", "survey")
    lines = ["| case | " + " | ".join(keys) + " |", "|---|" + "--:|" * len(keys)]
    for r in results:
        lines.append(f"| {r.case.name} | " + " | ".join(_count(r.loaded.get(k)) for k in keys) + " |")
    return "\n".join(lines)


def verdicts(results: list[CaseResult]) -> list[str]:
    goal = next((r for r in results if r.case.name == GOAL_CASE), None)
    if goal is None:
        return [f"The goal case `{GOAL_CASE}` was not run: no verdict."]

    def mark(ok: bool) -> str:
        return "**PASS**" if ok else "**FAIL**"

    seconds = median(goal.load)
    lines = [
        f"- Time: load + validation median {seconds:.2f} s vs goal < {GOAL_SECONDS} s: "
        f"{mark(seconds < GOAL_SECONDS)} ({seconds / GOAL_SECONDS:.1f}x the budget)."
    ]
    if goal.memory_load:
        peak, delta = goal.memory_load["peak_mb"], goal.memory_load["delta_mb"]
        lines.append(
            f"- Memory: peak RSS of a load {peak:.0f} MB (whole process; {delta:.0f} MB above the "
            f"{goal.memory_load['baseline_mb']:.0f} MB after imports; ru_maxrss "
            f"{goal.memory_load['maxrss_peak_mb']:.0f} MB) vs goal < {GOAL_MEMORY_MB:.0f} MB: "
            f"{mark(peak < GOAL_MEMORY_MB)}."
        )
    else:
        lines.append("- Memory: not measured (--no-memory): no verdict.")
    lines.append(
        f"- Ratio: load / fastest bare read = {seconds:.3f} s / {goal.bare_best:.3f} s = "
        f"**{goal.ratio:.1f}x** vs goal < {GOAL_RATIO:.0f}x: {mark(goal.ratio < GOAL_RATIO)} "
        f"(vs fastexcel str {seconds / median(goal.bare_string):.1f}x, "
        f"vs fastexcel typed {seconds / median(goal.bare_typed):.1f}x)."
    )
    outside = seconds - median(goal.bare_string)
    lines.append(
        f"- Of the {seconds:.2f} s, {median(goal.bare_string):.2f} s is what reading the sheets as text costs "
        f"on its own (fastexcel str); the other {outside:.2f} s is package inspection, parsing and "
        f"validation. Meeting the ratio needs a load under {GOAL_RATIO * goal.bare_best:.2f} s."
    )
    return lines


def profile_section(profile: Profile, case: Case, timed_median: float) -> str:
    lines = [
        f"One warm load of `{case.name}` under cProfile took {profile.total:.2f} s (unprofiled median "
        f"{timed_median:.2f} s; cProfile inflates Python-heavy code more than native code). Full listings: "
        f"`{profile.text_path.relative_to(ROOT)}` (and `{profile.prof_path.relative_to(ROOT)}` for "
        "`python -m pstats` or snakeviz)"
        + (
            f"; sampling profile: `{profile.pyinstrument_path.relative_to(ROOT)}`."
            if profile.pyinstrument_path
            else "."
        ),
        "",
        "Phases (direct callees of `load_workbook`, cumulative):",
        "",
        "| phase | function | s | share |",
        "|---|---|--:|--:|",
    ]
    for name, label, seconds in profile.phases:
        lines.append(f"| {label} | `{name}` | {seconds:.3f} | {seconds / profile.total:.0%} |")
    lines += [
        "",
        "Top functions by cumulative time:",
        "",
        "| function | calls | own s | cumulative s |",
        "|---|--:|--:|--:|",
    ]
    for label, calls, own, cumulative in profile.top:
        lines.append(f"| `{label}` | {calls:,} | {own:.3f} | {cumulative:.3f} |")
    return "\n".join(lines)


def code_version() -> str:
    """The commit measured, and whether rbdash/ had uncommitted changes (read-only git commands)."""

    def git(*args: str) -> str:
        completed = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return completed.stdout.strip() if completed.returncode == 0 else ""

    commit = git("log", "-1", "--format=%h %s")
    if not commit:
        return "not a git checkout"
    dirty = git("status", "--porcelain", "--", "rbdash")
    return f"commit {commit}" + (" (rbdash/ with uncommitted changes)" if dirty else "")


def machine_lines() -> list[str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"- Code: {code_version()}",
        f"- CPU: {cpu}, `nproc` = {nproc}; load average at report time {load}",
        f"- RAM: {ram_gb:.1f} GiB",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        f"- Packages: {', '.join(versions)}",
    ]


def report(results: list[CaseResult], profile: Profile | None, args: argparse.Namespace) -> str:
    calamine = calamine_available()
    now = dt.datetime.now().astimezone()
    goal = next((r for r in results if r.case.name == GOAL_CASE), None)
    parts = [
        f"## {now:%Y-%m-%d}",
        "",
        f"Run at {now:%H:%M %Z}: `{' '.join(['.venv/bin/python', '-m', 'bench.bench_load', *sys.argv[1:]])}`, "
        f"{args.runs} timed runs per case after one warm-up (medians; min–max in brackets), "
        f"{args.slow_runs} run(s) of the pandas readers, synthetic workbooks of generator v{GENERATOR_VERSION}.",
        "",
        "### Machine",
        "",
        *machine_lines(),
        "",
        "### Goal",
        "",
        f"> {GOAL_TEXT}",
        "",
        "### Verdict",
        "",
        *verdicts(results),
        "",
        "### Results",
        "",
        results_table(results),
        "",
        "- *load*: `rbdash.workbook.loader.load_workbook(path)`: read the file, sha256, package inspection, "
        "fastexcel read of every sheet as text, parsing and validation of every sheet, IKM scores.",
        "- *fastexcel str*: the same sheets read with the same fastexcel call rbdash makes "
        '(`load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_pandas()`), nothing else.',
        "- *fastexcel typed*: the same sheets read under their header row with fastexcel's default dtype inference.",
        "- *load / fastest bare*: load median over the faster of the two bare-read medians, from the same run "
        "(runs interleaved: load, str, typed, load, ...).",
        "- Peak RSS: peak resident memory (`VmHWM`) of a fresh Python process after one load (resp. one bare "
        "`fastexcel str` read), the whole process; Δ is the increase over the peak right after importing rbdash, "
        "pandas, pyarrow, fastexcel and openpyxl. `ru_maxrss` (getrusage) is shown beside it: on Linux it also "
        "counts the parent's RSS at fork time, so the probes run before the parent does any timing.",
        "",
        "Rows in the loaded model (no errors expected: the synthetic workbooks are valid):",
        "",
        loaded_rows_table(results),
        "",
        "### Other readers (for the record)",
        "",
        other_readers_table(results, calamine),
        "",
        "pandas `read_excel(path, sheet_name=[the same sheets], header=None, engine=...)`. "
        + (
            "python-calamine was installed into the venv by hand for this comparison only; it is not a project "
            "dependency and is not in requirements*.txt."
            if calamine
            else "python-calamine is not installed, so the `calamine` engine was not timed."
        ),
    ]
    if profile is not None and goal is not None:
        parts += [
            "",
            f"### Where the time goes ({goal.case.name})",
            "",
            profile_section(profile, goal.case, median(goal.load)),
        ]
    return "\n".join(parts) + "\n"


RESULTS_HEADER = """# Load benchmark results

Written by `.venv/bin/python -m bench.bench_load --write` (see `bench/README.md`). Each run replaces
the section of its own date and keeps the others, newest last.
"""


def write_results(section: str, path: Path = RESULTS_PATH) -> None:
    """Replace the section of the same date in RESULTS.md, or append it."""
    text = path.read_text() if path.exists() else RESULTS_HEADER
    heading = section.splitlines()[0]
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case after one warm-up (default 5)")
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=1,
        help="runs of the pandas read_excel readers per case (default 1; 0 skips them)",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=list(CASE_FACTORIES),
        default=list(CASE_FACTORIES),
        help="cases to run (default: all)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    parser.add_argument("--no-profile", action="store_true", help=f"skip the profile of the {GOAL_CASE} case")
    parser.add_argument("--write", action="store_true", help="record the results in bench/RESULTS.md")
    parser.add_argument("--probe-memory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-mode", choices=("load", "bare"), default="load", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.probe_memory is not None:
        print(json.dumps(probe_memory(args.probe_memory, args.probe_mode)))
        return 0

    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # "could not determine dtype" notes of typed reads
    results = [CaseResult(CASE_FACTORIES[name]()) for name in args.cases]
    if not args.no_memory:  # first, while this process is still small (see probe_memory)
        for result in results:
            print(f"memory {result.case.name} ...", file=sys.stderr, flush=True)
            measure_case_memory(result)
    for result in results:
        case = result.case
        print(f"timing {case.name} ({case.path.name}, {case.file_mb:.1f} MB) ...", file=sys.stderr, flush=True)
        time_case(result, args.runs, args.slow_runs)
        print(f"  load median {median(result.load):.3f} s, ratio {result.ratio:.1f}x", file=sys.stderr, flush=True)
    profile = None
    goal = next((r for r in results if r.case.name == GOAL_CASE), None)
    if goal is not None and not args.no_profile:
        print(f"profiling {GOAL_CASE} ...", file=sys.stderr, flush=True)
        profile = profile_load(goal.case)

    section = report(results, profile, args)
    print(section)
    if args.write:
        write_results(section)
        print(f"recorded in {RESULTS_PATH.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
