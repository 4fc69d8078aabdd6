"""Shared by the page and report benchmarks: the machine line and recording into bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import socket
from pathlib import Path
from typing import Any

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


def in_fresh_process(script: Path, checkout: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """`script --measure ARGS` in a fresh interpreter with `checkout`'s rbdash (this one, or a base revision's
    worktree; the script itself is always this checkout's), its last line of output read as JSON."""
    import json
    import subprocess
    import sys

    environment = {**os.environ, "PYTHONPATH": str(checkout), **(env or {})}
    environment.pop("RBDASH_CONFIG", None)
    done = subprocess.run(
        [sys.executable, str(script), "--measure", *args],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def worktree(base: str) -> Path:
    """A checkout of revision `base` under bench/.cache (remove it with `git worktree remove --force PATH`)."""
    import subprocess

    path = RESULTS.parent / ".cache" / f"worktree-{base}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), base], cwd=RESULTS.parent.parent, check=True)
    return path
