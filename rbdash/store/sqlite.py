"""The version store: every published workbook, who published it and why, users and the audit log.

Layout of the data directory ($RBDASH_DATA_DIR, default `var/` under the project):

* `rbdash.sqlite3` (WAL): versions, users, audit, recent failed sign-ins per client address;
* `files/<first two hex>/<sha256>.xlsx`: each published file, stored once by its SHA-256.

Publishing is crash-safe: the file is written to a temporary name, flushed and renamed into
place before a single SQLite transaction adds the version row; a crash before the commit leaves
the previous version current (at worst an unreferenced file remains). Concurrent publishers are
serialised by SQLite (`BEGIN IMMEDIATE`), so each gets the next number. A rejected workbook adds
no version and no file; only its rejection is written to the append-only audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from rbdash.access.signin import ChecksBusy, PasswordChecks, address_key, shared_checks, utc_now
from rbdash.config import ROLES, Limits, settings
from rbdash.model import LoadResult
from rbdash.offices import office_key
from rbdash.store import sqlite_signin as signin
from rbdash.store.base import (
    Admission,
    PublishResult,
    StoreError,
    Version,
    admit_for_publish,
    checked_password,
    checked_role,
    checked_user_name,
    now_text,
    office_refusal,
)
from rbdash.store.files import FILE_MODE, FileStore, private_folder
from rbdash.store.sqlite_tx import immediate

_LOG = logging.getLogger(__name__)
#: Seconds a sign-in waits for the store's write lock (a publish holds it for a moment) before going on.
SIGN_IN_LOCK_WAIT = 2.0
#: Seconds any other writer (publish, user changes, audit) waits for the write lock before "store.busy".
WRITE_LOCK_WAIT = 30.0

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    satker TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    user TEXT NOT NULL,
    comment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    summary TEXT NOT NULL,
    restored_from INTEGER,
    UNIQUE (satker, year, number)
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ({_ROLE_LIST})),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    session_key TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    address TEXT NOT NULL,
    at REAL NOT NULL,
    name TEXT
);
CREATE INDEX IF NOT EXISTS login_failures_by_address ON login_failures (address, at);
"""


