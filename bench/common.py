"""Shared by the page and report benchmarks: the machine line and recording into bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """'Intel(R) Xeon(R) Processor, 2 cores, Python 3.11.7'."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def publish(report: str, write: bool) -> None:
    """Print the report and, with `write`, append it to bench/RESULTS.md."""
    print(report)
    if write:
        RESULTS.write_text(RESULTS.read_text() + "\n" + report)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a benchmark starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
