"""What every store backend shares: its interface, its records and errors, and the checks it runs.

A backend (SQLite today) keeps versions, users, sign-in failures and the audit log; callers hold
a `VersionStore` from `rbdash.store.open_store` and never name the backend. The rules that do not
depend on where things are kept live here once: which names, roles and passwords are accepted,
and what a workbook must pass before it is published.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rbdash.analysis.diff import compare
from rbdash.analysis.rollup import FIGURES_KEY, plan_figures
from rbdash.analysis.summary import sheet_counts
from rbdash.config import MAX_COMMENT_CHARS, MAX_USER_NAME_CHARS, MIN_PASSWORD_CHARS, ROLES
from rbdash.model import ActionPlan, LoadResult
from rbdash.offices import ALL, closest_office, matching_office, scope_allows
from rbdash.problems import Problem, ProblemCode
from rbdash.workbook import schema
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.macros import strip_macros


class StoreError(Exception):
    """A failure the user can act on: `key` names the catalogue message, `params` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Version:
    """One published version of one office's plan for one year."""

    number: int
    satker: str
    year: int
    created_at: str
    user: str
    comment: str
    sha256: str
    summary: dict[str, Any]
    restored_from: int | None = None


@dataclass
class PublishResult:
    """The outcome of a publish: the new version, or None and the validation result that refused it."""

    version: Version | None
    validation: LoadResult


@dataclass(frozen=True)
class Admission:
    """A workbook accepted for publishing: the bytes to store (macros removed) and their validation."""

    stored: bytes
    validation: LoadResult
    summary: dict[str, Any]


def now_text() -> str:
    """The current UTC time as stored (ISO 8601, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def checked_user_name(name: str) -> str:
    """The user name as stored: trimmed; refused when empty, too long, or holding control characters."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_USER_NAME_CHARS or any(unicodedata.category(c)[0] == "C" for c in cleaned):
        raise StoreError("store.bad_user_name", chars=MAX_USER_NAME_CHARS)
    return cleaned


def checked_role(role: str) -> str:
    """`role` when it is one of the configured roles; refused otherwise."""
    if role not in ROLES:
        raise StoreError("store.bad_role", role=role, roles=", ".join(ROLES))
    return role


#: Words anyone would try first for this office's dashboard (besides the user's own name).
CONTEXT_WORDS = ("rbdash", "kpu", "banten", "reformasi", "birokrasi", "dasbor", "dashboard")
#: zxcvbn's score a password must reach: 3 is "safely unguessable" (about 10^8 guesses or more).
MIN_PASSWORD_SCORE = 3
#: zxcvbn looks at this many characters at most (its own limit); a longer password is judged by them.
_SCORED_CHARS = 72


