"""The store's schema over time (numbered migrations, `migrate`) and moving a whole store between backends
(`store copy`), with its history, users and audit log."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rbdash.store import StoreError
from rbdash.store.copy import copy_store
from rbdash.store.migrations import latest
from rbdash.store.pg_schema import MIGRATIONS as PG_MIGRATIONS
from rbdash.store.sql_store import SqlStore
from rbdash.store.sqlite import SqliteStore
from rbdash.store.sqlite_schema import MIGRATIONS as SQLITE_MIGRATIONS
from tests.conftest import BUNDLED, PASSWORD, CliRun, office_workbook, quick_password_checks
from tests.store_backends import PostgresTemplates, StoreAt, point_at

LATEST = {"sqlite": latest(SQLITE_MIGRATIONS), "postgresql": latest(PG_MIGRATIONS)}


def test_a_new_store_records_its_migrations_and_is_then_up_to_date(
    empty_store: StoreAt, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = empty_store.open()
    assert first.migrations_applied == list(range(1, LATEST[empty_store.backend] + 1))
    assert first.schema_version() == LATEST[empty_store.backend]
    assert empty_store.open().migrations_applied == []  # a second server finds it done
    point_at(empty_store, monkeypatch)
    said = cli("migrate", "--lang", "en")
    assert said.returncode == 0
    assert said.stdout.strip() == (
        f"The schema of the store {first.location} is up to date (version {LATEST[empty_store.backend]});"
        " nothing was changed."
    )
    assert "@" not in first.location or ":" not in first.location.split("@")[0].removeprefix("postgresql://")


def test_a_store_from_before_numbered_migrations_is_recorded_and_keeps_its_data(users_store_root: Path) -> None:
    """A SQLite store made by the previous release has every table and column but no `schema_migrations`: the
    migrations find what is there, add what is missing (an index fresh stores once lacked) and record themselves."""
    with sqlite3.connect(users_store_root / "rbdash.sqlite3") as connection:
        connection.execute("DROP TABLE schema_migrations")
        connection.execute("DROP INDEX IF EXISTS login_failures_by_name")
    store = SqliteStore(users_store_root, checks=quick_password_checks())
    assert store.migrations_applied == [1, 2]
    assert store.authenticate("edi", PASSWORD) == "editor" and store.current().number == 1
    with sqlite3.connect(users_store_root / "rbdash.sqlite3") as connection:
        indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "login_failures_by_name" in indexes


@pytest.fixture
def postgres_empty(_postgres: PostgresTemplates) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL)."""
    url = _postgres.fresh(None)
    try:
        yield url
    finally:
        _postgres.drop(url)


def _history(store: SqlStore) -> list[tuple[object, ...]]:
    return [
        (v.number, v.satker, v.year, v.created_at, v.user, v.comment, v.sha256, v.summary, v.restored_from)
        for v in store.history()
    ]


def _everything(store: SqlStore) -> tuple[object, ...]:
    files = {v.sha256: hashlib.sha256(store.read(v)).hexdigest() for v in store.history()}
    users = [(name, role, store.scope_of(name), store.session_key(name)) for name, role in store.users()]
    return _history(store), files, users, store.audit_log(10_000)


