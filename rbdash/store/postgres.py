"""The store in PostgreSQL (`RBDASH_DATABASE_URL`, or `database_url` in the settings): versions, users, sign-in
failures, the audit log and the published files themselves (`files`, by SHA-256, each kept once), so that
several dashboard servers share one store and no disk.

The behaviour and its promises are `SqlStore`'s, as on SQLite; here are the connections (psycopg 3, a pool per
database and process), the files in the database, and PostgreSQL's errors as the store's messages. Write
transactions hold one transaction-scoped advisory lock (`sql.WRITE_LOCK`): one writer at a time across every
server, as SQLite's `BEGIN IMMEDIATE` is within one, so version numbers stay ordered and gap-free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from rbdash.access.signin import PasswordChecks, utc_now
from rbdash.store import sql_store
from rbdash.store.base import StoreError
from rbdash.store.migrations import migrate
from rbdash.store.pg_schema import MIGRATIONS
from rbdash.store.sql import Connection, PgConnection
from rbdash.store.sql_store import SqlStore, reason_of

_LOG = logging.getLogger(__name__)
#: Connections each server process keeps open at most (Streamlit serves each session on a thread of its own).
POOL_SIZE = 10
#: Seconds to wait for a connection (the database down, or every connection busy) before "store.unavailable".
CONNECT_WAIT = 10.0

_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()


def is_database_url(location: str) -> bool:
    """Whether `location` names a PostgreSQL database rather than a data directory."""
    return location.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """`url` as messages and logs may show it: without its password (and without any other parameter)."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://?"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


class _Row(tuple):  # type: ignore[type-arg]
    """A result row read by position or by column name (as `sqlite3.Row` is)."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> _Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            key = self._names[key]
        return tuple.__getitem__(self, key)


def _rows(cursor: Any) -> Callable[[Sequence[Any]], _Row]:
    names = {column.name: index for index, column in enumerate(cursor.description or ())}
    return lambda values: _Row(values, names)


def _configure(connection: psycopg.Connection[Any]) -> None:
    # jsonb read as its text, as SQLite's TEXT columns are (the store parses JSON itself).
    connection.adapters.register_loader("jsonb", TextLoader)


def _pool(url: str) -> ConnectionPool:
    """The process's pool for `url`, opened on first use."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={"autocommit": True, "row_factory": _rows},
                configure=_configure,
                check=ConnectionPool.check_connection,  # a server restarted meanwhile: a new connection
                timeout=CONNECT_WAIT,
                name="rbdash",
                open=True,
            )
            _POOLS[url] = pool
        return pool


def close_pool(url: str) -> None:
    """Close the process's pool for `url` (tests, and a command that is done)."""
    with _POOLS_LOCK:
        pool = _POOLS.pop(url, None)
    if pool is not None:
        pool.close()


class PgStore(SqlStore):
    """The store in one PostgreSQL database."""

    def __init__(
        self,
        url: str,
        *,
        checks: PasswordChecks | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        """Open the store at `url` (postgresql://user:password@host:port/database) and bring its schema up to
        date (`migrations.migrate`: once, however many servers start together)."""
        super().__init__(checks, clock)
        self.url = url
        self.location = redacted(url)
        with self._connection() as connection:
            self.migrations_applied = migrate(connection, MIGRATIONS)

    def close(self) -> None:
        """Close this process's connections to the database."""
        close_pool(self.url)

    @contextmanager
    def _connection(self, lock_wait: float | None = None) -> Iterator[PgConnection]:
        """A pooled connection for one use. PostgreSQL's errors leave as a `StoreError`: "store.busy" for the
        write lock held longer than `lock_wait` seconds, "store.database_unavailable" otherwise (logged)."""
        lock_wait = sql_store.WRITE_LOCK_WAIT if lock_wait is None else lock_wait
        try:
            with _pool(self.url).connection() as raw:
                yield PgConnection(raw, lock_wait)
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreError("store.busy", seconds=f"{lock_wait:g}") from exc
        except (psycopg.Error, PoolTimeout) as exc:
            _LOG.error("the database %s refused: %s", self.location, exc)
            raise StoreError("store.database_unavailable", path=self.location, reason=reason_of(exc)) from exc

    def _keep_file(self, connection: Connection, data: bytes, sha256: str, step: Callable[[str], None]) -> None:
        """Keep the file in `files`, once per SHA-256 (a stored copy that no longer matches is written again)."""
        connection.execute(
            "INSERT INTO files (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE"
            " SET size = EXCLUDED.size, content = EXCLUDED.content WHERE files.content <> EXCLUDED.content",
            (sha256, len(data), data),
        )
        step("file_written")

    def read_sha256(self, sha256: str, number: int | str = "?") -> bytes:
        """The bytes of a stored file, checked against its SHA-256."""
        with self._connection() as connection:
            row = connection.execute("SELECT content FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError("store.file_missing", number=number, sha256=sha256)
        data = bytes(row[0])
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError("store.file_corrupt", number=number, sha256=sha256)
        return data
