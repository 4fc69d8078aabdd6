"""`python -m rbdash store check` and `store repair` on data directories damaged as the attacker review did."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from rbdash.store import integrity
from rbdash.store.sqlite import SqliteStore
from tests.conftest import BUNDLED, CliRun, edit_workbook, quick_password_checks
from tests.store_backends import StoreAt, point_at

#: What `check` finds once version 1's summary is spoiled, version 3's row deleted, version 2's file damaged and a
#: stray file added (as both backends' tests below do).
DAMAGE_FOUND = {
    ("repairable", "check.summary_malformed", 1),
    ("repairable", "check.row_missing", 3),
    ("error", "store.file_corrupt", 2),
    ("note", "check.unreferenced_file", None),
}


def _version(note: str) -> bytes:
    return edit_workbook(BUNDLED.read_bytes(), lambda wb: wb["Realisasi"].cell(row=4, column=6, value=note))


@pytest.fixture
def store(seeded_store_root: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    store = SqliteStore(seeded_store_root, checks=quick_password_checks())
    for note in ("dua", "tiga"):
        store.publish(_version(note), "ani", note)
    return store


def test_a_sound_store_checks_clean(store: SqliteStore, cli: Callable[..., CliRun]) -> None:
    assert integrity.check(store.root) == []
    result = cli("store", "check", "--lang", "en")
    assert result.returncode == 0 and result.stdout.strip() == f"Store {store.root}: no problems."


def test_check_finds_and_repair_puts_right_what_can_be_re_derived(
    store: SqliteStore, cli: Callable[..., CliRun]
) -> None:
    second = store.version(2)
    deleted = store.version(3)
    original_first = store.version(1)
    with sqlite3.connect(store.database) as connection:
        connection.execute("UPDATE versions SET summary = 'bukan json' WHERE number = 1")
        connection.execute("DELETE FROM versions WHERE number = 3")
    damaged = store.files.path_of(second.sha256)
    damaged.write_bytes(b"rusak")
    stray = store.files.root / "ff" / ("f" * 64 + ".xlsx")
    stray.parent.mkdir(exist_ok=True)  # the bundled workbook's own file may live there too
    stray.write_bytes(b"sisa")

    found = {(f.severity, f.key, f.params.get("number")) for f in integrity.check(store.root)}
    assert found == DAMAGE_FOUND
    checked = cli("store", "check", "--lang", "en")
    assert checked.returncode == 1
    assert "1 problem that cannot be repaired automatically, 2 that `store repair` can put right" in checked.stdout

    repaired = cli("store", "repair", "--lang", "en")
    assert "The summary of version 1 was computed again from its file." in repaired.stdout
    assert "The row of version 3 was written again from the audit log and its file." in repaired.stdout
    assert repaired.returncode == 1  # version 2's file cannot be re-derived: still reported
    assert [f.key for f in integrity.check(store.root) if f.severity != "note"] == ["store.file_corrupt"]
    assert stray.exists() and damaged.exists()  # repair never deletes a file
    third = store.version(3)
    assert (third.user, third.comment, third.sha256) == ("ani", "tiga", deleted.sha256)
    assert third.summary == deleted.summary
    assert store.version(1).summary == original_first.summary
    assert store.current().number == 3
    assert any(e["action"] == "store_repaired" for e in store.audit_log())
    assert store.publish(_version("empat"), "ani", "empat").version.number == 4


@pytest.mark.parametrize("seeded_store", ["postgresql"], indirect=True)
def test_check_and_repair_a_postgresql_store(
    seeded_store: StoreAt, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliRun]
) -> None:
    """With RBDASH_DATABASE_URL set, `store check` and `store repair` read and mend that store (seen: they read
    the SQLite data directory instead, and said it had no problems)."""
    point_at(seeded_store, monkeypatch)
    monkeypatch.setenv("RBDASH_DATA_DIR", "/nonexistent/rbdash")  # not the store: never read
    store = seeded_store.open(checks=quick_password_checks())
    for note in ("dua", "tiga"):
        store.publish(_version(note), "ani", note)
    deleted = store.version(3)
    seeded_store.rows("UPDATE versions SET summary = 'bukan json' WHERE number = 1")
    seeded_store.rows("DELETE FROM versions WHERE number = 3")
    seeded_store.damage_file(store.version(2).sha256)
    seeded_store.rows("INSERT INTO files (sha256, size, content) VALUES (?, 4, 'sisa'::bytea)", ("f" * 64,))

    found = {(f.severity, f.key, f.params.get("number")) for f in integrity.check_store(store)}
    assert found == DAMAGE_FOUND
    checked = cli("store", "check", "--lang", "en")
    assert checked.returncode == 1 and f"Store {store.location}: 1 problem" in checked.stdout
    password = seeded_store.location.split("@")[0].rsplit(":", 1)[1]
    assert password not in checked.stdout + checked.stderr  # the URL is shown without its password
    repaired = cli("store", "repair", "--lang", "en")
    assert "The row of version 3 was written again from the audit log and its file." in repaired.stdout
    assert [f.key for f in integrity.check_store(store) if f.severity != "note"] == ["store.file_corrupt"]
    assert store.version(3).sha256 == deleted.sha256 and store.version(3).summary == deleted.summary
    assert store.publish(_version("empat"), "ani", "empat").version.number == 4


def test_a_damaged_database_is_rebuilt_from_what_is_still_readable(
    store: SqliteStore, cli: Callable[..., CliRun]
) -> None:
    store.add_user("ada", "admin", "kata-sandi-panjang")
    with sqlite3.connect(store.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        audit_root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()[0]
    data = bytearray(store.database.read_bytes())
    start = (audit_root - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size  # the audit log's page
    store.database.write_bytes(bytes(data))

    checked = cli("store", "check", "--lang", "en")
    assert checked.returncode == 1 and "The database is damaged" in checked.stderr
    repaired = cli("store", "repair", "--lang", "en")
    assert "Database rebuilt:" in repaired.stdout, repaired.stderr
    kept = list(store.root.glob("rbdash.sqlite3.damaged-*Z"))  # beside it: its -wal and -shm
    assert len(kept) == 1 and kept[0].stat().st_size == len(data)
    assert store.database.stat().st_mode & 0o777 == 0o600
    reopened = SqliteStore(store.root, checks=quick_password_checks())
    assert [v.number for v in reopened.history()] == [3, 2, 1]  # versions and users were on other pages
    assert reopened.users() == [("ada", "admin")]
    assert integrity.check(store.root) == []
    # The audit page was lost: numbers already given out must still not come back.
    assert reopened.publish(_version("empat"), "ani", "empat").version.number == 4


@pytest.mark.parametrize("action", ["check", "repair"])
def test_a_missing_database_is_exit_code_2_and_nothing_is_created(
    tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """Seen by the second review: `repair` on a mistyped RBDASH_DATA_DIR made an empty new store, exit 0."""
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "salah-ketik"))
    result = cli("store", action, "--lang", "en")
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "salah-ketik").exists()


def test_repair_never_changes_which_version_is_current(store: SqliteStore) -> None:
    """Seen by the second review: rows written again got the highest ids and became current (v3 over v9)."""
    store.publish(_version("empat"), "ani", "empat")
    with sqlite3.connect(store.database) as connection:
        connection.execute("DELETE FROM versions WHERE number IN (2, 3)")
    assert store.current().number == 4
    assert [f.key for f in integrity.repair(store.root)] == ["repair.row_restored"] * 2
    assert store.current().number == 4
    assert [v.number for v in store.history()] == [4, 3, 2, 1]


def test_a_database_nothing_can_be_read_from_is_left_as_it_is(store: SqliteStore, cli: Callable[..., CliRun]) -> None:
    """Seen by the second review: a spoiled header made repair swap in an empty database, say "no
    problems", exit 0, and call every published file deletable."""
    with sqlite3.connect(store.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.database.read_bytes())
    data[:16] = b"X" * 16
    store.database.write_bytes(bytes(data))
    repaired = cli("store", "repair", "--lang", "en")
    assert repaired.returncode == 1 and "could not be rebuilt" in repaired.stderr
    assert store.database.read_bytes() == bytes(data)  # not replaced
    assert not list(store.root.glob("rbdash.sqlite3.*"))
