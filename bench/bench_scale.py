"""Many offices and years (#13): the Rekap page for 553 offices x 3 years, the Jadwal page at 10,000 plan rows,
and one publish of a 100-row plan (its roll-up figures included), against a base revision where it applies.

Usage::

    .venv/bin/python -m bench.bench_scale [--base REV] [--runs 7] [--write]

Each measurement runs in a fresh interpreter (`--measure KIND ...`), this checkout's and, with `--base`, the
base revision's (a `git worktree` under bench/.cache), alternated.

* Rekap: a store of 553 synthetic offices (the `offices` setting) x 2022-2024, one version each, whose figures
  were computed from synthetic plans of 30-100 rows (`analysis.rollup.plan_figures`), as a publish computes
  them; version rows are written directly (no files: the page never reads a workbook). Cold: the page's first
  run in a fresh process (AppTest; the server's imports and an empty cache); warm: the median of further runs.
  Beside it: what the page would cost if it read the workbooks instead (loading and figuring 20 workbooks of
  65 rows, scaled to 1,659).
* Jadwal: the first chart page's JSON size and height for a plan of 10,000 rows, and the page's warm run.
* Publish: `store.publish` of a 100-row synthetic workbook (the bounded worker's read, the figures, the
  comparison with the current version, the file and the row), two contents alternated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, publish

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OFFICES, YEARS = 553, (2022, 2023, 2024)
#: The checkout a measurement runs (this one, or the base revision's worktree): its app.py and rbdash.
CHECKOUT = Path(os.environ.get("BENCH_CHECKOUT") or ROOT)


def _office(index: int) -> str:
    return f"Satker Sintetis {index:03d}"


def build_rollup_store(root: Path) -> Path:
    """The 553 x 3 store under `root` and its config file; returns the config file's path."""
    from rbdash.analysis.rollup import plan_figures
    from rbdash.store.sqlite import SqliteStore
    from rbdash.workbook.synthetic import synthetic_plan

    config = root / "rbdash.toml"
    names = ", ".join(json.dumps(_office(index)) for index in range(1, OFFICES + 1))
    config.write_text(f"offices = [{names}]\n", encoding="utf-8")
    os.environ["RBDASH_CONFIG"] = str(config)
    store = SqliteStore(root / "data")
    rng = random.Random(553)
    rows = []
    for index in range(1, OFFICES + 1):
        for year in YEARS:
            figures = plan_figures(synthetic_plan(rng.randint(30, 100), seed=index * 10 + year))
            summary = {"plan_rows": figures["rows"], "rollup": figures}
            sha = f"{index:04d}{year}".ljust(64, "0")
            rows.append(
                (_office(index), year, 1, "2026-11-30T00:00:00+00:00", "bench", "bench", sha, json.dumps(summary))
            )
    with sqlite3.connect(store.database) as connection:
        connection.executemany(
            "INSERT INTO versions (satker, year, number, created_at, user, comment, sha256, summary)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return config


def measure_rekap(root: Path, runs: int) -> dict[str, object]:
    """In this fresh process: the Rekap page's first run and warm runs (AppTest)."""
    from streamlit.testing.v1 import AppTest

    os.environ["RBDASH_CONFIG"] = str(root / "rbdash.toml")
    os.environ["RBDASH_DATA_DIR"] = str(root / "data")
    os.environ.pop("RBDASH_WORKBOOK", None)
    started = time.perf_counter()
    at = AppTest.from_file(str(CHECKOUT / "app.py"), default_timeout=300)
    at.switch_page("app_pages/rekap.py")
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    offices = len(at.dataframe[0].value)
    warm = []
    for _ in range(runs):
        begin = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - begin)
    return {"first": first, "warm": statistics.median(warm), "offices": offices}


_SETTLED = """() => { const app = document.querySelector('[data-testid="stApp"]');
 if (!app || app.dataset.testScriptState !== "notRunning") return false;
 const charts = [...document.querySelectorAll('[data-testid="rbdashChart"]')];
 return charts.length >= 3 && charts.every((c) => c.dataset.drawn === "true"); }"""


