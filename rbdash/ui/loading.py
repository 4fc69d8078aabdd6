"""Workbooks and the version store for the pages: read once per content, cached per server process."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from rbdash.analysis import selection
from rbdash.analysis.diff import Comparison, compare
from rbdash.config import BUNDLED_WORKBOOK, settings
from rbdash.messages import DEFAULT_LANGUAGE, t
from rbdash.model import ActionPlan, LoadResult
from rbdash.present.changes import changes_table
from rbdash.store import StoreError, Version, VersionStore, open_store
from rbdash.store.rollup import current_figures
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.worker import gave_no_answer, load_untrusted, warm_up

T = TypeVar("T")


class _NoAnswer(Exception):
    """The worker gave no answer (busy, out of time or memory, crashed): raised so the cache keeps nothing."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(result.problems[0].code if result.problems else "")
        self.result = result


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_by_hash(digest: str, _data: bytes) -> LoadResult:
    # `_data` is not hashed by Streamlit (leading underscore): the digest is the key, computed once.
    result = load_untrusted(_data, sha256=digest)
    if gave_no_answer(result):
        raise _NoAnswer(result)  # exceptions are not cached: the next try reads the file again
    return result


@st.cache_resource(show_spinner=False)
def prepare_uploads() -> bool:
    """Start the workers' fork server (about 0.5 s of CPU, once per server process) when the upload page
    is opened, before the first file is chosen; not at start-up, where it slowed the first chart."""
    warm_up()
    return True


@st.cache_resource(show_spinner=False)
def _store(location: str) -> VersionStore:
    store = open_store(location)
    store.seed(BUNDLED_WORKBOOK, t("store.seed_comment", DEFAULT_LANGUAGE))
    return store


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_version(_root: str, sha256: str) -> LoadResult:
    # Keyed by content alone (the store checks the bytes against `sha256`): equal files, one parse.
    # A missing or damaged file raises StoreError, which is not cached: the next run reads it again.
    return load_workbook(_store(_root).read_sha256(sha256))


@st.cache_resource(max_entries=16, show_spinner=False)
def _restricted(
    key: str, _programmes: tuple[str, ...], _responsible: tuple[str, ...], _model: ActionPlan
) -> ActionPlan:
    return selection.for_programmes(_model, _programmes, _responsible)


def restricted(
    model: ActionPlan, sha256: str, programmes: Sequence[str], responsible: Sequence[str] = ()
) -> ActionPlan:
    """`model` (the content `sha256`) restricted to `programmes` and PENANGGUNG JAWAB `responsible`
    (selection.for_programmes), made once per content and choice, not on every rerun (about 0.1 s for a plan
    of 10,000 rows)."""
    if not programmes and not responsible:
        return model
    if not sha256:  # content not identified: nothing to key a shared copy on
        return selection.for_programmes(model, programmes, responsible)
    key = cache_key((sha256, tuple(programmes), tuple(responsible)))
    return _restricted(key, tuple(programmes), tuple(responsible), model)


def cache_key(parts: tuple[Hashable, ...]) -> str:
    """`parts` as one string that names them unambiguously, for a Streamlit cache's argument.

    Streamlit hashes a tuple of strings by joining them without a separator or length, so ("A", "B") and
    ("Astr:B",) were one key: seen by the review, a programme named "Astr:B" in a published workbook gave the
    readers who chose "A" and "B" its figures. JSON quotes and escapes each part.
    """
    return json.dumps(parts, ensure_ascii=False, default=repr)


@st.cache_resource(max_entries=64, show_spinner=False)
def _shared(key: str, _build: Callable[[], Any]) -> Any:
    return _build()


