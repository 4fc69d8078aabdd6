"""The version store: published workbooks, users, sign-in limits and the audit log.

`base` holds the interface (`VersionStore`), its records and the backend-independent rules;
`files` the content-addressed files; `sqlite` the SQLite backend. Callers open a store with
`open_store` and type it as `VersionStore`, so a second backend changes no caller.
"""

from __future__ import annotations

from pathlib import Path

from rbdash.store.base import PublishResult, StoreError, Version, VersionStore, checked_user_name, office_of_workbook


def open_store(root: Path | None = None) -> VersionStore:
    """The store under `root` (default: the configured data directory)."""
    from rbdash.store.sqlite import SqliteStore

    return SqliteStore(root)


__all__ = [
    "PublishResult",
    "StoreError",
    "Version",
    "VersionStore",
    "checked_user_name",
    "office_of_workbook",
    "open_store",
]
