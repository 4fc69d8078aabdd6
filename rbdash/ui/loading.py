"""Workbooks and the version store for the pages: read once per content, cached per server process."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import streamlit as st

from rbdash.config import BUNDLED_WORKBOOK, settings
from rbdash.messages import DEFAULT_LANGUAGE, t
from rbdash.model import LoadResult
from rbdash.store import Version, VersionStore, open_store
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.worker import WORKER_FAILURES, load_untrusted, warm_up


class _NoAnswer(Exception):
    """The worker gave no answer (busy, out of time or memory, crashed): raised so the cache keeps nothing."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(result.problems[0].code if result.problems else "")
        self.result = result


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_by_hash(digest: str, _data: bytes) -> LoadResult:
    # `_data` is not hashed by Streamlit (leading underscore): the digest is the key, computed once.
    result = load_untrusted(_data, sha256=digest)
    if any(problem.code in WORKER_FAILURES for problem in result.problems):
        raise _NoAnswer(result)  # exceptions are not cached: the next try reads the file again
    return result


@st.cache_resource(show_spinner=False)
def _worker_started() -> bool:
    """Start the workers' fork server once per server process, before the first upload needs it."""
    warm_up()
    return True


@st.cache_resource(show_spinner=False)
def _store(root: str) -> VersionStore:
    store = open_store(Path(root))
    store.seed(BUNDLED_WORKBOOK, t("store.seed_comment", DEFAULT_LANGUAGE))
    return store


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_version(_root: str, sha256: str) -> LoadResult:
    # Keyed by content alone (the store checks the bytes against `sha256`): equal files, one parse.
    return load_workbook(_store(_root).read_sha256(sha256))


def load_bytes(data: bytes) -> LoadResult:
    """Load workbook bytes that did not come from the store (an upload), in the bounded worker process,
    parsed once per distinct content (keyed by SHA-256)."""
    try:
        return _load_by_hash(hashlib.sha256(data).hexdigest(), data)
    except _NoAnswer as failed:
        return failed.result


def load_current() -> LoadResult:
    """The workbook to show, parsed once per distinct content.

    $RBDASH_WORKBOOK names a fixed file (as the tests do); otherwise the store's current version,
    looked up by its recorded SHA-256, so a rerun reads no file (version 1 is seeded on first start).
    """
    _worker_started()
    fixed = os.environ.get("RBDASH_WORKBOOK")
    if fixed:
        return dataclasses.replace(load_bytes(Path(fixed).read_bytes()), source_name=Path(fixed).name)
    root = str(settings().data_dir)
    version = _store(root).current()
    assert version is not None, "the store is seeded with the bundled workbook when it is made"
    # A copy: the cached result is shared by every session and must not be changed.
    return dataclasses.replace(_load_version(root, version.sha256), source_name=f"v{version.number}")


def load_version(version: Version) -> LoadResult:
    """A version from the store (trusted: read in-process), parsed once per distinct content."""
    return _load_version(str(settings().data_dir), version.sha256)


def store() -> VersionStore:
    """The version store of this server (seeded on first use)."""
    return _store(str(settings().data_dir))