class SqliteStore:
    """The SQLite + files store under one data directory."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        checks: PasswordChecks | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        """`checks` defaults to the process-wide argon2 bound; `clock` (aware UTC) times sign-in limits."""
        self.root = Path(root) if root is not None else settings().data_dir
        self.database = self.root / "rbdash.sqlite3"
        self.files = FileStore(self.root / "files")
        self._checks = checks if checks is not None else shared_checks()
        self._clock = clock
        #: Why the store can only be read (a read-only disk or folder), or None when it can be written.
        self.read_only: str | None = None
        self._read_uri = ""
        try:
            private_folder(self.root)
            private_folder(self.files.root)
            if not self.database.exists():  # created private: SQLite gives its -wal and -shm files the same mode
                os.close(os.open(self.database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
            with self._connection() as connection:
                connection.executescript(SCHEMA)
                _migrate(connection)
            self.files.sweep()
        except (OSError, sqlite3.Error, StoreError) as exc:
            reason = exc.params.get("reason", "") if isinstance(exc, StoreError) else _reason(exc)
            if isinstance(exc, StoreError) and exc.key != "store.unavailable":
                raise
            # Viewing needs only to read: a folder or disk the server cannot write is served read-only.
            self._read_uri = _readable_uri(self.database)
            if not self._read_uri:
                raise StoreError("store.unavailable", path=str(self.root), reason=reason) from exc
            self.read_only = reason
            _LOG.warning("data directory %s cannot be written (%s): serving it read-only", self.root, reason)

    # -- plumbing --------------------------------------------------------------------------------

    @contextmanager
    def _connection(self, lock_wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """A connection, closed after use. SQLite's errors leave as a `StoreError`: "store.busy" for a write
        lock held longer than `lock_wait` seconds, "store.damaged" for a damaged database file (logged:
        the server log names the cause), "store.unavailable" for the disk or the file refusing."""
        lock_wait = WRITE_LOCK_WAIT if lock_wait is None else lock_wait
        try:
            connection = self._connect(lock_wait)
            try:
                yield connection
            finally:
                connection.close()
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise StoreError("store.busy", seconds=f"{lock_wait:g}") from exc
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                _LOG.error("the database %s is damaged (%s): run `python -m rbdash store check`", self.database, exc)
                raise StoreError("store.damaged", path=str(self.root), reason=_reason(exc)) from exc
            if self.read_only is not None and name.startswith("SQLITE_READONLY"):
                raise StoreError("store.read_only", reason=self.read_only) from exc
            raise StoreError("store.unavailable", path=str(self.root), reason=_reason(exc)) from exc

    def _connect(self, lock_wait: float) -> sqlite3.Connection:
        if self._read_uri:
            connection = sqlite3.connect(self._read_uri, uri=True, timeout=lock_wait, isolation_level=None)
        else:
            connection = sqlite3.connect(self.database, timeout=lock_wait, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
        connection.row_factory = sqlite3.Row
        return connection

    def audit(self, action: str, user: str | None, **detail: Any) -> None:
        """Append one line to the audit log."""
        with self._connection() as connection:
            _audit_row(connection, action, user, **detail)

    # -- versions ------------------------------------------------------------------------------

    def publish(
        self,
        data: bytes,
        user: str,
        comment: str,
        *,
        restored_from: int | None = None,
        hook: Callable[[str], None] | None = None,
        trusted: bool = False,
        expected_current: int | None = None,
    ) -> PublishResult:
        """Validate `data` and, when it has no errors, make it the new current version.

        With `expected_current` (the version number the publisher previewed against, 0 for none), the
        publish is refused ("store.changed_since_preview") when another version came first.

        The data is validated in the bounded worker process (`worker.load_untrusted`) unless `trusted`
        (a stored version being restored, or the bundled workbook). `hook(step)` is called between the
        steps (tests inject failures there).
        """
        step = hook or (lambda _step: None)
        if self.read_only is not None:
            raise StoreError("store.read_only", reason=self.read_only)
        admitted = admit_for_publish(data, user, comment, trusted=trusted)
        if not isinstance(admitted, Admission):
            self.audit(
                "upload_rejected",
                user,
                sha256=admitted.sha256,
                errors=_audited_errors(admitted),
            )
            return PublishResult(None, admitted)
        step("validated")
        stored, validation, summary = admitted.stored, admitted.validation, admitted.summary
        sha256 = hashlib.sha256(stored).hexdigest()
        assert validation.plan is not None, "a valid result has a plan"
        info = validation.plan.info
        try:
            # Another satker or year is refused before its file is written (no orphan file), and again
            # inside the transaction, where it counts.
            with self._connection() as connection:
                refusal = office_refusal(info, _office(connection))
            if refusal is not None:
                raise refusal
            self.files.write(stored, sha256, step)
            with self._connection() as connection, immediate(connection):
                current = _newest(connection)
                office = _office(connection)
                refusal = office_refusal(info, office)
                if refusal is not None:
                    raise refusal
                satker = office[0] if office is not None else info["satker"]  # one spelling per store
                number = _next_number(connection, satker, info["year"])
                newest = current.number if current is not None else 0
                if expected_current is not None and newest != expected_current:
                    raise StoreError("store.changed_since_preview", number=newest, previewed=expected_current)
                step("numbered")
                created = now_text()
                connection.execute(
                    "INSERT INTO versions (satker, year, number, created_at, user, comment, sha256, summary,"
                    " restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        satker,
                        info["year"],
                        number,
                        created,
                        user,
                        comment,
                        sha256,
                        json.dumps(summary),
                        restored_from,
                    ),
                )
                step("inserted")
                connection.execute(
                    "INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)",
                    (
                        created,
                        user,
                        "restore" if restored_from else "publish",
                        json.dumps(
                            {
                                "number": number,
                                "satker": satker,
                                "year": info["year"],
                                "sha256": sha256,
                                "comment": comment,
                                "restored_from": restored_from,
                            }
                        ),
                    ),
                )
                step("audited")
        except OSError as exc:
            raise StoreError("store.write_failed", path=str(self.root), reason=_reason(exc)) from exc
        except StoreError as exc:
            if exc.key != "store.unavailable":
                raise
            raise StoreError("store.write_failed", path=str(self.root), reason=exc.params["reason"]) from exc
        step("committed")
        version = Version(number, satker, info["year"], created, user, comment, sha256, summary, restored_from)
        return PublishResult(version, validation)

    def history(self, satker: str | None = None, year: int | None = None) -> list[Version]:
        """Versions, newest first (of one office and year when given; the satker compared as `office_key` does)."""
        query, args = "SELECT * FROM versions", []
        if year is not None:
            query, args = query + " WHERE year = ?", [year]
        with self._connection() as connection:
            versions = [_version(row) for row in connection.execute(query + " ORDER BY id DESC", args)]
        if satker is not None:
            versions = [v for v in versions if office_key(str(v.satker)) == office_key(satker)]
        return versions

    def current(self, satker: str | None = None, year: int | None = None) -> Version | None:
        versions = self.history(satker, year)
        return versions[0] if versions else None

    def office(self) -> tuple[str, int] | None:
        """The satker and year this store keeps (None before the first publish)."""
        with self._connection() as connection:
            return _office(connection)

    def version(self, number: int, satker: str | None = None, year: int | None = None) -> Version:
        """Version `number` (of `satker` and `year` when given); refused when several satker-years have one."""
        found = [version for version in self.history(satker, year) if version.number == number]
        if not found:
            raise StoreError("store.no_such_version", number=number)
        if len(found) > 1:  # only in a store written before one satker-year per store was enforced
            choices = "; ".join(f"{v.satker} {v.year}" for v in found)
            raise StoreError("store.ambiguous_version", number=number, choices=choices)
        return found[0]

    def read(self, version: Version) -> bytes:
        """The bytes of a version's file, checked against its SHA-256."""
        return self.read_sha256(version.sha256, version.number)

    def read_sha256(self, sha256: str, number: int | str = "?") -> bytes:
        """The bytes of a stored file, checked against its SHA-256."""
        return self.files.read(sha256, number)

    def restore(
        self, number: int, user: str, comment: str, satker: str | None = None, year: int | None = None
    ) -> Version:
        """Publish an old version again as a new version (nothing is overwritten)."""
        old = self.version(number, satker, year)
        result = self.publish(self.read(old), user, comment, restored_from=number, trusted=True)
        assert result.version is not None, "a stored version is valid"
        return result.version

    def seed(self, bundled: Path, comment: str) -> Version | None:
        """On first start, make the bundled workbook version 1 (once, however many processes start at once).

        A store that ever had a version (its rows deleted since, say) is never seeded again: the example
        data must not quietly replace an office's own (`store check` reports the missing rows)."""
        with self._connection() as connection:
            used = connection.execute(
                "SELECT EXISTS (SELECT 1 FROM versions) OR EXISTS (SELECT 1 FROM audit WHERE action IN"
                " ('publish', 'restore'))"
            ).fetchone()[0]
        if used:
            return None
        try:
            return self.publish(bundled.read_bytes(), "system", comment, trusted=True, expected_current=0).version
        except StoreError as exc:
            if exc.key == "store.changed_since_preview":  # another process seeded it first
                return None
            raise

    # -- users ---------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, actor: str | None = None) -> None:
        """Add a user (`actor`: the admin who did it, for the audit log; None from the command line)."""
        name = checked_user_name(name)
        checked_role(role)
        checked_password(password, name)
        password_hash = self._hash(password)
        # The check and the insert in one step, for two admins at once.
        with self._connection() as connection, immediate(connection):
            # "ED" beside "ed" would be two accounts a person cannot tell apart: names are unique
            # whatever their case (Unicode case folding).
            for (existing,) in connection.execute("SELECT name FROM users"):
                if existing.casefold() == name.casefold():
                    raise StoreError("store.user_exists", name=existing)
            connection.execute(
                "INSERT INTO users (name, role, password_hash, created_at, session_key) VALUES (?, ?, ?, ?, ?)",
                (name, role, password_hash, now_text(), secrets.token_urlsafe(16)),
            )
        self.audit("user_added", actor, name=name, role=role)

    def remove_user(self, name: str, actor: str | None = None) -> None:
        """Remove a user; the last admin is never removed (nobody could manage users after)."""
        # The check and the removal in one step, for two admins at once.
        with self._connection() as connection, immediate(connection):
            row = connection.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError("store.no_such_user", name=name)
            admins = connection.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]
            if row["role"] == "admin" and admins == 1:
                raise StoreError("store.last_admin", name=name)
            connection.execute("DELETE FROM users WHERE name = ?", (name,))
        self.audit("user_removed", actor, name=name)

    def set_role(self, name: str, role: str, actor: str | None = None) -> str:
        """Give a user another role (their open sessions follow on their next rerun); the previous role.

        The last admin is never demoted (nobody could manage users after)."""
        checked_role(role)
        # The check and the change in one step, for two admins at once.
        with self._connection() as connection, immediate(connection):
            row = connection.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError("store.no_such_user", name=name)
            admins = connection.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]
            if row["role"] == role:  # nothing changes, nothing is audited
                return role
            if row["role"] == "admin" and role != "admin" and admins == 1:
                raise StoreError("store.last_admin_role", name=name)
            connection.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
            _audit_row(connection, "role_changed", actor, name=name, role=role, previous=row["role"])
        return str(row["role"])

    def set_password(self, name: str, password: str, actor: str | None = None) -> None:
        """Give a user a new password: their failed sign-ins are forgotten and their open sessions end."""
        checked_password(password, name)
        password_hash = self._hash(password)
        with self._connection() as connection:
            changed = connection.execute(
                "UPDATE users SET password_hash = ?, session_key = ? WHERE name = ?",
                (password_hash, secrets.token_urlsafe(16), name),
            ).rowcount
            if changed:  # a new password starts with a clean slate for this name, from every address
                connection.execute("DELETE FROM login_failures WHERE name = ?", (name,))
        if not changed:
            raise StoreError("store.no_such_user", name=name)
        self.audit("password_changed", actor, name=name)

    def users(self) -> list[tuple[str, str]]:
        with self._connection() as connection:
            return [
                (row["name"], row["role"]) for row in connection.execute("SELECT name, role FROM users ORDER BY name")
            ]

    def role_of(self, name: str) -> str | None:
        """The user's role as stored now (None when the user does not exist)."""
        with self._connection() as connection:
            row = connection.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        return row["role"] if row else None

    def session_key(self, name: str) -> str | None:
        """The user's current session key (None when the user does not exist).

        A new key is made when the user is added and when the password changes, so a sign-in that
        remembers the key it began with ends when the account is removed, re-created or re-passworded.
        """
        with self._connection() as connection:
            row = connection.execute("SELECT session_key FROM users WHERE name = ?", (name,)).fetchone()
        return row["session_key"] if row else None

    def has_editor(self) -> bool:
        return any(role in ("editor", "admin") for _, role in self.users())

    def _hash(self, password: str) -> str:
        """The argon2 hash of `password`, through the bound on argon2 work."""
        try:
            return self._checks.hash(password, settings().limits.login_wait_seconds)
        except ChecksBusy:
            raise StoreError("auth.busy") from None

    def authenticate(self, name: str, password: str, address: str | None = None) -> str | None:
        """The user's role when the password is right; None otherwise.

        Refused with a `StoreError` ("auth.throttled") before any argon2 work when the client address
        (`address_key`) has failed too often, or has failed too often for this name (`sqlite_signin`:
        no account is ever locked for other clients), and ("auth.busy", which counts neither as a
        failure nor as a success) when no argon2 slot frees up in time. An unknown name costs one
        verification of a dummy hash and the same writes as a known one.
        """
        limits = settings().limits
        key = address_key(address)
        self._admit(name, key, limits)
        with self._connection() as connection:
            row = connection.execute("SELECT role, password_hash FROM users WHERE name = ?", (name,)).fetchone()
        try:
            ok = self._checks.verify(
                row["password_hash"] if row else None,
                password,
                limits.login_wait_seconds,
                admit=lambda: self._admit(name, key, limits),
            )
        except ChecksBusy:
            self._note_sign_in(lambda connection: _audit_row(connection, "login_busy", name, address=key))
            raise StoreError("auth.busy") from None
        now = self._clock()
        self._note_sign_in(lambda connection: signin.record(connection, name, key, ok, now, limits))
        return row["role"] if ok else None

    def _admit(self, name: str, key: str | None, limits: Limits) -> None:
        """Raise the refusal (audited) when the address or the account may not try now."""
        with self._connection() as connection:
            refusal = signin.refusal(connection, name, key, self._clock(), limits)
        if refusal is not None:
            until = refusal.params["until"].astimezone(dt.UTC).isoformat()
            self._note_sign_in(
                lambda connection: _audit_row(connection, "login_throttled", name, address=key, until=until)
            )
            raise refusal

    def _note_sign_in(self, write: Callable[[sqlite3.Connection], None]) -> None:
        """Write what a sign-in leaves (counts, audit) without waiting long on a publisher's write lock.

        Seen by the attacker review: with the lock held, sign-in failed with an uncaught error after
        69 s. A sign-in now waits at most SIGN_IN_LOCK_WAIT seconds, then goes on unrecorded (logged).
        """
        try:
            with self._connection(SIGN_IN_LOCK_WAIT) as connection:
                write(connection)
        except StoreError as exc:  # busy, or a full or read-only disk: signing in needs only to read
            _LOG.warning("sign-in not recorded (%s): %s", exc.key, exc.params.get("reason", ""))

    def audit_log(self, limit: int = 500) -> list[dict[str, Any]]:
        with self._connection() as connection:
            rows = connection.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [
            {"at": r["at"], "user": r["user"], "action": r["action"], "detail": json.loads(r["detail"])} for r in rows
        ]


