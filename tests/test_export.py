"""Table exports neutralise formula injection and keep Indonesian headers and numbers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from rbdash.exports.tables import neutralise, to_csv, to_xlsx

HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "aman", "Rp 1.000"]


def test_neutralise() -> None:
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE[:6]] + ["aman", "Rp 1.000"]
    assert neutralise(-5) == -5 and neutralise(None) is None


def test_csv_is_safe_and_indonesian() -> None:
    frame = pd.DataFrame({"Kode": HOSTILE, "Nilai": [88.31] * len(HOSTILE)})
    text = to_csv(frame, "id").decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Kode;Nilai"
    assert lines[1].startswith("\"'=HYPERLINK") and lines[1].endswith(";88,31")
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    assert to_csv(frame, "en").decode("utf-8-sig").splitlines()[1].endswith(",88.31")


def test_xlsx_holds_text_not_formulas() -> None:
    frame = pd.DataFrame({"Kode": HOSTILE, "Nilai": list(range(len(HOSTILE)))})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, "Indikator")))
    ws = wb["Indikator"]
    assert [c.value for c in ws[1]] == ["Kode", "Nilai"]
    values = [ws.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    assert all(cell.data_type == "s" for cell in values)
    assert values[0].value == "'" + HOSTILE[0] and values[6].value == "aman"
    assert ws.cell(row=3, column=2).value == 1


def test_an_evidence_address_is_a_hyperlink_in_the_xlsx() -> None:
    """Seen by a review: the BUKTI addresses were plain text in the downloads (links on the printed copy)."""
    frame = pd.DataFrame(
        {"Kode": ["RA-01", "RA-02", "RA-03"], "Bukti": ["https://contoh.go.id/a?b=1", "javascript:alert(1)", None]}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, linked=["Bukti"]))).active
    assert sheet["B2"].hyperlink is not None and sheet["B2"].hyperlink.target == "https://contoh.go.id/a?b=1"
    assert sheet["B2"].value == "https://contoh.go.id/a?b=1"
    assert (
        sheet["B3"].hyperlink is None and sheet["B3"].value == "javascript:alert(1)" and sheet["B4"].hyperlink is None
    )
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(frame))).active["B2"].hyperlink is None
