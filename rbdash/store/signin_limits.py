"""Sign-in limits kept in the store: failures per client address, and per user name from one address.

Nothing here locks an account for everyone: a client that fails too often for one name is refused
for that name only, and an address that fails too often for any names is refused altogether, each
until the oldest counted failure leaves the window. A missing name is counted exactly like an
existing one, and both refusals read the same, so neither tells whether a name exists. The counts
live in the store, so server processes sharing one store agree.
"""

from __future__ import annotations

import datetime as dt
import json

from rbdash.access.signin import WIB
from rbdash.config import Limits
from rbdash.store.base import StoreError, now_text
from rbdash.store.rows import AUDIT_INSERT
from rbdash.store.sql import Connection

#: The address recorded for a client whose address is loopback or unknown (`address_key` None):
#: such clients share one count per name, and are never refused by address.
UNKNOWN_ADDRESS = ""


def refusal(connection: Connection, name: str, key: str | None, now: dt.datetime, limits: Limits) -> StoreError | None:
    """The error to raise when this client (`key`) may not try now, for any name or for `name`; None when it may."""
    window = dt.timedelta(minutes=limits.login_failure_window_minutes)
    since = (now - window).timestamp()
    blocked: list[float] = []
    if key is not None:
        row = connection.execute(
            "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
            (key, since, limits.login_failures_per_address - 1),
        ).fetchone()
        if row:
            blocked.append(row["at"])
    row = connection.execute(
        "SELECT at FROM login_failures WHERE name = ? AND address = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        (name, key if key is not None else UNKNOWN_ADDRESS, since, limits.login_failures_per_account - 1),
    ).fetchone()
    if row:
        blocked.append(row["at"])
    if not blocked:
        return None
    until = dt.datetime.fromtimestamp(max(blocked), dt.UTC) + window
    return StoreError("auth.throttled", until=until.astimezone(WIB))


def record(connection: Connection, name: str, key: str | None, ok: bool, now: dt.datetime, limits: Limits) -> None:
    """Count a failure for this client and name (old failures dropped) and audit the outcome, within the caller's
    write transaction.

    The same statements run whether or not the name exists, so the write costs the same too.
    """
    cutoff = (now - dt.timedelta(minutes=limits.login_failure_window_minutes)).timestamp()
    if not ok:
        connection.execute("DELETE FROM login_failures WHERE at <= ?", (cutoff,))
        connection.execute(
            "INSERT INTO login_failures (address, at, name) VALUES (?, ?, ?)",
            (key if key is not None else UNKNOWN_ADDRESS, now.timestamp(), name),
        )
    connection.execute(
        AUDIT_INSERT,
        (now_text(), name, "login" if ok else "login_failed", json.dumps({"address": key})),
    )
