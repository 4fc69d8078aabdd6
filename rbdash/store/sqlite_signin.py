"""Sign-in limits kept in SQLite: failures per account (a lock) and per client address (a window).

The counts live in the store, not in a process, so server processes sharing one store agree.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from rbdash.access.signin import WIB
from rbdash.config import Limits
from rbdash.store.base import LOCKOUT_SECONDS, MAX_FAILED_LOGINS, StoreError, now_text


def refusal(
    connection: sqlite3.Connection, name: str, key: str | None, now: dt.datetime, limits: Limits
) -> StoreError | None:
    """Why the address (`key`) or the account may not try now, as the error to raise; None when it may."""
    until = address_blocked_until(connection, key, now, limits)
    if until is not None:
        return StoreError("auth.throttled", until=until.astimezone(WIB))
    locked = connection.execute("SELECT locked_until FROM users WHERE name = ?", (name,)).fetchone()
    if locked is not None and locked["locked_until"] and dt.datetime.fromisoformat(locked["locked_until"]) > now:
        return StoreError("store.locked", until=dt.datetime.fromisoformat(locked["locked_until"]).astimezone(WIB))
    return None


def address_blocked_until(
    connection: sqlite3.Connection, key: str | None, now: dt.datetime, limits: Limits
) -> dt.datetime | None:
    """When the address may try again: the limit-th newest failure in the window leaves it; None if now."""
    if key is None:
        return None
    window = dt.timedelta(minutes=limits.login_failure_window_minutes)
    row = connection.execute(
        "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        (key, (now - window).timestamp(), limits.login_failures_per_address - 1),
    ).fetchone()
    return dt.datetime.fromtimestamp(row["at"], dt.UTC) + window if row else None


def record(
    connection: sqlite3.Connection, name: str, key: str | None, ok: bool, now: dt.datetime, limits: Limits
) -> None:
    """Count the outcome per account and per address and audit it, in one transaction.

    The same statements run whether or not the name exists, so the write costs the same too.
    """
    locked_until = (now + dt.timedelta(seconds=LOCKOUT_SECONDS)).isoformat()
    cutoff = (now - dt.timedelta(minutes=limits.login_failure_window_minutes)).timestamp()
    connection.execute("BEGIN IMMEDIATE")
    try:
        if ok:
            connection.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,))
        else:
            connection.execute("UPDATE users SET failed_logins = failed_logins + 1 WHERE name = ?", (name,))
            connection.execute(
                "UPDATE users SET failed_logins = 0, locked_until = ? WHERE name = ? AND failed_logins >= ?",
                (locked_until, name, MAX_FAILED_LOGINS),
            )
            connection.execute("DELETE FROM login_failures WHERE at <= ?", (cutoff,))
            if key is not None:
                connection.execute("INSERT INTO login_failures (address, at) VALUES (?, ?)", (key, now.timestamp()))
        connection.execute(
            "INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)",
            (now_text(), name, "login" if ok else "login_failed", json.dumps({"address": key})),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
