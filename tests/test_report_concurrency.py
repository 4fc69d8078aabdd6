"""Four real report requests at once (three different, two the same) through the report queue with two
builders, in one subprocess: all succeed, the identical ones share a build, one Chromium serves
them, and the memory stays within a loose bound (the process's VmHWM; the PSS of it with Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rbdash.exports import images
from tests.conftest import ROOT, require_tool

# Starts a browser, a server or another program: left out of `make test-fast`.
pytestmark = pytest.mark.slow

require_tool(images.find_browser() is not None, "Debian's chromium")


def test_four_reports_at_once_through_the_queue(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RBDASH_DATA_DIR": str(tmp_path / "data"),
        "RBDASH_REPORT_BUILDERS": "2",
        "RBDASH_REPORT_QUEUE": "8",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.concurrent_reports"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    print(found)  # the measured figures, for `pytest -s`
    assert found["builders"] == 2 and found["finished"] == [True] * 4
    assert found["states"] == ["done"] * 4, found["errors"]
    assert found["same_key_shared"] and found["builds"] == 3 and found["distinct_pdfs"] == 3
    assert found["pdf_ok"] and found["pptx_ok"]
    assert found["chromium_starts"] == 1  # one browser for every build
    assert found["python_peak_mb"] < 1200  # was 2.5 GB for four builds at once, Chromium included
    assert 0 < found["tree_peak_pss_mb"] < 2000
