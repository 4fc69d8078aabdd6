"""Stand-ins for the worker's entry point (`rbdash.workbook.worker._worker_main`), run in real worker processes.

Kept apart from the test modules so a worker imports only this (and what it imports) to find them.
"""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.connection import Connection


def hang(channel: Connection, errors: Connection, *limits: object) -> None:
    """Take the bytes, then never answer (a reader stuck in a loop)."""
    channel.recv_bytes()
    while True:
        time.sleep(1)


def abort(channel: Connection, errors: Connection, *limits: object) -> None:
    """Take the bytes, say what a native reader says, and abort (as Rust's allocator did on a far cell)."""
    os.dup2(errors.fileno(), 2)
    channel.recv_bytes()
    os.write(2, b"thread panicked at src/lib.rs: index out of bounds\n")
    os.kill(os.getpid(), signal.SIGABRT)


def out_of_memory(channel: Connection, errors: Connection, *limits: object) -> None:
    """Take the bytes and fail an allocation the way Rust reports it, then abort."""
    os.dup2(errors.fileno(), 2)
    channel.recv_bytes()
    os.write(2, b"memory allocation of 549755813888 bytes failed\n")
    os.kill(os.getpid(), signal.SIGABRT)
