"""The SQLite store's schema, its migrations, and opening a database read-only."""

from __future__ import annotations

import sqlite3
import urllib.parse
from contextlib import closing
from pathlib import Path

from rbdash.config import ROLES, settings
from rbdash.offices import ALL, matching_office

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


#: Columns added since the first release: (table, column, declaration). A store made by an older
#: release gets them at start-up; columns no longer used are left in place.
_ADDED_COLUMNS = (
    ("users", "session_key", "TEXT NOT NULL DEFAULT ''"),
    ("login_failures", "name", "TEXT"),
)


def migrate(connection: sqlite3.Connection) -> None:
    """Bring a store made by an older release up to `SCHEMA` (idempotent)."""
    for table, column, declaration in _ADDED_COLUMNS:
        present = {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    present = {row["name"] for row in connection.execute("PRAGMA table_info(users)")}
    if "scope" not in present:
        _add_scopes(connection)


def _add_scopes(connection: sqlite3.Connection) -> None:
    """Give the users of a store made before scopes the office they could publish for then: a store held one
    office's plan (its versions' office, else the home office); admins every office."""
    offices = {str(satker) for (satker,) in connection.execute("SELECT DISTINCT satker FROM versions")}
    office = settings().home_office
    if len(offices) == 1:
        (held,) = offices
        office = matching_office(held, settings().offices) or held
    connection.execute("ALTER TABLE users ADD COLUMN scope TEXT NOT NULL DEFAULT ''")
    connection.execute("UPDATE users SET scope = CASE WHEN role = 'admin' THEN ? ELSE ? END", (ALL, office))
    connection.execute("CREATE INDEX IF NOT EXISTS login_failures_by_name ON login_failures (name, address, at)")


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
