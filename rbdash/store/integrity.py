"""`store check` and `store repair`: what is wrong with a data directory, and putting right what can be.

`check` reads only: the database's own integrity check, every version's file against its SHA-256,
every summary, the numbers the audit log gave out against the version rows, and files no version
refers to. `repair` re-derives what can be re-derived and never deletes a file:

* a damaged database: every row still readable is copied into a new database, which takes its place;
  the damaged file is kept beside it (`rbdash.sqlite3.damaged-<time>`);
* a version row deleted (its publish is in the audit log, its file intact): written again from both;
* a malformed summary: computed again from the version's file.

A missing or damaged file cannot be re-derived: it is reported (restore it from a backup, or publish
a good version again); the dashboard meanwhile shows the newest intact version.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rbdash.store.base import StoreError, Version, version_summary
from rbdash.store.files import FILE_MODE, FileStore
from rbdash.store.rows import audit_record, audit_row, insert_version
from rbdash.store.sql import write_transaction
from rbdash.store.sql_store import SqlStore
from rbdash.store.sqlite import SqliteStore
from rbdash.store.sqlite_schema import SCHEMA, read_only_uri
from rbdash.workbook.loader import load_workbook

_TABLES = ("versions", "users", "audit", "login_failures")


@dataclass(frozen=True)
class Finding:
    """One thing `check` found: `severity` is "error" (data unreadable), "repairable" or "note"."""

    severity: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def check(root: Path) -> list[Finding]:
    """Everything wrong with the data directory `root` (empty when nothing is). Reads only."""
    database = root / "rbdash.sqlite3"
    if not database.exists():
        return [Finding("error", "check.no_database", {"path": str(database)})]
    damage = _integrity_problems(database)
    if damage:
        return [Finding("repairable", "check.database_damaged", {"detail": "; ".join(damage[:3])})]
    files = FileStore(root / "files")
    with closing(sqlite3.connect(read_only_uri(database), uri=True)) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(_ROWS).fetchall()
        audit = connection.execute(_PUBLISHES).fetchall()
    kept = {path.stem: str(path) for path in sorted(files.root.glob("*/*.xlsx"))}
    return _findings(rows, audit, files.read, kept)


def check_store(store: SqlStore) -> list[Finding]:
    """Everything wrong with a PostgreSQL store (empty when nothing is): every version's file against its SHA-256,
    every summary, the numbers the audit log gave out against the version rows, files no version refers to.
    Reads only (the database's own consistency is PostgreSQL's: `pg_amcheck`)."""
    with store._connection() as connection:
        rows = connection.execute(_ROWS).fetchall()
        audit = connection.execute(_PUBLISHES).fetchall()
        kept = {str(sha): f"files/{sha}" for (sha,) in connection.execute("SELECT sha256 FROM files ORDER BY sha256")}
    return _findings(rows, audit, store.read_sha256, kept)


_ROWS = "SELECT id, number, satker, year, sha256, summary FROM versions ORDER BY id"
_PUBLISHES = "SELECT at, \"user\", action, detail FROM audit WHERE action IN ('publish', 'restore') ORDER BY id"


def _findings(
    rows: list[Any], audit: list[Any], read: Callable[[str, int | str], bytes], kept: dict[str, str]
) -> list[Finding]:
    """What `check` reports of a store's version rows, its audit log's publishes, its files (`read`) and the
    files it keeps (`kept`: SHA-256 to where, for unreferenced ones)."""
    findings: list[Finding] = []
    records = _records(audit)
    renumbering = _renumbering(rows, records)
    referenced = set()
    for row in rows:
        referenced.add(row["sha256"])
        number = row["number"]
        try:
            read(row["sha256"], number)
        except StoreError as exc:
            findings.append(Finding("error", exc.key, dict(exc.params)))
        if not isinstance(number, int):  # written by hand: such a version cannot be addressed
            real = renumbering.get(row["id"])
            if real is not None:
                findings.append(Finding("repairable", "check.number_rederivable", {"number": number, "real": real}))
            else:
                findings.append(Finding("error", "check.number_malformed", {"number": number, "sha256": row["sha256"]}))
        if not isinstance(_json_object(row["summary"]), dict):
            findings.append(Finding("repairable", "check.summary_malformed", {"number": number}))
    for record, _row in _missing_rows(rows, records):
        findings.append(Finding("repairable", "check.row_missing", {"number": record["number"]}))
    referenced |= {record["sha256"] for record, _row in records}  # a deleted row's file: row_missing says it
    for sha256, where in kept.items():
        if sha256 not in referenced:
            findings.append(Finding("note", "check.unreferenced_file", {"path": where}))
    return findings


def repair(root: Path) -> list[Finding]:
    """Put right what `check` reports as repairable (and a damaged database); what was done, in order."""
    database = root / "rbdash.sqlite3"
    if not database.exists():  # a mistyped RBDASH_DATA_DIR: nothing is created
        raise StoreError("check.no_database", path=str(database))
    done: list[Finding] = []
    damage = _integrity_problems(database)
    if damage:
        salvaged = _salvage(database)
        if salvaged is None:  # not one row readable: the file is left for a backup or a specialist
            return [Finding("error", "repair.database_not_salvaged", {"detail": "; ".join(damage[:3])})]
        kept, copied = salvaged
        done.append(Finding("repairable", "repair.database_rebuilt", {"kept": str(kept), "rows": copied}))
    return repair_store(SqliteStore(root), done)


def repair_store(store: SqlStore, already: list[Finding] | None = None) -> list[Finding]:
    """Put right what `check` reports as repairable in the rows of `store` (either backend), in one write
    transaction; what was done, in order, after `already` (done before, such as a rebuilt database), all audited."""
    done: list[Finding] = list(already or [])
    with store._connection() as connection, write_transaction(connection):
        rows = connection.execute(_ROWS).fetchall()
        audit = connection.execute(_PUBLISHES).fetchall()
        records = _records(audit)
        for row_id, real in _renumbering(rows, records).items():
            old_number = next(row["number"] for row in rows if row["id"] == row_id)
            connection.execute("UPDATE versions SET number = ? WHERE id = ?", (real, row_id))
            done.append(Finding("repairable", "repair.number_restored", {"number": old_number, "real": real}))
        for record, logged in _missing_rows(rows, records):
            summary = _summary_of(store, record["sha256"], record["number"])
            if summary is None:
                continue  # its file is missing or damaged: `check` reports it
            restored = Version(
                record["number"],
                record["satker"],
                record["year"],
                logged["at"],
                logged["user"] or "",
                record.get("comment") or "",
                record["sha256"],
                summary,
                record.get("restored_from"),
            )
            insert_version(connection, restored)
            done.append(Finding("repairable", "repair.row_restored", {"number": record["number"]}))
        for row in rows:
            if isinstance(_json_object(row["summary"]), dict):
                continue
            summary = _summary_of(store, row["sha256"], row["number"])
            if summary is not None:
                connection.execute("UPDATE versions SET summary = ? WHERE id = ?", (json.dumps(summary), row["id"]))
                done.append(Finding("repairable", "repair.summary_derived", {"number": row["number"]}))
        if done:
            audit_row(connection, "store_repaired", None, done=[[f.key, f.params] for f in done])
    return done


# -- helpers -------------------------------------------------------------------------------------


def _integrity_problems(database: Path) -> list[str]:
    """SQLite's own integrity check of the file (empty when it is sound; the error when it cannot run)."""
    try:
        with closing(sqlite3.connect(read_only_uri(database), uri=True)) as connection:
            lines = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if lines == ["ok"] else lines