#: Columns added since the first release: (table, column, declaration). A store made by an older
#: release gets them at start-up; columns no longer used are left in place.
_ADDED_COLUMNS = (
    ("users", "session_key", "TEXT NOT NULL DEFAULT ''"),
    ("login_failures", "name", "TEXT"),
)


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring a store made by an older release up to `SCHEMA` (idempotent)."""
    for table, column, declaration in _ADDED_COLUMNS:
        present = {row["name"] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    connection.execute("CREATE INDEX IF NOT EXISTS login_failures_by_name ON login_failures (name, address, at)")


def _audited_errors(result: LoadResult) -> list[str]:
    """The errors of a refused publish as the audit log keeps them: 'code sheet!cell', at most 20;
    a file whose macros could not be removed safely is the one line 'macro_strip_failed'."""
    if any(p.code == "macro_strip_failed" for p in result.errors):
        return ["macro_strip_failed"]
    return [f"{p.code} {p.sheet or ''}!{p.cell or ''}" for p in result.errors][:20]


def _audit_row(connection: sqlite3.Connection, action: str, user: str | None, **detail: Any) -> None:
    connection.execute(
        "INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)",
        (now_text(), user, action, json.dumps(detail, ensure_ascii=False, default=str)),
    )


def _version(row: sqlite3.Row) -> Version:
    """A version row as a `Version`; a summary that is not a JSON object reads as {} (`store check` reports it,
    `store repair` derives it again from the file), so one damaged row never takes the history down."""
    try:
        summary = json.loads(row["summary"])
    except (TypeError, ValueError):
        summary = None
    return Version(
        row["number"],
        row["satker"],
        row["year"],
        row["created_at"],
        row["user"],
        row["comment"],
        row["sha256"],
        summary if isinstance(summary, dict) else {},
        row["restored_from"],
    )


def _newest(connection: sqlite3.Connection) -> Version | None:
    row = connection.execute("SELECT * FROM versions ORDER BY id DESC LIMIT 1").fetchone()
    return _version(row) if row is not None else None


def _office(connection: sqlite3.Connection) -> tuple[str, int] | None:
    """The satker and year this store keeps: the newest version's, else (every row deleted by hand) the
    last publish or restore in the audit log's; None for a store nobody has published to."""
    newest = _newest(connection)
    if newest is not None:
        return newest.satker, newest.year
    for (detail,) in connection.execute(
        "SELECT detail FROM audit WHERE action IN ('publish', 'restore') ORDER BY id DESC"
    ):
        record = _record(detail)
        if record is not None:
            return str(record["satker"]), int(record["year"])
    return None


def _record(detail: object) -> dict[str, Any] | None:
    """An audit publish or restore record that is well formed (number, satker, year), else None."""
    try:
        record = json.loads(detail) if isinstance(detail, str) else None
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("number"), int):
        return None
    if not isinstance(record.get("satker"), str) or not isinstance(record.get("year"), int):
        return None
    return record


def _next_number(connection: sqlite3.Connection, satker: str, year: int) -> int:
    """One more than any number this satker-year ever had: in a version row, or in the audit log's
    publishes and restores (so a version row deleted by hand never gives its number out again). The
    satker is compared as `office_key` does; a number that is not an integer (written by hand) is skipped."""
    key = office_key(satker)
    highest = 0
    for row in connection.execute("SELECT satker, number FROM versions WHERE year = ?", (year,)):
        if isinstance(row["number"], int) and office_key(str(row["satker"])) == key:
            highest = max(highest, row["number"])
    for (detail,) in connection.execute("SELECT detail FROM audit WHERE action IN ('publish', 'restore')"):
        record = _record(detail)
        if record is not None and record["year"] == year and office_key(record["satker"]) == key:
            highest = max(highest, record["number"])
    return highest + 1


def _readable_uri(database: Path) -> str:
    """A URI that opens `database` read-only, or "" when it cannot be read (missing, damaged, no tables).

    In a folder the server cannot write, SQLite cannot make the -shm file a WAL database needs; then the
    file is opened immutable (nothing can change it while the folder stays read-only)."""
    base = f"file:{urllib.parse.quote(str(database))}"
    for uri in (f"{base}?mode=ro", f"{base}?mode=ro&immutable=1"):
        try:
            with closing(sqlite3.connect(uri, uri=True)) as connection:
                connection.execute("SELECT COUNT(*) FROM versions").fetchone()
        except sqlite3.Error:
            continue
        return uri
    return ""


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
