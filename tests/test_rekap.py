"""Rekap (the roll-up page) and `rbdash demo`: every office of a year ranked for attention, figures as
Ringkasan's, a drill-down to an office's Ringkasan, one office's years; the CONTOH example data it runs on."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rbdash.analysis.rollup import programme_matrix
from rbdash.present.charts import rollup as rollup_charts
from rbdash.present.views import example_sheet_names
from rbdash.store.sqlite import SqliteStore
from rbdash.workbook.loader import load_workbook
from tests.conftest import (
    BUNDLED,
    ROOT,
    CliRun,
    office_workbook,
    quick_password_checks,
    run_demo,
)

APP = str(ROOT / "app.py")


@pytest.fixture
def store(seeded_store_root: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    """2022: the province (bundled: 39 of 47 months done, 6 rows not done), KPU Kota Cilegon (the same content),
    KPU Kabupaten Lebak (every month "Belum": 0 of 47, 11 rows); 2023: the province again."""
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    store = SqliteStore(seeded_store_root, checks=quick_password_checks())
    store.publish(office_workbook("KPU Kabupaten Lebak", status="Belum"), "system", "lebak", trusted=True)
    store.publish(office_workbook("KPU Kota Cilegon"), "system", "cilegon", trusted=True)
    store.publish(office_workbook("KPU Provinsi Banten", 2023), "system", "2023", trusted=True)
    return store


def open_rekap() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/rekap.py")
    return at.run()


def test_rekap_ranks_every_office_of_the_year_with_ringkasan_s_figures(store: SqliteStore) -> None:
    at = open_rekap()
    assert not at.exception
    assert at.selectbox(key="rollup_year").value == 2023  # the sidebar's year: the home office's latest
    at.selectbox(key="rollup_year").set_value(2022).run()
    table = at.dataframe[0].value
    assert table["Satker"].tolist() == ["KPU Kabupaten Lebak", "KPU Kota Cilegon", "KPU Provinsi Banten"]
    lebak, cilegon, province = (table.iloc[i] for i in range(3))
    assert (lebak["Bulan terjadwal selesai"], lebak["Baris belum selesai"]) == ("0 / 47 (0,0%)", "11")
    # Ringkasan's own figures for the bundled workbook: 39/47 = 83,0 %; 6/21 indicators = 28,6 %; IKM 86,20 (B).
    assert (province["Bulan terjadwal selesai"], province["Baris belum selesai"]) == ("39 / 47 (83,0%)", "6")
    assert (province["Indikator tercapai"], province["IKM terakhir (mutu)"]) == ("6 / 21 (28,6%)", "86,20 (B)")
    assert province["Posisi data"] == "30 September 2022" and cilegon["Data contoh"] == "CONTOH"
    missing = next(c.value for c in at.caption if "Belum ada versi tahun 2022" in c.value)
    assert "KPU Kabupaten Serang" in missing and "KPU Kota Cilegon" not in missing
    assert at.warning and "CONTOH" in at.warning[0].value  # the bundled workbook's example data is said


def test_rekap_follows_the_sidebar_s_year_when_it_changes(store: SqliteStore) -> None:
    """Seen by the review: the sidebar said 2022 while Rekap stayed at 2023."""
    at = open_rekap()
    assert at.selectbox(key="rollup_year").value == 2023
    at.sidebar.selectbox(key="year").set_value(2022).run()
    assert at.selectbox(key="rollup_year").value == 2022
    at.selectbox(key="rollup_year").set_value(2023).run()  # Rekap's own choice stays until the sidebar's changes
    at.run()
    assert at.selectbox(key="rollup_year").value == 2023


def test_an_office_of_the_rekap_opens_its_ringkasan(store: SqliteStore) -> None:
    at = open_rekap()
    at.selectbox(key="rollup_year").set_value(2022).run()
    at.selectbox(key="rollup_open_office").set_value("KPU Kota Cilegon")
    at.button(key="rollup_open").click().run()
    assert not at.exception and at.title[0].value == "Ringkasan"
    assert (at.sidebar.selectbox(key="satker").value, at.sidebar.selectbox(key="year").value) == (
        "KPU Kota Cilegon",
        2022,
    )
    assert "KPU Kota Cilegon" in at.caption[0].value


def test_the_drill_down_keeps_the_language(store: SqliteStore) -> None:
    """Seen: st.switch_page ended Rekap's run early and Streamlit dropped the language radio's value."""
    at = open_rekap()
    at.sidebar.radio(key="lang").set_value("en").run()
    at.selectbox(key="rollup_year").set_value(2022).run()
    at.selectbox(key="rollup_open_office").set_value("KPU Kabupaten Lebak")
    at.button(key="rollup_open").click().run()
    assert not at.exception and at.title[0].value == "Overview" and at.sidebar.radio(key="lang").value == "en"


def test_one_office_s_years_side_by_side(store: SqliteStore) -> None:
    at = open_rekap()
    assert at.selectbox(key="rollup_years_office").value == "KPU Provinsi Banten"
    years = at.dataframe[-1].value
    assert years["Tahun"].tolist() == [2022, 2023] and years["Bulan terjadwal selesai"].tolist()[0] == "39 / 47 (83,0%)"
    at.selectbox(key="rollup_years_office").set_value("KPU Kabupaten Lebak").run()
    assert not at.exception and at.dataframe[-1].value["Tahun"].tolist() == [2022]


def test_long_office_names_get_rows_tall_enough_for_two_lines() -> None:
    """Seen by the review: two-line names in 24 px rows ran into each other."""
    import pandas as pd

    short = rollup_charts.rows_not_done_bars(
        pd.DataFrame({"satker": ["A", "B"], "rows_not_done": [1, 0], "rows": [2, 2]}), 2022, "id"
    )
    long_name = "KPU Kabupaten Panjangsekali " + "nama " * 12
    wrapped = rollup_charts.rows_not_done_bars(
        pd.DataFrame({"satker": [long_name, "B"], "rows_not_done": [1, 0], "rows": [2, 2]}), 2022, "id"
    )
    assert wrapped.layout.height - short.layout.height == 2 * (
        rollup_charts.OFFICE_ROW_TWO_LINES - rollup_charts.OFFICE_ROW
    )
    assert "<br>" in wrapped.layout.yaxis.ticktext[0]


def test_the_heat_map_reads_in_grayscale_and_says_each_value() -> None:
    figures = {"programmes": [{"programme": "", "scheduled": 4, "done": 1}, {"programme": "P2", "scheduled": 0}]}
    figure = rollup_charts.programme_heatmap(programme_matrix([("A <b>", figures)]), 2022, "id")
    texts = [list(trace.text) for trace in figure.data]
    assert texts == [["25%"], ["–"]]  # nothing scheduled: a dash, never 0 %
    assert figure.layout.xaxis.ticktext[0] == "(tidak ada dalam<br>salinan)"  # a programme the copy lacks, said
    assert figure.layout.yaxis.ticktext[0] == "A &lt;b&gt;"  # office names shown literally
    assert figure.layout.margin.t == rollup_charts.HEATMAP_TOP  # programme names clear of the subtitle

    def lightness(colour: str) -> float:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * red + 0.587 * green + 0.114 * blue

    shades = [lightness(rollup_charts.share_colour(share / 10)) for share in range(11)]
    assert all(darker < lighter for lighter, darker in itertools.pairwise(shades))


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after `rbdash demo` (made once per test process)."""
    return run_demo(tmp_path_factory.mktemp("demo") / "data")