def checked_password(password: str, name: str) -> str:
    """`password` when it suits NIST SP 800-63B: long enough, not the user's name, not a common or
    easily guessed password (zxcvbn: dictionaries of common passwords, names and words, keyboard
    runs, repeats, dates); refused with the reason otherwise."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_CHARS:
        raise StoreError("store.weak_password", chars=MIN_PASSWORD_CHARS)
    folded = password.casefold()
    if name.strip() and name.strip().casefold() in folded:
        raise StoreError("store.password_has_name")
    if zxcvbn(password[:_SCORED_CHARS], user_inputs=[name, *CONTEXT_WORDS])["score"] < MIN_PASSWORD_SCORE:
        raise StoreError("store.guessable_password")
    return password


def version_summary(result: LoadResult) -> dict[str, Any]:
    """What a version row keeps of its workbook: the sheets' counts, and the key figures the roll-up reads
    (`analysis.rollup.plan_figures`), computed once here rather than from 1,659 workbooks on every view."""
    model = result.plan
    if model is None:
        return {}
    return {**sheet_counts(model), FIGURES_KEY: plan_figures(model)}


def admit_for_publish(
    data: bytes, user: str, comment: str, *, trusted: bool, validated: LoadResult | None = None
) -> Admission | LoadResult:
    """Validate `data` for publishing: an `Admission`, or the `LoadResult` that refuses it.

    Untrusted data is read in the bounded worker process (`worker.load_untrusted`); `trusted` data
    (a stored version, the bundled workbook) in this process. `validated`: that read's result for these
    same bytes when the caller has it (the upload preview's), taken instead of reading them again when its
    SHA-256 is theirs and it is the file's own answer (not a worker that gave none). Macros are removed
    before storing, and what is stored must load exactly as the upload did.
    """
    from rbdash.workbook.worker import gave_no_answer, load_untrusted

    if not user.strip() or not comment.strip():
        raise StoreError("store.user_and_comment_required")
    if len(comment) > MAX_COMMENT_CHARS:
        raise StoreError("store.comment_too_long", chars=len(comment), max_chars=MAX_COMMENT_CHARS)
    load = load_workbook if trusted else load_untrusted
    if validated is not None and validated.sha256 == hashlib.sha256(data).hexdigest() and not gave_no_answer(validated):
        validation = validated
    else:
        validation = load(data)
    if not validation.is_valid:
        return validation
    summary = version_summary(validation)
    stored = strip_macros(data)
    if stored is not data:
        check = load(stored)
        if gave_no_answer(check):  # the worker's own answer (busy, out of time or memory), given for the upload
            return dataclasses.replace(check, sha256=validation.sha256, source_name=validation.source_name)
        if not check.is_valid or version_summary(check) != summary:
            return _with_problem(validation, "macro_strip_failed")
    return Admission(stored, validation, summary)


def content_refusal(
    before: ActionPlan | None, number: int, after: ActionPlan, *, allow_removals: bool
) -> StoreError | None:
    """Why `after` must not follow version `number` (whose content is `before`; None when it cannot be
    read), or None: the same content (no new version is made), a sheet that held data gone missing
    (a renamed sheet would silently drop its rows), or rows removed without `allow_removals`."""
    if before is None:
        return None
    comparison = compare(before, after)
    if comparison.empty:
        return StoreError("store.unchanged", number=number)
    if comparison.missing_sheets:
        missing = comparison.missing_sheets[0]
        return StoreError(
            "store.sheet_missing_close" if missing.closest else "store.sheet_missing",
            sheet=missing.name,
            number=number,
            rows=missing.rows,
            found=", ".join(missing.found) or "-",
            closest=missing.closest or "",
        )
    if comparison.removed and not allow_removals:
        detail = ", ".join(
            f"{schema.sheet_spec(sheet).name} {counts['removed']}"
            for sheet, counts in comparison.counts().items()
            if counts["removed"]
        )
        return StoreError("store.removals_unconfirmed", removed=comparison.removed, number=number, detail=detail)
    return None


def office_of_workbook(info: dict[str, Any], known: Sequence[str], scope: str = ALL) -> str:
    """The office a workbook is for, in its known spelling (`offices.matching_office`); `StoreError` when it
    names no known office (the closest known one named) or one outside `scope`, the office the publisher may
    publish for (`offices.ALL`: every one).

    The offices known are the configured ones and those the store holds: a misspelt name never quietly starts
    another office's history, and an editor of one kab/kota never publishes another's."""
    cells = info.get("cells") or {}
    written = str(info.get("satker") or "")
    office = matching_office(written, known)
    if office is None:
        closest = closest_office(written, known)
        raise StoreError(
            "store.unknown_satker" if closest else "store.unknown_satker_none_close",
            found=shown_literally(written if len(written) <= 120 else written[:120] + "…"),
            closest=closest or "",
            cell=cells.get("satker", "-"),
        )
    if not scope_allows(scope, office):
        raise StoreError("store.out_of_scope", satker=office, year=info.get("year"), scope=scope)
    return office


def shown_literally(text: str) -> str:
    """`text` with characters a reader cannot see (zero-width, controls, odd spaces) written as \\u escapes,
    so a name that differs only by them does not look identical in a message."""
    return "".join(
        char if char == " " or unicodedata.category(char)[0] not in "CZ" else f"\\u{ord(char):04x}" for char in text
    )


def _with_problem(result: LoadResult, code: ProblemCode) -> LoadResult:
    """`result` with one more whole-file error (the result itself is not changed: it may be cached)."""
    return dataclasses.replace(result, problems=[*result.problems, Problem("error", code)])


class VersionStore(Protocol):
    """What the app and the command line use of a store, whichever backend keeps it."""

    #: Why the store can only be read (a disk or folder the server cannot write), or None.
    read_only: str | None
    #: Where the store is, as messages name it (a data directory, or a database URL without its password).
    location: str
    #: The schema migrations applied when this store object opened the store (none when it was up to date).
    migrations_applied: list[int]

    def schema_version(self) -> int:
        """The number of the newest schema migration the store has."""
        ...

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
        allow_removals: bool = False,
        validated: LoadResult | None = None,
        scope: str = ALL,
    ) -> PublishResult:
        """Validate `data` (or take `validated`, the bounded read of these bytes, as `admit_for_publish` says)
        and, when it has no errors, make it the new current version (refused when `expected_current` is given
        and is no longer the current version's number, and as `content_refusal` says: same content, a missing
        sheet, rows removed without `allow_removals`), for the office and year the workbook names when `scope`
        (the publisher's office, or every one) allows it (`office_of_workbook`)."""
        ...

    def history(self, satker: str | None = None, year: int | None = None) -> list[Version]:
        """Versions, newest first (of one office and year when given)."""
        ...

    def current(self, satker: str | None = None, year: int | None = None) -> Version | None:
        """The newest version (of one office and year when given)."""
        ...

    def offices(self) -> list[str]:
        """The offices known: the configured ones in their order, then the others the store holds."""
        ...

    def plans(self) -> list[tuple[str, int]]:
        """Each office and year that has a version, by office (as `offices` orders them) then year."""
        ...

    def version(self, number: int, satker: str | None = None, year: int | None = None) -> Version:
        """Version `number`; `StoreError` when there is none."""
        ...

    def current_versions(self) -> list[Version]:
        """The current version of each office and year (as `plans` orders them)."""
        ...

    def update_summary(self, version: Version, summary: dict[str, Any]) -> None:
        """Write a version's summary computed again from its file."""
        ...

    def revision(self) -> str:
        """A text that changes whenever a version row is added or removed."""
        ...

    def content(self, version: Version) -> ActionPlan | None:
        """The model of a stored version (trusted), None when its file is missing or damaged; the store
        keeps the last few, as each publish compares with the current one."""
        ...

    def read(self, version: Version) -> bytes:
        """The bytes of a version's file, checked against its SHA-256."""
        ...

    def read_sha256(self, sha256: str, number: int | str = "?") -> bytes:
        """The bytes of a stored file, checked against its SHA-256."""
        ...

    def restore(
        self,
        number: int,
        user: str,
        comment: str,
        satker: str | None = None,
        year: int | None = None,
        scope: str = ALL,
        expected_current: int | None = None,
    ) -> Version:
        """Publish an old version again as a new version (nothing is overwritten), as `scope` allows; refused
        when `expected_current` (the current version the restorer confirmed against) is no longer current."""
        ...

    def seed(self, bundled: Path, comment: str) -> Version | None:
        """On first start, make the bundled workbook version 1."""
        ...

    def add_user(self, name: str, role: str, password: str, actor: str | None = None, scope: str | None = None) -> None:
        """Add a user (`actor`: the admin who did it; None from the command line) who may publish for `scope`
        (an office or `offices.ALL`; unset: the home office, every office for an admin)."""
        ...

    def set_scope(self, name: str, scope: str, actor: str | None = None) -> str:
        """Let a user publish for another office (or every one), audited; the previous scope."""
        ...

    def scope_of(self, name: str) -> str | None:
        """The office the user may publish for now (`offices.ALL`: every one), None for no such user."""
        ...

    def remove_user(self, name: str, actor: str | None = None) -> None:
        """Remove a user; never the last admin."""
        ...

    def set_role(self, name: str, role: str, actor: str | None = None) -> str:
        """Give a user another role, audited; the previous role. The last admin is never demoted."""
        ...

    def set_password(self, name: str, password: str, actor: str | None = None) -> None:
        """Give a user a new password (and clear their lock)."""
        ...

    def users(self) -> list[tuple[str, str]]:
        """(name, role) of every user, by name."""
        ...

    def role_of(self, name: str) -> str | None:
        """The user's role as stored now (None when the user does not exist)."""
        ...

    def session_key(self, name: str) -> str | None:
        """The user's current session key, new at each password change (None when the user does not exist)."""
        ...

    def has_editor(self) -> bool:
        """Whether any user may publish."""
        ...

    def authenticate(self, name: str, password: str, address: str | None = None) -> str | None:
        """The user's role when the password is right; None otherwise (`StoreError` when throttled)."""
        ...

    def audit(self, action: str, user: str | None, **detail: Any) -> None:
        """Append one line to the audit log."""
        ...

    def audit_log(self, limit: int = 500) -> list[dict[str, Any]]:
        """The newest `limit` audit lines, newest first."""
        ...
