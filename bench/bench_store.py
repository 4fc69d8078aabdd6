"""The store on PostgreSQL against SQLite (#14): publish, reading the current version, the per-rerun check for a
newer version, and many publishers at once; SQLite also against a base revision (before the store was written
once for both backends).

Usage::

    .venv/bin/python -m bench.bench_store [--base REV] [--runs 15] [--write]

Each measurement runs in a fresh interpreter (`--measure KIND BACKEND LOCATION`), alternated between backends
(and the base revision's checkout, a `git worktree` under bench/.cache), three times; medians. PostgreSQL is a
throwaway server from Debian's programs (tests/postgres_server.py) with its writes flushed to disk (fsync on),
as SQLite's are (synchronous=FULL); both on this machine's disk.

* publish: `store.publish` of the bundled workbook (two contents alternated), with the read the upload preview
  made (`validated`, as the upload page passes it): the figures, the comparison with the current version, the
  file and the row in one transaction.
* read: a cache miss of the current version, as a server meets it: the version row, the file's bytes checked
  against its SHA-256, and the workbook parsed (`read_sha256` alone beside it).
* check: `store.history(satker, year)`, what every rerun asks to find the current version: in a store of the
  bundled workbook's office alone, and among 553 offices x 3 years (1,659 version rows written directly).
* concurrent: 8 processes x 50 publishes each, started together, each workbook distinct: every one recorded,
  numbers gap-free and in order, no error; the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, publish

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
#: Publishers and publishes each (BENCH_SMOKE=1: a quick run that only shows the script works).
PROCESSES, PUBLISHES = (2, 3) if os.environ.get("BENCH_SMOKE") else (8, 50)
OFFICES, YEARS = 553, (2022, 2023, 2024)
HOME = "KPU Provinsi Banten"


def _open(backend: str, location: str):  # type: ignore[no-untyped-def]
    from rbdash.store import open_store

    return open_store(location if backend == "postgresql" else Path(location))


def _contents(tag: str, count: int) -> list[bytes]:
    """`count` distinct versions of the bundled workbook (a note in Realisasi!F4)."""
    import io

    import openpyxl

    from rbdash.config import BUNDLED_WORKBOOK

    base = BUNDLED_WORKBOOK.read_bytes()
    made = []
    for index in range(count):
        book = openpyxl.load_workbook(io.BytesIO(base))
        book["Realisasi"]["F4"] = f"catatan {tag} {index}"
        out = io.BytesIO()
        book.save(out)
        made.append(out.getvalue())
    return made


def measure_publish(backend: str, location: str, runs: int) -> dict[str, float]:
    from rbdash.workbook.loader import load_workbook

    store = _open(backend, location)
    contents = _contents("publish", 3)
    previews = [load_workbook(data) for data in contents]  # the upload page's read, passed on
    # A third content to warm up with: another round's last publish may have been either of the two timed ones.
    store.publish(contents[2], "bench", "warm-up", validated=previews[2])
    times = []
    for run in range(runs):
        begin = time.perf_counter()
        result = store.publish(contents[run % 2], "bench", f"run {run}", validated=previews[run % 2])
        times.append(time.perf_counter() - begin)
        assert result.version is not None
    return {"publish": statistics.median(times)}


def measure_read(backend: str, location: str, runs: int) -> dict[str, float]:
    from rbdash.workbook.loader import load_workbook

    store = _open(backend, location)
    whole, raw = [], []
    for _ in range(runs):
        begin = time.perf_counter()
        current = store.current(HOME, 2022)
        assert current is not None
        data = store.read_sha256(current.sha256, current.number)
        raw.append(time.perf_counter() - begin)
        assert load_workbook(data).plan is not None
        whole.append(time.perf_counter() - begin)
    return {"read": statistics.median(whole), "bytes": statistics.median(raw)}


def measure_check(backend: str, location: str, runs: int) -> dict[str, float]:
    store = _open(backend, location)
    store.history(HOME, 2022)  # the connection made (a server's pool holds it open)
    times = []
    for _ in range(runs * 20):
        begin = time.perf_counter()
        versions = store.history(HOME, 2022)
        times.append(time.perf_counter() - begin)
        assert versions
    return {"check": statistics.median(times)}


def measure_publisher(backend: str, location: str, index: int) -> dict[str, float]:
    """One of the concurrent publishers: its workbooks made first, "ready" said on standard output, then 50
    publishes once a line arrives on standard input (every publisher released by one word from the parent)."""
    from rbdash.workbook.loader import load_workbook

    contents = _contents(f"p{index}", PUBLISHES)
    previews = [load_workbook(data) for data in contents]
    store = _open(backend, location)
    print("ready", flush=True)
    sys.stdin.readline()
    errors = 0
    begin = time.perf_counter()
    for data, preview in zip(contents, previews, strict=True):
        try:
            result = store.publish(data, f"penerbit{index}", "serentak", validated=preview)
            errors += result.version is None
        except Exception as exc:  # counted and shown: the goal is none
            print(f"publisher {index}: {type(exc).__name__}: {exc}", file=sys.stderr)
            errors += 1
    return {"seconds": time.perf_counter() - begin, "errors": errors}


def _fresh(checkout: Path, *args: str) -> dict:
    # Imported here: a measurement process runs with a base revision's bench package, which may lack it.
    from bench.common import in_fresh_process

    return in_fresh_process(BENCH_DIR / "bench_store.py", checkout, *args)


def _seeded(backend: str, location: str) -> None:
    from rbdash.config import BUNDLED_WORKBOOK

    _open(backend, location).seed(BUNDLED_WORKBOOK, "awal")


def _many_offices(backend: str, location: str) -> None:
    """553 offices x 3 years of version rows beside the seeded one (rows only: `history` reads rows)."""
    store = _open(backend, location)
    current = store.current()
    from rbdash.store.rows import insert_version
    from rbdash.store.sql import write_transaction

    with store._connection() as connection, write_transaction(connection):
        for office in range(OFFICES):
            for year in YEARS:
                version = type(current)(
                    1, f"Satker Sintetis {office:03d}", year, current.created_at, "bench", "baris", current.sha256, {}
                )
                insert_version(connection, version)


def _database(server: str, name: str) -> str:
    import psycopg

    base = server.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def _concurrent(checkout: Path, backend: str, location: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("RBDASH_CONFIG", None)
    command = [sys.executable, str(BENCH_DIR / "bench_store.py"), "--measure", "publisher", backend, location]
    processes = [
        subprocess.Popen(
            [*command, str(i)],
            cwd=checkout,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    for process in processes:  # each line read is one publisher's workbooks made (EOF: it failed, said below)
        assert process.stdout is not None
        process.stdout.readline()
    outputs = [process.communicate("go\n", timeout=3600) for process in processes]  # all released together
    results = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
    store = _open(backend, location)
    numbers = sorted(v.number for v in store.history(HOME, 2022))
    expected = list(range(1, PROCESSES * PUBLISHES + 2))
    return {
        "wall": max(float(r["seconds"]) for r in results),
        "errors": sum(int(r["errors"]) for r in results) + sum(bool(err.strip()) for _out, err in outputs),
        "recorded": len(numbers),
        "gap_free": numbers == expected,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a revision to compare SQLite with")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, backend, location, *rest = args.measure
        if kind == "publisher":
            result: object = measure_publisher(backend, location, int(rest[0]))
        elif kind == "seed":
            _seeded(backend, location)
            result = {}
        else:
            result = {"publish": measure_publish, "read": measure_read, "check": measure_check}[kind](
                backend, location, args.runs
            )
        print(json.dumps(result))
        return 0

    from tests.postgres_server import postgres_server

    checkouts = {"this": ROOT}
    if args.base:
        from bench.common import worktree

        checkouts["base"] = worktree(args.base)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    found: dict[tuple[str, str, str], list[dict]] = {}
    with postgres_server(durable=True) as server, tempfile.TemporaryDirectory() as folder:
        stores: dict[tuple[str, str], str] = {}  # (checkout, backend) -> location of its seeded store
        for name in checkouts:
            stores[(name, "sqlite")] = str(Path(folder) / f"{name}-sqlite")
        stores[("this", "postgresql")] = _database(server, "bench_seeded")
        many = {"sqlite": str(Path(folder) / "many-sqlite"), "postgresql": _database(server, "bench_many")}
        for (name, backend), location in stores.items():
            _fresh(checkouts[name], "seed", backend, location)
        for backend, location in many.items():
            _seeded(backend, location)
            _many_offices(backend, location)
        for _ in range(3):  # alternated, so that a busy moment of the machine falls on every one
            for (name, backend), location in stores.items():
                for kind in ("publish", "read", "check"):
                    found.setdefault((name, backend, kind), []).append(
                        _fresh(checkouts[name], kind, backend, location, "--runs", str(args.runs))
                    )
            for backend, location in many.items():
                found.setdefault(("this", backend, "check_many"), []).append(
                    _fresh(ROOT, "check", backend, location, "--runs", str(args.runs))
                )
        targets = {"sqlite": str(Path(folder) / "concurrent-sqlite"), "postgresql": _database(server, "bench_con")}
        concurrent = {}
        for backend, location in targets.items():
            _seeded(backend, location)
            concurrent[backend] = _concurrent(ROOT, backend, location)

    def med(name: str, backend: str, kind: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in found[(name, backend, kind)])

    sql_pub, pg_pub = med("this", "sqlite", "publish", "publish"), med("this", "postgresql", "publish", "publish")
    sql_read, pg_read = med("this", "sqlite", "read", "read"), med("this", "postgresql", "read", "read")
    checks = {
        backend: (med("this", backend, "check", "check"), med("this", backend, "check_many", "check"))
        for backend in ("sqlite", "postgresql")
    }
    worst_check = max(max(pair) for pair in checks.values())
    lines = [
        f"## {dt.date.today().isoformat()}: the store on PostgreSQL (#14)",
        "",
        f"Run `.venv/bin/python -m bench.bench_store{' --base ' + args.base if args.base else ''} --runs {args.runs}`"
        f" on {head.stdout.strip()}; fresh interpreters, three of each alternated, medians of their medians."
        f" PostgreSQL {_server_version()} from Debian on this machine, fsync on. Machine: {machine()}.",
        "",
        f"- **Publish** of the bundled workbook (preview's read passed on): SQLite {sql_pub * 1000:.1f} ms,"
        f" PostgreSQL {pg_pub * 1000:.1f} ms: **{pg_pub / sql_pub:.2f}x** (goal <= 1.5x:"
        f" **{'PASS' if pg_pub <= 1.5 * sql_pub else 'FAIL'}**).",
        f"- **Current version, cache miss** (row, bytes checked, parsed): SQLite {sql_read * 1000:.1f} ms,"
        f" PostgreSQL {pg_read * 1000:.1f} ms: **{pg_read / sql_read:.2f}x** (goal <= 1.5x:"
        f" **{'PASS' if pg_read <= 1.5 * sql_read else 'FAIL'}**); the bytes alone"
        f" {med('this', 'sqlite', 'read', 'bytes') * 1000:.2f} ms vs"
        f" {med('this', 'postgresql', 'read', 'bytes') * 1000:.2f} ms.",
        f"- **Newer-version check per rerun** (`history(office, year)`): SQLite {checks['sqlite'][0] * 1000:.3f} ms,"
        f" PostgreSQL {checks['postgresql'][0] * 1000:.3f} ms with one office; among {OFFICES} offices x"
        f" {len(YEARS)} years {checks['sqlite'][1] * 1000:.3f} ms and {checks['postgresql'][1] * 1000:.3f} ms"
        f" (goal < 2 ms: **{'PASS' if worst_check < 0.002 else 'FAIL'}**).",
    ]
    for backend in ("sqlite", "postgresql"):
        run = concurrent[backend]
        ok = run["errors"] == 0 and run["gap_free"] and run["recorded"] == PROCESSES * PUBLISHES + 1
        lines.append(
            f"- **{PROCESSES} publishers x {PUBLISHES}** at once on {backend}: {run['recorded']} versions recorded"
            f" (1 seeded + {PROCESSES * PUBLISHES}), gap-free and in order: {run['gap_free']}, errors {run['errors']},"
            f" {float(run['wall']):.0f} s (**{'PASS' if ok else 'FAIL'}**)."
        )
    if "base" in checkouts:
        lines.append(
            f"- **SQLite before and after** the store was written once for both backends ({args.base} ->"
            f" {head.stdout.strip()}): publish {med('base', 'sqlite', 'publish', 'publish') * 1000:.1f} ->"
            f" {sql_pub * 1000:.1f} ms, read {med('base', 'sqlite', 'read', 'read') * 1000:.1f} ->"
            f" {sql_read * 1000:.1f} ms, check {med('base', 'sqlite', 'check', 'check') * 1000:.3f} ->"
            f" {checks['sqlite'][0] * 1000:.3f} ms."
        )
    publish("\n".join(lines) + "\n", args.write)
    return 0


def _server_version() -> str:
    from tests.postgres_server import BIN_DIR

    return Path(BIN_DIR).parent.name if BIN_DIR else "?"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(os.environ.get("PYTHONPATH", str(ROOT)).split(os.pathsep)[0])))
    raise SystemExit(main())
