"""The one SQL connection both store backends speak: SQLite (`SqliteConnection`) and PostgreSQL (`PgConnection`).

The store's statements are written once, with `?` placeholders and the SQL both engines share; what differs
(the order of versions, how a write transaction is begun and serialised, reading an audit record's office)
is a property of the connection. A write transaction is one writer at a time on both: SQLite's
`BEGIN IMMEDIATE`, PostgreSQL's transaction-scoped advisory lock `WRITE_LOCK`, so numbers are given out in
order and without gaps however many processes publish at once.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import Any, Protocol

from rbdash.store.base import StoreError

#: The advisory lock every PostgreSQL write transaction holds ("RBDASH-W" as an integer).
WRITE_LOCK = 0x524244415348_57


class Cursor(Protocol):
    """What the store reads of a statement's result."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A connection as the store's statements use it: rows read by column name or position."""

    #: The order of versions, newest first: by number (given out in order under the write lock, so the highest
    #: is the newest of its plan whatever the clocks of the servers that published them: seen by the review, a
    #: server two minutes behind made its newer version look older), then by publishing time, then by row. A row
    #: `store repair` writes again keeps its number, so repairing never changes which version is current.
    newest_first: str
    #: A condition true for rows whose `year` is an integer (SQLite keeps whatever a hand edit wrote).
    integer_year: str

    def audit_offices(self) -> set[str]:
        """The offices named by the audit log's well-formed publishes and restores."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def has_table(self, name: str) -> bool:
        """Whether the database has table `name`."""
        ...

    def begin_write(self) -> None: ...

    def commit(self) -> None:
        """End the write transaction, keeping what it wrote."""
        ...

    def begin(self) -> None:
        """A write transaction that need not wait for other writers' (PostgreSQL: without the write lock)."""
        ...

    @property
    def in_transaction(self) -> bool: ...


class SqliteConnection:
    """A `sqlite3` connection (rows as `sqlite3.Row`, autocommit outside explicit transactions)."""

    newest_first = "typeof(number) = 'integer' DESC, number DESC, created_at DESC, id DESC"
    integer_year = "typeof(year) = 'integer'"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def audit_offices(self) -> set[str]:
        # One distinct name per office in SQLite (JSON1), not a JSON parse per publish in Python; a record
        # written by hand that is not a JSON object with a text satker is passed over, as `rows.audit_record` is.
        rows = self.raw.execute(
            "SELECT DISTINCT json_extract(detail, '$.satker') FROM audit WHERE action IN ('publish', 'restore')"
            " AND json_valid(detail) AND json_type(detail, '$.satker') = 'text'"
        )
        return {str(satker) for (satker,) in rows}

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.raw.execute(sql, params)

    def has_table(self, name: str) -> bool:
        return (
            self.raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
            is not None
        )

    def begin_write(self) -> None:
        self.raw.execute("BEGIN IMMEDIATE")

    def begin(self) -> None:
        self.raw.execute("BEGIN IMMEDIATE")  # SQLite has one writer at a time whatever the transaction

    def commit(self) -> None:
        self.raw.execute("COMMIT")  # refused, SQLite has rolled the transaction back: nothing was kept

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction


class PgConnection:
    """A psycopg 3 connection in autocommit mode, its statements' `?` placeholders written as psycopg's `%s`."""

    newest_first = "number DESC, created_at DESC, id DESC"
    integer_year = "TRUE"

    def __init__(
        self, raw: Any, lock_wait: float, guard: Callable[[float], AbstractContextManager[None]] | None = None
    ) -> None:
        """`guard(seconds)`: a watch over one statement that may take `seconds` at most (`postgres.WATCHDOG`)."""
        self.raw = raw
        self.lock_wait = lock_wait
        self.guard = guard or (lambda _seconds: nullcontext())

    def audit_offices(self) -> set[str]:
        # Parsed here, as `rows.audit_record` does: PostgreSQL 15 cannot test text for JSON without failing on
        # a record written by hand (and a comment's "\u0000" is text jsonb refuses).
        rows = self.execute("SELECT DISTINCT detail FROM audit WHERE action IN ('publish', 'restore')")
        offices = set()
        for (detail,) in rows:
            try:
                record = json.loads(detail)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("satker"), str):
                offices.add(record["satker"])
        return offices

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        # PostgreSQL's text cannot hold NUL: written as U+FFFD (a name typed with one then matches no user, as
        # no name may hold a control character; a comment keeps a visible mark where it was).
        kept = tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) and "\x00" in p else p for p in params)
        with self.guard(0.0):
            return self.raw.execute(_psycopg_sql(sql), kept)  # type: ignore[no-any-return]

    def has_table(self, name: str) -> bool:
        return bool(self.raw.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0])

    def begin_write(self) -> None:
        self.begin()
        self.raw.execute(f"SET LOCAL lock_timeout = {max(1, round(self.lock_wait * 1000))}")
        with self.guard(self.lock_wait):  # the wait for the lock comes on top of the statement's own
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    def begin(self) -> None:
        self.raw.execute("BEGIN")

    def commit(self) -> None:
        """COMMIT; when the database gives no answer to it (the connection cut or lost), whether it kept the
        transaction cannot be known here: said so ("store.commit_unknown"), never as a failure (seen by the
        review: a publish reported "not saved" had been saved)."""
        try:
            with self.guard(0.0):
                self.raw.execute("COMMIT")
        except (TimeoutError, OSError) as exc:
            raise StoreError("store.commit_unknown") from exc
        except Exception as exc:
            from psycopg import OperationalError

            if isinstance(exc, OperationalError):
                raise StoreError("store.commit_unknown") from exc
            raise

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)


@functools.lru_cache(maxsize=256)
def _psycopg_sql(sql: str) -> str:
    """`sql` with `?` placeholders as psycopg's `%s` (a literal `%` doubled). The store's statements hold no `?`
    or `%` inside a string literal."""
    return sql.replace("%", "%%").replace("?", "%s")


@contextmanager
def write_transaction(connection: Connection, *, serialised: bool = True) -> Iterator[None]:
    """One write transaction, committed at the end or rolled back on any exception: one writer at a time
    (`Connection.begin_write`), or, not `serialised`, beside the others where the database allows (PostgreSQL:
    sign-in counts and audit lines, which give out no numbers, never wait for a publish).

    The rollback runs only while a transaction is open, and its own failure is dropped: seen by the
    attacker review, a COMMIT refused on a full disk (SQLite ends the transaction itself) was reported
    as "cannot rollback - no transaction is active", hiding the cause.
    """
    try:
        if serialised:  # inside the try: a lock not granted in time leaves no transaction open behind it
            connection.begin_write()
        else:
            connection.begin()
        yield
        connection.commit()
    except BaseException:
        if connection.in_transaction:
            with suppress(Exception):
                connection.execute("ROLLBACK")
        raise
