"""The throwaway PostgreSQL server the store's PostgreSQL tests run on (#14): it starts on a free port with a
password made at run time, keeps what it is given (text and bytes as stored), and leaves nothing behind."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, require_tool
from tests.postgres_server import BIN_DIR, postgres_server

require_tool(bool(BIN_DIR), "Debian's postgresql (initdb, pg_ctl)")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


def test_a_throwaway_server_keeps_what_it_is_given_and_leaves_nothing_behind() -> None:
    import psycopg

    data = BUNDLED.read_bytes()
    folders: list[Path] = []
    with postgres_server(folders) as url:
        assert re.fullmatch(r"postgresql://rbdash:[\w-]{32}@127\.0\.0\.1:\d+/rbdash", url)
        with psycopg.connect(url) as connection:
            connection.execute("CREATE TABLE files (sha256 TEXT PRIMARY KEY, content BYTEA NOT NULL)")
            connection.execute("INSERT INTO files VALUES (%s, %s)", (hashlib.sha256(data).hexdigest(), data))
            (stored,) = connection.execute("SELECT content FROM files").fetchone() or (b"",)
            assert bytes(stored) == data  # a workbook's bytes, whole
            (name,) = connection.execute("SELECT 'KPU Kota \u00c7ilegon <b>'").fetchone() or ("",)
            assert name == "KPU Kota \u00c7ilegon <b>"
        wrong = url.replace("rbdash:", "rbdash:x", 1)
        with pytest.raises(psycopg.OperationalError):  # a password is needed: nothing is trusted
            psycopg.connect(wrong, connect_timeout=5)
        assert len(folders) == 1 and folders[0].parent == Path(tempfile.gettempdir()) and folders[0].is_dir()
    assert not folders[0].exists()
    with pytest.raises(psycopg.OperationalError):  # stopped
        psycopg.connect(url, connect_timeout=2)


def test_the_postgres_schema_is_applied_once_however_many_servers_start_together() -> None:
    """The store's numbered migrations (rbdash.store.migrations) under the write lock: each applied exactly once by
    four connections starting at the same moment, as four servers starting together would."""
    import threading

    import psycopg

    from rbdash.store.migrations import Migration, migrate
    from rbdash.store.pg_schema import MIGRATIONS
    from rbdash.store.sql import PgConnection

    with postgres_server() as url:
        results: list[list[int]] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def start() -> None:
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    barrier.wait(timeout=30)
                    results.append(migrate(PgConnection(connection, 30), MIGRATIONS))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(results) == [[], [], [], [1]]  # one applied it, three found it done
        with psycopg.connect(url, autocommit=True) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            assert {"files", "versions", "users", "audit", "login_failures", "schema_migrations"} <= tables
            later = Migration(2, "a later change", "ALTER TABLE users ADD COLUMN note TEXT")
            assert migrate(PgConnection(connection, 30), (*MIGRATIONS, later)) == [2]
            assert migrate(PgConnection(connection, 30), (*MIGRATIONS, later)) == []
            broken = Migration(3, "a change that fails half-way", "ALTER TABLE users ADD COLUMN other TEXT; SELECT 1/0")
            with pytest.raises(psycopg.errors.DivisionByZero):
                migrate(PgConnection(connection, 30), (*MIGRATIONS, later, broken))
            columns = {
                row[0]
                for row in connection.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
                )
            }
            assert "note" in columns and "other" not in columns  # the failed step left nothing half-applied
            with pytest.raises(psycopg.errors.CheckViolation):  # a file is named by its SHA-256 only
                connection.execute("INSERT INTO files VALUES ('not-a-sha', 0, '')")
