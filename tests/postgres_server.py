"""A throwaway PostgreSQL server for the store's PostgreSQL tests: Debian's `postgresql` server programs
(`initdb`, `pg_ctl`; `.ci/run` installs them, no service is started), a cluster in a temporary folder, a free
port on 127.0.0.1, a password made at run time (none in the repository), and the folder removed whatever
happens. Run as root (as CI runs), the cluster belongs to the unprivileged `postgres` user, as PostgreSQL
requires."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

#: The newest installed server's programs ("" when none is installed).
BIN_DIR = max(
    (str(Path(path).parent) for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
    key=lambda path: int(Path(path).parent.name) if Path(path).parent.name.isdigit() else 0,
    default="",
)
#: The user the server runs as when the tests run as root.
SERVER_USER = "postgres"


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


@contextmanager
def postgres_server(folders: list[Path] | None = None, *, durable: bool = False) -> Iterator[str]:
    """A running PostgreSQL server for the duration of the block; yields its URL
    ("postgresql://rbdash:<password>@127.0.0.1:<port>/rbdash"). Stopped and deleted on the way out, also when
    the block fails. Its folder is appended to `folders` when given. Writes are not flushed to disk (tests need
    no durability) unless `durable` (the benchmarks, to compare with SQLite's synchronous writes fairly)."""
    folder = Path(tempfile.mkdtemp(prefix="rbdash-pg-"))
    if folders is not None:
        folders.append(folder)
    data, sockets, log = folder / "data", folder / "sockets", folder / "server.log"
    password = secrets.token_urlsafe(24)
    port = free_port()
    started = False
    try:
        sockets.mkdir()
        (folder / "password").write_text(password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(folder, SERVER_USER)
            shutil.chown(sockets, SERVER_USER)
            shutil.chown(folder / "password", SERVER_USER)
        initdb = [
            f"{BIN_DIR}/initdb",
            "--pgdata",
            str(data),
            "--username",
            "rbdash",
            "--pwfile",
            str(folder / "password"),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
        ]
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True, text=True, timeout=120)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1" + ("" if durable else " -c fsync=off")
        start = [f"{BIN_DIR}/pg_ctl", "--pgdata", str(data), "--log", str(log), "-o", options, "--wait", "start"]
        subprocess.run(_as_server_user(start), check=True, capture_output=True, text=True, timeout=120)
        started = True
        url = f"postgresql://rbdash:{password}@127.0.0.1:{port}/postgres"
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE DATABASE rbdash")
        yield f"postgresql://rbdash:{password}@127.0.0.1:{port}/rbdash"
    finally:
        if started:
            stop = [f"{BIN_DIR}/pg_ctl", "--pgdata", str(data), "--mode", "immediate", "--wait", "stop"]
            subprocess.run(_as_server_user(stop), check=False, capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
