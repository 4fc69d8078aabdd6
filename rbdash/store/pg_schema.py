"""The PostgreSQL store's schema, as numbered migrations (`migrations.migrate` applies them).

The workbook files live in the database too (`files`, by SHA-256, each kept once), so servers share no disk.
"""

from __future__ import annotations

from rbdash.config import ROLES
from rbdash.store.migrations import Migration

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
        CREATE INDEX versions_by_plan ON versions (satker, year, number DESC, created_at DESC, id DESC);
        """,
    ),
)