def measure_rekap_browser(root: Path, visits: int = 4) -> dict[str, object]:
    """Rekap in headless Chromium on a server started for it: each visit from opening /rekap to its three charts
    drawn (the first is the server's first), and a change of Rekap's year redrawn."""
    from playwright.sync_api import sync_playwright

    from bench.common import free_port

    port = free_port()
    env = {**os.environ, "RBDASH_CONFIG": str(root / "rbdash.toml"), "RBDASH_DATA_DIR": str(root / "data")}
    env.pop("RBDASH_WORKBOOK", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "rbdash.ui.serve", "--server.port", str(port), "--server.headless", "true"],
        cwd=CHECKOUT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "URL:" in line:
                break
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            times = []
            for _ in range(visits):
                page = context.new_page()
                begin = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/rekap")
                page.wait_for_function(_SETTLED, timeout=120_000)
                times.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            page.get_by_role("combobox", name="Tahun rekap").click()
            page.get_by_role("option", name=str(YEARS[0]), exact=True).click()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'running'",
                timeout=10_000,
            )
            page.wait_for_function(_SETTLED, timeout=120_000)
            change = time.perf_counter() - begin
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"visits": times, "change": change}


def measure_reading(count: int = 20) -> float:
    """Seconds to load and figure `count` workbooks of 65 rows (the alternative to kept figures)."""
    from rbdash.analysis.rollup import plan_figures
    from rbdash.workbook.loader import load_workbook
    from rbdash.workbook.synthetic import WorkbookSize, synthetic_content
    from rbdash.workbook.writer import workbook_bytes

    data = workbook_bytes(synthetic_content(WorkbookSize(65, 400)))
    started = time.perf_counter()
    for _ in range(count):
        result = load_workbook(data)
        assert result.plan is not None
        plan_figures(result.plan)
    return time.perf_counter() - started


def measure_jadwal(runs: int) -> dict[str, float]:
    """The first Gantt page of a 10,000-row plan (JSON bytes, height) and the Jadwal page's warm run."""
    from streamlit.testing.v1 import AppTest

    from bench.generate import WorkbookSize, ensure_workbook
    from rbdash.present import charts
    from rbdash.workbook.synthetic import synthetic_plan

    figure = charts.gantt(synthetic_plan(10_000), 9, "id")
    sizes = {"json": float(len(figure.to_json().encode())), "height": float(figure.layout.height or 0)}
    os.environ["RBDASH_WORKBOOK"] = str(ensure_workbook(WorkbookSize(10_000, 400), verbose=False))
    at = AppTest.from_file(str(CHECKOUT / "app.py"), default_timeout=600).run()
    at.switch_page("app_pages/jadwal.py").run()
    assert not at.exception, at.exception
    warm = []
    for _ in range(runs):
        begin = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - begin)
    return {**sizes, "warm": statistics.median(warm)}


def measure_publish(runs: int) -> float:
    """Median seconds of one publish of a 100-row workbook (two contents alternated, removals allowed)."""
    from rbdash.store.sqlite import SqliteStore
    from rbdash.workbook.synthetic import WorkbookSize, synthetic_content
    from rbdash.workbook.writer import workbook_bytes

    contents = [workbook_bytes(synthetic_content(WorkbookSize(100, 400), seed=seed)) for seed in (1, 2)]
    from rbdash.config import Settings

    with tempfile.TemporaryDirectory() as folder:
        if "offices" in Settings.__dataclass_fields__:  # a release that knows offices keeps only known ones
            config = Path(folder) / "rbdash.toml"
            config.write_text('offices = ["Satker Sintetis (benchmark)"]\n', encoding="utf-8")
            os.environ["RBDASH_CONFIG"] = str(config)
        store = SqliteStore(Path(folder) / "data")
        store.publish(contents[1], "bench", "warm-up", allow_removals=True)  # the worker started, as in a server
        times = []
        for run in range(runs):
            begin = time.perf_counter()
            result = store.publish(contents[run % 2], "bench", f"run {run}", allow_removals=True)
            times.append(time.perf_counter() - begin)
            assert result.version is not None, [p.code for p in result.validation.errors]
    return statistics.median(times)


