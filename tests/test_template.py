"""`python -m rbdash template`: a blank workbook of the same layout, filled by staff, loads back."""

from __future__ import annotations

import io

import openpyxl
import pytest

from rbdash.workbook.content import template_content
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.writer import workbook_bytes


@pytest.fixture(scope="module")
def template() -> bytes:
    return workbook_bytes(template_content())


def test_template_holds_the_plan_and_empty_progress_sheets(template: bytes) -> None:
    result = load_workbook(template)
    assert result.is_valid
    assert {p.code for p in result.problems} == {"missing_info_field"}  # "Posisi Data Per" is for staff to fill
    model = result.plan
    assert len(model.plan) == 11 and len(model.schedule) == 66 and len(model.indicators) == 25
    assert model.realisation.empty and model.indicator_values.empty and model.survey.empty
    assert model.indicators["target"].isna().all(), "the decree gives no targets"
    assert not any(model.info["examples"].values())


def test_template_has_guide_dropdowns_and_header_notes(template: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    assert wb.sheetnames[0] == "Petunjuk"
    guide = " ".join(str(c.value) for row in wb["Petunjuk"].iter_rows() for c in row if c.value)
    for sheet in ("Rencana Aksi", "Realisasi", "Responden SKM", "IKM", "Capaian Indikator", "Indikator", "Info"):
        assert sheet in guide

    def rules(sheet: str) -> dict[str, tuple[str, str | None, str | None]]:
        return {
            str(dv.sqref).split(":")[0]: (dv.type, dv.formula1, dv.formula2)
            for dv in wb[sheet].data_validations.dataValidation
        }

    realisation = rules("Realisasi")
    assert realisation["C4"] == ("list", '"Selesai,Sebagian,Belum,Batal"', None)
    assert realisation["B4"] == ("whole", "1", "12")
    assert realisation["A4"][0] == "list" and "'Rencana Aksi'!$S$9" in realisation["A4"][1]
    survey = rules("Responden SKM")
    assert survey["D4"] == ("whole", "1", "4") and survey["L4"] == ("whole", "1", "4")
    assert rules("Indikator")["E4"][1] == '"persen,dokumen,indeks,jumlah,ada/tidak"'
    assert wb["Realisasi"]["C3"].comment is not None
    assert "Selesai" in wb["Realisasi"]["C3"].comment.text


def test_fill_then_load_round_trips(template: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    wb["Info"]["B9"] = "2022-03-31"
    realisation = wb["Realisasi"]
    for row, values in enumerate(
        [
            ("RA-01", 1, "Selesai", 100, "Berita acara", None),
            ("RA-02", 2, "Sebagian", 40, None, "menunggu"),
            ("RA-08", 3, "Belum", 0, None, None),
        ],
        start=4,
    ):
        for col, value in enumerate(values, start=1):
            realisation.cell(row=row, column=col, value=value)
    values = wb["Capaian Indikator"]
    values.append(["RA-01.2", 3, 85.5, "LHKPN triwulan I"])
    wb["Indikator"]["G5"] = 100
    survey = wb["Responden SKM"]
    survey.append(["2022-TW1", "Unit A", 1, 4, 4, 4, 4, 4, 4, 4, 4, 4])
    survey.append(["2022-TW1", "Unit A", 2, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    out = io.BytesIO()
    wb.save(out)

    result = load_workbook(out.getvalue())
    assert result.is_valid, [p.render("en") for p in result.problems]
    model = result.plan
    assert model.info["as_of"].isoformat() == "2022-03-31"
    assert model.realisation[["code", "month", "status", "progress"]].values.tolist() == [
        ["RA-01", 1, "selesai", 100.0],
        ["RA-02", 2, "sebagian", 40.0],
        ["RA-08", 3, "belum", 0.0],
    ]
    assert [p.code for p in result.problems] == ["realisation_not_scheduled"]  # RA-08 is scheduled in 5 and 11
    assert model.indicator_values.values.tolist()[0][2:5] == ["RA-01.2", 3, 85.5]
    assert model.indicators.set_index("indicator_code").loc["RA-01.2", "target"] == 100
    survey_row = model.survey.iloc[0]
    assert (survey_row["period"], survey_row["respondents"], survey_row["ikm_converted"], survey_row["mutu"]) == (
        "2022-TW1",
        2,
        87.5,
        "B",
    )  # NRR 3.5 on every unsur: 3.5 x 25 = 87.50
