"""Published files kept once each under their SHA-256: `<root>/<first two hex>/<sha256>.xlsx`.

A file is written to a temporary name, flushed, renamed into place and its directory synced, so
a crash leaves either no file or the whole file; every read is checked against the hash.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from rbdash.store.base import StoreError


class FileStore:
    """Content-addressed files under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the file with this hash is kept."""
        return self.root / sha256[:2] / f"{sha256}.xlsx"

    def write(self, data: bytes, sha256: str, hook: Callable[[str], None]) -> None:
        """Keep `data` under `sha256` (nothing to do when an intact copy is there); `hook(step)` between steps."""
        target = self.path_of(sha256)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{sha256}.{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as stream:
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
