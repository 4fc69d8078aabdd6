"""The upload preview: what a workbook changes against the current version."""

from __future__ import annotations

import openpyxl

from rbdash.analysis.diff import compare
from rbdash.model import LoadResult
from rbdash.workbook.loader import load_workbook
from tests.conftest import edit_workbook


def test_no_changes(bundled: LoadResult) -> None:
    assert compare(bundled.plan, bundled.plan).empty


def test_each_kind_of_change(bundled: LoadResult, bundled_bytes: bytes) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        plan = wb["Rencana Aksi"]
        plan["D18"] = "2. Pelibatan masyarakat dalam kegiatan pemilu (diubah)"  # RA-10 text
        plan["P17"] = None  # RA-09 loses month 11
        realisation = wb["Realisasi"]
        realisation["C4"], realisation["D4"] = "Sebagian", 50  # RA-01 month 1
        wb["Capaian Indikator"]["C4"] = 90  # RA-01.1 month 1
        wb["Responden SKM"].append(["2022-TW4", "Unit baru", 1, 4, 4, 4, 4, 4, 4, 4, 4, 4])

    after = load_workbook(edit_workbook(bundled_bytes, edit))
    changes = compare(bundled.plan, after.plan)
    assert changes.plan_changed.values.tolist() == [
        [
            "RA-10",
            "sub_activity",
            "2. Pelibatan masyarakat dalam kegiatan pemilu",
            "2. Pelibatan masyarakat dalam kegiatan pemilu (diubah)",
        ]
    ]
    assert changes.rescheduled.values.tolist() == [["RA-09", "6, 7, 8, 9, 10, 11, 12", "6, 7, 8, 9, 10, 12"]]
    assert changes.realisation.values.tolist() == [["RA-01", 1, "selesai 100.0", "sebagian 50.0"]]
    assert changes.indicator_values.values.tolist() == [["RA-01.1", 1, "100.0", "90.0"]]
    assert changes.new_periods == ["2022-TW4 · Unit baru"]
    assert not changes.plan_added and not changes.plan_removed


def test_everything_is_new_without_a_current_version(bundled: LoadResult) -> None:
    changes = compare(None, bundled.plan)
    assert len(changes.plan_added) == 11 and len(changes.realisation) == 47 and len(changes.new_periods) == 6
