"""SQLite write transactions, shared by the store and its sign-in counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress


@contextmanager
def immediate(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (`BEGIN IMMEDIATE`), committed at the end or rolled back on any exception.

    The rollback runs only while a transaction is open, and its own failure is dropped: seen by the
    attacker review, a COMMIT refused on a full disk (SQLite ends the transaction itself) was reported
    as "cannot rollback - no transaction is active", hiding the cause.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise
