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
    with postgres_server() as url:
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
        folders = set(Path(tempfile.gettempdir()).glob("rbdash-pg-*"))
        assert folders
    assert not any(path.exists() for path in folders)
    with pytest.raises(psycopg.OperationalError):  # stopped
        psycopg.connect(url, connect_timeout=2)