def test_store_copy_moves_every_version_user_and_audit_line_and_back(
    users_store_root: Path, postgres_empty: str, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    sqlite = SqliteStore(users_store_root, checks=quick_password_checks())
    sqlite.publish(office_workbook("KPU Kota Serang"), "edi", "serang")
    sqlite.publish(office_workbook("KPU Provinsi Banten", note="dua"), "edi", "dua; dengan 'kutip' & <tanda>")
    sqlite.restore(1, "ada", "kembali ke versi 1", "KPU Provinsi Banten", 2022)
    sqlite.set_scope("edi", "KPU Kota Serang", actor="ada")
    assert sqlite.authenticate("vera", "salah", address="203.0.113.9") is None
    before = _everything(sqlite)

    moved = cli("store", "copy", "--from", f"sqlite://{users_store_root}", "--to", postgres_empty, "--lang", "en")
    assert moved.returncode == 0, moved.stderr
    assert "4 versions (3 files, each checked against its SHA-256), 3 users" in moved.stdout
    assert postgres_empty.split("@")[0].split(":")[-1] not in moved.stdout  # the password is never printed
    postgres = StoreAt("postgresql", postgres_empty).open(checks=quick_password_checks())
    assert _everything(postgres) == before
    assert postgres.authenticate("edi", PASSWORD) == "editor"  # the same password hashes
    # Numbers go on where the source left them, per office and year.
    assert postgres.publish(office_workbook("KPU Kota Serang", note="dua"), "edi", "lanjut").version.number == 2

    back = tmp_path / "kembali"
    returned = cli("store", "copy", "--from", postgres_empty, "--to", f"sqlite://{back}")
    assert returned.returncode == 0, returned.stderr
    assert _everything(SqliteStore(back)) == _everything(postgres)


def test_store_copy_refuses_a_target_that_holds_anything_and_changes_nothing(
    users_store_root: Path, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    seeded_store_root = tmp_path / "tujuan"
    target = SqliteStore(seeded_store_root)
    target.seed(BUNDLED, "awal")
    before = _everything(target)
    refused = cli("store", "copy", "--from", str(users_store_root), "--to", str(seeded_store_root), "--lang", "en")
    assert refused.returncode == 1 and "is not empty" in refused.stderr and "nothing was copied" in refused.stderr
    assert _everything(target) == before
    assert cli("store", "copy", "--to", str(seeded_store_root)).returncode == 1  # --from is needed
    assert cli("store", "check", "--from", str(users_store_root)).returncode == 1  # only for copy


def test_store_copy_checks_each_file_and_writes_no_row_when_one_is_damaged(
    users_store_root: Path, postgres_empty: str
) -> None:
    source = StoreAt("sqlite", str(users_store_root))
    store = source.open()
    store.publish(office_workbook("KPU Kota Serang"), "edi", "serang")
    source.damage_file(store.current("KPU Kota Serang", 2022).sha256)
    with pytest.raises(StoreError) as caught:
        copy_store(store, StoreAt("postgresql", postgres_empty).open())
    assert caught.value.key == "store.file_corrupt" and caught.value.params["number"] == 1
    target = StoreAt("postgresql", postgres_empty)
    assert target.rows("SELECT COUNT(*) FROM versions") == [(0,)] and target.rows("SELECT COUNT(*) FROM files") == [
        (0,)
    ]


def test_store_copy_names_a_row_to_repair_first(users_store_root: Path, postgres_empty: str) -> None:
    with sqlite3.connect(users_store_root / "rbdash.sqlite3") as connection:
        connection.execute("UPDATE versions SET number = 'satu' WHERE number = 1")
    with pytest.raises(StoreError) as caught:
        copy_store(SqliteStore(users_store_root), StoreAt("postgresql", postgres_empty).open())
    assert caught.value.key == "store.copy_needs_repair" and caught.value.params["number"] == "satu"


def test_store_copy_refuses_a_source_that_is_not_there_or_holds_nothing(
    tmp_path: Path, postgres_empty: str, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by the review: a mistyped --from was made into an empty store, and "0 versions copied" exited 0."""
    missing = tmp_path / "salah-ketik"
    said = cli("store", "copy", "--from", f"sqlite://{missing}", "--to", postgres_empty, "--lang", "en")
    assert said.returncode == 1 and "does not exist" in said.stderr and not missing.exists()
    empty = tmp_path / "kosong"
    SqliteStore(empty)  # a store with its tables and nothing else
    said = cli("store", "copy", "--from", str(empty), "--to", postgres_empty, "--lang", "en")
    assert said.returncode == 1 and "is empty" in said.stderr
    never = tmp_path / "tidak-dibuat"
    said = cli("store", "copy", "--from", str(empty), "--to", str(never), "--lang", "en")
    assert said.returncode == 1 and not never.exists()  # a refused copy makes no target store (seen: it did)
    target = StoreAt("postgresql", postgres_empty)
    assert target.rows("SELECT to_regclass('versions')") == [(None,)]  # not even made
    # Ctrl-C part-way: one line, not a traceback, and the shell's number for it.
    import rbdash.store.copy

    def interrupted(source: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rbdash.store.copy, "require_content", interrupted)
    stopped = cli("store", "copy", "--from", str(empty), "--to", postgres_empty, "--lang", "en")
    assert stopped.returncode == 130 and stopped.stderr.strip().startswith("Stopped (Ctrl-C).")
    assert "Traceback" not in stopped.stderr


@pytest.mark.parametrize("password", ["rahasia%sekali", "rahasia sekali", "rahasia@sekali"])
def test_store_copy_refuses_a_database_url_libpq_would_misread_without_repeating_it(
    users_store_root: Path, cli: Callable[..., CliRun], password: str
) -> None:
    """Seen by the second review: --to with a stray '%' printed a traceback holding the password, and with an
    '@' the pool logged part of it as the host."""
    url = f"postgresql://rbdash:{password}@127.0.0.1:5432/rbdash"
    for args in (("--from", str(users_store_root), "--to", url), ("--from", url, "--to", str(users_store_root))):
        said = cli("store", "copy", *args, "--lang", "en")
        assert said.returncode == 1 and "is not a PostgreSQL address that can be read" in said.stderr
        assert "rahasia" not in said.stdout + said.stderr and "Traceback" not in said.stderr