def _json_object(text: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _records(audit: list[Any]) -> list[tuple[dict[str, Any], Any]]:
    """The audit log's well-formed publish and restore records (with a file), each with its audit row."""
    records = []
    for row in audit:
        record = audit_record(row["detail"])
        if record is not None and record.get("sha256"):
            records.append((record, row))
    return records


def _missing_rows(rows: list[Any], records: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    """The audit log's publishes and restores that no version row holds (by satker, year and number)."""
    present = {(row["satker"], row["year"], row["number"]) for row in rows}
    # A row whose number was spoiled still holds its version: its record is not missing (renumbering
    # gives it back its number, or `check` reports it), and writing it again would make two rows.
    spoiled = {row["sha256"] for row in rows if not isinstance(row["number"], int)}
    missing = []
    for record, logged in records:
        key = (record["satker"], record["year"], record["number"])
        if key in present or record["sha256"] in spoiled:
            continue
        present.add(key)
        missing.append((record, logged))
    return missing


def _renumbering(rows: list[Any], records: list[tuple[dict[str, Any], Any]]) -> dict[int, int]:
    """Rows whose number is not an integer, by id, with the number the audit log gave their file: only
    when exactly one publish or restore of that file (satker, year) has a number no row holds."""
    held = {(row["satker"], row["year"], row["number"]) for row in rows if isinstance(row["number"], int)}
    renumbering: dict[int, int] = {}
    for row in rows:
        if isinstance(row["number"], int):
            continue
        candidates = {
            record["number"]
            for record, _logged in records
            if record["sha256"] == row["sha256"]
            and (record["satker"], record["year"]) == (row["satker"], row["year"])
            and (row["satker"], row["year"], record["number"]) not in held
        }
        if len(candidates) == 1:
            renumbering[row["id"]] = candidates.pop()
    return renumbering


def _summary_of(store: SqlStore, sha256: str, number: int) -> dict[str, Any] | None:
    try:
        data = store.read_sha256(sha256, number)
    except StoreError:
        return None
    result = load_workbook(data)
    return version_summary(result) if result.plan is not None else None


_FAILED_READS_PER_TABLE = 4096  # bounds the search through a table whose pages are unreadable


def _copy_readable(source: sqlite3.Connection, target: sqlite3.Connection, table: str, names: str, insert: str) -> int:
    """Copy the rows of `table` that can still be read, halving rowid ranges around damaged pages; a
    bounded number of failed reads (a damaged root page fails every read)."""
    try:
        highest = source.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        highest = _sequence_of(source, table)
    copied, failures = 0, 0
    ranges = [(1, highest)] if highest else []
    while ranges and failures < _FAILED_READS_PER_TABLE:
        low, high = ranges.pop()
        try:
            rows = source.execute(f"SELECT {names} FROM {table} WHERE rowid BETWEEN ? AND ?", (low, high)).fetchall()
        except sqlite3.DatabaseError:
            failures += 1
            if low < high:
                middle = (low + high) // 2
                ranges += [(middle + 1, high), (low, middle)]  # the lower half first: rows start at 1
            continue
        target.executemany(insert, rows)
        copied += len(rows)
    return copied


def _sequence_of(source: sqlite3.Connection, table: str) -> int:
    """The highest rowid an AUTOINCREMENT table gave out, when its own pages cannot say (else 1,000,000)."""
    try:
        row = source.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    except sqlite3.DatabaseError:
        row = None
    return int(row[0]) if row and isinstance(row[0], int) else 1_000_000


def _salvage(database: Path) -> tuple[Path, int] | None:
    """Copy every readable row of a damaged database into a new one that takes its place; the damaged
    file's new name and the number of rows copied. None (and nothing changed) when no row is readable."""
    fresh = database.with_name(database.name + ".repair")
    fresh.unlink(missing_ok=True)
    os.close(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))  # private, like the store's own
    copied = 0
    with (
        closing(sqlite3.connect(fresh)) as target,
        closing(sqlite3.connect(read_only_uri(database), uri=True)) as source,
    ):
        target.executescript(SCHEMA)
        for table in _TABLES:
            columns = [row[1] for row in target.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            copied += _copy_readable(source, target, table, names, insert)
        target.commit()
    if copied == 0:
        fresh.unlink()
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = database.with_name(f"{database.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm"):
        side = database.with_name(database.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    database.rename(kept)
    fresh.rename(database)
    return kept, copied
