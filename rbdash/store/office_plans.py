"""The store's offices and plans: which offices and office-years it holds, each one's current version,
and the figures kept with them (mixed into `SqlStore`, either backend)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from rbdash.config import settings
from rbdash.offices import known_offices, office_identity
from rbdash.store.base import Version
from rbdash.store.rows import stored_offices, version_of
from rbdash.store.sql import Connection, write_transaction


def _revision(connection: Connection) -> str:
    count, highest = connection.execute("SELECT COUNT(*), MAX(id) FROM versions").fetchone()
    return f"{count}:{highest}"


class OfficePlans:
    """Offices, office-years and their current versions, read in a query or two."""

    #: (store revision and configured offices, (known offices, office-years)) as last read.
    _plans_cache: tuple[tuple[str, tuple[str, ...]], tuple[tuple[str, ...], tuple[tuple[str, int], ...]]] | None = None

    if TYPE_CHECKING:

        def _connection(self, lock_wait: float | None = None) -> AbstractContextManager[Connection]: ...

    def offices(self) -> list[str]:
        """The offices known: the configured ones in their order, then the others the store holds."""
        return list(self._plans_now()[0])

    def plans(self) -> list[tuple[str, int]]:
        """Each office and year that has a version, by office (as `offices` orders them) then year."""
        return list(self._plans_now()[1])

    def _plans_now(self) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        """The known offices and the office-years, read again only when a version row or the `offices` setting
        changed: the sidebar asks for both on every rerun (about 6 ms a rerun with 553 offices, read each time)."""
        configured = settings().offices
        with self._connection() as connection:
            key = (_revision(connection), configured)
            cached = self._plans_cache
            if cached is not None and cached[0] == key:
                return cached[1]
            offices = tuple(known_offices(configured, stored_offices(connection)))
            pairs = {
                (str(row["satker"]), int(row["year"]))
                for row in connection.execute(
                    f"SELECT DISTINCT satker, year FROM versions WHERE {connection.integer_year}"
                )
            }
        order = {name: index for index, name in enumerate(offices)}
        plans = tuple(sorted(pairs, key=lambda pair: (order.get(pair[0], len(order)), pair[0], pair[1])))
        self._plans_cache = (key, (offices, plans))
        return offices, plans

    def current_versions(self) -> list[Version]:
        """The current version of each office and year (as `plans` orders them), in one query."""
        with self._connection() as connection:
            query = (
                "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY satker, year ORDER BY"
                f" {connection.newest_first}) AS newest FROM versions) AS ranked WHERE newest = 1"
            )
            found = [version_of(row) for row in connection.execute(query)]
        found.sort(key=lambda v: (v.created_at, v.number), reverse=True)
        current: dict[tuple[str, int], Version] = {}
        for version in found:  # newest first; a store written before known spellings may hold two of one office
            current.setdefault((office_identity(version.satker), version.year), version)
        order = {name: index for index, name in enumerate(self.offices())}
        return sorted(current.values(), key=lambda v: (order.get(v.satker, len(order)), v.satker, v.year))

    def revision(self) -> str:
        """A text that changes whenever a version row is added or removed (what the roll-up is cached by)."""
        with self._connection() as connection:
            return _revision(connection)

    def update_summary(self, version: Version, summary: dict[str, Any]) -> None:
        """Write a version's summary computed again from its file (what it holds of the file, never the file)."""
        with self._connection() as connection, write_transaction(connection):
            connection.execute(
                "UPDATE versions SET summary = ? WHERE satker = ? AND year = ? AND number = ? AND sha256 = ?",
                (json.dumps(summary), version.satker, version.year, version.number, version.sha256),
            )
