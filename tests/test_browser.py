"""Real browser: Debian's headless Chromium driven by Playwright loads the app served by
`streamlit run`, switches the language, and saves a screenshot and an A4-landscape PDF to
test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import ARTIFACTS, BUNDLED, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
    pytest.skip("Debian chromium is not installed (CI installs it: apt-get install chromium)",
                allow_module_level=True)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(process: subprocess.Popen, timeout: float = 90) -> None:
    """Read the server's output until it announces its URL (a watchdog ends a server that never does)."""
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            if "URL:" in line:
                return
        raise RuntimeError(f"streamlit exited with {process.wait()} before serving")
    finally:
        watchdog.cancel()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "RBDASH_WORKBOOK": str(BUNDLED), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
            assert response.read().strip() == b"ok"
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.slow
def test_app_in_a_real_browser(server: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server)
    page.get_by_text("RB Dash — Rencana Aksi Reformasi Birokrasi").wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    page.get_by_text("CONTOH:", exact=False).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "app_id_1440x900.png"))

    page.get_by_text("English").click()
    page.get_by_text("RB Dash — Bureaucratic Reform Action Plan").wait_for(timeout=30_000)
    page.get_by_text("EXAMPLE:", exact=False).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "app_en_1440x900.png"))

    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "app_en_a4_landscape.pdf"), format="A4", landscape=True, print_background=True)
    assert (ARTIFACTS / "app_en_a4_landscape.pdf").stat().st_size > 1000
    page.close()
