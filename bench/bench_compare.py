"""Load times of this checkout against an earlier commit, in the same run: fresh interpreters, interleaved.

    .venv/bin/python -m bench.bench_compare --base b3d238f [--runs 7] [--cases bundled 10k 10k+100k]

The earlier commit is checked out in a temporary git worktree; each run is a new interpreter that loads
the workbook once to warm up and times a second load (in-process `load_workbook`), alternating the two
checkouts so that machine noise falls on both alike. Prints medians, min-max and the ratio.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import SIZES, WorkbookSize, ensure_workbook

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"
TIMED = """
import sys, time
from rbdash.workbook.loader import load_workbook
data = open(sys.argv[1], "rb").read()
load_workbook(data)
started = time.perf_counter()
load_workbook(data)
print(time.perf_counter() - started)
"""


def _case_paths(names: list[str]) -> dict[str, Path]:
    sizes: dict[str, WorkbookSize] = {
        (f"{s.plan_rows // 1000}k" if s.responses < 1000 else f"{s.plan_rows // 1000}k+{s.responses // 1000}k"): s
        for s in SIZES
    }
    return {name: BUNDLED if name == "bundled" else ensure_workbook(sizes[name]) for name in names}


def _time(checkout: Path, workbook: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", TIMED, str(workbook)],
        cwd=checkout,
        env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the earlier commit")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cases", nargs="+", default=["bundled", "10k", "10k+100k"])
    args = parser.parse_args()
    paths = _case_paths(args.cases)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT, check=True)
        try:
            print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
            print(f"| case | {args.base} s, median (min-max) | this checkout s, median (min-max) | ratio |")
            print("|---|--:|--:|--:|")
            for name, path in paths.items():
                before, after = [], []
                for _ in range(args.runs):
                    before.append(_time(base, path))
                    after.append(_time(ROOT, path))
                b, a = statistics.median(before), statistics.median(after)
                print(
                    f"| {name} | {b:.3f} ({min(before):.3f}-{max(before):.3f}) "
                    f"| {a:.3f} ({min(after):.3f}-{max(after):.3f}) | {a / b:.2f}x |",
                    flush=True,
                )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
