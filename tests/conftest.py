"""Shared fixtures: the bundled workbook, and helpers to make edited copies of it."""

from __future__ import annotations

import dataclasses
import functools
import gc
import io
import os
import pickle
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from argon2 import PasswordHasher
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import app_test

from rbdash.access.signin import PasswordChecks
from rbdash.model import LoadResult
from rbdash.workbook.loader import load_workbook
from tests.store_backends import BACKENDS, PostgresTemplates, StoreAt

# AppTest scans every installed distribution's metadata for Streamlit components on each new AppTest
# (about 0.13 s of CPU, over a hundred times a run); the installed packages cannot change during a
# test run, so one scan per test process answers every AppTest alike.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
# Likewise each AppTest run starts an empty cache of compiled page scripts; the pages cannot change
# during a test run, so one cache per process compiles each page once.
_SCRIPT_CACHE = app_test.ScriptCache()
app_test.ScriptCache = lambda: _SCRIPT_CACHE  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "rencana_aksi_2022.xlsx"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def bundled_bytes() -> bytes:
    return BUNDLED.read_bytes()


@pytest.fixture(scope="session")
def bundled(bundled_bytes: bytes) -> LoadResult:
    return load_workbook(bundled_bytes)


@pytest.fixture
def text_only_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports and decks without chart images (as on a server without Chromium: each chart's place says so), for
    tests that read their text: a PDF builds in about 0.3 s instead of 2 s. The images are test_report's."""
    from rbdash.exports import images

    monkeypatch.setattr(images, "find_browser", lambda: None)


def quick_password_checks() -> PasswordChecks:
    """An argon2 bound with argon2's cheapest parameters (microseconds a hash), for tests of what the store
    does with passwords; the tests of the hashing cost and of the bound itself use the defaults."""
    return PasswordChecks(2, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


#: The password of every user of `store_with_users` (viewer vera, editor edi, admin ada).
PASSWORD = "kata-sandi-panjang"
USERS = (("vera", "viewer"), ("edi", "editor"), ("ada", "admin"))


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the bundled workbook as version 1, made once per test process."""
    from rbdash.store.sqlite import SqliteStore

    root = tmp_path_factory.mktemp("seeded") / "data"
    SqliteStore(root).seed(BUNDLED, "versi awal")
    return root


@pytest.fixture(scope="session")
def _users_template(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """`_seeded_template` plus the three `USERS`, made once per test process."""
    from rbdash.store.sqlite import SqliteStore

    root = tmp_path_factory.mktemp("users") / "data"
    shutil.copytree(_seeded_template, root)
    store = SqliteStore(root)
    for name, role in USERS:
        store.add_user(name, role, PASSWORD)
    return root


@pytest.fixture(scope="session")
def _postgres() -> Iterator[PostgresTemplates]:
    """This test process's throwaway PostgreSQL server (started on first use, stopped at the end)."""
    from tests.postgres_server import BIN_DIR, postgres_server

    require_tool(bool(BIN_DIR), "Debian's postgresql (initdb, pg_ctl)")  # fails in CI, which installs it
    with postgres_server() as url:
        yield PostgresTemplates(url)


def _store_at(request: pytest.FixtureRequest, tmp_path: Path, with_users: bool | None) -> Iterator[StoreAt]:
    """This test's own store on the backend `request.param`: version 1 the bundled workbook (and the `USERS`);
    empty (nothing made yet) when `with_users` is None."""
    if request.param == "sqlite" and with_users is None:
        yield StoreAt("sqlite", str(tmp_path / "data"))
        return
    if request.param == "sqlite":
        template = request.getfixturevalue("_users_template" if with_users else "_seeded_template")
        shutil.copytree(template, tmp_path / "data")
        yield StoreAt("sqlite", str(tmp_path / "data"))
        return
    postgres: PostgresTemplates = request.getfixturevalue("_postgres")

    def seeded(url: str) -> None:
        from rbdash.store.postgres import PgStore

        PgStore(url).seed(BUNDLED, "versi awal")

    def with_the_users(url: str) -> None:
        from rbdash.store.postgres import PgStore

        seeded(url)
        store = PgStore(url)  # the product's argon2 parameters, as the SQLite template's hashes
        for name, role in USERS:
            store.add_user(name, role, PASSWORD)

    template = None
    if with_users is not None:
        template = postgres.template("users" if with_users else "seeded", with_the_users if with_users else seeded)
    url = postgres.fresh(template)
    try:
        yield StoreAt("postgresql", url)
    finally:
        postgres.drop(url)


@pytest.fixture(params=BACKENDS)
def seeded_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreAt]:
    """This test's own store, on each backend in turn: version 1 is the bundled workbook."""
    yield from _store_at(request, tmp_path, with_users=False)


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreAt]:
    """This test's own store location, on each backend in turn, with nothing in it yet."""
    yield from _store_at(request, tmp_path, with_users=None)


@pytest.fixture(params=BACKENDS)
def users_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreAt]:
    """This test's own store, on each backend in turn: version 1 and the three `USERS`."""
    yield from _store_at(request, tmp_path, with_users=True)


