"""Time the dashboard pages: server-side script runs (warm cache), Gantt figure size, and time from
`streamlit run` to the overview drawn in headless Chromium.

Usage::

    .venv/bin/python -m bench.bench_pages            # print the report
    .venv/bin/python -m bench.bench_pages --write    # ... and add it to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import free_port, machine, publish
from bench.generate import WorkbookSize, ensure_workbook
from rbdash.present import charts
from rbdash.workbook.loader import load_workbook

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"
PAGES = ("app_pages/ringkasan.py", "app_pages/jadwal.py", "app_pages/indikator.py", "app_pages/ikm.py")
LARGE_PLANS = (2_000, 20_000)  # plan rows of the large-plan case (Jadwal page only)


def page_runs(workbook: Path, runs: int, pages: tuple[str, ...] = PAGES) -> dict[str, float]:
    """Median seconds of one script run per page, cache warm (the workbook already parsed)."""
    os.environ["RBDASH_WORKBOOK"] = str(workbook)
    medians = {}
    for page in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        at.switch_page(page).run()  # warm: parse once, page imports done
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        medians[Path(page).stem] = statistics.median(times)
    return medians


def first_draw(runs: int) -> list[float]:
    """Seconds from starting `streamlit run` to the overview's metrics and chart drawn in Chromium."""
    from playwright.sync_api import sync_playwright

    results = []
    for _ in range(runs):
        port = free_port()
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],  # the rest from .streamlit/config.toml
            cwd=ROOT,
            env={**os.environ, "RBDASH_WORKBOOK": str(BUNDLED)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            for line in process.stdout:
                if "URL:" in line:
                    break
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
                )
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/")
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
                page.locator('[data-testid="rbdashChart"] .main-svg').first.wait_for(timeout=120_000)
                results.append(time.perf_counter() - start)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


def gantt_sizes() -> dict[str, int]:
    from rbdash.workbook.synthetic import synthetic_plan

    bundled = load_workbook(BUNDLED).plan
    return {
        "11 rows (bundled)": len(charts.gantt(bundled, 9, "id").to_json().encode()),
        "500 rows (synthetic, first chart page)": len(charts.gantt(synthetic_plan(500), 9, "id").to_json().encode()),
        "2,000 rows (synthetic, first chart page)": len(charts.gantt(synthetic_plan(2000), 9, "id").to_json().encode()),
    }


def large_runs(runs: int) -> dict[int, tuple[float, float]]:
    """Per large plan: the first (cold, parse included) and the median warm run of the Jadwal page, seconds."""
    results = {}
    for rows in LARGE_PLANS:
        workbook = ensure_workbook(WorkbookSize(rows, 400))
        os.environ["RBDASH_WORKBOOK"] = str(workbook)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
        start = time.perf_counter()
        at.switch_page("app_pages/jadwal.py").run()
        first = time.perf_counter() - start
        assert not at.exception, at.exception
        results[rows] = (first, page_runs(workbook, runs, ("app_pages/jadwal.py",))["jadwal"])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    big = ensure_workbook(WorkbookSize(500, 400))
    bundled_runs = page_runs(BUNDLED, args.runs)
    big_runs = page_runs(big, args.runs)
    draws = first_draw(3)
    sizes = gantt_sizes()
    large = large_runs(max(args.runs // 2, 1))
    lines = [
        f"## {dt.date.today().isoformat()}: dashboard pages",
        "",
        f"Run `.venv/bin/python -m bench.bench_pages --write`; {args.runs} script runs per page after a warm-up "
        f"(medians), via streamlit.testing.v1.AppTest (its own overhead included). Machine: {machine()}.",
        "",
        "Goal: each page under 0.3 s on the shipped workbook and under 1 s on a 500-row plan.",
        "",
        "| page | shipped workbook (11 rows) s | 500-row synthetic plan s |",
        "|---|--:|--:|",
    ]
    for name in bundled_runs:
        lines.append(f"| {name} | {bundled_runs[name]:.3f} | {big_runs[name]:.3f} |")
    verdict_small = "PASS" if max(bundled_runs.values()) < 0.3 else "FAIL"
    verdict_big = "PASS" if max(big_runs.values()) < 1.0 else "FAIL"
    lines += [
        "",
        f"- Slowest page, shipped workbook: {max(bundled_runs.values()):.3f} s (**{verdict_small}**); "
        f"500 rows: {max(big_runs.values()):.3f} s (**{verdict_big}**).",
        f"- `streamlit run` to the overview drawn in headless Chromium (metrics and first chart): median "
        f"{statistics.median(draws):.2f} s over {len(draws)} cold starts ({', '.join(f'{d:.2f}' for d in draws)}).",
        "- Gantt figure JSON: " + "; ".join(f"{k}: {v:,} bytes" for k, v in sizes.items()) + ".",
        "- Large plans, Jadwal page (one Gantt page of "
        f"{charts.GANTT_PAGE_ROWS} rows; goal < 5 s): "
        + "; ".join(
            f"{rows:,} rows: first run {first:.2f} s, warm median {warm:.3f} s "
            f"(**{'PASS' if max(first, warm) < 5 else 'FAIL'}**)"
            for rows, (first, warm) in large.items()
        )
        + ".",
        "",
    ]
    publish("\n".join(lines), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
