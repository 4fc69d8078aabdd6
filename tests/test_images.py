"""Static chart images through Kaleido and the system Chromium; a clear refusal without a browser."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from rbdash.analysis import metrics
from rbdash.exports import images
from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.present import charts
from tests.conftest import require_tool

# Starts a browser, a server or another program: left out of `make test-fast`.
pytestmark = pytest.mark.slow

require_tool(images.find_browser() is not None, "Debian's chromium")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_figures_render_to_sharp_pngs(bundled: LoadResult, tmp_path: Path) -> None:
    model = bundled.plan
    figures = [
        charts.gantt(model, 9, "id"),
        charts.programme_bars(metrics.programme_progress(model, 9), model, 9, "id"),
    ]
    pngs = images.figures_png(figures, scale=2, width=1200)
    sizes = [png_size(png) for png in pngs]
    assert sizes[0] == (2400, 2 * int(figures[0].layout.height))
    assert sizes[1][0] == 2400
    (tmp_path / "jadwal.png").write_bytes(pngs[0])


def test_no_browser_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch, bundled: LoadResult) -> None:
    monkeypatch.setattr(images, "find_browser", lambda: None)
    with pytest.raises(images.ExportUnavailable) as caught:
        images.figures_png([charts.gantt(bundled.plan, 9, "id")])
    assert "Chromium" in t(caught.value.key, "en") and "Chromium" in t(caught.value.key, "id")


def _bar(height: int):
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=[1, 2, 3], y=[height, 2, 3]))
    figure.update_layout(height=height)
    return figure


def test_threads_share_one_browser_and_each_gets_its_own_image() -> None:
    import threading

    renderer = images.ChartRenderer()
    heights = (200, 250, 300, 350)
    results: dict[int, tuple[int, int]] = {}
    failures: list[BaseException] = []
    ready = threading.Barrier(len(heights))

    def render(height: int) -> None:
        ready.wait()  # all four ask at the same moment
        try:
            results[height] = png_size(renderer.render([_bar(height)], scale=1, width=300)[0])
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=render, args=(height,)) for height in heights]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    renderer.close()
    assert not failures
    assert results == {height: (300, height) for height in heights}  # nobody got another's image
    assert renderer.starts == 1 and renderer.browser_pid is None


def test_a_failed_render_leaves_the_renderer_working() -> None:
    # A zero timeout fails every render before it starts (asyncio.wait_for with 0). A tiny positive one did
    # not: on a loaded machine the render's answer and the timeout came due together and wait_for returned
    # the answer (seen once in CI).
    renderer = images.ChartRenderer(timeout=0)
    with pytest.raises(images.ExportFailed) as caught:
        renderer.render([_bar(200)], scale=1, width=300)
    assert "Chromium" in t(caught.value.key, "id") and "Chromium" in t(caught.value.key, "en")
    renderer.timeout = 60
    assert png_size(renderer.render([_bar(200)], scale=1, width=300)[0]) == (300, 200)
    renderer.close()


def test_a_crashed_browser_is_replaced() -> None:
    import os
    import signal

    renderer = images.ChartRenderer()
    renderer.render([_bar(200)], scale=1, width=300)
    os.kill(renderer.browser_pid, signal.SIGKILL)
    assert png_size(renderer.render([_bar(220)], scale=1, width=300)[0]) == (300, 220)
    assert renderer.starts == 2
    renderer.close()


def test_an_image_asked_again_comes_from_the_cache_and_the_cache_is_bounded() -> None:
    renderer = images.ChartRenderer()
    first = renderer.render([_bar(200), _bar(210)], scale=1, width=300)
    assert renderer.rendered == 2
    again = renderer.render([_bar(210), _bar(200), _bar(210)], scale=1, width=300)  # equal figures, new objects
    assert again == [first[1], first[0], first[1]] and renderer.rendered == 2
    assert png_size(renderer.render([_bar(200)], scale=2, width=300)[0]) == (600, 400)  # other options: new image
    assert renderer.rendered == 3
    renderer.cache_bytes = len(first[0]) + len(first[1])  # room for about two images: the least recent goes
    renderer.render([_bar(220)], scale=1, width=300)
    renderer.render([_bar(200)], scale=1, width=300)
    assert renderer.rendered == 5
    renderer.close()
