"""The meeting deck opens with python-pptx: 16:9, key figures as editable text, a slide per chart,
CONTOH on every slide for example data, a clear note instead of images without a browser."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from rbdash.exports import deck, images
from rbdash.model import LoadResult
from tests.conftest import CliRun, require_tool

TITLES = [
    "Rencana Aksi RB 2022 — KPU Provinsi Banten: angka kunci",
    "Kemajuan per program (bulan terjadwal s.d. posisi data)",
    "Jadwal Rencana Aksi 2022: rencana dan realisasi per bulan",
    "Capaian indikator terhadap target",
    "Indeks Kepuasan Masyarakat (IKM) per periode, dengan mutu pelayanan A-D",
    "NRR per unsur: 2022-TW3, Semua unit",
]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


@pytest.mark.slow
def test_deck_slides(bundled: LoadResult) -> None:
    if images.find_browser() is None:
        require_tool(False, "Debian's chromium")
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


def test_report_cli_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliRun]) -> None:
    import openpyxl

    from tests.conftest import BUNDLED

    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RBDASH_CHROMIUM", "/nonexistent")
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser: fast, still a deck
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    rbdash = cli

    out = tmp_path / "rapat.pptx"
    ok = rbdash("report", str(BUNDLED), "--pptx", str(out), "--as-of", "2022-06")
    assert ok.returncode == 0 and out.exists() and "Laporan ditulis" in ok.stdout
    assert "Posisi data per Juni 2022" in texts(Presentation(str(out)).slides[0])
    missing = rbdash("report", str(tmp_path / "tidak-ada.xlsx"), "--pptx", str(out))
    assert missing.returncode == 2 and "Berkas tidak ditemukan" in missing.stderr
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Realisasi"]["C4"] = "Hampir"
    invalid = tmp_path / "salah.xlsx"
    wb.save(invalid)
    bad = rbdash("report", str(invalid), "--pptx", str(out), "--lang", "en")
    assert bad.returncode == 1 and "Realisasi!C4" in bad.stderr
    unwritable = rbdash("report", str(BUNDLED), "--pptx", str(tmp_path / "no" / "dir" / "x.pptx"))
    assert unwritable.returncode == 2 and "Tidak dapat menulis" in unwritable.stderr
    assert rbdash("report", str(BUNDLED), "--pptx", str(out), "--as-of", "2021-06").returncode == 1
    empty = rbdash("report", "--pptx", str(out))
    assert empty.returncode == 2 and "Belum ada versi" in empty.stderr
    assert (
        rbdash("users", "add", "ani", "--role", "editor", "--password-stdin", stdin="kata-sandi-panjang\n").returncode
        == 0
    )
    assert rbdash("publish", str(BUNDLED), "--comment", "awal", "--user", "ani").returncode == 0
    assert rbdash("report", "--pptx", str(out)).returncode == 0  # the store's current version
    assert "Traceback" not in ok.stderr + missing.stderr + bad.stderr + unwritable.stderr
