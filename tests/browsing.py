"""Shared by the real-browser tests: Debian's headless Chromium (Playwright) and servers started as
`python -m rbdash.ui.serve` (streamlit run app.py, as `make run` serves it) on free ports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.conftest import ARTIFACTS, ROOT, free_port, require_tool

# Chromium's headless shell (Debian's chromium-headless-shell), as Playwright itself runs headless pages: the
# same engine as the full browser at about three quarters of its CPU time (tests/test_browser.py alone, 2 cores:
# 110 -> 82 CPU-s). TEST_CHROMIUM picks another.
CHROMIUM = os.environ.get("TEST_CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium") or ""
require_tool(Path(CHROMIUM).is_file(), "Debian's chromium-headless-shell")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URL path -> (page title, artifact name); the overview is the default page, served at "/".
PAGES = {
    "": ("Ringkasan", "ringkasan"),
    "jadwal": ("Jadwal", "jadwal"),
    "triwulan": ("Triwulan", "triwulan"),
    "indikator": ("Indikator", "indikator"),
    "ikm": ("IKM", "ikm"),
}


def wait_until_serving(process: subprocess.Popen, timeout: float = 90) -> None:
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


#: URL -> the server process serving it (tests check the server survived what they did).
SERVERS: dict[str, subprocess.Popen] = {}


def serve(env_extra: dict[str, str]) -> Iterator[str]:
    """A server on a free port with RB Dash's settings from `env_extra` only (none from the environment)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBDASH_")},
        "PYTHONPATH": str(ROOT),
        **env_extra,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rbdash.ui.serve",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],  # the rest from .streamlit/config.toml (no file watcher, no usage statistics), as `make run`
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process)
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
            assert response.read().strip() == b"ok"
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
        SERVERS[url] = process
        yield url
    finally:
        SERVERS.pop(url, None)
        process.terminate()
        process.wait(timeout=20)


def launch_browser() -> Iterator:
    """Debian's headless Chromium (each test module's `browser` fixture)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str) -> Page:
    """A new tab at `url` in the module's one browser context: a returning reader's tab, whose scripts come
    from the cache (a new context per tab fetched and compiled Streamlit's 8.8 MB of scripts every time).
    Each tab is its own Streamlit session; a test that needs an empty browser makes its own context."""
    if not browser.contexts:
        browser.new_context(viewport={"width": 1440, "height": 900})
    page = browser.contexts[0].new_page()
    page.goto(url)
    return page


#: True once the page's script run has ended (Streamlit's own mark on its app element; "initial" before the
#: first run) and every chart on the page is drawn.
_SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== "notRunning") return false;
  return [...document.querySelectorAll('[data-testid="rbdashChart"]')].every((c) => c.dataset.drawn === "true");
}"""


def settled(page: Page) -> None:
    """Wait until the page's script run has ended and every chart it shows is drawn."""
    page.wait_for_function(_SETTLED, timeout=60_000)


def ready(page: Page, title: str) -> None:
    """Wait for the page title, its charts and the end of its script run, then check no error box is shown."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="rbdashChart"] .main-svg').first.wait_for(timeout=60_000)
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def artifacts(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}_1440x900.png"))
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / f"{name}_a4_landscape.pdf"), format="A4", landscape=True, print_background=True)
    page.emulate_media(media="screen")
    assert (ARTIFACTS / f"{name}_a4_landscape.pdf").stat().st_size > 10_000