def _in_fresh_process(checkout: Path, *args: str) -> dict:
    # With the checkout's rbdash, app.py and bench helpers (a base revision may predate this script).
    from bench.common import in_fresh_process

    return in_fresh_process(BENCH_DIR / "bench_scale.py", checkout, *args, env={"BENCH_CHECKOUT": str(checkout)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a revision to compare with (Jadwal and publish)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind = args.measure[0]
        if kind == "rekap":
            result: object = measure_rekap(Path(args.measure[1]), args.runs)
        elif kind == "browser":
            result = measure_rekap_browser(Path(args.measure[1]))
        elif kind == "reading":
            result = measure_reading()
        elif kind == "jadwal":
            result = measure_jadwal(args.runs)
        else:
            result = measure_publish(args.runs)
        print(json.dumps(result))
        return 0

    checkouts = {"this": ROOT}
    if args.base:
        from bench.common import worktree

        checkouts["base"] = worktree(args.base)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        build_rollup_store(Path(folder))
        built = time.perf_counter() - started
        rekap = [_in_fresh_process(ROOT, "rekap", folder) for _ in range(3)]
        browser = _in_fresh_process(ROOT, "browser", folder)
    reading = _in_fresh_process(ROOT, "reading")
    jadwal: dict[str, list[dict]] = {name: [] for name in checkouts}
    publishes: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(3):  # alternated, so that a busy moment of the machine falls on both
        for name, checkout in checkouts.items():
            jadwal[name].append(_in_fresh_process(checkout, "jadwal"))
            publishes[name].append(_in_fresh_process(checkout, "publish"))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    cold = median([float(r["first"]) for r in rekap])
    warm = median([float(r["warm"]) for r in rekap])
    read_all = float(reading) / 20 * OFFICES * len(YEARS)
    rekap_runs = ", ".join(f"{float(r['first']):.2f}/{float(r['warm']):.3f}" for r in rekap)
    lines = [
        f"## {dt.date.today().isoformat()}: many offices and years (#13)",
        "",
        f"Run `.venv/bin/python -m bench.bench_scale{' --base ' + args.base if args.base else ''} --runs {args.runs}`"
        f" on {head}; fresh interpreters, three of each, medians. Machine: {machine()}.",
        "",
        f"- **Rekap, {OFFICES} offices x {len(YEARS)} years** ({OFFICES * len(YEARS):,} versions; store built in"
        f" {built:.0f} s): first run {cold:.2f} s (goal < 5 s: **{'PASS' if cold < 5 else 'FAIL'}**), warm"
        f" {warm:.3f} s (goal < 1 s: **{'PASS' if warm < 1 else 'FAIL'}**); runs"
        f" {rekap_runs};"
        f" {rekap[0]['offices']} offices in the year's table. Reading the workbooks instead: {float(reading):.2f} s"
        f" for 20 of 65 rows, so about {read_all:.0f} s for {OFFICES * len(YEARS):,} ({read_all / cold:.0f}x the"
        " cold page).",
        f"  In headless Chromium on a server started for it: opening /rekap to its three charts drawn"
        f" {', '.join(f'{v:.2f}' for v in browser['visits'])} s (the first is the server's first visit),"
        f" another year chosen and redrawn {float(browser['change']):.2f} s.",
    ]
    for name, label in (("this", head), ("base", args.base)):
        if name not in checkouts:
            continue
        found = jadwal[name]
        size = median([r["json"] for r in found]) / 1e6
        runs = ", ".join(f"{r['warm']:.3f}" for r in found)
        lines.append(
            f"- **Jadwal, 10,000 plan rows** ({label}): first chart page {size:.2f} MB of JSON,"
            f" {median([r['height'] for r in found]):.0f} px tall; page run warm"
            f" {median([r['warm'] for r in found]):.3f} s (runs {runs})."
        )
    this_json = median([r["json"] for r in jadwal["this"]])
    this_height = median([r["height"] for r in jadwal["this"]])
    this_warm = median([r["warm"] for r in jadwal["this"]])
    ok = this_json < 1e6 and this_height < 3000 and this_warm < 0.5
    lines.append(f"  Goals (< 1 MB, < 3,000 px, < 0.5 s warm): **{'PASS' if ok else 'FAIL'}**.")
    for name, label in (("this", head), ("base", args.base)):
        if name in checkouts:
            lines.append(
                f"- **Publish, 100-row plan** ({label}): median {median(publishes[name]):.2f} s (runs"
                f" {', '.join(f'{value:.2f}' for value in publishes[name])})."
            )
    this_publish = median(publishes["this"])
    verdict = f"goal < 2 s: **{'PASS' if this_publish < 2 else 'FAIL'}**"
    if "base" in checkouts:
        verdict += f"; {this_publish / median(publishes['base']):.2f}x the base (the figures computed at publishing)"
        verdict += f"; Jadwal warm {this_warm / median([r['warm'] for r in jadwal['base']]):.2f}x the base"
    lines += [f"  Publish {verdict}.", ""]
    publish("\n".join(lines), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
