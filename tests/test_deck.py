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
    # The Gantt a picture (PowerPoint has no Gantt chart), the other charts PowerPoint's own (#12).
    assert [
        [shape.shape_type for shape in slide.shapes if shape.has_chart or shape.shape_type == 13] for slide in slides
    ] == [
        [],
        [3],
        [13],
        [3],
        [3],
        [3],
    ]  # 3: chart, 13: picture


def test_deck_without_a_browser_says_so(bundled: LoadResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "find_browser", lambda: None)
    presentation = Presentation(io.BytesIO(deck.build_deck(bundled.plan, 9, "en", "v1")))
    slides = list(presentation.slides)
    assert len(slides) == 6
    assert any("Static chart images need Chromium" in text for text in texts(slides[2]))  # the Gantt's picture
    assert [any(shape.has_chart for shape in slide.shapes) for slide in slides] == [
        False,
        True,
        False,
        True,
        True,
        True,
    ]


def _charts(bundled: LoadResult, lang: str = "id") -> list:
    presentation = Presentation(io.BytesIO(deck.build_deck(bundled.plan, 9, lang, "versi 1")))
    return [shape.chart for slide in presentation.slides for shape in slide.shapes if shape.has_chart]


def test_the_decks_charts_are_powerpoints_own_with_the_dashboards_figures(
    bundled: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editable by staff in PowerPoint; values worked by hand from the example realisation (as of September:
    programme RA-01-RA-03 has 11 scheduled months to date, 10 done and RA-02/September partial; the other
    programme 36: 29 done, 3 partial, 3 open (RA-05/9, RA-06/9 not done, RA-08/5 late), RA-10/8 cancelled)."""
    monkeypatch.setattr(images, "find_browser", lambda: None)  # the Gantt's picture is not needed here
    programmes, indicators, ikm, nrr = _charts(bundled)
    assert all(not chart.has_title for chart in (programmes, indicators, ikm, nrr))  # the slide's header is
    plot = programmes.plots[0]
    assert list(plot.categories) == [
        "RA-01–RA-03 · nama tidak ada dalam salinan",
        "Peningkatan Kualitas Pelayanan Publik",
    ]
    assert [series.name for series in plot.series] == ["Selesai", "Sebagian", "Belum selesai", "Batal"]
    assert [list(series.values) for series in plot.series] == [
        [90.9, 80.6],  # 10/11, 29/36
        [9.1, 8.3],
        [None, 8.3],  # no part, no "0%" label
        [None, 2.8],
    ]
    # RA-01.3: baseline 85, target 100, value 96 -> (96 - 85) / (100 - 85) = 73 %, behind its target.
    labels = list(indicators.plots[0].categories)
    assert len(labels) == 25 and labels[2] == "RA-01.3 · 73% Tertinggal · Persentase (%) pelaporan LHKASN"
    assert labels[7].startswith("RA-03.2 · Target belum ditetapkan · ")
    assert list(indicators.plots[0].series[0].values)[2] == 73.3
    lines = ikm.plots[0]
    assert [series.name for series in lines.series][-1] == "Semua unit"
    assert list(lines.categories) == ["2022-TW1", "2022-TW2", "2022-TW3"]
    assert list(lines.series[-1].values) == [79.59, 82.91, 86.2]
    bars = nrr.plots[0]
    assert [round(v, 2) for v in bars.series[0].values] == [3.5, 3.41, 3.32, 3.85, 3.44, 3.45, 3.59, 3.18, 3.29]
    assert list(bars.categories)[7].startswith("U8 ")  # the weakest, hatched


def test_workbook_text_goes_into_the_decks_charts_literally(
    bundled: LoadResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    monkeypatch.setattr(images, "find_browser", lambda: None)
    plan = bundled.plan.plan.copy()
    plan["program"] = plan["program"].astype(object)
    plan.loc[plan["code"] == "RA-04", "program"] = "<b>Program</b> \u202eexe.txt & \x1b[2J"
    model = dataclasses.replace(bundled.plan, plan=plan)
    presentation = Presentation(io.BytesIO(deck.build_deck(model, 9, "id", "v1")))
    chart = next(shape.chart for slide in presentation.slides for shape in slide.shapes if shape.has_chart)
    assert "<b>Program</b> [U+202E]exe.txt & [U+001B][2J" in list(chart.plots[0].categories)


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


def test_a_chart_of_the_first_items_says_so(bundled: LoadResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the review: the editable indicator chart showed 30 of 5,877 indicators and said nothing."""
    import dataclasses

    import pandas as pd

    monkeypatch.setattr(images, "find_browser", lambda: None)
    assert bundled.plan is not None
    more = [
        bundled.plan.indicators.assign(indicator_code=bundled.plan.indicators["indicator_code"] + f"-{n}")
        for n in range(3)
    ]
    model = dataclasses.replace(bundled.plan, indicators=pd.concat(more, ignore_index=True))  # 75 indicators
    slides = list(Presentation(io.BytesIO(deck.build_deck(model, 9, "id", "v1"))).slides)
    indicators = next(s for s in slides if texts(s)[0] == "Capaian indikator terhadap target")
    assert texts(indicators)[1].endswith(" · indikator 1–30 dari 75")
    programmes = next(s for s in slides if texts(s)[0].startswith("Kemajuan per program"))
    assert "dari" not in texts(programmes)[1]  # both programmes shown: no note