@pytest.fixture
def seeded_store_root(tmp_path: Path, _seeded_template: Path) -> Path:
    """This test's own data directory: version 1 is the bundled workbook (a copy, not a new seed: faster)."""
    shutil.copytree(_seeded_template, tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def users_store_root(tmp_path: Path, _users_template: Path) -> Path:
    """This test's own data directory: version 1 and the three `USERS` (argon2 hashes made once per process)."""
    shutil.copytree(_users_template, tmp_path / "data")
    return tmp_path / "data"


@functools.lru_cache(maxsize=4)
def _parsed_workbook(data: bytes) -> bytes:
    """Workbook `data` as openpyxl reads it, pickled: unpickling is about 3x faster than reading it again,
    and saves byte-identical parts (checked for the bundled workbook)."""
    return pickle.dumps(openpyxl.load_workbook(io.BytesIO(data)))


def edit_workbook(data: bytes, edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """A copy of workbook `data` changed by `edit` (which receives the openpyxl workbook)."""
    wb = pickle.loads(_parsed_workbook(bytes(data)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def info_edit(**values: object) -> Callable[[openpyxl.Workbook], None]:
    """An edit setting Info fields by their label (column A), e.g. Satker="KPU Kota Serang", Tahun=2023."""

    def edit(wb: openpyxl.Workbook) -> None:
        sheet = wb["Info"]
        for row in sheet.iter_rows(min_col=1, max_col=2):
            if row[0].value in values:
                row[1].value = values[str(row[0].value)]

    return edit


def office_workbook(satker: str, year: int = 2022, note: str = "", status: str | None = None) -> bytes:
    """The bundled workbook written for another office or year; with `note`, another realisation note (another
    content), with `status`, every Realisasi status replaced ("Belum": nothing done)."""

    def edit(wb: openpyxl.Workbook) -> None:
        info_edit(Satker=satker, Tahun=year)(wb)
        if note:
            wb["Realisasi"]["F4"] = note
        if status is not None:
            sheet = wb["Realisasi"]
            for row in range(4, sheet.max_row + 1):
                if sheet.cell(row=row, column=1).value:
                    sheet.cell(row=row, column=3, value=status)

    return edit_workbook(BUNDLED.read_bytes(), edit)


def run_demo(root: Path) -> Path:
    """`rbdash demo` into the data directory `root` (the environment's own left as it was); returns `root`."""
    from rbdash.cli import main

    previous = os.environ.get("RBDASH_DATA_DIR")
    os.environ["RBDASH_DATA_DIR"] = str(root)
    try:
        assert main(["demo"]) == 0
    finally:
        if previous is None:
            del os.environ["RBDASH_DATA_DIR"]
        else:
            os.environ["RBDASH_DATA_DIR"] = previous
    return root


def bundled_with(edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """The bundled workbook changed by `edit` (see `edit_workbook`)."""
    return edit_workbook(BUNDLED.read_bytes(), edit)


def found(result: LoadResult) -> set[tuple[str, str, str | None, str | None]]:
    """(severity, code, sheet, cell) of every problem, for compact assertions."""
    return {(p.severity, p.code, p.sheet, p.cell) for p in result.problems}


def codes(result: LoadResult) -> set[str]:
    return {p.code for p in result.problems}


def insert_rows(ws, index: int, amount: int = 1) -> None:
    """Insert rows as Excel does, moving merged ranges too (openpyxl alone leaves them behind)."""
    ranges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(r))
    ws.insert_rows(index, amount)
    for min_row, min_col, max_row, max_col in ranges:
        shift = amount if min_row >= index else 0
        ws.merge_cells(start_row=min_row + shift, start_column=min_col, end_row=max_row + shift, end_column=max_col)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_tool(available: bool, what: str) -> None:
    """At module level: without `what`, fail in CI (which must install it), skip on a developer machine."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing; .ci/run installs it", pytrace=False)
    pytest.skip(f"{what} is not installed here (.ci/run installs it)", allow_module_level=True)


@dataclasses.dataclass(frozen=True)
class CliRun:
    """What one in-process `python -m rbdash` command gave."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliRun]:
    """Run `rbdash.cli.main(args)` in this process (seconds faster than a subprocess), `stdin` as its input."""
    from rbdash.cli import main

    def run(*args: str, stdin: str = "") -> CliRun:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test on the PostgreSQL backend starts a server (`_postgres`): slow, as every test that starts one is, so
    `make test-fast` stays the in-process suite (its SQLite twin runs there)."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "_postgres" in getattr(item, "fixturenames", ()) or "postgresql" in params.values():
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse to run grouped tests ungrouped; then fewer garbage-collector passes (below)."""
    _check_xdist_groups(session)
    _fewer_collections()


def _check_xdist_groups(session: pytest.Session) -> None:
    """Under `--dist loadgroup`, a test marked `xdist_group` must carry its group in its node ID, which is how
    pytest-xdist keeps a group on one worker. pytest 9.2 silently broke that (pytest-dev/pytest-xdist#1386):
    each module's servers and browsers were started on every worker, a fifth of the suite's time. Raised in a
    worker, the error stops the run with an INTERNALERROR from the controller (exit status 3)."""
    if not getattr(session.config.option, "loadgroup", False):  # set in xdist's workers under loadgroup
        return
    lost = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(
            f"pytest-xdist does not group {len(lost)} tests marked xdist_group (first: {lost[0]}); "
            "see the pytest pin in requirements-dev.txt"
        )


def _fewer_collections() -> None:
    """Fewer garbage-collector passes in each test process: the modules and collected tests (hundreds of
    thousands of objects from pandas, Plotly and Streamlit) are frozen out of every later pass, and the
    youngest generation is collected every 50,000 allocations instead of 700. The suite allocates heavily
    (DataFrames, figures, AppTest trees); this took about a fifth off the CPU time of the AppTest and
    validation tests here."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
