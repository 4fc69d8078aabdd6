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
import itertools
import logging
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from rbdash.access.signin import PasswordChecks, utc_now
from rbdash.store import sql_store
from rbdash.store.base import StoreError
from rbdash.store.migrations import migrate as apply_migrations
from rbdash.store.pg_schema import MIGRATIONS
from rbdash.store.sql import Connection, PgConnection
from rbdash.store.sql_store import SqlStore, reason_of

_LOG = logging.getLogger(__name__)
#: Connections each server process keeps open at most (Streamlit serves each session on a thread of its own).
POOL_SIZE = 10
#: Seconds to wait for a connection from the pool (every one busy, or the database just gone) before "store.busy"
#: or the outage is said.
CONNECT_WAIT = 5.0
#: Seconds one connection attempt may take (a host that does not answer).
CONNECT_TIMEOUT = 5
#: Seconds one statement may take before its connection is cut (a database that stopped answering: seen by the
#: review, pages waited with no message for as long as it was stopped); the write lock's wait comes on top.
STATEMENT_WAIT = 15.0
#: What each connection asks of the server: statements end after 60 s there too, and a transaction left open by
#: a server process that stopped mid-publish ends after 60 s, freeing the write lock.
SERVER_OPTIONS = "-c statement_timeout=60000 -c idle_in_transaction_session_timeout=60000"

_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
#: The databases whose last connection attempt failed: the next use tries to connect at once (the reason then
#: said, or the pool made anew when the database is back) rather than waiting on the pool.
_DOWN: set[str] = set()


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


def scrubbed(text: str, url: str) -> str:
    """`text` (an error's reason) without the password `url` holds, however it is written."""
    try:
        password = str(psycopg.conninfo.conninfo_to_dict(url).get("password") or "")
    except psycopg.Error:
        password = url.split("@")[0].rsplit(":", 1)[-1]
    for form in {password, urllib.parse.quote(password, safe=""), urllib.parse.unquote(password)}:
        if len(form) >= 4:
            text = text.replace(form, "***")
    return text


