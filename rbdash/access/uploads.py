"""Which browser sessions may make the server hold uploaded bytes, and how many (no Streamlit here).

Streamlit keeps every uploaded file in memory, per session, until the session is shut down.
`rbdash.ui.uploads` asks an `UploadLedger` before Streamlit stores a file and tells it when files
and sessions go away. A session may hold uploads only while it shows the uploader to a user whose
role (looked up at each upload) is editor or higher, and only up to a per-session and a
per-process number of bytes (`Limits.upload_session_mb`, `Limits.upload_total_mb`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rbdash.config import Limits, role_at_least

MB = 1_000_000  # decimal, as the upload limit (config.UPLOAD_LIMIT_BYTES): one unit for every upload figure
UPLOAD_ROLE = "editor"
REASONS = ("not_allowed", "session_cap", "total_cap")
_STATUS = {"not_allowed": 403, "session_cap": 413, "total_cap": 503}


@dataclass(frozen=True)
class Refusal:
    """An upload the ledger refused: why, the file's size and the bound it would have crossed (bytes)."""

    reason: str
    size: int
    limit: int = 0

    @property
    def status(self) -> int:
        """The HTTP status to answer with: 403 not allowed, 413 session cap, 503 server cap."""
        return _STATUS[self.reason]


def may_upload(role: str | None) -> bool:
    """True for the editor role and the roles above it."""
    return role_at_least(role, UPLOAD_ROLE)


class UploadLedger:
    """The uploaded bytes each session holds, who may hold more, and the refusals; thread-safe.

    `role_of(user)` gives a user's role at this moment (None for an unknown user); it is called
    at every upload, outside the ledger's lock.
    """

    def __init__(self, session_limit: int, total_limit: int, role_of: Callable[[str], str | None]) -> None:
        self.session_limit = session_limit
        self.total_limit = total_limit
        self._role_of = role_of
        self._lock = threading.Lock()
        self._users: dict[str, str] = {}  # session -> user it shows the uploader to
        self._files: dict[str, dict[str, int]] = {}  # session -> file id -> bytes
        self._total = 0
        self._refused = dict.fromkeys(REASONS, 0)
        self._notices: dict[str, Refusal] = {}  # session -> cap refusal since its last accepted upload
        self._shown: dict[str, set[str]] = {}  # session -> file ids its uploader showed when last drawn

    @classmethod
    def from_limits(cls, limits: Limits, role_of: Callable[[str], str | None]) -> UploadLedger:
        return cls(limits.upload_session_mb * MB, limits.upload_total_mb * MB, role_of)

    # -- who may upload ---------------------------------------------------------------------------

    def open(self, session_id: str, user: str) -> None:
        """The session shows the uploader to `user` in its current run."""
        with self._lock:
            self._users[session_id] = user

    def close(self, session_id: str) -> None:
        """The session shows no uploader (a new run starts; it opens again if it shows one)."""
        with self._lock:
            self._users.pop(session_id, None)

    def shown(self, session_id: str, file_ids: Iterable[str]) -> list[str]:
        """The session's uploader now shows `file_ids`: the held files it showed before and no longer
        does (replaced, removed, or left behind on another page), which the caller removes. Files
        not shown yet (an upload whose rerun has not come) are never among them."""
        now = set(file_ids)
        with self._lock:
            before = self._shown.pop(session_id, set())
            if now:
                self._shown[session_id] = now
            held = self._files.get(session_id, {})
            return sorted(f for f in before - now if f in held)

    # -- bytes ------------------------------------------------------------------------------------

    def admit(self, session_id: str, file_id: str, size: int) -> Refusal | None:
        """Record the file (replacing one with the same id) when the session may hold it; else the refusal."""
        with self._lock:
            user = self._users.get(session_id)
        if user is None or not may_upload(self._role_of(user)):
            return self._refuse(session_id, Refusal("not_allowed", size), notify=False)
        with self._lock:
            if self._users.get(session_id) != user:  # closed or changed hands while the role was read
                refusal = Refusal("not_allowed", size)
            else:
                files = self._files.get(session_id, {})
                replaced = files.get(file_id, 0)
                if sum(files.values()) - replaced + size > self.session_limit:
                    refusal = Refusal("session_cap", size, self.session_limit)
                elif self._total - replaced + size > self.total_limit:
                    refusal = Refusal("total_cap", size, self.total_limit)
                else:
                    self._files.setdefault(session_id, {})[file_id] = size
                    self._total += size - replaced
                    self._notices.pop(session_id, None)
                    return None
        return self._refuse(session_id, refusal, notify=refusal.reason != "not_allowed")

    def _refuse(self, session_id: str, refusal: Refusal, notify: bool) -> Refusal:
        with self._lock:
            self._refused[refusal.reason] += 1
            if notify and session_id in self._users:
                self._notices[session_id] = refusal
        return refusal

    def discard(self, session_id: str, file_id: str) -> None:
        """The session's file was removed (or replaced by the user)."""
        with self._lock:
            files = self._files.get(session_id)
            if files is not None and file_id in files:
                self._total -= files.pop(file_id)
                if not files:
                    del self._files[session_id]

    def release(self, session_id: str) -> int:
        """All the session's files were removed; the bytes freed."""
        with self._lock:
            freed = sum(self._files.pop(session_id, {}).values())
            self._total -= freed
        return freed

    def end(self, session_id: str) -> int:
        """The session ended: forget it entirely; the bytes freed."""
        with self._lock:
            self._users.pop(session_id, None)
            self._notices.pop(session_id, None)
            self._shown.pop(session_id, None)
        return self.release(session_id)

    # -- reading ----------------------------------------------------------------------------------

    def notice(self, session_id: str) -> Refusal | None:
        """The cap refusal of the session's last upload, made while it showed the uploader, until an
        upload is accepted again (what its user should read)."""
        with self._lock:
            return self._notices.get(session_id)

    def held(self, session_id: str | None = None) -> int:
        """Bytes held by one session, or by all of them."""
        with self._lock:
            return self._total if session_id is None else sum(self._files.get(session_id, {}).values())

    def holders(self) -> int:
        """Sessions holding at least one file."""
        with self._lock:
            return len(self._files)

    def refused(self) -> dict[str, int]:
        """Refused uploads so far, by reason."""
        with self._lock:
            return dict(self._refused)
