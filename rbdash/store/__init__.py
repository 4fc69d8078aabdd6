"""The version store: published workbooks, users, sign-in limits and the audit log.

`base` holds the interface (`VersionStore`), its records and the backend-independent rules;
`sql_store` the behaviour both backends share over `sql`'s connections; `sqlite` the embedded backend (SQLite
and `files` in a data directory), `postgres` the PostgreSQL one (files in the database too). Callers open a
store with `open_store` and type it as `VersionStore`, and never name the backend.
"""

from __future__ import annotations

from pathlib import Path

from rbdash.store.base import PublishResult, StoreError, Version, VersionStore, checked_user_name, office_of_workbook


def open_store(location: Path | str | None = None) -> VersionStore:
    """The store at `location`: a PostgreSQL URL (`postgres.PgStore`) or a data directory (`sqlite.SqliteStore`);
    default: the configured one (`Settings.store_location`)."""
    from rbdash.config import settings
    from rbdash.store.sqlite import SqliteStore

    where = str(location) if location is not None else settings().store_location
    if where.startswith(("postgresql://", "postgres://")):
        from rbdash.store.postgres import PgStore

        return PgStore(where)
    return SqliteStore(Path(where))


__all__ = [
    "PublishResult",
    "StoreError",
    "Version",
    "VersionStore",
    "checked_user_name",
    "office_of_workbook",
    "open_store",
]
