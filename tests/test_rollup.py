"""The roll-up across offices and years: figures computed at publishing, their shares and ranking, the
programme matrix, summaries of older versions computed once, and `rbdash rollup`."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from rbdash.analysis.rollup import (
    FIGURES_KEY,
    needs_figures,
    plan_figures,
    programme_matrix,
    ranked_by_lateness,
    rollup_frame,
)
from rbdash.model import LoadResult
from rbdash.store.rollup import current_figures
from rbdash.store.sqlite import SqliteStore
from rbdash.workbook import annex2022
from tests.conftest import CliRun, office_workbook, quick_password_checks


def test_the_figures_of_the_bundled_plan(bundled: LoadResult) -> None:
    assert bundled.plan is not None
    figures = plan_figures(bundled.plan)
    # Worked from the annex itself: row-months scheduled January-September (posisi data 30 September 2022).
    scheduled = sum(1 for row in annex2022.ROWS for month in row.months if month <= 9)
    assert (figures["as_of_month"], figures["as_of"], figures["rows"]) == (9, "2022-09-30", len(annex2022.ROWS))
    assert figures["scheduled_to_date"] == scheduled == 47
    # The example realisation: every scheduled month up to September done, except its listed exceptions.
    not_done = {key for key, value in annex2022._EXAMPLE_EXCEPTIONS.items() if value[0] != "Selesai"}
    assert figures["done_to_date"] == scheduled - len(not_done) == 39
    assert figures["rows_not_done"] == 6 and (figures["indicators_achieved"], figures["indicators_with_target"]) == (
        6,
        21,
    )
    assert (figures["mutu"], figures["ikm_period"]) == ("B", "2022-TW3")
    assert math.isclose(figures["ikm"] * 25, figures["ikm_converted"], abs_tol=0.005)
    assert (
        sum(p["scheduled"] for p in figures["programmes"]) == 47 and sum(p["done"] for p in figures["programmes"]) == 39
    )
    assert figures["examples"] == ["indicator_values", "indicators", "realisation", "survey"]
    assert json.loads(json.dumps(figures)) == figures  # kept as JSON in the version row


def test_shares_ranking_and_the_programme_matrix() -> None:
    a = {
        "rows": 10,
        "scheduled_to_date": 20,
        "done_to_date": 15,
        "rows_not_done": 3,
        "indicators_achieved": 2,
        "indicators_with_target": 8,
        "programmes": [
            {"programme": "P1", "scheduled": 12, "done": 12},
            {"programme": "P2", "scheduled": 8, "done": 3},
        ],
    }
    b = {
        "rows": 4,
        "scheduled_to_date": 10,
        "done_to_date": 5,
        "rows_not_done": 3,
        "indicators_achieved": 0,
        "indicators_with_target": 0,
        "programmes": [{"programme": "P2", "scheduled": 10, "done": 5}, {"programme": "P3", "scheduled": 0, "done": 0}],
    }
    c = {"rows": 4, "scheduled_to_date": 0, "done_to_date": 0, "rows_not_done": 0, "programmes": []}
    frame = rollup_frame([("A", 2022, 2, a), ("B", 2022, 1, b), ("C", 2022, 1, c)])
    assert frame["done_share"].tolist()[:2] == [0.75, 0.5] and frame["done_share"].isna().tolist()[2]
    assert frame["indicator_share"].tolist()[0] == 0.25 and frame["indicator_share"].isna().tolist()[1:] == [True, True]
    # Three rows not done each: the lower share done first (B 50 % before A 75 %); C has nothing late.
    assert ranked_by_lateness(frame)["satker"].tolist() == ["B", "A", "C"]
    matrix = programme_matrix([("A", a), ("B", b), ("C", c)])
    assert matrix.columns.tolist() == ["P1", "P2", "P3"] and matrix.index.tolist() == ["A", "B", "C"]
    assert matrix.loc["A", "P1"] == 1.0 and matrix.loc["A", "P2"] == 3 / 8 and matrix.loc["B", "P2"] == 0.5
    assert math.isnan(matrix.loc["B", "P3"]) and math.isnan(matrix.loc["B", "P1"]) and matrix.loc["C"].isna().all()


@pytest.fixture
def store(seeded_store_root: Path) -> SqliteStore:
    return SqliteStore(seeded_store_root, checks=quick_password_checks())


def test_figures_are_kept_at_publishing_and_computed_once_for_an_older_version(store: SqliteStore) -> None:
    lebak = store.publish(office_workbook("KPU Kabupaten Lebak", status="Belum"), "system", "lebak").version
    assert lebak is not None and not needs_figures(lebak.summary)
    # Every realisation "Belum": nothing done, all eleven rows with a month scheduled up to September open.
    assert (lebak.summary[FIGURES_KEY]["done_to_date"], lebak.summary[FIGURES_KEY]["rows_not_done"]) == (0, 11)
    with sqlite3.connect(store.database) as connection:  # as a release before the roll-up wrote it
        connection.execute("UPDATE versions SET summary = '{\"plan_rows\": 11}' WHERE satker = 'KPU Provinsi Banten'")
    found = current_figures(store)
    assert [(v.satker, v.year, v.number) for v, _ in found] == [
        ("KPU Provinsi Banten", 2022, 1),
        ("KPU Kabupaten Lebak", 2022, 1),
    ]
    assert found[0][1]["done_to_date"] == 39
    province = store.current("KPU Provinsi Banten", 2022)
    assert province is not None and province.summary[FIGURES_KEY]["done_to_date"] == 39  # written back once
    assert [v.satker for v, _ in current_figures(store, satker="kpu kab. lebak")] == ["KPU Kabupaten Lebak"]
    assert current_figures(store, year=2023) == []


def test_a_version_whose_file_is_gone_is_left_out_not_fatal(store: SqliteStore) -> None:
    store.publish(office_workbook("KPU Kota Cilegon"), "system", "cilegon")
    province = store.current("KPU Provinsi Banten", 2022)
    assert province is not None
    with sqlite3.connect(store.database) as connection:
        connection.execute("UPDATE versions SET summary = '{}' WHERE satker = 'KPU Provinsi Banten'")
    for path in store.files.root.rglob(f"{province.sha256}*"):
        path.unlink()
    assert [v.satker for v, _ in current_figures(store)] == ["KPU Kota Cilegon"]


def test_the_rollup_command(store: SqliteStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBDASH_DATA_DIR", str(store.root))
    store.publish(office_workbook("KPU Kabupaten Lebak", status="Belum"), "system", "lebak")
    store.publish(office_workbook("KPU Provinsi Banten", 2023), "system", "2023")
    made = cli("rollup", "--json")
    assert made.returncode == 0, made.stderr
    records = json.loads(made.stdout)
    assert [(r["satker"], r["year"], r["version"]) for r in records] == [
        ("KPU Provinsi Banten", 2022, 1),
        ("KPU Provinsi Banten", 2023, 1),
        ("KPU Kabupaten Lebak", 2022, 1),
    ]
    first = records[0]
    assert (first["rows"], first["scheduled_to_date"], first["done_to_date"], first["rows_not_done"]) == (11, 47, 39, 6)
    assert (first["indicators_achieved"], first["indicators_with_target"], first["mutu"]) == (6, 21, "B")
    assert first["as_of"] == "2022-09-30" and isinstance(first["ikm"], float)
    lines = cli("rollup", "--year", "2022").stdout.strip().splitlines()
    assert lines[0].split("\t")[:4] == ["satker", "year", "version", "as_of"] and len(lines) == 3
    assert lines[2].split("\t")[:8] == ["KPU Kabupaten Lebak", "2022", "1", "2022-09-30", "11", "47", "0", "11"]
    unknown = cli("rollup", "--satker", "KPU Kota Bandung", "--lang", "en")
    assert unknown.returncode == 1 and "Unknown office" in unknown.stderr  # what was typed: exit 1