class _Watchdog:
    """One thread that cuts the connection of a statement still running at its deadline, so that a database that
    stopped answering (a hung server, a network that drops packets) costs a page STATEMENT_WAIT seconds and a
    message, never a server thread for good: psycopg 3 has no client-side statement timeout."""

    def __init__(self) -> None:
        self._due: dict[int, tuple[float, int]] = {}  # watch -> (deadline, socket)
        self._fired: set[int] = set()
        self._condition = threading.Condition()
        self._count = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake_at = 0.0  # when the thread looks next

    @contextmanager
    def watch(self, socket_fd: int, seconds: float) -> Iterator[None]:
        """Cut `socket_fd` if the block is still running after `seconds`; `TimeoutError` when it was cut."""
        watch = next(self._count)
        deadline = time.monotonic() + seconds
        with self._condition:
            self._due[watch] = (deadline, socket_fd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rbdash-db-watchdog", daemon=True)
                self._thread.start()
            if deadline < self._wake_at:  # woken only when this deadline comes before its next look
                self._condition.notify()
        try:
            yield
        except psycopg.Error as exc:
            with self._condition:
                fired = watch in self._fired
            if fired:
                raise TimeoutError(f"no answer from the database within {seconds:g} s") from exc
            raise
        finally:
            with self._condition:
                self._due.pop(watch, None)
                self._fired.discard(watch)

    def _run(self) -> None:
        while True:
            with self._condition:
                now = time.monotonic()
                for watch, (deadline, socket_fd) in list(self._due.items()):
                    if deadline <= now:
                        del self._due[watch]
                        self._fired.add(watch)
                        _cut(socket_fd)
                self._wake_at = min((deadline for deadline, _fd in self._due.values()), default=now + 60)
                self._condition.wait(timeout=max(self._wake_at - now, 0.01))


def _cut(socket_fd: int) -> None:
    """Shut a connection's socket down (its blocked read then fails at once); the pool then drops it."""
    try:
        duplicate = socket.socket(fileno=os.dup(socket_fd))
    except OSError:
        return
    with duplicate, suppress(OSError):
        duplicate.shutdown(socket.SHUT_RDWR)


WATCHDOG = _Watchdog()


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


def _check(connection: psycopg.Connection[Any]) -> None:
    """The pool's check of a connection it hands out (a server restarted meanwhile: a new one), itself watched."""
    with WATCHDOG.watch(connection.pgconn.socket, CONNECT_TIMEOUT):
        connection.execute("")


def _conninfo(url: str) -> str:
    """`url` with the store's connection settings (timeouts, keepalives, the server options) added."""
    options = psycopg.conninfo.conninfo_to_dict(url).get("options")
    return psycopg.conninfo.make_conninfo(
        url,
        connect_timeout=CONNECT_TIMEOUT,
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
        application_name="rbdash",
        options=f"{options} {SERVER_OPTIONS}" if options else SERVER_OPTIONS,
    )


def _pool(url: str) -> ConnectionPool:
    """The process's pool for `url`, opened on first use."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = ConnectionPool(
                _conninfo(url),
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={"autocommit": True, "row_factory": _rows},
                configure=_configure,
                check=_check,
                timeout=CONNECT_WAIT,
                name="rbdash",
                open=True,
            )
            _POOLS[url] = pool
        return pool


def close_pool(url: str) -> None:
    """Close the process's pool for `url` (tests, a command that is done, a pool made anew)."""
    with _POOLS_LOCK:
        pool = _POOLS.pop(url, None)
    if pool is not None:
        pool.close(timeout=1)


def _connect_now(url: str) -> str | None:
    """Connect once, outside the pool: None when it works, else the reason (its password scrubbed)."""
    try:
        psycopg.connect(_conninfo(url), autocommit=True).close()
    except psycopg.Error as exc:
        return scrubbed(reason_of(exc), url)
    return None


class PgStore(SqlStore):
    """The store in one PostgreSQL database."""

    def __init__(
        self,
        url: str,
        *,
        checks: PasswordChecks | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        migrate: bool = True,
    ) -> None:
        """Open the store at `url` (postgresql://user:password@host:port/database) and, with `migrate`, bring its
        schema up to date (`migrations.migrate`: once, however many servers start together)."""
        super().__init__(checks, clock)
        self.url = url
        self.location = redacted(url)
        self.migrations_applied = []
        if migrate:
            with self._connection() as connection:
                self.migrations_applied = apply_migrations(connection, MIGRATIONS)

    def close(self) -> None:
        """Close this process's connections to the database."""
        close_pool(self.url)

    @contextmanager
    def _connection(self, lock_wait: float | None = None) -> Iterator[PgConnection]:
        """A pooled connection for one use. PostgreSQL's errors leave as a `StoreError`: "store.busy" for the
        write lock held longer than `lock_wait` seconds or every connection in use, "store.database_unavailable"
        otherwise (logged, and said with PostgreSQL's reason, never the password)."""
        lock_wait = sql_store.WRITE_LOCK_WAIT if lock_wait is None else lock_wait
        pool, raw = self._checkout()
        try:
            yield PgConnection(raw, lock_wait, lambda more: WATCHDOG.watch(raw.pgconn.socket, STATEMENT_WAIT + more))
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreError("store.busy", seconds=f"{lock_wait:g}") from exc
        except (psycopg.Error, TimeoutError) as exc:
            raise self._unavailable(exc) from exc
        finally:
            pool.putconn(raw)

    def _checkout(self) -> tuple[ConnectionPool, Any]:
        """A connection from the pool; after a failure, a connection attempt first (so that an outage is said at
        once with its reason, and the pool is made anew as soon as the database answers again)."""
        if self.url in _DOWN:
            reason = _connect_now(self.url)
            if reason is not None:
                raise self._unavailable(reason)
            _DOWN.discard(self.url)
            close_pool(self.url)  # its connections and its retry schedule belong to the outage
        pool = _pool(self.url)
        try:
            return pool, pool.getconn()
        except PoolTimeout as exc:
            stats = pool.get_stats()
            reason = _connect_now(self.url)
            if reason is None and stats.get("pool_size", 0) >= POOL_SIZE:
                raise StoreError("store.busy", seconds=f"{CONNECT_WAIT:g}") from exc
            if reason is None:  # the database answers, the pool does not yet: made anew, asked once more
                close_pool(self.url)
                pool = _pool(self.url)
                try:
                    return pool, pool.getconn()
                except PoolTimeout as again:
                    raise self._unavailable(again) from again
            _DOWN.add(self.url)
            raise self._unavailable(reason) from exc

    def _unavailable(self, cause: BaseException | str) -> StoreError:
        reason = scrubbed(cause if isinstance(cause, str) else reason_of(cause), self.url)
        _LOG.error("the database %s refused: %s", self.location, reason)
        return StoreError("store.database_unavailable", path=self.location, reason=reason)

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
