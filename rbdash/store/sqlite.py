"""The embedded store: SQLite and files in one data directory (the default; `postgres` keeps the same in
PostgreSQL).

Layout of the data directory ($RBDASH_DATA_DIR, default `var/` under the project):

* `rbdash.sqlite3` (WAL): versions, users, audit, recent failed sign-ins per client address;
* `files/<first two hex>/<sha256>.xlsx`: each published file, stored once by its SHA-256.

A published file is written to a temporary name, flushed and renamed into place inside the publish's
transaction (`BEGIN IMMEDIATE`), before its version row; a crash before the commit leaves the previous version
current (at worst an unreferenced file remains, reported by `store check`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rbdash.access.signin import PasswordChecks, utc_now
from rbdash.config import settings
from rbdash.store import sql_store
from rbdash.store.base import StoreError
from rbdash.store.files import FILE_MODE, FileStore, private_folder
from rbdash.store.migrations import migrate
from rbdash.store.sql import Connection, SqliteConnection
from rbdash.store.sql_store import SqlStore, reason_of
from rbdash.store.sqlite_schema import MIGRATIONS, readable_uri

_LOG = logging.getLogger(__name__)


class SqliteStore(SqlStore):
    """The SQLite + files store under one data directory."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        checks: PasswordChecks | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        """`checks` defaults to the process-wide argon2 bound; `clock` (aware UTC) times sign-in limits."""
        super().__init__(checks, clock)
        self.root = Path(root) if root is not None else settings().data_dir
        self.location = str(self.root)
        self.database = self.root / "rbdash.sqlite3"
        self.files = FileStore(self.root / "files")
        #: Why the store can only be read (a read-only disk or folder), or None when it can be written.
        self.read_only: str | None = None
        self._read_uri = ""
        try:
            private_folder(self.root)
            private_folder(self.files.root)
            if not self.database.exists():  # created private: SQLite gives its -wal and -shm files the same mode
                os.close(os.open(self.database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
            with self._connection() as connection:
                self.migrations_applied = migrate(connection, MIGRATIONS)
            self.files.sweep()
        except (OSError, sqlite3.Error, StoreError) as exc:
            reason = exc.params.get("reason", "") if isinstance(exc, StoreError) else reason_of(exc)
            if isinstance(exc, StoreError) and exc.key != "store.unavailable":
                raise
            # Viewing needs only to read: a folder or disk the server cannot write is served read-only.
            self._read_uri = readable_uri(self.database)
            if not self._read_uri:
                raise StoreError("store.unavailable", path=str(self.root), reason=reason) from exc
            self.read_only = reason
            _LOG.warning("data directory %s cannot be written (%s): serving it read-only", self.root, reason)

    @contextmanager
    def _connection(self, lock_wait: float | None = None) -> Iterator[SqliteConnection]:
        """A connection, closed after use. SQLite's errors leave as a `StoreError`: "store.busy" for a write
        lock held longer than `lock_wait` seconds, "store.damaged" for a damaged database file (logged:
        the server log names the cause), "store.unavailable" for the disk or the file refusing."""
        lock_wait = sql_store.WRITE_LOCK_WAIT if lock_wait is None else lock_wait
        try:
            connection = self._connect(lock_wait)
            try:
                yield SqliteConnection(connection)
            finally:
                connection.close()
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise StoreError("store.busy", seconds=f"{lock_wait:g}") from exc
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                _LOG.error("the database %s is damaged (%s): run `python -m rbdash store check`", self.database, exc)
                raise StoreError("store.damaged", path=str(self.root), reason=reason_of(exc)) from exc
            if self.read_only is not None and name.startswith("SQLITE_READONLY"):
                raise StoreError("store.read_only", reason=self.read_only) from exc
            raise StoreError("store.unavailable", path=str(self.root), reason=reason_of(exc)) from exc

    def _connect(self, lock_wait: float) -> sqlite3.Connection:
        if self._read_uri:
            connection = sqlite3.connect(self._read_uri, uri=True, timeout=lock_wait, isolation_level=None)
        else:
            connection = sqlite3.connect(self.database, timeout=lock_wait, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
        connection.row_factory = sqlite3.Row
        return connection

    def _keep_file(self, connection: Connection, data: bytes, sha256: str, step: Callable[[str], None]) -> None:
        """Write the file beside the database (flushed and renamed into place) before the version row."""
        self.files.write(data, sha256, step)

    def read_sha256(self, sha256: str, number: int | str = "?") -> bytes:
        """The bytes of a stored file, checked against its SHA-256."""
        return self.files.read(sha256, number)
