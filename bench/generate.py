"""Build the benchmark's synthetic workbooks (`rbdash.workbook.synthetic`), cached in `bench/.cache/`.

Everything is seeded, so a file is the same whenever it is rebuilt. File names carry the sizes and
`GENERATOR_VERSION`, so a change of the content is never mixed with stale files.

Usage::

    .venv/bin/python -m bench.generate            # build every benchmark workbook
    .venv/bin/python -m bench.generate 2000 5000  # one workbook: 2000 plan rows, 5000 responses
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rbdash.workbook.synthetic import GENERATOR_VERSION, WorkbookSize, synthetic_content
from rbdash.workbook.writer import write_workbook

__all__ = ["CACHE_DIR", "FEW_RESPONSES", "GENERATOR_VERSION", "SIZES", "WorkbookSize", "cache_path", "ensure_workbook"]

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache"

# The benchmark's workbooks: 1k / 10k / 50k plan rows with a few responses, and 10k + 100k.
FEW_RESPONSES = 400
SIZES: tuple[WorkbookSize, ...] = (
    WorkbookSize(1_000, FEW_RESPONSES),
    WorkbookSize(10_000, FEW_RESPONSES),
    WorkbookSize(50_000, FEW_RESPONSES),
    WorkbookSize(10_000, 100_000),
)


def cache_path(size: WorkbookSize) -> Path:
    """Where the workbook of `size` is cached; the name changes with `GENERATOR_VERSION`."""
    return CACHE_DIR / f"synthetic-v{GENERATOR_VERSION}-plan{size.plan_rows}-resp{size.responses}.xlsx"


def ensure_workbook(size: WorkbookSize, verbose: bool = True) -> Path:
    """The cached workbook of `size`, built first when it is not there yet."""
    path = cache_path(size)
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    content = synthetic_content(size)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        write_workbook(partial, content)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    if verbose:
        print(
            f"generated {path.name}: {len(content.plan_rows)} plan rows, {len(content.indicators)} indicators, "
            f"{len(content.realisation)} realisation rows, {len(content.indicator_values)} indicator values, "
            f"{len(content.responses)} responses, {path.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_rows", nargs="?", type=int, help="plan rows of a single workbook to build")
    parser.add_argument("responses", nargs="?", type=int, default=FEW_RESPONSES, help="survey responses")
    args = parser.parse_args(argv)
    sizes = [WorkbookSize(args.plan_rows, args.responses)] if args.plan_rows is not None else list(SIZES)
    for size in sizes:
        print(ensure_workbook(size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
