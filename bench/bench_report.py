"""Time the meeting report for the shipped workbook and show where the time goes.

Usage::

    .venv/bin/python -m bench.bench_report            # print
    .venv/bin/python -m bench.bench_report --write    # ... and add to bench/RESULTS.md
    .venv/bin/python -m bench.bench_report --laporan --base b522e70 [--runs 5] [--write]

`--laporan` times the Laporan page's path (`exports.queue.submit_report`, PDF and deck, until the job is
done) in fresh interpreters, this checkout and `--base` (a git worktree) alternated: a process's first
report (Chromium starts), the same request again (the queue's finished results: cache by content) and a
request for another month and language (charts rendered again, Chromium running).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, publish
from bench.generate import WorkbookSize, ensure_workbook
from rbdash.exports import images
from rbdash.exports.deck import build_deck
from rbdash.exports.report import build_pdf
from rbdash.workbook.loader import load_workbook

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"
# Runs in either checkout (the queue's API is the same in both): load, then three requests through the queue.
LAPORAN = """
import hashlib, json, sys, time
from pathlib import Path
from rbdash.exports import queue as rq
from rbdash.workbook.loader import load_workbook
data = Path(sys.argv[1]).read_bytes()
model, sha = load_workbook(data).plan, hashlib.sha256(data).hexdigest()
def timed(request):
    started = time.perf_counter()
    job = rq.submit_report(model, request)
    assert job.finished.wait(300) and job.state == rq.DONE, job.error_key
    assert job.result.pdf.startswith(b"%PDF") and job.result.pptx.startswith(b"PK")
    return time.perf_counter() - started
print(json.dumps([timed(rq.ReportRequest(sha, 9, "id", "versi 1")), timed(rq.ReportRequest(sha, 9, "id", "versi 1")),
                  timed(rq.ReportRequest(sha, 6, "en", "versi 1"))]))
"""
LAPORAN_CASES = (
    "first report of a process (Chromium starts)",
    "the same request again",
    "another month and language",
)


def _laporan_sample(checkout: Path) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", LAPORAN, str(BUNDLED)],
        cwd=checkout,
        env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(x) for x in json.loads(done.stdout.strip().splitlines()[-1])]


def laporan(base: str, runs: int, write: bool) -> int:
    """The Laporan path, this checkout against `base`, fresh interpreters alternated; medians and ratios."""
    with tempfile.TemporaryDirectory() as folder:
        checkout = Path(folder) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(checkout), base], cwd=ROOT, check=True)
        try:
            before, after = [], []
            for _ in range(runs):
                before.append(_laporan_sample(checkout))
                after.append(_laporan_sample(ROOT))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    lines = [
        f"## {dt.date.today().isoformat()}: the Laporan page's report (PDF and deck through the queue)",
        "",
        f"Run `.venv/bin/python -m bench.bench_report --laporan --base {base} --runs {runs}`: shipped workbook, "
        f"fresh interpreters, {base} and this checkout ({head.strip()}) alternated. Machine: {machine()}. "
        "Seconds from the request to the finished job; medians (min-max).",
        "",
        f"| request | {base} | this checkout | ratio |",
        "|---|--:|--:|--:|",
    ]
    for index, name in enumerate(LAPORAN_CASES):
        b = [sample[index] for sample in before]
        a = [sample[index] for sample in after]
        mb, ma = statistics.median(b), statistics.median(a)
        lines.append(
            f"| {name} | {mb:.4f} ({min(b):.4f}-{max(b):.4f}) | {ma:.4f} ({min(a):.4f}-{max(a):.4f}) | {ma / mb:.2f}x |"
        )
    new, again = statistics.median(s[2] for s in after), statistics.median(s[1] for s in after)
    lines += [
        "",
        f"Goals: a new report under 5 s median ({new:.2f} s: **{'PASS' if new < 5 else 'FAIL'}**); the same request "
        f"again under 0.5 s ({again:.3f} s: **{'PASS' if again < 0.5 else 'FAIL'}**).",
        "",
    ]
    publish("\n".join(lines), write)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--laporan", action="store_true", help="time the Laporan page's path against --base")
    parser.add_argument("--base", default="b522e70", help="the earlier commit of --laporan")
    args = parser.parse_args(argv)
    if args.laporan:
        return laporan(args.base, args.runs, args.write)
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
