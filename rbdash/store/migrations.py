"""Schema migrations for both store backends: numbered steps, each applied once, in order, recorded in the table
`schema_migrations`; run at start-up by every server and by `python -m rbdash migrate`.

A small numbered-SQL migrator rather than Alembic: each backend's schema is a handful of tables, the SQL is what
an office's database administrator reads, and there is no ORM model for Alembic to compare against. The pending
steps run in one write transaction (`sql.write_transaction`: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory
lock), so servers starting together apply each step exactly once and a failed step leaves the schema as it was.
The migrations themselves are `sqlite_schema.MIGRATIONS` and `pg_schema.MIGRATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rbdash.store.base import now_text
from rbdash.store.sql import Connection, write_transaction


@dataclass(frozen=True)
class Migration:
    """One step: its SQL statements (separated by ';', none inside a literal), then `step`, Python work the SQL
    cannot say (such as adding a column only where an older release's table lacks it)."""

    number: int
    description: str
    sql: str = ""
    step: Callable[[Connection], None] | None = None


_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " number INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def applied(connection: Connection) -> set[int]:
    """The numbers of the migrations a database has (none before its first)."""
    if not connection.has_table("schema_migrations"):
        return set()
    return {int(row[0]) for row in connection.execute("SELECT number FROM schema_migrations")}


def pending(connection: Connection, migrations: Sequence[Migration]) -> list[Migration]:
    """The migrations a database lacks, in order (read only)."""
    done = applied(connection)
    return sorted((m for m in migrations if m.number not in done), key=lambda m: m.number)


def migrate(connection: Connection, migrations: Sequence[Migration]) -> list[int]:
    """Apply the migrations a database lacks, in order, in one write transaction; the numbers applied (none when
    it is up to date: then nothing is written, so an up-to-date store on a read-only disk opens)."""
    if not pending(connection, migrations):
        return []
    with write_transaction(connection):
        connection.execute(_TABLE)
        done = {int(row[0]) for row in connection.execute("SELECT number FROM schema_migrations")}
        numbers = []
        for migration in sorted(migrations, key=lambda m: m.number):
            if migration.number in done:  # another server applied it while this one waited for the lock
                continue
            for statement in migration.sql.split(";"):
                if statement.strip():
                    connection.execute(statement)
            if migration.step is not None:
                migration.step(connection)
            connection.execute(
                "INSERT INTO schema_migrations (number, description, applied_at) VALUES (?, ?, ?)",
                (migration.number, migration.description, now_text()),
            )
            numbers.append(migration.number)
    return numbers


def latest(migrations: Sequence[Migration]) -> int:
    """The schema version the migrations lead to."""
    return max(m.number for m in migrations)