def test_demo_publishes_labelled_example_plans_beside_the_bundled_workbook(
    _demo_template: Path, tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "data"
    shutil.copytree(_demo_template, root)
    store = SqliteStore(root, checks=quick_password_checks())
    plans = store.plans()
    assert len(plans) == 18 and {year for _, year in plans} == {2022, 2023}
    assert {satker for satker, _ in plans} == set(store.offices()[:9])
    province = store.current("KPU Provinsi Banten", 2022)
    assert province is not None and store.read(province) == BUNDLED.read_bytes()  # the real 2022 workbook
    for version in store.current_versions():
        if version == province:
            continue
        assert version.user == "contoh" and version.comment.startswith("CONTOH")
        model = load_workbook(store.read(version)).plan
        assert model is not None and model.info["decree_number"] is None  # never invented
        assert {"Rencana Aksi", "Realisasi"} <= set(example_sheet_names(model))  # the plan rows are examples too
    monkeypatch.setenv("RBDASH_DATA_DIR", str(root))
    again = cli("demo", "--lang", "en")
    assert again.returncode == 1 and "example data is published only into a new data directory" in again.stderr
    records = json.loads(cli("rollup", "--json", "--year", "2023").stdout)
    assert len(records) == 9 and all(record["examples"] for record in records)


def test_demo_refuses_a_store_someone_published_to(
    seeded_store_root: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(seeded_store_root, checks=quick_password_checks())
    store.publish(office_workbook("KPU Kota Serang"), "edi", "milik kantor")
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    refused = cli("demo")
    assert refused.returncode == 1 and len(store.plans()) == 2
