"""Static chart images from Plotly's own export (Kaleido), driven by the system's Chromium.

No browser is ever downloaded: the browser is $RBDASH_CHROMIUM, else $BROWSER_PATH, else
`chromium` (Debian's package) or another Chrome found on PATH. Without one, `ExportUnavailable`
says so, and callers show that message instead of an image.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import plotly.graph_objects as go

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ExportUnavailable(Exception):
    """No browser to render static images with; `key` names the catalogue message."""

    key = "export.no_browser"


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


@contextmanager
def image_session() -> Iterator[None]:
    """One browser for a batch of images (starting it costs about 1.5 s; each image then about 0.3 s)."""
    import kaleido

    browser = find_browser()
    if browser is None:
        raise ExportUnavailable
    previous = os.environ.get("BROWSER_PATH")
    os.environ["BROWSER_PATH"] = browser
    kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
        if previous is None:
            os.environ.pop("BROWSER_PATH", None)
        else:
            os.environ["BROWSER_PATH"] = previous


def figures_png(figures: Sequence[go.Figure], scale: float = 3, width: int = 1400) -> list[bytes]:
    """PNG bytes of each figure at `width` CSS pixels times `scale` (3: sharp in print and slides)."""
    import kaleido

    with image_session():
        return [kaleido.calc_fig_sync(figure, opts={"format": "png", "width": width, "scale": scale,
                                                    "height": int(figure.layout.height or 500)})
                for figure in figures]
