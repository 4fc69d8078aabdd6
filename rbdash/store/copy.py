"""`store copy`: move a whole store to another backend (SQLite to PostgreSQL, or back) with its history.

Every version row (its number, office, year, time, publisher, comment, summary and what it restored), every
user (with their password hash, session key and scope) and every audit line is copied in its order, and every
file is read back from the source against its SHA-256 before it is written; the target must be empty, and its
rows are written in one transaction, so a copy that fails part-way leaves the target without any of them (on
SQLite, files already written stay unreferenced: `store check` names them). Recent failed sign-ins are not
copied: they expire within minutes anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rbdash.config import usable_database_url
from rbdash.store.base import StoreError
from rbdash.store.rows import AUDIT_INSERT, audit_record
from rbdash.store.sql import write_transaction
from rbdash.store.sql_store import SqlStore

_VERSION_COLUMNS = 'satker, year, number, created_at, "user", comment, sha256, summary, restored_from'
_USER_COLUMNS = "name, role, password_hash, created_at, session_key, scope"
_INSERT_VERSION = f"INSERT INTO versions ({_VERSION_COLUMNS}) VALUES ({', '.join('?' * 9)})"
_INSERT_USER = f"INSERT INTO users ({_USER_COLUMNS}) VALUES ({', '.join('?' * 6)})"


@dataclass(frozen=True)
class Copied:
    """What a copy moved."""

    versions: int
    files: int
    users: int
    audit: int


def store_at(location: str, *, source: bool = False) -> SqlStore:
    """The store a `--from` or `--to` names: postgresql://… (or postgres://…), or sqlite://PATH (sqlite:///srv/rbdash
    is /srv/rbdash), or a data directory's path. A `source` must exist: it is never made (seen by the review: a
    mistyped path was made into an empty store, and "0 versions copied" said success)."""
    from rbdash.store.postgres import PgStore, is_database_url, redacted
    from rbdash.store.sqlite import SqliteStore

    if is_database_url(location):
        if not usable_database_url(location):  # refused as at start-up, never repeated (it holds a password)
            raise StoreError("store.copy_bad_database_url", option="--from" if source else "--to")
        if source:
            store = PgStore(location, migrate=False)
            if store.schema_version() == 0:
                raise StoreError("store.copy_no_source", location=redacted(location))
            return store
        return PgStore(location)
    path = location.removeprefix("sqlite://")
    if not path.strip():
        raise StoreError("store.copy_bad_location", location=location)
    if source and not (Path(path) / "rbdash.sqlite3").is_file():
        raise StoreError("store.copy_no_source", location=path)
    return SqliteStore(Path(path))


def require_content(source: SqlStore) -> None:
    """Refuse a source that holds no version, user or audit line (a mistyped --from, most likely)."""
    with source._connection() as reading:
        held = reading.execute(_HELD).fetchone()[0]
    if not held:
        raise StoreError("store.copy_source_empty", source=source.location)


_HELD = "SELECT (SELECT COUNT(*) FROM versions) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit)"


def copy_store(source: SqlStore, target: SqlStore) -> Copied:
    """Copy everything `source` holds into the empty `target` (see the module's description)."""
    if target.read_only is not None:
        raise StoreError("store.read_only", reason=target.read_only)
    with source._connection() as reading:
        versions = reading.execute(f"SELECT {_VERSION_COLUMNS} FROM versions ORDER BY id").fetchall()
        users = reading.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY name").fetchall()
        audit = reading.execute('SELECT at, "user", action, detail FROM audit ORDER BY id').fetchall()
    if not versions and not users and not audit:
        raise StoreError("store.copy_source_empty", source=source.location)
    for row in versions:  # what PostgreSQL's column types refuse, named before anything is written
        if not isinstance(row[1], int) or not isinstance(row[2], int):
            raise StoreError("store.copy_needs_repair", number=row[2], satker=row[0], year=row[1])
    wanted = list(dict.fromkeys(str(row[6]) for row in versions))
    logged = [record.get("sha256") for record in (audit_record(row[3]) for row in audit) if record is not None]
    with target._connection() as writing, write_transaction(writing):
        held = writing.execute(_HELD).fetchone()[0]
        if held:
            raise StoreError("store.copy_target_not_empty", target=target.location, rows=held)
        files = 0
        for sha256 in wanted:  # one file in memory at a time, checked against its SHA-256 as it is read
            number = next(row[2] for row in versions if row[6] == sha256)
            target._keep_file(writing, source.read_sha256(sha256, number), sha256, lambda _step: None)
            files += 1
        for sha256 in dict.fromkeys(str(s) for s in logged if isinstance(s, str) and s not in wanted):
            try:  # a deleted row's file, kept so `store repair` can write the row again from the audit log
                data = source.read_sha256(sha256)
            except StoreError:
                continue
            target._keep_file(writing, data, sha256, lambda _step: None)
            files += 1
        for row in versions:
            writing.execute(_INSERT_VERSION, tuple(row))
        for row in users:
            writing.execute(_INSERT_USER, tuple(row))
        for row in audit:
            writing.execute(AUDIT_INSERT, tuple(row))
    return Copied(len(versions), files, len(users), len(audit))
