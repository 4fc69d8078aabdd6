"""The meeting deck opens with python-pptx: 16:9, key figures as editable text, a slide per chart,
CONTOH on every slide for example data, a clear note instead of images without a browser."""

from __future__ import annotations

import io
import os

import pytest
from pptx import Presentation
from pptx.util import Inches

from rbdash import deck, images
from rbdash.loader import LoadResult

TITLES = ["Rencana Aksi RB 2022 — KPU Provinsi Banten: angka kunci",
          "Kemajuan per program (bulan terjadwal s.d. posisi data)",
          "Jadwal Rencana Aksi 2022: rencana dan realisasi per bulan",
          "Capaian indikator terhadap target",
          "Indeks Kepuasan Masyarakat (IKM) per periode, dengan mutu pelayanan A-D",
          "NRR per unsur: 2022-TW3, Semua unit"]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


@pytest.mark.slow
@pytest.mark.skipif(images.find_browser() is None and os.environ.get("CI") != "true", reason="no Chromium here")
def test_deck_slides(bundled: LoadResult) -> None:
    data = deck.build_deck(bundled.plan, 9, "id", "versi 1")
    presentation = Presentation(io.BytesIO(data))
    assert (presentation.slide_width, presentation.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(presentation.slides)
    assert [texts(s)[0] for s in slides] == TITLES
    first = texts(slides[0])
    assert "83,0%" in first and "86,20 (B), 2022-TW3" in first and "Posisi data per 30 September 2022" in first
    for slide in slides:
        assert any(text.startswith("CONTOH:") for text in texts(slide))
        assert any("versi 1" in text for text in texts(slide))
    assert all(any(shape.shape_type == 13 for shape in slide.shapes) for slide in slides[1:])  # 13: picture


def test_deck_without_a_browser_says_so(bundled: LoadResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "find_browser", lambda: None)
    presentation = Presentation(io.BytesIO(deck.build_deck(bundled.plan, 9, "en", "v1")))
    slides = list(presentation.slides)
    assert len(slides) == 6
    assert any("Static chart images need Chromium" in text for text in texts(slides[1]))
