"""User accounts of the store: add, remove, roles, passwords (mixed into `SqlStore`, either backend)."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from rbdash.access.signin import ChecksBusy, PasswordChecks
from rbdash.config import settings
from rbdash.offices import ALL, closest_office, listed, matching_office
from rbdash.store.base import StoreError, checked_password, checked_role, checked_user_name, now_text
from rbdash.store.rows import audit_row
from rbdash.store.sql import Connection, write_transaction


class UserAccounts:
    """The users table: names unique whatever their case, the last admin kept, every change audited."""

    _checks: PasswordChecks
    if TYPE_CHECKING:

        def _connection(self, lock_wait: float | None = None) -> AbstractContextManager[Connection]: ...

        def audit(self, action: str, user: str | None, **detail: Any) -> None: ...

        def offices(self) -> list[str]: ...

    def add_user(self, name: str, role: str, password: str, actor: str | None = None, scope: str | None = None) -> None:
        """Add a user (`actor`: the admin who did it, for the audit log; None from the command line) who may
        publish for `scope` (an office, or `offices.ALL`; unset: the home office, every office for an admin)."""
        name = checked_user_name(name)
        checked_role(role)
        if role == "admin" and scope is not None and scope.strip() != ALL:  # seen: said "*", kept the office
            raise StoreError("store.admin_scope", scope=scope)
        scope = self._checked_scope(scope if scope is not None else ALL if role == "admin" else settings().home_office)
        checked_password(password, name)
        password_hash = self._hash(password)
        # The check and the insert in one step, for two admins at once.
        with self._connection() as connection, write_transaction(connection):
            # "ED" beside "ed" would be two accounts a person cannot tell apart: names are unique
            # whatever their case (Unicode case folding).
            for (existing,) in connection.execute("SELECT name FROM users"):
                if existing.casefold() == name.casefold():
                    raise StoreError("store.user_exists", name=existing)
            connection.execute(
                "INSERT INTO users (name, role, password_hash, created_at, session_key, scope)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, role, password_hash, now_text(), secrets.token_urlsafe(16), scope),
            )
        self.audit("user_added", actor, name=name, role=role, scope=scope)

    def remove_user(self, name: str, actor: str | None = None) -> None:
        """Remove a user; the last admin is never removed (nobody could manage users after)."""
        # The check and the removal in one step, for two admins at once.
        with self._connection() as connection, write_transaction(connection):
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
        with self._connection() as connection, write_transaction(connection):
            row = connection.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError("store.no_such_user", name=name)
            admins = connection.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]
            if row["role"] == role:  # nothing changes, nothing is audited
                return role
            if row["role"] == "admin" and role != "admin" and admins == 1:
                raise StoreError("store.last_admin_role", name=name)
            connection.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
            audit_row(connection, "role_changed", actor, name=name, role=role, previous=row["role"])
        return str(row["role"])

    def set_scope(self, name: str, scope: str, actor: str | None = None) -> str:
        """Let a user publish for another office (`offices.ALL`: every one), audited; the previous scope. An admin's
        is every office (seen by the review: "* -> *" was said while another office was kept for a demotion)."""
        scope = self._checked_scope(scope)
        with self._connection() as connection, write_transaction(connection):
            row = connection.execute("SELECT role, scope FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise StoreError("store.no_such_user", name=name)
            if row["role"] == "admin" and scope != ALL:
                raise StoreError("store.admin_scope", scope=scope)
            if row["scope"] != scope:
                connection.execute("UPDATE users SET scope = ? WHERE name = ?", (scope, name))
                audit_row(connection, "scope_changed", actor, name=name, scope=scope, previous=row["scope"])
        return str(row["scope"])

    def scope_of(self, name: str) -> str | None:
        """The office the user may publish for now (`offices.ALL`: every one; an admin always every one), or
        None when the user does not exist."""
        with self._connection() as connection:
            row = connection.execute("SELECT role, scope FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return ALL if row["role"] == "admin" else str(row["scope"])

    def _checked_scope(self, scope: str) -> str:
        """`scope` as stored: `offices.ALL`, or a known office in its known spelling; refused otherwise."""
        if scope.strip() == ALL:
            return ALL
        known = self.offices()
        office = matching_office(scope, known)
        if office is None:
            closest = closest_office(scope, known)
            key = "store.bad_scope_close" if closest else "store.bad_scope"
            raise StoreError(key, scope=scope, closest=closest or "", offices=listed(known))
        return office

    def set_password(self, name: str, password: str, actor: str | None = None) -> None:
        """Give a user a new password: their failed sign-ins are forgotten and their open sessions end."""
        checked_password(password, name)
        password_hash = self._hash(password)
        with self._connection() as connection, write_transaction(connection):  # both statements, or neither
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
            # Sorted here, by code point, rather than by each database's collation.
            return sorted((row["name"], row["role"]) for row in connection.execute("SELECT name, role FROM users"))

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
