"""Published files kept once each under their SHA-256: `<root>/<first two hex>/<sha256>.xlsx`.

A file is written to a temporary name, flushed, renamed into place and its directory synced, so
a crash leaves either no file or the whole file; every read is checked against the hash.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from rbdash.store.base import StoreError

#: Files and folders of the store are the server account's alone (the database holds password hashes).
FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: A temporary file older than this is a crash's leftover (a publish writes its file in seconds).
STALE_TEMPORARY_SECONDS = 3600


def private_folder(path: Path) -> None:
    """Create `path` (and its parents) if missing, and keep it to the server account (0700)."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        path.chmod(FOLDER_MODE)


class FileStore:
    """Content-addressed files under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sweep(self, now: float | None = None) -> list[Path]:
        """Remove the temporary files crashes left (older than STALE_TEMPORARY_SECONDS); the paths removed."""
        cutoff = (time.time() if now is None else now) - STALE_TEMPORARY_SECONDS
        removed = []
        for leftover in self.root.glob("*/.*.tmp"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed.append(leftover)
            except FileNotFoundError:
                continue  # another process swept it first
        return removed

    def path_of(self, sha256: str) -> Path:
        """Where the file with this hash is kept."""
        return self.root / sha256[:2] / f"{sha256}.xlsx"

    def write(self, data: bytes, sha256: str, hook: Callable[[str], None]) -> None:
        """Keep `data` under `sha256` (nothing to do when an intact copy is there); `hook(step)` between steps."""
        target = self.path_of(sha256)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
            return
        private_folder(target.parent)
        # Unique per writer: two sessions of one server publishing the same file at once must not share it.
        temporary = target.with_name(f".{sha256}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
        try:
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as stream:
                stream.write(data)
                hook("file_written")
                stream.flush()
                os.fsync(stream.fileno())
            hook("file_synced")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        hook("file_renamed")

    def read(self, sha256: str, number: int | str = "?") -> bytes:
        """The bytes kept under `sha256`, checked against it (`number` names the version in errors)."""
        try:
            data = self.path_of(sha256).read_bytes()
        except OSError as exc:
            raise StoreError("store.file_missing", number=number, sha256=sha256) from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError("store.file_corrupt", number=number, sha256=sha256)
        return data
