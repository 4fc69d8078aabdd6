"""The app (until the dashboard pages exist): renders the plan table, switches language, shows the
example banner only for example data, and shows workbook text literally."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from rbdash.workbook import template_content, write_workbook
from tests.conftest import BUNDLED, ROOT

APP = str(ROOT / "app.py")


def run_app(monkeypatch: pytest.MonkeyPatch, workbook: Path = BUNDLED) -> AppTest:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(workbook))
    return AppTest.from_file(APP, default_timeout=60).run()


def test_renders_the_plan_in_indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch)
    assert not at.exception
    assert at.title[0].value == "RB Dash — Rencana Aksi Reformasi Birokrasi"
    table = at.dataframe[0].value
    assert len(table) == 11
    assert list(table.columns)[:2] == ["Kode", "Program Kegiatan"]
    assert table.iloc[0]["Program Kegiatan"] == "(tidak ada dalam salinan)"
    assert table.iloc[9]["Bulan Pelaksanaan"] == "Jun, Agu, Okt, Des"
    assert any("Posisi data per 2022-09-30" in c.value for c in at.caption)


def test_language_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch)
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "RB Dash — Bureaucratic Reform Action Plan"
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["Code", "Programme"]
    assert table.iloc[9]["Scheduled months"] == "Jun, Aug, Oct, Dec"
    assert at.warning[0].value.startswith("EXAMPLE")


def test_example_banner_only_for_example_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = run_app(monkeypatch)
    assert at.warning and at.warning[0].value.startswith("CONTOH")
    assert "Realisasi" in at.warning[0].value and "Responden SKM" in at.warning[0].value
    template = tmp_path / "templat.xlsx"
    write_workbook(template, template_content())
    at = run_app(monkeypatch, template)
    assert not at.exception and not at.warning


def test_unreadable_workbook_shows_the_problem_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(BUNDLED.read_bytes()[:5000])
    at = run_app(monkeypatch, broken)
    assert not at.exception
    assert at.error and "tidak dapat dimuat" in at.error[0].value
    problems = at.dataframe[0].value
    assert "rusak atau terpotong" in problems.iloc[0]["Pesan"]


def test_workbook_text_is_shown_literally(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Info"]["B4"] = "<b>KPU</b> **Banten** [x](javascript:alert(1))"
    wb["Rencana Aksi"]["D9"] = "<script>alert(1)</script>"
    path = tmp_path / "markup.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path)
    assert not at.exception
    heading = at.subheader[0].value
    assert "\\<b\\>KPU\\</b\\>" in heading and "\\*\\*Banten\\*\\*" in heading and "\\[x\\]" in heading
    assert at.dataframe[0].value.iloc[0]["Sub Kegiatan"] == "<script>alert(1)</script>"
