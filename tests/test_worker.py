"""The bounded worker's own promises, each made to happen for real: a worker that hangs, aborts or runs
out of memory becomes one clear problem and the caller goes on; no free slot is "busy", never "too
slow"; and the upload page's cache never keeps an answer that is not the file's."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest

from rbdash.config import Limits
from rbdash.workbook import worker
from rbdash.workbook.limits import DEFAULT_LIMITS
from tests import worker_targets
from tests.conftest import BUNDLED

DATA = BUNDLED.read_bytes()
DIGEST = hashlib.sha256(DATA).hexdigest()


def run_with(target, limits: Limits) -> worker.LoadResult:
    deadline = time.monotonic() + limits.worker_wall_seconds
    return worker._run(DATA, DIGEST, "upload", limits, DEFAULT_LIMITS, deadline, target)


def only_problem(result: worker.LoadResult) -> tuple[str, dict]:
    assert result.plan is None
    (problem,) = result.problems
    for lang in ("id", "en"):
        assert problem.message(lang) and problem.fix(lang) and "Traceback" not in problem.render(lang)
    return problem.code, problem.params


def test_a_hanging_worker_is_killed_at_the_wall_time() -> None:
    started = time.monotonic()
    result = run_with(worker_targets.hang, Limits(worker_wall_seconds=2))
    elapsed = time.monotonic() - started
    assert only_problem(result) == ("worker_timeout", {"seconds": 2})
    assert 1.9 < elapsed < 10


@pytest.mark.parametrize(
    ("target", "code", "params"),
    [
        (worker_targets.abort, "worker_crashed", {"detail": "SIGABRT"}),
        (worker_targets.out_of_memory, "worker_memory", {"limit_mb": 1536}),
    ],
)
def test_a_worker_that_dies_is_one_clear_problem(target, code: str, params: dict) -> None:
    assert only_problem(run_with(target, Limits())) == (code, params)
    # and the next read in this same process works
    assert worker.load_untrusted(DATA).is_valid


def test_no_free_slot_is_busy_not_too_slow_and_a_slot_freed_in_time_gives_a_full_read() -> None:
    limits = Limits(worker_slots=1, worker_wall_seconds=2)
    slots = worker._slot_semaphore(1)
    assert slots.acquire(timeout=5)
    try:
        started = time.monotonic()
        busy = worker.load_untrusted(DATA, limits)
        assert 1.9 < time.monotonic() - started < 10
    finally:
        slots.release()
    code, _ = only_problem(busy)
    assert code == "worker_busy"
    assert "Coba lagi sebentar" in busy.problems[0].fix("id")
    # A slot that comes free after most of the wall time still leaves the read its whole wall time.
    assert slots.acquire(timeout=5)
    threading.Timer(1.5, slots.release).start()
    assert worker.load_untrusted(DATA, limits).is_valid


def test_the_upload_cache_keeps_only_the_file_s_own_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from rbdash.ui import loading as ui

    monkeypatch.setenv("RBDASH_WORKER_SLOTS", "1")
    monkeypatch.setenv("RBDASH_WORKER_WALL_SECONDS", "1")
    ui._load_by_hash.clear()
    slots = worker._slot_semaphore(1)
    assert slots.acquire(timeout=5)
    try:
        assert [p.code for p in ui.load_bytes(DATA).problems] == ["worker_busy"]
    finally:
        slots.release()
    # Read again, not the cached "busy" (with time enough for a worker on a loaded machine: one second was
    # seen to run out under four test processes on two cores).
    monkeypatch.setenv("RBDASH_WORKER_WALL_SECONDS", "60")
    assert ui.load_bytes(DATA).is_valid
    ui._load_by_hash.clear()
