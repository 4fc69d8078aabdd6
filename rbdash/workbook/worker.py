"""Untrusted workbook reads in a separate process with hard limits.

A workbook that did not come from the version store (an upload, a file named on the command line)
is read by `load_untrusted`, never in the calling process: a native reader that aborts, a file
that needs gigabytes, or one that takes minutes ends one worker process, and the caller gets one
clear problem instead of a dead server.

Mechanism: `multiprocessing` with the *forkserver* start method. The fork server is a fresh
interpreter that imports the loader once; each read forks a new worker from it (tens of
milliseconds, no re-import), so

* the worker never inherits the calling server's threads, locks or memory (plain `fork` from a
  threaded Streamlit server is unsafe), and one worker per read means nothing a hostile file did
  survives into the next read;
* limits are set in the worker with `resource.setrlimit` before it touches the file: address space
  (RLIMIT_AS), CPU time (RLIMIT_CPU), open files (RLIMIT_NOFILE), no core dumps and no file writes;
  the caller enforces the wall time and kills the worker when it runs over;
* at most `worker_slots` workers run at once per server process; a caller waits for a slot at most
  the wall time too (`worker_busy` after it), and its read then gets the whole wall time.

`concurrent.futures.ProcessPoolExecutor` was not used: it keeps workers alive across jobs (the
limits and whatever a hostile file left behind would carry over) and a worker killed by a signal
breaks the whole pool for every other caller.

The worker sends back the `LoadResult` (pickled over a pipe). It runs the project's own code with
the same user rights as the server; the process boundary is there for resource isolation.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing import forkserver, spawn
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rbdash.config import Limits, settings
from rbdash.model import LoadResult
from rbdash.problems import Problem, ProblemCode, ProblemLog
from rbdash.workbook.limits import DEFAULT_LIMITS, PackageLimits
from rbdash.workbook.loader import load_workbook, read_workbook_file

_STDERR_KEEP = 16 * 1024
_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None
_context_lock = threading.Lock()
_context: Any = None


WORKER_NAME = "rbdash-worker"
_preparation_data = spawn.get_preparation_data


def _preparation_without_main(name: str) -> dict[str, Any]:
    """multiprocessing's preparation data, without the main module for this module's workers.

    multiprocessing re-imports the parent's `__main__` in each child. Under `streamlit run` that is the
    page script being run (Streamlit installs it as `__main__`), which a worker must never execute; the
    worker needs nothing from it. Other processes keep the standard behaviour (the name tells them apart).
    """
    data = _preparation_data(name)
    if name == WORKER_NAME:
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


spawn.get_preparation_data = _preparation_without_main


# Address space is what RLIMIT_AS counts, reservations included: Arrow's jemalloc pool and glibc's
# per-thread arenas reserve a gigabyte the loader never touches. Both are chosen when the fork server
# starts (the variables are read at its start-up), so it is started with them.
WORKER_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2"}


def _mp_context() -> Any:
    """The forkserver context, its server running: it imports this module (and so the loader) once."""
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["rbdash.workbook.worker"])
            _context = context
        saved = {name: os.environ.get(name) for name in WORKER_ENVIRONMENT}
        os.environ.update(WORKER_ENVIRONMENT)
        try:
            forkserver.ensure_running()  # a no-op while it runs; (re)starts it with the environment above
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        return _context


def _slot_semaphore(size: int) -> threading.BoundedSemaphore:
    """The process-wide bound on concurrent workers (rebuilt only when the setting changes)."""
    global _slots
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def warm_up() -> None:
    """Start the fork server now (about a second, once per process) so the first upload does not wait for it."""
    _mp_context()


# ----------------------------------------------------------------------------------------------
# The worker side


def _apply_limits(memory_bytes: int, cpu_seconds: int, open_files: int) -> None:
    """Hard limits for this worker process, set before the file is touched."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # the worker writes no file


