"""The bundled workbook holds exactly the annex as read in the annex reading notes."""

from __future__ import annotations

import io

import openpyxl
import pytest

from rbdash.analysis.summary import summarise
from rbdash.model import LoadResult
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.writer import build_bundled_workbook
from tests.conftest import BUNDLED

# Hand-copied from the annex reading notes: code -> (months, sub-activity start, indicator count).
EXPECTED = {
    "RA-01": ([1], "3. Penyelenggaraan Integritas di lingkungan kerja: 1) Penandatanganan Pakta integritas", 4),
    "RA-02": (list(range(1, 13)), "4. Internalisasi nilai-nilai dasar organisasi dan menciptakan budaya", 2),
    "RA-03": ([8], "5. Pembangunan instrumen reward dan punishment yang mendorong motivasi perubahan", 2),
    "RA-04": (list(range(1, 13)), "Memetakan jenis-jenis/ produk-produk pelayanan Administrasi Internal", 1),
    "RA-05": (list(range(1, 13)), "Melakukan evaluasi terhadap jenis-jenis layanan baik internal dan eksternal", 7),
    "RA-06": (list(range(1, 13)), None, 6),
    "RA-07": ([6, 12], None, 2),
    "RA-08": ([5, 11], None, 0),
    "RA-09": ([6, 7, 8, 9, 10, 11, 12], "1. Pembangunan Kerja Sama", 0),
    "RA-10": ([6, 8, 10, 12], "2. Pelibatan masyarakat dalam kegiatan pemilu", 0),
    "RA-11": ([8], "Pembangunan dan pelaksanaan reward dan punishment dalam pelayanan internal dan eksternal", 1),
}
PROGRAM_8 = "Peningkatan Kualitas Pelayanan Publik"
ACTIVITIES = {
    "RA-04": "1. Penguatan pelayanan prima di lingkungan KPU Provinsi Banten",
    "RA-05": "1. Penguatan pelayanan prima di lingkungan KPU Provinsi Banten",
    "RA-06": "1. Penguatan pelayanan prima di lingkungan KPU Provinsi Banten",
    "RA-07": "2. Melakukan evaluasi dan perbaikan terhadap inovasi layanan;",
    "RA-08": None,
    "RA-09": "4. Penerapan partisipasi publik dalam pelayanan publik;",
    "RA-10": "4. Penerapan partisipasi publik dalam pelayanan publik;",
    "RA-11": "5. Penerapan reward and punishment dalam penyelenggaraan pelayanan publik;",
}


def test_bundled_workbook_is_valid_without_warnings(bundled: LoadResult) -> None:
    assert bundled.is_valid
    assert bundled.problems == []


def test_totals_match_the_annex_reading(bundled: LoadResult) -> None:
    model = bundled.plan
    assert len(model.plan) == 11
    assert len(model.schedule) == 66
    assert len(model.indicators) == 25
    assert sum(len(m) for m in model.plan["months"]) == 66


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_row_has_its_months_text_and_indicators(bundled: LoadResult, code: str) -> None:
    months, sub_start, indicator_count = EXPECTED[code]
    plan = bundled.plan.plan.set_index("code")
    row = plan.loc[code]
    assert list(row["months"]) == months
    if sub_start is None:
        assert "sub_activity" in row["missing_in_copy"]
        assert row["sub_activity"] is None or row["sub_activity"] != row["sub_activity"]
    else:
        assert row["sub_activity"].startswith(sub_start)
    schedule = bundled.plan.schedule
    assert sorted(schedule.loc[schedule["code"] == code, "month"]) == months
    assert (bundled.plan.indicators["plan_code"] == code).sum() == indicator_count


def test_programme_and_activity_columns(bundled: LoadResult) -> None:
    plan = bundled.plan.plan.set_index("code")
    for code in ("RA-01", "RA-02", "RA-03"):
        assert {"no", "program", "activity"} <= set(plan.loc[code, "missing_in_copy"])
    for code, activity in ACTIVITIES.items():
        assert plan.loc[code, "program"] == PROGRAM_8
        assert plan.loc[code, "no"] == "8."
        if activity is None:
            assert "activity" in plan.loc[code, "missing_in_copy"]
        else:
            assert plan.loc[code, "activity"] == activity
    assert plan.loc["RA-08", "missing_in_copy"] == ["activity", "sub_activity", "indicators_text"]


