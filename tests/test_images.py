"""Static chart images through Kaleido and the system Chromium; a clear refusal without a browser."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from rbdash import charts, images, metrics
from rbdash.loader import LoadResult
from rbdash.messages import t
from tests.conftest import require_tool

require_tool(images.find_browser() is not None, "Debian's chromium")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_figures_render_to_sharp_pngs(bundled: LoadResult, tmp_path: Path) -> None:
    model = bundled.plan
    figures = [charts.gantt(model, 9, "id"),
               charts.programme_bars(metrics.programme_progress(model, 9, "(x)"), model, 9, "id")]
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
