"""The two store backends as the store tests meet them: each test gets its own store, seeded (version 1 the bundled
workbook) or with the three `USERS` too, on SQLite (a copy of a data directory) or on PostgreSQL (a database copied
from a template on the worker's throwaway server), and reaches under the store the same way on both: its rows,
its files, its write lock, the environment that points a subprocess at it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rbdash.access.signin import PasswordChecks, utc_now
from rbdash.store.sql import WRITE_LOCK
from rbdash.store.sql_store import SqlStore

#: The backends every store test runs on.
BACKENDS = ("sqlite", "postgresql")


@dataclass
class StoreAt:
    """One test's store location on one backend."""

    backend: str
    location: str  # a data directory, or a database URL

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgresql"

    def open(self, checks: PasswordChecks | None = None, clock: Callable[[], dt.datetime] = utc_now) -> SqlStore:
        """A store object on this location (as a server process opens it)."""
        if self.is_postgres:
            from rbdash.store.postgres import PgStore

            return PgStore(self.location, checks=checks, clock=clock)
        from rbdash.store.sqlite import SqliteStore

        return SqliteStore(Path(self.location), checks=checks, clock=clock)

    def env(self) -> dict[str, str]:
        """The environment variable that points `python -m rbdash` or a server at this store."""
        if self.is_postgres:
            return {"RBDASH_DATABASE_URL": self.location}
        return {"RBDASH_DATA_DIR": self.location}

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (`?` placeholders) under the store, as a person with database access would; its rows."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self.location, autocommit=True) as connection:
                cursor = connection.execute(sql.replace("?", "%s"), params)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        with sqlite3.connect(Path(self.location) / "rbdash.sqlite3") as connection:
            return [tuple(row) for row in connection.execute(sql, params).fetchall()]

    def files(self) -> dict[str, bytes]:
        """Every stored file's bytes by its SHA-256 as stored (on disk, or in the database)."""
        if self.is_postgres:
            return {sha: bytes(content) for sha, content in self.rows("SELECT sha256, content FROM files")}
        root = Path(self.location) / "files"
        return {path.stem: path.read_bytes() for path in sorted(root.rglob("*.xlsx"))}

    def leftovers(self) -> list[str]:
        """What a crashed publish may leave behind (temporary files on SQLite; nothing can on PostgreSQL)."""
        if self.is_postgres:
            return []
        return [str(path) for path in Path(self.location).rglob("*.tmp")]

    def snapshot(self) -> tuple[Any, ...]:
        """Every stored file and every version and user row (the audit log is append-only and left out)."""
        versions = self.rows("SELECT * FROM versions ORDER BY id")
        users = self.rows("SELECT * FROM users ORDER BY name")
        return self.files(), versions, users

    def damage_file(self, sha256: str) -> None:
        """Change a stored file's bytes (as a failing disk or a hand edit would)."""
        if self.is_postgres:
            self.rows("UPDATE files SET content = content || '\\x00'::bytea WHERE sha256 = ?", (sha256,))
            return
        path = Path(self.location) / "files" / sha256[:2] / f"{sha256}.xlsx"
        path.write_bytes(path.read_bytes() + b"\0")

    @contextmanager
    def write_lock_held(self) -> Iterator[None]:
        """Another process's write lock on the store, held for the block."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self.location) as connection:
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                yield
                connection.rollback()
            return
        holder = sqlite3.connect(Path(self.location) / "rbdash.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


class PostgresTemplates:
    """One throwaway PostgreSQL server per test process, with template databases to copy for each test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.base = url.rsplit("/", 1)[0]
        self._made: set[str] = set()
        self._count = 0
        self._lock = threading.Lock()

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(f"{self.base}/postgres", autocommit=True)

    def template(self, name: str, fill: Any) -> str:
        """The template database `name`, made once by `fill(url)`."""
        with self._lock:
            if name not in self._made:
                with self._admin() as admin:
                    admin.execute(f"CREATE DATABASE {name}")
                fill(f"{self.base}/{name}")
                from rbdash.store.postgres import close_pool

                close_pool(f"{self.base}/{name}")  # a template must have no connection when copied
                self._made.add(name)
        return name

    def fresh(self, template: str | None) -> str:
        """A new database for one test (a copy of `template`, or empty); its URL."""
        with self._lock:
            self._count += 1
            name = f"test_{os.getpid()}_{self._count}"
        with self._admin() as admin:
            admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return f"{self.base}/{name}"

    def drop(self, url: str) -> None:
        from rbdash.store.postgres import close_pool

        close_pool(url)
        with self._admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def env_of(store: SqlStore) -> dict[str, str]:
    """The environment variable that points `python -m rbdash` or a server at `store`."""
    url = getattr(store, "url", None)
    if url is not None:
        return {"RBDASH_DATABASE_URL": url}
    return {"RBDASH_DATA_DIR": str(store.root)}  # type: ignore[attr-defined]


def point_at(store: SqlStore | StoreAt, monkeypatch: Any) -> None:
    """The command line and the settings of this process read `store`."""
    for name, value in (store.env() if isinstance(store, StoreAt) else env_of(store)).items():
        monkeypatch.setenv(name, value)
