"""The SQLite store's schema as numbered migrations (`migrations.migrate` applies them), and opening a database
read-only."""

from __future__ import annotations

import sqlite3
import urllib.parse
from contextlib import closing
from pathlib import Path

from rbdash.config import ROLES, settings
from rbdash.offices import ALL, matching_office
from rbdash.store.migrations import Migration
from rbdash.store.sql import Connection

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    satker TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    user TEXT NOT NULL,
    comment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    summary TEXT NOT NULL,
    restored_from INTEGER,
    UNIQUE (satker, year, number)
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ({_ROLE_LIST})),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    session_key TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    address TEXT NOT NULL,
    at REAL NOT NULL,
    name TEXT
);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures (address, at);
"""


#: Columns added before numbered migrations: (table, column, declaration). A store made by an older release gets
#: them from migration 1; columns no longer used are left in place.
_ADDED_COLUMNS = (
    ("users", "session_key", "TEXT NOT NULL DEFAULT ''"),
    ("login_failures", "name", "TEXT"),
)


def _columns(connection: Connection, table: str) -> set[str]:
    return {str(row["name"]) for row in connection.execute(f"PRAGMA table_info({table})")}


def _add_older_columns(connection: Connection) -> None:
    for table, column, declaration in _ADDED_COLUMNS:
        if column not in _columns(connection, table):
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _add_scopes(connection: Connection) -> None:
    """Give the users of a store made before scopes the office they could publish for then: a store held one
    office's plan (its versions' office, else the home office); admins every office."""
    if "scope" in _columns(connection, "users"):
        return
    offices = {str(satker) for (satker,) in connection.execute("SELECT DISTINCT satker FROM versions")}
    office = settings().home_office
    if len(offices) == 1:
        (held,) = offices
        office = matching_office(held, settings().offices) or held
    connection.execute("ALTER TABLE users ADD COLUMN scope TEXT NOT NULL DEFAULT ''")
    connection.execute("UPDATE users SET scope = CASE WHEN role = 'admin' THEN ? ELSE ? END", (ALL, office))


#: The SQLite store's migrations. Stores made before numbered migrations have some or all of these already, so
#: each is written to find what is there: tables made if missing, columns added where missing.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "versions, users, audit log, sign-in failures (and the columns earlier releases added)",
        SCHEMA,
        _add_older_columns,
    ),
    Migration(
        2,
        "each user's scope (a store from before scopes: the office it held), sign-in failures by name",
        "CREATE INDEX IF NOT EXISTS login_failures_by_name ON login_failures (name, address, at)",
        _add_scopes,
    ),
)


def read_only_uri(database: Path) -> str:
    """The URI that opens `database` read-only (the path quoted: a '?' or '#' in it stays the path's)."""
    return f"file:{urllib.parse.quote(str(database))}?mode=ro"


def readable_uri(database: Path) -> str:
    """A URI that opens `database` read-only, or "" when it cannot be read (missing, damaged, no tables).

    In a folder the server cannot write, SQLite cannot make the -shm file a WAL database needs; then the
    file is opened immutable (nothing can change it while the folder stays read-only)."""
    for uri in (read_only_uri(database), read_only_uri(database) + "&immutable=1"):
        try:
            with closing(sqlite3.connect(uri, uri=True)) as connection:
                connection.execute("SELECT COUNT(*) FROM versions").fetchone()
        except sqlite3.Error:
            continue
        return uri
    return ""
