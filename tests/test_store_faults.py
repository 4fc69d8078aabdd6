"""The store under the faults the attacker review found: a held write lock, a read-only data directory,
rows deleted or written by hand, another office's workbook."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from rbdash.store import StoreError, integrity, sql_store
from rbdash.store.sql_store import SqlStore
from rbdash.store.sqlite import SqliteStore
from tests.conftest import BUNDLED, PASSWORD, ROOT, edit_workbook, quick_password_checks
from tests.store_backends import StoreAt


def _version(note: str, satker: str | None = None) -> bytes:
    def edit(wb: object) -> None:
        wb["Realisasi"].cell(row=4, column=6, value=note)  # type: ignore[index]
        if satker is not None:
            info = wb["Info"]  # type: ignore[index]
            for row in info.iter_rows():
                if row[0].value and str(row[0].value).strip().lower() == "satker":
                    row[1].value = satker

    return edit_workbook(BUNDLED.read_bytes(), edit)


@pytest.fixture
def store(users_store: StoreAt) -> SqlStore:
    """This test's store with its three users, on each backend in turn."""
    return users_store.open(checks=quick_password_checks())


@pytest.fixture
def write_lock(users_store: StoreAt, store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process's write lock on the store, held for the whole test; writers wait 0.2 s for it."""
    monkeypatch.setattr(sql_store, "WRITE_LOCK_WAIT", 0.2)
    monkeypatch.setattr(sql_store, "SIGN_IN_LOCK_WAIT", 0.2)
    with users_store.write_lock_held():
        yield


def test_a_held_write_lock_is_a_clear_refusal_for_every_writer(
    store: SqlStore, users_store: StoreAt, write_lock: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Seen: publish raised an uncaught `sqlite3.OperationalError: database is locked` after 78 s."""
    attempts = {
        "publish": lambda: store.publish(_version("dua"), "edi", "komentar"),
        "add_user": lambda: store.add_user("baru", "viewer", PASSWORD),
        "remove_user": lambda: store.remove_user("vera"),
        "set_role": lambda: store.set_role("vera", "editor"),
        "set_password": lambda: store.set_password("vera", PASSWORD + "-2"),
    }
    if not users_store.is_postgres:  # SQLite has one writer; PostgreSQL writes audit lines beside a publish
        attempts["audit"] = lambda: store.audit("logout", "vera")
    files_before = users_store.files()
    for name, attempt in attempts.items():
        with pytest.raises(StoreError) as refused:
            attempt()
        assert (refused.value.key, refused.value.params["seconds"]) == ("store.busy", "0.2"), name
    # Seen by the second review: the lock's refusal left its transaction open, and the pool said so on the console.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")] == []
    assert users_store.files() == files_before and users_store.leftovers() == []  # seen: a busy publish left its file
    # Viewing and signing in go on: WAL readers do not wait, and a sign-in is not recorded rather than refused.
    assert [v.number for v in store.history()] == [1]
    assert store.authenticate("edi", PASSWORD) == "editor"
    if users_store.is_postgres:  # ... and there, sign-in failures are counted even while a publish holds the lock
        store.audit("logout", "vera")
        for _ in range(5):
            assert store.authenticate("vera", "salah") is None
        with pytest.raises(StoreError) as throttled:
            store.authenticate("vera", PASSWORD)
        assert throttled.value.key == "auth.throttled"


def test_an_office_only_the_audit_log_remembers_is_still_known_and_numbered_on(
    store: SqlStore, users_store: StoreAt
) -> None:
    """Seen: with every version row deleted, a respelled satker restarted the numbers at 1."""
    store.publish(_version("dua"), "edi", "dua")
    users_store.rows("DELETE FROM versions")
    respelled = store.publish(_version("tiga", satker="kpu   provinsi BANTEN"), "edi", "tiga").version
    assert respelled is not None and (respelled.number, respelled.satker) == (3, "KPU Provinsi Banten")
    lebak = store.publish(_version("lain", satker="KPU Kab. Lebak"), "edi", "lain").version
    assert lebak is not None and (lebak.number, lebak.satker) == (1, "KPU Kabupaten Lebak")


def test_a_name_nothing_resembles_says_so_and_shows_invisible_characters(store: SqlStore, users_store: StoreAt) -> None:
    files_before = users_store.files()
    with pytest.raises(StoreError) as none_close:
        store.publish(_version("x", satker="Dinas Pertanian"), "edi", "x")
    assert none_close.value.key == "store.unknown_satker_none_close"
    with pytest.raises(StoreError) as hidden:
        store.publish(_version("x", satker="KPU Provinsi\u200b Banten"), "edi", "x")
    assert hidden.value.params["found"] == "KPU Provinsi\\u200b Banten"
    assert users_store.files() == files_before


def test_a_number_written_by_hand_is_reported_and_never_breaks_publishing(users_store_root: Path) -> None:
    """Seen: a version row numbered 'tiga' made every publish fail with a ValueError. (SQLite only: PostgreSQL's
    column types refuse such a number.)"""
    store = SqliteStore(users_store_root, checks=quick_password_checks())
    store.publish(_version("dua"), "edi", "dua")
    with sqlite3.connect(store.database) as connection:
        connection.execute("UPDATE versions SET number = 'tiga' WHERE number = 2")
    published = store.publish(_version("tiga"), "edi", "tiga").version
    assert published is not None and published.number == 3  # 2 is still in the audit log
    found = [(f.key, f.params.get("number"), f.params.get("real")) for f in integrity.check(store.root)]
    assert found == [("check.number_rederivable", "tiga", 2)]  # and no "row missing": the row is there
    # Seen by the second review: repair wrote a second row for it and made it the current version.
    done = [(f.key, f.params) for f in integrity.repair(store.root)]
    assert done == [("repair.number_restored", {"number": "tiga", "real": 2})]
    assert [v.number for v in store.history()] == [3, 2, 1] and integrity.check(store.root) == []


def test_restore_names_the_office_however_it_is_spelled(store: SqlStore) -> None:
    store.publish(_version("dua"), "edi", "dua")
    restored = store.restore(1, "edi", "kembali", satker="kpu provinsi  banten", year=2022)
    assert (restored.number, restored.restored_from) == (3, 1)


def _printed(command: list[str], data_dir: Path) -> list[str]:
    """The lines `command` (a store script in its own process) printed; it must exit 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RBDASH_DATA_DIR": str(data_dir), "HOME": "/tmp"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


@pytest.fixture
def shared_copy(users_store_root: Path) -> Iterator[Path]:
    """The store copied where another user can read it (not under pytest's private temporary folder)."""
    outer = Path(tempfile.mkdtemp(prefix="rbdash-ro-"))
    try:
        root = outer / "data"
        shutil.copytree(users_store_root, root)
        yield root
    finally:
        for path in [outer, *outer.rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
        shutil.rmtree(outer)


@pytest.mark.slow
def test_a_data_directory_the_server_cannot_write_is_still_served(shared_copy: Path) -> None:
    """Seen: a read-only data directory took every page down (the store chmods, creates and migrates at
    open). Run as an unprivileged user (root ignores permissions) on a folder it may only read."""
    for path in [shared_copy.parent, *shared_copy.parent.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from rbdash.store import StoreError
        from rbdash.store.sqlite import SqliteStore
        store = SqliteStore(Path({str(shared_copy)!r}))
        print("read_only", bool(store.read_only))
        print("history", [v.number for v in store.history()])
        print("file", len(store.read(store.current())) > 0)
        print("signin", store.authenticate("ada", {PASSWORD!r}))
        for attempt in (lambda: store.publish(store.read(store.current()), "edi", "x"),
                        lambda: store.add_user("baru", "viewer", {PASSWORD!r})):
            try:
                attempt()
            except StoreError as exc:
                print("refused", exc.key)
        """
    )
    command = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    assert _printed(command, shared_copy)[:6] == [
        "read_only True",
        "history [1]",
        "file True",
        "signin admin",
        "refused store.read_only",
        "refused store.read_only",
    ]


_FULL_DISK_SCRIPT = """
import os, shutil, subprocess, sys
from pathlib import Path
from rbdash.store import StoreError
from rbdash.store.sqlite import SqliteStore

source, mount, password, upload = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
root = mount / "data"
shutil.copytree(source, root)
data = upload.read_bytes()
filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)  # every byte the disk has left
try:
    while True:
        os.write(filler, bytes(4096))
except OSError:
    os.close(filler)
store = SqliteStore(root)
print("history", [v.number for v in store.history()])
print("signin", store.authenticate("ada", password))
for attempt in (lambda: store.publish(data, "edi", "x"), lambda: store.add_user("baru", "viewer", password + "-2")):
    try:
        attempt()
    except StoreError as exc:
        print("refused", exc.key in ("store.write_failed", "store.read_only", "store.unavailable"))
print("current", store.current().number)
print("leftovers", [p.name for p in (root / "files").rglob("*") if p.is_file() and p.suffix != ".xlsx"])
cli = subprocess.run([sys.executable, "-m", "rbdash", "users", "add", "baru", "--password-stdin"],
                     input=password + "-2\\n", capture_output=True, text=True, check=False)
print("cli", cli.returncode != 0, "Traceback" not in cli.stderr, bool(cli.stderr.strip()))
"""


@pytest.mark.slow
def test_a_full_disk_keeps_viewing_and_refuses_writes_with_a_message(users_store_root: Path, tmp_path: Path) -> None:
    """Seen: a full disk broke viewing and `history`. Run on a 4 MB tmpfs filled to the last byte, mounted
    in a private mount namespace (`unshare -m`, so nothing outside this test sees it)."""
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(_version("penuh"))
    mount = tmp_path / "disk"
    mount.mkdir()
    command = (
        f'mount -t tmpfs -o size=4m tmpfs {mount} && exec "$0" -c "$1" {users_store_root} {mount} {PASSWORD} {upload}'
    )
    namespace = ["unshare", "-m", "--propagation", "private", "sh", "-c", command]
    assert _printed([*namespace, sys.executable, _FULL_DISK_SCRIPT], mount / "data")[:7] == [
        "history [1]",
        "signin admin",
        "refused True",
        "refused True",
        "current 1",
        "leftovers []",
        "cli True True True",
    ]
