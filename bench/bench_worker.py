"""The bounded worker (issue #8): what it costs, and what hostile files cost the server, before and after.

Three measurements, each in the same run:

* **overhead**: `loader.load_workbook(path)` in-process against `worker.load_untrusted(path)` on the
  bundled workbook and on the 10k plan rows + 100k responses workbook (bench/generate.py), runs
  interleaved, medians and the ratio;
* **load before/after**: the in-process `load_workbook` of the 10k+100k workbook by the code of a
  baseline commit (default: the last commit before issue #8's work) against the current code, each in
  fresh interpreters, interleaved: the streamed package inspection and the extent scan must keep the
  load within its earlier time;
* **attack files**: a far cell behind a lying `<dimension>`, a 1 MB file hiding a 1 GB inflate tail, an
  honest 480 MB entry in a 3 MB file. *Before*: the baseline code loads the file in the calling
  process, as the upload page did (peak RSS of that process, or how it died). *After*: the current
  code through `load_untrusted` (peak RSS of the calling process, i.e. the server, and of the worker).

Usage::

    .venv/bin/python -m bench.bench_worker [--runs 5] [--baseline REV] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, publish
from bench.generate import WorkbookSize, ensure_workbook

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"
BASELINE = "b87a023"  # Settings: [limits] ... (the code before the worker and the streamed inspection)

# Run in a fresh interpreter: load one file with the given code tree, print JSON with the outcome.
_PROBE = r"""
import json, sys, time
tree, mode, path = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, tree)
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
from rbdash.loader import load_workbook
base = peak()
started = time.perf_counter()
if mode == "inprocess":
    result = load_workbook(path)
    worker = 0
else:
    from rbdash.worker import load_untrusted
    result = load_untrusted(path)
    worker = result.worker_peak_bytes
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "base": base, "peak": peak(), "worker": worker,
                  "codes": [p.code for p in result.errors], "valid": result.is_valid}))
"""


def _median(values: list[float]) -> float:
    return statistics.median(values)


def overhead(cases: dict[str, Path], runs: int) -> list[str]:
    """In-process against worker, interleaved, in this process (imports and the fork server warm)."""
    from rbdash.workbook.loader import load_workbook
    from rbdash.workbook.worker import load_untrusted

    lines = [
        "| workbook | in-process s (median) | worker s (median) | worker / in-process | worker peak MB |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, path in cases.items():
        load_workbook(path)
        peak = load_untrusted(path).worker_peak_bytes
        inprocess, worker = [], []
        for _ in range(runs):
            started = time.perf_counter()
            load_workbook(path)
            inprocess.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = load_untrusted(path)
            worker.append(time.perf_counter() - started)
            assert result.is_valid, [p.code for p in result.problems]
        lines.append(
            f"| {name} | {_median(inprocess):.3f} ({min(inprocess):.3f}–{max(inprocess):.3f}) | "
            f"{_median(worker):.3f} ({min(worker):.3f}–{max(worker):.3f}) | "
            f"{_median(worker) / _median(inprocess):.2f}x | {peak / 2**20:.0f} |"
        )
    return lines


def _probe(tree: Path, mode: str, path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tree), mode, str(path)], capture_output=True, text=True, timeout=600
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or [""])[0][:120]
        return {"died": completed.returncode, "stderr": last}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _baseline_tree(rev: str, into: Path) -> Path:
    """The project's files at `rev`, exported (git archive) into a temporary folder."""
    archive = subprocess.run(["git", "archive", rev, "rbdash"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def before_after_load(baseline: Path, path: Path, runs: int) -> list[str]:
    times: dict[str, list[float]] = {"baseline": [], "current": []}
    for _ in range(runs):
        for label, tree in (("baseline", baseline), ("current", ROOT)):
            outcome = _probe(tree, "inprocess", path)
            times[label].append(outcome["seconds"])
    before, after = _median(times["baseline"]), _median(times["current"])
    return [
        "| code | load_workbook s, median of fresh interpreters (min–max) |",
        "|---|--:|",
        f"| baseline | {before:.3f} ({min(times['baseline']):.3f}–{max(times['baseline']):.3f}) |",
        f"| current | {after:.3f} ({min(times['current']):.3f}–{max(times['current']):.3f}) |",
        f"| current / baseline | {after / before:.2f}x |",
    ]


def attacks(baseline: Path, folder: Path) -> list[str]:
    from tests import hostile_factory as hf

    files = {
        'far cell XFD1048576 behind <dimension ref="A1:D30"> (40 KB)': hf.far_cell_workbook(),
        "1 GB inflate tail hidden after a declared end (1.1 MB)": hf.hidden_tail(hf.GIGABYTE_TAIL),
        "honest 480 MB sheet entry (2.7 MB)": hf.honest_padded_sheet(),
    }
    lines = [
        "| file | before: caller (server) peak MB, or how it died | before: answer | after: caller peak MB "
        "| after: worker peak MB | after: answer | after: s |",
        "|---|--:|---|--:|--:|---|--:|",
    ]
    for index, (name, data) in enumerate(files.items()):
        path = folder / f"attack{index}.xlsx"
        path.write_bytes(data)
        before = _probe(baseline, "inprocess", path)
        after = _probe(ROOT, "worker", path)
        if "died" in before:
            before_peak, before_answer = f"died (exit {before['died']})", before["stderr"]
        else:
            before_peak = f"{before['peak'] / 2**20:.0f} (+{(before['peak'] - before['base']) / 2**20:.0f})"
            before_answer = "valid" if before["valid"] else ", ".join(before["codes"][:2])
        worker_peak = f"{after['worker'] / 2**20:.0f}" if after.get("worker") else "– (stopped)"
        answer = "valid" if after["valid"] else ", ".join(after["codes"][:2])
        lines.append(
            f"| {name} | {before_peak} | {before_answer} | {after['peak'] / 2**20:.0f} "
            f"(+{(after['peak'] - after['base']) / 2**20:.0f}) | {worker_peak} | {answer} | "
            f"{after['seconds']:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the code before the worker")
    parser.add_argument("--write", action="store_true", help="append the report to bench/RESULTS.md")
    args = parser.parse_args(argv)
    big = ensure_workbook(WorkbookSize(10_000, 100_000))
    commit = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        baseline = _baseline_tree(args.baseline, Path(folder))
        report = [
            f"## Bounded worker, {dt.date.today().isoformat()}",
            "",
            f"`.venv/bin/python -m bench.bench_worker --runs {args.runs}`: {machine()}; code {commit}; "
            f"baseline {args.baseline}. Other work may have shared the 2 cores (load average at start: "
            f"{Path('/proc/loadavg').read_text().split()[0]}).",
            "",
            "### Worker overhead (same process, runs interleaved)",
            "",
            *overhead({"bundled": BUNDLED, "10k+100k": big}, args.runs),
            "",
            "### Load of 10k+100k, before and after (fresh interpreters, interleaved)",
            "",
            *before_after_load(baseline, big, args.runs),
            "",
            "### Hostile files: the calling process (the server) before, the caller and the worker after",
            "",
            *attacks(baseline, Path(folder)),
            "",
        ]
    publish("\n".join(report), args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
