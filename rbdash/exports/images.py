"""Static chart images from Plotly's own export (Kaleido), driven by the system's Chromium.

No browser is ever downloaded: the browser is $RBDASH_CHROMIUM, else $BROWSER_PATH, else
`chromium-headless-shell` or `chromium` (Debian's packages) or another Chrome found on PATH.
Without one, `ExportUnavailable` says so, and callers show that message instead of an image.

One renderer serves the whole process: a single Chromium (a `kaleido.Kaleido` on an event loop
of its own thread), started on first use, reused, and closed after `IDLE_SECONDS` without work.
Callers from any thread take turns under one lock, one batch of figures at a time. The PNGs made last
are kept (up to `IMAGE_CACHE_BYTES`) by the figure's JSON and the image options: a deck built beside its
report, or a second reader asking for the same report, gets them without the browser. Kaleido's
global sync server is not used: it is not safe to share between threads (two builds stopping
and starting it break each other, and concurrent calls can swap results). A render that fails
or times out closes that browser, so the next batch starts a fresh one.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Coroutine, Sequence
from typing import Any

import plotly.graph_objects as go

from rbdash.present.charts.plotlyjs import BUNDLE

# Chromium's headless shell first (Debian's chromium-headless-shell): the same engine without the full
# browser, which took a third of the CPU for a report's charts here (1.0 vs 2.9 CPU-s of browser for
# four reports) and started a second sooner.
BROWSER_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
RENDER_TIMEOUT = 60.0  # seconds for one image
START_TIMEOUT = 60.0  # seconds to start the browser
CLOSE_TIMEOUT = 15.0  # seconds to close it before it is killed
IDLE_SECONDS = 120.0  # an unused browser is closed after this long
IMAGE_CACHE_BYTES = 64 * 1024 * 1024  # PNGs kept for a figure asked again (a report's deck, another reader)

log = logging.getLogger(__name__)


class ExportUnavailable(Exception):
    """No browser to render static images with; `key` names the catalogue message."""

    key = "export.no_browser"


class ExportFailed(Exception):
    """The browser did not render a figure (it failed, crashed or timed out); `key` names the message."""

    key = "export.failed"


def find_browser() -> str | None:
    """The Chromium to render with, or None."""
    for variable in ("RBDASH_CHROMIUM", "BROWSER_PATH"):
        path = os.environ.get(variable)
        if path and os.path.exists(path):
            return path
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class ChartRenderer:
    """One Chromium for PNG exports, shared by every thread of the process, one batch at a time."""

    def __init__(self, timeout: float = RENDER_TIMEOUT, idle_seconds: float = IDLE_SECONDS) -> None:
        self.timeout = timeout
        self.idle_seconds = idle_seconds
        self.starts = 0  # browsers started so far (reuse shows as a count that stays put)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None
        self._browser_path: str | None = None
        self._idle_timer: threading.Timer | None = None
        self.rendered = 0  # images the browser made (an image served from the cache is not counted)
        self.cache_bytes = IMAGE_CACHE_BYTES
        self._images: collections.OrderedDict[str, bytes] = collections.OrderedDict()  # least recently used first
        self._images_size = 0

    # -- public -----------------------------------------------------------------------------

    def render(self, figures: Sequence[go.Figure], scale: float, width: int) -> list[bytes]:
        """PNG bytes of each figure; raises ExportUnavailable (no browser) or ExportFailed."""
        browser = find_browser()
        if browser is None:
            raise ExportUnavailable
        specs = [
            (figure, {"format": "png", "width": width, "scale": scale, "height": int(figure.layout.height or 500)})
            for figure in figures
        ]
        keys = [_image_key(figure, opts) for figure, opts in specs]
        with self._lock:
            missing = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in self._images}
            fresh: dict[str, bytes] = {}  # kept apart: a batch larger than the cache may push its own out
            if missing:
                self._cancel_idle_timer()
                try:
                    fresh = dict(zip(missing, self._render_locked(browser, list(missing.values())), strict=True))
                finally:
                    self._start_idle_timer()
                self.rendered += len(fresh)
            pngs = [fresh[key] if key in fresh else self._images[key] for key in keys]
            for key, png in zip(keys, pngs, strict=True):
                self._keep(key, png)
            return pngs

    def close(self) -> None:
        """Close the browser and stop the renderer's thread now (both start again on the next render)."""
        with self._lock:
            self._cancel_idle_timer()
            self._discard()
            loop, self._loop = self._loop, None
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(loop.stop)

    @property
    def browser_pid(self) -> int | None:
        """The process id of the running browser, if one is running."""
        process = getattr(self._kaleido, "subprocess", None)
        return process.pid if process is not None and process.poll() is None else None

    # -- under the lock ---------------------------------------------------------------------

    def _keep(self, key: str, png: bytes) -> None:
        """Remember `png` as the most recently used image, forgetting the least recently used beyond the bound."""
        if key in self._images:
            self._images.move_to_end(key)
            return
        self._images[key] = png
        self._images_size += len(png)
        while self._images_size > self.cache_bytes and self._images:
            _, dropped = self._images.popitem(last=False)
            self._images_size -= len(dropped)

    def _render_locked(self, browser: str, specs: list[tuple[go.Figure, dict]]) -> list[bytes]:
        for attempt in (1, 2):
            try:
                self._ensure_browser(browser)
                return [
                    self._run(self._kaleido.calc_fig(figure, opts=opts), self.timeout + CLOSE_TIMEOUT)
                    for figure, opts in specs
                ]
            except ExportUnavailable:
                raise
            except Exception as exc:
                crashed = not self._alive()
                log.warning(
                    "chart rendering failed (attempt %d, browser %s): %r",
                    attempt,
                    "gone" if crashed else "running",
                    exc,
                )
                self._discard()
                if crashed and attempt == 1:
                    continue  # the browser died between or during renders: once more with a fresh one
                raise ExportFailed(repr(exc)) from exc
        raise AssertionError("unreachable")

    def _ensure_browser(self, browser: str) -> None:
        if self._kaleido is not None and (not self._alive() or browser != self._browser_path):
            self._discard()
        if self._kaleido is None:
            self._kaleido = self._run(self._open(browser), START_TIMEOUT)
            self._browser_path = browser
            self.starts += 1
            # atexit runs last-registered first: registered after the browser made its temporary
            # profile folder, this close comes before tempfile's cleanup of that folder.
            atexit.unregister(self._close_at_exit)
            atexit.register(self._close_at_exit)

    def _alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return process is not None and process.poll() is None

    async def _open(self, browser: str) -> Any:
        import kaleido

        # MathJax off: the charts use no TeX, and its default source is a CDN the server cannot reach.
        # plotly.js's basic bundle, as in the browser: Kaleido reloads its page after every image, so the
        # full bundle's evaluation was paid once per chart.
        renderer = kaleido.Kaleido(path=browser, plotlyjs=BUNDLE, mathjax=False, timeout=self.timeout)
        try:
            await renderer.open()
        except BaseException:
            await renderer.close()
            raise
        return renderer

    def _run(self, coroutine: Coroutine, timeout: float) -> Any:
        """Run `coroutine` on the renderer's loop and wait for it, at most `timeout` seconds."""
        loop = self._event_loop()
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed() or not self._loop.is_running():
            loop = asyncio.new_event_loop()
            loop.set_exception_handler(_quiet_exception_handler)
            started = threading.Event()
            loop.call_soon(started.set)
            threading.Thread(target=_serve, args=(loop,), name="rbdash-chart-renderer", daemon=True).start()
            started.wait()
            self._loop = loop
        return self._loop

    def _discard(self) -> None:
        """Close the browser, killing it when it does not close; a stuck loop is abandoned."""
        renderer, self._kaleido, self._browser_path = self._kaleido, None, None
        if renderer is None:
            return
        try:
            self._run(renderer.close(), CLOSE_TIMEOUT)
        except Exception as exc:
            log.warning("closing the chart browser failed: %r; killing it", exc)
            process = getattr(renderer, "subprocess", None)
            if process is not None and process.poll() is None:
                process.kill()
            if self._loop is not None:  # the loop may be stuck: the next render gets a new one
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop = None

    def _close_at_exit(self) -> None:
        """Close the browser when the interpreter exits; kill it rather than wait for a running batch."""
        if self._lock.acquire(timeout=CLOSE_TIMEOUT):
            try:
                self._cancel_idle_timer()
                self._discard()
            finally:
                self._lock.release()
            return
        process = getattr(self._kaleido, "subprocess", None)
        if process is not None and process.poll() is None:
            process.kill()

    # -- idle browser -----------------------------------------------------------------------

    def _start_idle_timer(self) -> None:
        if self._kaleido is None:
            return
        timer = threading.Timer(self.idle_seconds, self._close_when_idle)
        timer.daemon = True
        self._idle_timer = timer
        timer.start()

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _close_when_idle(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a batch is running; it starts a new timer when it ends
        try:
            if (
                self._idle_timer is not None
                and self._idle_timer.is_alive()
                and threading.current_thread() is self._idle_timer
            ):
                self._idle_timer = None
                self._discard()
        finally:
            self._lock.release()


def _image_key(figure: go.Figure, opts: dict[str, Any]) -> str:
    """What the image of `figure` rendered with `opts` depends on: the figure's whole JSON and the options."""
    digest = hashlib.sha256(json.dumps(opts, sort_keys=True).encode())
    digest.update(figure.to_json().encode())
    return digest.hexdigest()


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """The renderer thread: run the loop until stopped, then close it."""
    try:
        loop.run_forever()
    finally:
        loop.close()


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """One log line for what Kaleido leaves behind after a failed render (tasks whose error nobody read).

    asyncio's default handler would format a traceback, possibly during garbage collection in any
    thread; on Python 3.11 that can collide with another `ast.parse` (CPython gh-106905).
    """
    log.info("chart renderer: %s: %r", context.get("message"), context.get("exception"))


_RENDERER = ChartRenderer()


def renderer() -> ChartRenderer:
    """The process-wide chart renderer."""
    return _RENDERER


def figures_png(figures: Sequence[go.Figure], scale: float = 3, width: int = 1400) -> list[bytes]:
    """PNG bytes of each figure at `width` CSS pixels times `scale` (3: sharp in print and slides)."""
    return _RENDERER.render(figures, scale, width)
