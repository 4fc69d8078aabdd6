"""Time the meeting report for the shipped workbook and show where the time goes.

Usage::

    .venv/bin/python -m bench.bench_report            # print
    .venv/bin/python -m bench.bench_report --write    # ... and add to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import sys
import time
from pathlib import Path

from bench.common import machine, publish
from bench.generate import WorkbookSize, ensure_workbook
from rbdash.exports import images
from rbdash.exports.deck import build_deck
from rbdash.exports.report import build_pdf
from rbdash.workbook.loader import load_workbook

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    model = load_workbook(ROOT / "data" / "rencana_aksi_2022.xlsx").plan
    pdf_times, deck_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        build_pdf(model, 9, "id", "versi 1")
        pdf_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        build_deck(model, 9, "id", "versi 1")
        deck_times.append(time.perf_counter() - start)
    large = load_workbook(ensure_workbook(WorkbookSize(2_000, 400))).plan  # the large-plan case: 2,000 rows
    start = time.perf_counter()
    large_pdf = build_pdf(large, 9, "id", "versi 1")
    large_pdf_time = time.perf_counter() - start
    start = time.perf_counter()
    build_deck(large, 9, "id", "versi 1")
    large_deck_time = time.perf_counter() - start
    profiler = cProfile.Profile()
    profiler.runcall(build_pdf, model, 9, "id", "versi 1")
    stats = pstats.Stats(profiler)
    parts = {
        "chart images (Kaleido + Chromium)": "figures_png",
        "chart figures (Plotly)": "gantt",
        "PDF assembly (ReportLab)": "build",
    }
    found = {}
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for label, wanted in parts.items():
            if name == wanted and ("images" in filename or "charts" in filename or "doctemplate" in filename):
                found[label] = max(found.get(label, 0.0), cumulative)
    lines = [
        f"## {dt.date.today().isoformat()}: meeting report",
        "",
        f"Run `.venv/bin/python -m bench.bench_report --write`, {args.runs} runs, shipped workbook, as of "
        f"September. Machine: {machine()}.",
        "",
        f"- PDF report: median {statistics.median(pdf_times):.2f} s "
        f"({', '.join(f'{x:.2f}' for x in pdf_times)}); goal < 10 s: "
        f"**{'PASS' if statistics.median(pdf_times) < 10 else 'FAIL'}**.",
        f"- PowerPoint deck: median {statistics.median(deck_times):.2f} s.",
        f"- 2,000-row synthetic plan (one run): PDF {large_pdf_time:.2f} s ({large_pdf.count(b'/Type /Page') - 1} "
        f"pages incl. the full row table), deck {large_deck_time:.2f} s; goal: well under the "
        f"{images.RENDER_TIMEOUT:.0f} s render timeout.",
        "- Where the PDF's time goes (one profiled run, cumulative seconds): "
        + "; ".join(f"{label} {seconds:.2f} s" for label, seconds in found.items())
        + ". One Chromium serves every build of the process (its start falls in the first run).",
        "",
    ]
    publish("\n".join(lines), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