def _peak_resident_bytes() -> int:
    """This process's peak resident memory (VmHWM), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _worker_main(
    channel: Connection,
    errors: Connection,
    memory_bytes: int,
    cpu_seconds: int,
    open_files: int,
    package_limits: PackageLimits,
) -> None:
    """Entry point of one worker: receive the bytes, load them, send the result back."""
    os.dup2(errors.fileno(), 2)  # native readers write their last words to stderr: the caller keeps them
    try:
        _apply_limits(memory_bytes, cpu_seconds, open_files)
        data = channel.recv_bytes()
        result = load_workbook(data, limits=package_limits)
        del data
        result.worker_peak_bytes = _peak_resident_bytes()
        channel.send(("ok", result))
    except MemoryError:
        channel.send(("memory", None))


# ----------------------------------------------------------------------------------------------
# The caller side


#: Problems that say the worker gave no answer (not what the file holds): never cached as the file's result.
WORKER_FAILURES = frozenset({"worker_memory", "worker_timeout", "worker_crashed", "worker_busy"})


def gave_no_answer(result: LoadResult) -> bool:
    """Whether `result` says the worker gave no answer (`WORKER_FAILURES`) rather than what the file holds."""
    return any(problem.code in WORKER_FAILURES for problem in result.problems)


def busy_problem(result: LoadResult) -> Problem | None:
    """`result`'s `worker_busy` problem, or None: no worker was free to read the file, so nothing about the
    file was found (the page offers to check again; nothing is logged as a rejection)."""
    return next((problem for problem in result.problems if problem.code == "worker_busy"), None)


def _failure(code: ProblemCode, digest: str, name: str, **params: Any) -> LoadResult:
    log = ProblemLog()
    log.error(code, **params)
    return LoadResult(None, log.finish(), digest, name)


def _drain(errors: Connection) -> str:
    """What the worker wrote to stderr (its last 16 KiB), without blocking."""
    chunks: list[bytes] = []
    descriptor = errors.fileno()
    os.set_blocking(descriptor, False)
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        if sum(len(c) for c in chunks) > 4 * _STDERR_KEEP:
            chunks = [b"".join(chunks)[-_STDERR_KEEP:]]
    return b"".join(chunks)[-_STDERR_KEEP:].decode("utf-8", "replace")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _run(
    data: bytes,
    digest: str,
    name: str,
    limits: Limits,
    package_limits: PackageLimits,
    deadline: float,
    target: Callable[..., None] | None = None,
) -> LoadResult:
    """One worker process running `target` (`_worker_main`; tests pass stand-ins that hang or crash)."""
    context = _mp_context()
    channel, child_channel = context.Pipe(duplex=True)
    errors, child_errors = context.Pipe(duplex=False)
    memory_bytes = limits.worker_memory_mb * 1024 * 1024
    process = context.Process(
        target=target or _worker_main,
        daemon=True,
        name=WORKER_NAME,
        args=(
            child_channel,
            child_errors,
            memory_bytes,
            limits.worker_cpu_seconds,
            limits.worker_open_files,
            package_limits,
        ),
    )
    outcome: tuple[str, Any] = ("died", None)
    exit_code: int | None = None
    try:
        process.start()
    except BaseException:
        for end in (channel, child_channel, errors, child_errors):
            end.close()
        raise
    try:
        child_channel.close()
        child_errors.close()
        try:
            channel.send_bytes(data)
            answered = channel.poll(max(deadline - time.monotonic(), 0))
            outcome = channel.recv() if answered else ("timeout", None)
        except (EOFError, OSError):
            outcome = ("died", None)
    finally:
        if process.is_alive():
            process.join(timeout=0.5 if outcome[0] != "timeout" else 0)
        if process.is_alive():
            process.kill()
        process.join()
        exit_code = process.exitcode
        stderr = _drain(errors)
        channel.close()
        errors.close()
        process.close()

    kind, payload = outcome
    if kind == "ok":
        assert isinstance(payload, LoadResult)
        result = payload
        result.source_name = name
        return result
    if kind == "timeout":
        return _failure("worker_timeout", digest, name, seconds=limits.worker_wall_seconds)
    return _classify_death(kind, exit_code, stderr, digest, name, limits)


def _classify_death(
    kind: str, exit_code: int | None, stderr: str, digest: str, name: str, limits: Limits
) -> LoadResult:
    """One clear problem for a worker that ended without a result."""
    if kind == "memory" or "memory allocation of" in stderr or "MemoryError" in stderr or "std::bad_alloc" in stderr:
        return _failure("worker_memory", digest, name, limit_mb=limits.worker_memory_mb)
    if exit_code is not None and -exit_code in (signal.SIGXCPU, signal.SIGKILL):
        return _failure("worker_timeout", digest, name, seconds=limits.worker_cpu_seconds)
    if exit_code is not None and exit_code < 0:
        detail = _signal_name(-exit_code)
    else:
        detail = f"exit {exit_code}" if exit_code is not None else "no result"
    return _failure("worker_crashed", digest, name, detail=detail)


def load_untrusted(
    source: bytes | str | Path,
    limits: Limits | None = None,
    package_limits: PackageLimits = DEFAULT_LIMITS,
    sha256: str | None = None,
) -> LoadResult:
    """Load and validate a workbook that did not come from the version store, in a bounded worker process.

    `source` is the file's bytes or a path (read here with `loader.read_workbook_file`: devices and
    pipes are refused by type, sizes are checked before reading). Never raises for a bad file; a
    worker that runs out of memory or time, crashes, or cannot get a slot becomes one problem.
    OSError from reading a path (missing file, no permission, a directory) is left to the caller.
    `sha256`: the bytes' digest when the caller already has it (an upload is hashed once on the server).
    """
    limits = limits or settings().limits
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "upload"
    else:
        log = ProblemLog()
        read = read_workbook_file(source, package_limits, log)
        name = Path(source).name
        if read is None:
            return LoadResult(None, log.finish(), "", name)
        data = read
    digest = sha256 or hashlib.sha256(data).hexdigest()
    slots = _slot_semaphore(limits.worker_slots)
    # Waiting for a slot has its own budget: a file is never told it is too slow because others queued.
    if not slots.acquire(timeout=limits.worker_wall_seconds):
        return _failure("worker_busy", digest, name, seconds=limits.worker_wall_seconds)
    try:
        return _run(data, digest, name, limits, package_limits, time.monotonic() + limits.worker_wall_seconds)
    finally:
        slots.release()