def shared(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()` made once per server process for `key`, which must name everything it depends on (the
    workbook's content hash among them), and shared by every session: never change what it returns.

    A page's figures for a workbook, filter, month and language are the same for every reader: the
    overview's key figures, progress and chart were about 130 ms of each of its runs here."""
    return _shared(cache_key(key), build)


@st.cache_resource(max_entries=8, show_spinner=False)
def _compared(before_sha: str, after_sha: str, _before: ActionPlan | None, _after: ActionPlan) -> Comparison:
    return compare(_before, _after)


@st.cache_resource(max_entries=8, show_spinner=False)
def _changes_table(before_sha: str, after_sha: str, lang: str, _comparison: Comparison) -> pd.DataFrame:
    return changes_table(_comparison, lang)


def comparison_of(
    before: ActionPlan | None, before_sha: str, after: ActionPlan, after_sha: str, lang: str
) -> tuple[Comparison, pd.DataFrame]:
    """What `after` changes against `before` and its table in `lang`, made once per pair of contents
    (keyed by SHA-256) rather than on every rerun of the page (typing a comment, ticking a box)."""
    comparison = _compared(before_sha, after_sha, before, after)
    return comparison, _changes_table(before_sha, after_sha, lang, comparison)


def load_bytes(data: bytes) -> LoadResult:
    """Load workbook bytes that did not come from the store (an upload), in the bounded worker process,
    parsed once per distinct content (keyed by SHA-256)."""
    try:
        return _load_by_hash(hashlib.sha256(data).hexdigest(), data)
    except _NoAnswer as failed:
        return failed.result


@dataclasses.dataclass(frozen=True)
class Current:
    """What the dashboard shows: the newest intact version's workbook, the versions passed over because
    their file is missing or damaged (newest first), or why nothing can be shown."""

    result: LoadResult | None
    version: Version | None = None
    passed_over: tuple[tuple[Version, StoreError], ...] = ()
    problem: StoreError | None = None


def fixed_workbook() -> str | None:
    """The workbook $RBDASH_WORKBOOK names, shown instead of the store's (as the tests do), or None."""
    return os.environ.get("RBDASH_WORKBOOK") or None


def load_current(satker: str | None = None, year: int | None = None) -> Current:
    """The workbook to show, parsed once per distinct content: of `satker` and `year` (the home office's
    latest year when `satker` is None).

    $RBDASH_WORKBOOK names a fixed file (as the tests do); otherwise the store's current version of the office
    and year, looked up by its recorded SHA-256, so a rerun reads no file (version 1 is seeded on first start).
    A current version whose file is missing or damaged is passed over for the newest intact one.
    """
    fixed = fixed_workbook()
    if fixed:
        try:
            data = Path(fixed).read_bytes()
        except OSError as exc:  # seen by the review: Streamlit's own "this app has encountered an error"
            return Current(None, problem=StoreError("store.unavailable", path=fixed, reason=exc.strerror or str(exc)))
        return Current(dataclasses.replace(load_bytes(data), source_name=Path(fixed).name))
    root = settings().store_location
    try:
        if satker is None:
            satker = settings().home_office
            year = max((held for name, held in _store(root).plans() if name == satker), default=None)
        versions = _store(root).history(satker, year) if year is not None else []
        if not versions and _store(root).plans():  # another office or year has one: this one has none yet
            return Current(None, problem=StoreError("store.no_versions_office", satker=satker))
    except StoreError as exc:
        return Current(None, problem=exc)
    if not versions:  # every version row gone (the store was used: it is not seeded again)
        return Current(None, problem=StoreError("store.no_versions"))
    passed_over: list[tuple[Version, StoreError]] = []
    for version in versions:
        try:
            result = _load_version(root, version.sha256)
        except StoreError as exc:
            passed_over.append((version, exc))
            continue
        # A copy: the cached result is shared by every session and must not be changed.
        shown = dataclasses.replace(result.named(version.satker), source_name=f"v{version.number}")
        return Current(shown, version, tuple(passed_over))
    return Current(None, passed_over=tuple(passed_over), problem=StoreError("store.no_intact_version"))


def load_version(version: Version) -> LoadResult:
    """A version from the store (trusted: read in-process), parsed once per distinct content."""
    return _load_version(settings().store_location, version.sha256)


def store() -> VersionStore:
    """The version store of this server (seeded on first use)."""
    return _store(settings().store_location)


@dataclasses.dataclass(frozen=True)
class Rollup:
    """Every office-year's current version and its figures, as of one store `revision`."""

    revision: str
    records: tuple[tuple[str, int, int, dict[str, Any]], ...]  # (satker, year, version number, figures)


@st.cache_resource(max_entries=4, show_spinner=False)
def _rollup(root: str, revision: str) -> Rollup:
    # Keyed by the store's revision: a publish anywhere makes another key; the figures are the summaries'.
    found = current_figures(_store(root))
    return Rollup(revision, tuple((v.satker, v.year, v.number, figures) for v, figures in found))


def rollup_records() -> Rollup:
    """The roll-up's records, read once per store revision and shared by every session (never change them)."""
    root = settings().store_location
    return _rollup(root, _store(root).revision())