def test_text_is_verbatim_with_the_decrees_typos(bundled: LoadResult) -> None:
    indicators = bundled.plan.indicators.set_index("indicator_code")
    assert indicators.loc["RA-07.1", "text"] == "Adanya rekemondasi dan tindak lanjut hasil evaluasi."
    assert indicators.loc["RA-05.5", "text"] == (
        "Menurunnya jumlah pemanggangan kode etik ASN dan Kode etik Penyelenggara pemilu;"
    )
    assert indicators.loc["RA-05.7", "text"] == "Adanya inovasi pelayanan yang dirasakan manfaatnya oleh"
    assert indicators.loc["RA-01.4", "text"].endswith("c). Deklarasi pencanangan Zona Integritas KPU Provinsi Banten")
    assert indicators.loc["RA-06.6", "text"] == "Tersedianya pelayanan berbasis teknologi informasi"
    assert indicators.loc["RA-11.1", "text"] == "Adanya pemberian reward dan punishment dalam pelayanan"
    plan = bundled.plan.plan.set_index("code")
    assert plan.loc["RA-05", "sub_activity"].endswith("13) Jaminan keamanan; 14) Evaluasi kinerja pelaksana;")


def test_decree_has_no_targets_so_every_target_is_marked_assumed(bundled: LoadResult) -> None:
    indicators = bundled.plan.indicators
    with_target = indicators[indicators["target"].notna()]
    assert len(with_target) > 0
    assert with_target["target_assumed"].all()
    assert indicators["target"].isna().any(), "some indicators keep 'no target' to show that state"


def test_info_and_example_flags(bundled: LoadResult) -> None:
    info = bundled.plan.info
    assert info["satker"] == "KPU Provinsi Banten"
    assert info["year"] == 2022
    assert info["decree_number"] == "003/HK.03.1/36/2022"
    assert info["decree_date"].isoformat() == "2022-01-21"
    assert info["as_of"].isoformat() == "2022-09-30"
    assert info["examples"] == {"realisation": True, "indicator_values": True, "indicators": True, "survey": True}
    assert any("66 bulan terjadwal" in note for note in info["notes"])
    assert (bundled.plan.plan["satker"] == "KPU Provinsi Banten").all()
    assert (bundled.plan.plan["year"] == 2022).all()


def test_plan_sheet_mirrors_the_annex_layout() -> None:
    wb = openpyxl.load_workbook(BUNDLED)
    ws = wb["Rencana Aksi"]
    assert ws["A6"].value == "NO" and ws["E6"].value == "INDIKATOR KEBERHASILAN"
    assert ws["F6"].value == "PELAKSANAAN (BULAN)" and ws["R6"].value == "KET" and ws["S6"].value == "KODE"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"F6:Q6", "A6:A7", "A9:A11", "B12:B19", "C12:C14", "C17:C18"} <= merged
    assert [ws.cell(row=7, column=c).value for c in range(6, 18)] == list(range(1, 13))
    assert [ws.cell(row=8, column=c).value for c in range(1, 19)] == list(range(1, 19))
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$6:$8"
    assert ws.freeze_panes == "A9"
    assert ws["D9"].alignment.wrap_text
    ticks = sum(1 for row in ws.iter_rows(min_row=9, max_row=19, min_col=6, max_col=17) for c in row if c.value == "✓")
    assert ticks == 66


def test_plan_sheet_holds_no_example_values() -> None:
    wb = openpyxl.load_workbook(BUNDLED)
    text = " ".join(str(c.value) for row in wb["Rencana Aksi"].iter_rows() for c in row if c.value is not None)
    assert "CONTOH" not in text.upper()
    for name in ("Realisasi", "Capaian Indikator", "Responden SKM", "Indikator"):
        assert "CONTOH" in str(wb[name]["A1"].value).upper()


def test_committed_workbook_matches_its_generator(tmp_path) -> None:
    """data/rencana_aksi_2022.xlsx is what `python -m rbdash build-data` writes (no drift)."""
    fresh = tmp_path / "fresh.xlsx"
    build_bundled_workbook(fresh)
    committed = summarise(load_workbook(BUNDLED))
    rebuilt = summarise(load_workbook(io.BytesIO(fresh.read_bytes()).getvalue()))
    for data in (committed, rebuilt):
        data.pop("source")
    assert committed == rebuilt


def test_the_example_ikm_indicator_agrees_with_the_example_survey(bundled: LoadResult) -> None:
    """Seen: the IKM indicator's example values (86,4 / 87,9 / 89,1) contradicted the example survey."""
    assert [p.cell for p in bundled.problems if p.code == "indicator_value_from_survey"] == []


def test_an_ikm_value_that_differs_from_the_survey_is_said_where_it_is(bundled: LoadResult) -> None:
    from rbdash.workbook.loader import load_workbook
    from tests.conftest import bundled_with

    def edit(wb) -> None:
        ws = wb["Capaian Indikator"]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "RA-05.3" and ws.cell(r, 2).value == 9)
        ws.cell(row, 3).value = 89.1

    found = [p for p in load_workbook(bundled_with(edit)).problems if p.code == "indicator_value_from_survey"]
    assert [(p.sheet, p.severity) for p in found] == [("Capaian Indikator", "warning")]
    assert "RA-05.3 bulan 9 adalah 89,1, sedangkan IKM survei 2022-TW3 (semua unit) adalah 86,2" in found[0].message(
        "id"
    )
