"""The comparison of two workbooks (upload preview, publish checks, `rbdash diff`): every sheet and every
Info field, added, changed and removed; missing and renamed sheets; the values in the reader's words."""

from __future__ import annotations

import json

import openpyxl
import pytest

from rbdash.analysis.diff import compare
from rbdash.model import LoadResult
from rbdash.present.changes import changes_table, counts_text, removed_text, shown_value
from rbdash.workbook.loader import load_workbook
from tests.conftest import CliRun, edit_workbook


def changed(bundled_bytes: bytes, edit) -> LoadResult:
    result = load_workbook(edit_workbook(bundled_bytes, edit))
    assert result.plan is not None
    return result


def test_the_same_content_is_empty(bundled: LoadResult) -> None:
    comparison = compare(bundled.plan, bundled.plan)
    assert comparison.empty and comparison.counts() == {} and comparison.removed == 0


def test_each_kind_of_change(bundled: LoadResult, bundled_bytes: bytes) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        plan = wb["Rencana Aksi"]
        plan["D18"] = "2. Pelibatan masyarakat dalam kegiatan pemilu (diubah)"  # RA-10 text
        plan["P17"] = None  # RA-09 loses month 11
        realisation = wb["Realisasi"]
        realisation["C4"], realisation["D4"] = "Sebagian", 50  # RA-01 month 1
        wb["Capaian Indikator"]["C4"] = 90  # RA-01.1 month 1
        wb["Responden SKM"].append(["2022-TW4", "Unit baru", 1, 4, 4, 4, 4, 4, 4, 4, 4, 4])

    comparison = compare(bundled.plan, changed(bundled_bytes, edit).plan)
    found = [(c.sheet, c.kind, c.key, c.field, c.before, c.after) for c in comparison.changes]
    assert found == [
        ("plan", "changed", ("RA-09",), "months", (6, 7, 8, 9, 10, 11, 12), (6, 7, 8, 9, 10, 12)),
        (
            "plan",
            "changed",
            ("RA-10",),
            "sub_activity",
            "2. Pelibatan masyarakat dalam kegiatan pemilu",
            "2. Pelibatan masyarakat dalam kegiatan pemilu (diubah)",
        ),
        ("realisation", "changed", ("RA-01", 1), "status", "selesai", "sebagian"),
        ("realisation", "changed", ("RA-01", 1), "progress", 100.0, 50.0),
        ("indicator_values", "changed", ("RA-01.1", 1), "value", 100.0, 90.0),
        (
            "survey_responses",
            "added",
            ("2022-TW4", "Unit baru", "1", 1),
            None,
            None,
            {f"U{i}": 4 for i in range(1, 10)},
        ),
    ]
    # A row with two changed fields counts once.
    assert comparison.counts()["realisation"] == {"added": 0, "changed": 1, "removed": 0}
    assert comparison.removed == 0


def test_removals_are_found_in_every_sheet_and_in_info(bundled: LoadResult, bundled_bytes: bytes) -> None:
    """Seen by the user review: a filled template over a version dropped realisation, indicator values,
    survey rows and targets, and the preview listed 5 changes (it walked only the new file)."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb["Realisasi"].delete_rows(4, 5)  # 5 realisation rows
        wb["Capaian Indikator"].delete_rows(4, 2)  # 2 indicator values
        wb["Responden SKM"].delete_rows(4, 10)  # 10 answers
        wb["Indikator"]["G4"] = None  # a target removed
        wb["Info"]["B10"] = None  # Disusun Oleh removed

    comparison = compare(bundled.plan, changed(bundled_bytes, edit).plan)
    counts = comparison.counts()
    assert counts["realisation"]["removed"] == 5
    assert counts["indicator_values"]["removed"] == 2
    assert counts["survey_responses"]["removed"] == 10
    assert counts["info"] == {"added": 0, "changed": 0, "removed": 1}
    target = next(c for c in comparison.changes if c.sheet == "indicators" and c.field == "target")
    assert target.before is not None and target.after is None
    assert comparison.removed == 5 + 2 + 10 + 1
    assert removed_text(comparison, "id") == "Info 1, Realisasi 5, Capaian Indikator 2, Responden SKM 10"


def test_a_renamed_sheet_is_missing_and_its_closest_name_is_given(bundled: LoadResult, bundled_bytes: bytes) -> None:
    """Seen by the user review: 'Realisasi' renamed 'Realisasi Sep' validated, previewed as 'no change',
    and publishing it showed 0 % done."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb["Realisasi"].title = "Realisasi Sep"

    after = changed(bundled_bytes, edit)
    renamed = next(p for p in after.problems if p.code == "missing_sheet_renamed")
    assert renamed.params == {"sheet": "Realisasi", "found": "Realisasi Sep"}
    comparison = compare(bundled.plan, after.plan)
    (missing,) = comparison.missing_sheets
    assert (missing.sheet, missing.rows, missing.closest) == ("realisation", 47, "Realisasi Sep")
    assert "Realisasi Sep" in missing.found
    assert comparison.counts()["realisation"]["removed"] == 47
    assert not comparison.empty


