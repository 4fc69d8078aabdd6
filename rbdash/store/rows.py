"""Rows of the store as the store's types, and the facts derived from them (numbers, offices), on either backend."""

from __future__ import annotations

import json
from typing import Any

from rbdash.model import LoadResult
from rbdash.offices import same_office
from rbdash.store.base import Version, now_text
from rbdash.store.sql import Connection

#: One audit line (`"user"` quoted: a reserved word in PostgreSQL).
AUDIT_INSERT = 'INSERT INTO audit (at, "user", action, detail) VALUES (?, ?, ?, ?)'


def audited_errors(result: LoadResult) -> list[str]:
    """The errors of a refused publish as the audit log keeps them: 'code sheet!cell', at most 20;
    a file whose macros could not be removed safely is the one line 'macro_strip_failed'."""
    if any(p.code == "macro_strip_failed" for p in result.errors):
        return ["macro_strip_failed"]
    return [f"{p.code} {p.sheet or ''}!{p.cell or ''}" for p in result.errors][:20]


def audit_row(connection: Connection, action: str, user: str | None, **detail: Any) -> None:
    connection.execute(
        AUDIT_INSERT,
        (now_text(), user, action, json.dumps(detail, ensure_ascii=False, default=str)),
    )


def version_of(row: Any) -> Version:
    """A version row as a `Version`; a summary that is not a JSON object reads as {} (`store check` reports it,
    `store repair` derives it again from the file), so one damaged row never takes the history down."""
    try:
        summary = json.loads(row["summary"])
    except (TypeError, ValueError):
        summary = None
    return Version(
        row["number"],
        row["satker"],
        row["year"],
        row["created_at"],
        row["user"],
        row["comment"],
        row["sha256"],
        summary if isinstance(summary, dict) else {},
        row["restored_from"],
    )


def newest_version(connection: Connection, satker: str, year: int) -> Version | None:
    """The current version of one office's plan for one year (the satker compared as `same_office` does)."""
    rows = connection.execute(f"SELECT * FROM versions WHERE year = ? ORDER BY {connection.newest_first}", (year,))
    return next((version_of(row) for row in rows if same_office(str(row["satker"]), satker)), None)


def stored_offices(connection: Connection) -> list[str]:
    """Every office the store has published for: in a version row, or (rows deleted by hand) in the audit
    log's publishes and restores."""
    offices = {str(satker) for (satker,) in connection.execute("SELECT DISTINCT satker FROM versions")}
    offices |= connection.audit_offices()
    return sorted(offices)


def audit_record(detail: object) -> dict[str, Any] | None:
    """An audit publish or restore record that is well formed (number, satker, year), else None."""
    try:
        record = json.loads(detail) if isinstance(detail, str) else None
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("number"), int):
        return None
    if not isinstance(record.get("satker"), str) or not isinstance(record.get("year"), int):
        return None
    return record


def next_number(connection: Connection, satker: str, year: int) -> int:
    """One more than any number this satker-year ever had: in a version row, or in the audit log's
    publishes and restores (so a version row deleted by hand never gives its number out again). The
    satker is compared as `same_office` does; a number that is not an integer (written by hand) is skipped."""
    highest = 0
    for row in connection.execute("SELECT satker, number FROM versions WHERE year = ?", (year,)):
        if isinstance(row["number"], int) and same_office(str(row["satker"]), satker):
            highest = max(highest, row["number"])
    for (detail,) in connection.execute("SELECT detail FROM audit WHERE action IN ('publish', 'restore')"):
        record = audit_record(detail)
        if record is not None and record["year"] == year and same_office(record["satker"], satker):
            highest = max(highest, record["number"])
    return highest + 1


def insert_version(connection: Connection, version: Version) -> None:
    """Write one version row (publish, and `store repair` writing a deleted row again)."""
    connection.execute(
        'INSERT INTO versions (satker, year, number, created_at, "user", comment, sha256, summary, restored_from)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            version.satker,
            version.year,
            version.number,
            version.created_at,
            version.user,
            version.comment,
            version.sha256,
            json.dumps(version.summary),
            version.restored_from,
        ),
    )
