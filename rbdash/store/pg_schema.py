"""The PostgreSQL store's schema (#14, in progress: no store reads it yet), as numbered migrations.

Each migration is a number, a description and its SQL, applied once, in order, in one transaction that holds a
transaction-scoped advisory lock, so that servers starting together apply each exactly once; the table
`schema_migrations` records what was applied. A numbered list of plain SQL rather than Alembic: the schema is
a handful of tables, the SQL is what an office's database administrator reads, and there is no ORM model for
Alembic to compare against. The workbook files live in the database too (`files`, by SHA-256), so servers
share no disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbdash.config import ROLES

#: The advisory lock key migrations hold ("RBDASH-M" as an integer).
MIGRATION_LOCK = 0x524244415348_4D


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    sql: str


_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "versions, their files, users, audit log, sign-in failures",
        f"""
        CREATE TABLE files (
            sha256 TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
            size BIGINT NOT NULL CHECK (size >= 0),
            content BYTEA NOT NULL
        );
        CREATE TABLE versions (
            id BIGSERIAL PRIMARY KEY,
            satker TEXT NOT NULL,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            "user" TEXT NOT NULL,
            comment TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES files (sha256),
            summary TEXT NOT NULL,
            restored_from INTEGER,
            UNIQUE (satker, year, number)
        );
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ({_ROLE_LIST})),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            session_key TEXT NOT NULL DEFAULT '',
            scope TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE audit (
            id BIGSERIAL PRIMARY KEY,
            at TEXT NOT NULL,
            "user" TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE TABLE login_failures (
            address TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            name TEXT
        );
        CREATE INDEX login_failures_by_address ON login_failures (address, at);
        CREATE INDEX login_failures_by_name ON login_failures (name, address, at);
        CREATE INDEX versions_by_plan ON versions (satker, year, created_at DESC, number DESC, id DESC);
        """,
    ),
)


def migrate(connection: Any, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply the migrations a database lacks, in order, in one transaction under `MIGRATION_LOCK`; the numbers
    applied (none when it is up to date). `connection`: a psycopg connection not in a transaction."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, description TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in connection.execute("SELECT number FROM schema_migrations")}
        applied = []
        for migration in sorted(migrations, key=lambda m: m.number):
            if migration.number in done:
                continue
            connection.execute(migration.sql)
            connection.execute(
                "INSERT INTO schema_migrations (number, description) VALUES (%s, %s)",
                (migration.number, migration.description),
            )
            applied.append(migration.number)
    return applied