def test_info_fields_are_compared(bundled: LoadResult, bundled_bytes: bytes) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb["Info"]["B9"] = "2022-10-31"

    (change,) = compare(bundled.plan, changed(bundled_bytes, edit).plan).changes
    assert (change.sheet, change.kind, change.field) == ("info", "changed", "as_of")
    assert [shown_value("as_of", v, "id") for v in (change.before, change.after)] == [
        "30 September 2022",
        "31 Oktober 2022",
    ]


def test_everything_is_added_without_a_current_version(bundled: LoadResult) -> None:
    counts = compare(None, bundled.plan).counts()
    assert counts["plan"]["added"] == 11 and counts["realisation"]["added"] == 47
    assert counts["survey_responses"]["added"] == 260
    assert all(c["removed"] == 0 and c["changed"] == 0 for c in counts.values())


def test_the_preview_uses_the_catalogue_words_and_indonesian_numbers(bundled: LoadResult, bundled_bytes: bytes) -> None:
    """Seen by the user review: the preview showed 'sebagian 60.0' and '96.0'."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb["Realisasi"]["C4"], wb["Realisasi"]["D4"] = "Sebagian", 60.5

    comparison = compare(bundled.plan, changed(bundled_bytes, edit).plan)
    table = changes_table(comparison, "id")
    assert list(table.columns) == ["Lembar", "Baris", "Perubahan", "Kolom", "Sebelum", "Sesudah"]
    rows = table.values.tolist()
    assert ["Realisasi", "RA-01 · Januari", "Diubah", "Status", "Selesai", "Sebagian"] in rows
    assert ["Realisasi", "RA-01 · Januari", "Diubah", "Progres (%)", "100", "60,50"] in rows
    assert counts_text(comparison, "id") == ["Realisasi: 0 ditambah, 1 diubah, 0 dihapus"]
    assert counts_text(comparison, "en") == ["Realisasi: 0 added, 1 changed, 0 removed"]
    english = changes_table(comparison, "en").values.tolist()
    assert ["Realisasi", "RA-01 · January", "Changed", "Status", "Done", "Partial"] in english


@pytest.fixture
def fewer(tmp_path, bundled_bytes: bytes):
    def edit(wb: openpyxl.Workbook) -> None:
        wb["Realisasi"].delete_rows(4, 3)

    path = tmp_path / "kurang.xlsx"
    path.write_bytes(edit_workbook(bundled_bytes, edit))
    return path


def test_cli_diff_text_and_json(cli, fewer, tmp_path) -> None:
    from tests.conftest import BUNDLED

    same: CliRun = cli("diff", str(BUNDLED), str(BUNDLED))
    assert same.returncode == 0 and "sama" in same.stdout
    text: CliRun = cli("diff", str(BUNDLED), str(fewer), "--lang", "en")
    assert text.returncode == 1 and "Realisasi: 0 added, 0 changed, 3 removed" in text.stdout
    as_json: CliRun = cli("diff", str(BUNDLED), str(fewer), "--json")
    record = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert record["counts"] == {"Realisasi": {"added": 0, "changed": 0, "removed": 3}}
    assert [c["kind"] for c in record["changes"]] == ["removed"] * 3
    assert record["changes"][0]["key"] == ["RA-01", 1] and record["changes"][0]["before"]["status"] == "selesai"
    missing: CliRun = cli("diff", str(BUNDLED), str(tmp_path / "tidak_ada.xlsx"))
    assert missing.returncode == 2 and "tidak_ada.xlsx" in missing.stderr


def test_cli_diff_says_when_a_file_has_errors(cli, tmp_path, bundled_bytes: bytes) -> None:
    """Seen by the review: a file with a repeated row compared as "the same content", silently."""
    from tests.conftest import BUNDLED

    def repeat(wb: openpyxl.Workbook) -> None:
        wb["Realisasi"].append(["RA-01", 1, "Selesai", 100, "bukti lain", None])

    path = tmp_path / "ganda.xlsx"
    path.write_bytes(edit_workbook(bundled_bytes, repeat))
    run: CliRun = cli("diff", str(BUNDLED), str(path), "--lang", "en")
    assert f"{path} has 1 error (see" in run.stderr and "cannot be published" in run.stderr
