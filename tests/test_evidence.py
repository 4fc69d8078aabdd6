"""Evidence and notes are shown (#12): Realisasi's PROGRES, CATATAN and BUKTI in the Gantt's hover, the row
tables, a selected row's month-by-month detail and the report's list of rows not done; a BUKTI that is an
http(s) address is a link, anything else (javascript:, data:, file:...) its text.

Expected values are the example realisation of rbdash/annex2022.py (`_EXAMPLE_EXCEPTIONS`: every other
scheduled month up to September is "Selesai, 100, CONTOH" with the evidence "CONTOH: laporan kegiatan")."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from rbdash.analysis import metrics as m
from rbdash.exports.report import build_pdf
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import charts, printing, views
from rbdash.present.text import evidence_href
from rbdash.ui.widgets import table_key
from rbdash.workbook.loader import load_workbook
from tests.conftest import BUNDLED, ROOT, bundled_with

#: The reports here are read for their text: no chart images (tests/test_report.py renders them).
pytestmark = pytest.mark.usefixtures("text_only_reports")

LINK = "https://kpu-banten.go.id/bukti/ra-09?bulan=9&jenis=laporan%20akhir"
SCRIPT = "javascript:alert(document.cookie)"


@pytest.fixture(scope="module")
def model(bundled: LoadResult) -> ActionPlan:
    assert bundled.plan is not None
    return bundled.plan


def _with_evidence(wb: openpyxl.Workbook) -> None:
    """RA-09/September's BUKTI an address, RA-02/September's a javascript: text (Realisasi: KODE, BULAN,
    STATUS, PROGRES, BUKTI, CATATAN from row 4)."""
    sheet = wb["Realisasi"]
    for row in range(4, sheet.max_row + 1):
        key = (sheet.cell(row, 1).value, sheet.cell(row, 2).value)
        if key == ("RA-09", 9):
            sheet.cell(row, 5).value = LINK
        if key == ("RA-02", 9):
            sheet.cell(row, 5).value = SCRIPT


@pytest.fixture(scope="module")
def evidence_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evidence") / "bukti.xlsx"
    path.write_bytes(bundled_with(_with_evidence))
    return path


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("https://kpu.go.id/a.pdf", "https://kpu.go.id/a.pdf"),
        ("  http://drive.example.org/d/1?x=1#y  ", "http://drive.example.org/d/1?x=1#y"),
        ("HTTPS://KPU.GO.ID", "HTTPS://KPU.GO.ID"),
        ("javascript:alert(1)", None),
        ("JavaScript://kpu.go.id/%0aalert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("ftp://kpu.go.id/a", None),
        ("https://", None),
        ("https:///path-only", None),
        ("https://kpu.go.id/a b", None),  # two words: a sentence that starts with an address
        ("https://kpu.go.id/\u202egpj.exe", None),  # a right-to-left override inside
        ("https://[::1", None),  # unbalanced bracket: urlsplit raises
        ("lihat https://kpu.go.id", None),
        ("CONTOH: laporan kegiatan", None),
        ("", None),
        (None, None),
        (3.0, None),
        ("https://kpu.go.id/" + "a" * 3000, None),
        # Characters an address never holds as typed (seen by the review: a browser opens evil.example for
        # the first; Streamlit's sanitiser dropped the href of the next three; the last is invisible).
        ("https://evil.example\\@good.go.id/", None),
        ("https://example.com/x-->y", None),
        ("https://example.com/a]>b", None),
        ('https://example.com/"onmouseover=alert(1)', None),
        ("https://kpu.go.id/x\u200by", None),
        ("https://kpu.go.id/%3Cx%3E?a=1&b=2#c", "https://kpu.go.id/%3Cx%3E?a=1&b=2#c"),
    ],
)
def test_only_a_whole_http_address_is_a_link(text: object, href: str | None) -> None:
    assert evidence_href(text) == href


def test_a_link_cell_is_an_escaped_link_and_anything_else_its_text() -> None:
    assert printing.link_cell(LINK) == (
        '<a href="https://kpu-banten.go.id/bukti/ra-09?bulan=9&amp;jenis=laporan%20akhir" target="_blank" '
        'rel="noopener noreferrer nofollow">'
        # the text as every long word in a table: break opportunities every 16 characters
        "https://kpu-bant<wbr>en.go.id/bukti/r<wbr>a-09?bulan=9&amp;jen<wbr>is=laporan%20akh<wbr>ir</a>"
    )
    assert printing.link_cell(SCRIPT) == "javascript:alert<wbr>(document.cookie<wbr>)"  # text, breakable
    assert (
        printing.link_cell('<a href="https://x.org">x</a>')
        == "&lt;a href=&quot;https://x.<wbr>org&quot;&gt;x&lt;/a&gt;"
    )


def test_the_last_realisation_of_each_row_up_to_the_as_of_month(model: ActionPlan) -> None:
    last = m.latest_realisation(model, 9)
    # RA-08 is scheduled in May and November: May's "Belum, 0" is its last record by September.
    ra08 = last.loc["RA-08"]
    assert (ra08["month"], ra08["progress"], ra08["note"]) == (5, 0, "CONTOH: belum dilaksanakan.")
    assert pd.isna(ra08["evidence"])
    ra05 = m.latest_realisation(model, 8).loc["RA-05"]
    assert (ra05["month"], ra05["status"], ra05["progress"]) == (8, "sebagian", 50)
    assert (ra05["note"], ra05["evidence"]) == ("CONTOH: evaluasi 7 dari 14 komponen.", "CONTOH: laporan kegiatan")
    # RA-03's first scheduled month is August: nothing recorded by July.
    assert "RA-03" not in m.latest_realisation(model, 7).index and "RA-03" in last.index


def test_a_row_month_by_month_with_a_month_recorded_but_not_scheduled(model: ActionPlan) -> None:
    months = m.row_months(model, "RA-02", 9)
    assert months["month"].tolist() == list(range(1, 13))
    assert months["status"].tolist() == ["done"] * 8 + ["partial"] + ["planned"] * 3
    september = months.iloc[8]
    assert (september["progress"], september["note"]) == (60, "CONTOH: sosialisasi bulan ini baru sebagian unit.")
    assert months.iloc[9:][["progress", "note", "evidence"]].isna().all().all()
    # A Realisasi row for June, which RA-08's schedule (May, November) does not have.
    extra = pd.DataFrame(
        [{**model.realisation.iloc[0].to_dict(), "code": "RA-08", "month": 6, "status": "selesai", "scheduled": False}]
    )
    widened = dataclasses.replace(model, realisation=pd.concat([model.realisation, extra], ignore_index=True))
    ra08 = m.row_months(widened, "RA-08", 9)
    assert list(zip(ra08["month"], ra08["status"], ra08["scheduled"], strict=True)) == [
        (5, "late", True),
        (6, "done", False),
        (11, "planned", True),
    ]
    detail = views.row_detail_table(widened, "RA-08", 9, "id")
    assert detail["Status"].tolist() == ["Terlambat", "Selesai (di luar jadwal)", "Rencana"]


def test_the_row_tables_carry_the_last_realisation(model: ActionPlan) -> None:
    table = views.plan_table(model, "id", 9).set_index("Kode")
    assert list(table.columns[-4:]) == ["Realisasi terakhir", "Progres (%)", "Catatan", "Bukti"]
    assert table.loc["RA-08", "Realisasi terakhir"] == "Mei: Terlambat"
    assert table.loc["RA-02", ["Realisasi terakhir", "Progres (%)", "Catatan", "Bukti"]].tolist() == [
        "Sep: Sebagian",
        "60",
        "CONTOH: sosialisasi bulan ini baru sebagian unit.",
        "CONTOH: laporan kegiatan",
    ]
    assert table.loc["RA-10", "Realisasi terakhir"] == "Agu: Batal"
    english = views.plan_table(model, "en", 9).set_index("Code")
    assert english.loc["RA-05", ["Latest realisation", "Progress (%)"]].tolist() == ["Sep: Not done (this month)", "0"]
    assert "Catatan" not in views.plan_table(model, "id").columns  # without a month: the plan alone


def test_the_gantt_hover_says_progress_note_and_evidence(model: ActionPlan) -> None:
    fig = charts.gantt(model, 9, "id")
    hovers = [text for trace in fig.data if trace.hovertext is not None for text in trace.hovertext]
    partial = next(text for text in hovers if text.startswith("RA-02 · September"))
    assert partial == (
        "RA-02 · September: Sebagian<br>Progres (%): 60<br>Catatan: CONTOH: sosialisasi bulan ini baru sebagian"
        " unit.<br>Bukti: CONTOH: laporan kegiatan"
    )
    late = next(text for text in hovers if text.startswith("RA-08 · Mei"))
    assert late == "RA-08 · Mei: Terlambat<br>Progres (%): 0<br>Catatan: CONTOH: belum dilaksanakan."


def test_a_hostile_note_is_shown_literally_in_the_hover(model: ActionPlan) -> None:
    real = model.realisation.copy()
    real["note"] = real["note"].astype(object)
    real.loc[(real["code"] == "RA-02") & (real["month"] == 9), "note"] = "<b>tebal</b> $x$ " + "panjang " * 100
    fig = charts.gantt(dataclasses.replace(model, realisation=real), 9, "id")
    hover = next(t for tr in fig.data if tr.hovertext is not None for t in tr.hovertext if t.startswith("RA-02 · Sep"))
    assert "&lt;b&gt;tebal&lt;/b&gt; &#36;x&#36;" in hover and "<b>" not in hover
    assert len(hover) < 600 and "…" in hover  # cut: the row's detail has it whole


def test_jadwal_shows_a_selected_rows_detail_with_its_evidence_link(
    monkeypatch: pytest.MonkeyPatch, evidence_workbook: Path
) -> None:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(evidence_workbook))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/jadwal.py")
    at.run()
    assert not at.exception
    assert any("Pilih satu baris pada tabel" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table.columns[:7]) == [
        "Kode",
        "Sub Kegiatan",
        "Bulan Pelaksanaan",
        "Realisasi terakhir",
        "Progres (%)",
        "Catatan",
        "Bukti",
    ]
    position = table["Kode"].tolist().index("RA-09")
    at.session_state[table_key("schedule_rows", table)] = {"selection": {"rows": [position], "columns": []}}
    at.run()
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Rincian RA\\-09: 1\\. Pembangunan Kerja Sama"]
    detail = next(h.proto.body for h in at.get("html") if "rb-detail-table" in h.proto.body)
    assert (
        '<td><a href="https://kpu-banten.go.id/bukti/ra-09?bulan=9&amp;jenis=laporan%20akhir" target="_blank" '
        'rel="noopener noreferrer nofollow">'
    ) in detail
    assert "<td>CONTOH: draf kerja sama dalam pembahasan.</td>" in detail
    # The javascript: evidence is text wherever it is shown: here in the table's printed copy.
    printed = next(h.proto.body for h in at.get("html") if "rb-print-table" in h.proto.body)
    assert "javascript:alert<wbr>(document.cookie<wbr>)" in printed and 'href="javascript' not in printed
    assert printed.count("<a href=") == 1


def test_a_selection_does_not_move_to_another_row_when_the_rows_change(
    monkeypatch: pytest.MonkeyPatch, evidence_workbook: Path
) -> None:
    """Seen by the review: RA-09 selected, a filter dropped RA-08 and the detail showed RA-10 (a selection is
    kept by position). Other rows make another table, with nothing selected."""
    monkeypatch.setenv("RBDASH_WORKBOOK", str(evidence_workbook))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/jadwal.py").run()
    table = at.dataframe[0].value
    at.session_state[table_key("schedule_rows", table)] = {"selection": {"rows": [8], "columns": []}}  # RA-09
    at.run()
    assert [h.value for h in at.subheader] == ["Rincian RA\\-09: 1\\. Pembangunan Kerja Sama"]
    at.multiselect(key="schedule_statuses").set_value(["done"]).run()  # RA-08 (late) leaves the table
    assert not at.exception and "RA-08" not in at.dataframe[0].value["Kode"].tolist()
    assert not at.subheader and any("Pilih satu baris pada tabel" in c.value for c in at.caption)
    at.multiselect(key="schedule_statuses").set_value([]).run()  # all rows again: the selection was let go
    assert not at.subheader
    at.session_state[table_key("schedule_rows", table)] = {"selection": {"rows": [8], "columns": []}}
    at.run()
    at.sidebar.radio(key="lang").set_value("en").run()  # the same rows in English: still RA-09
    assert [h.value for h in at.subheader] == ["Detail of RA\\-09: 1\\. Pembangunan Kerja Sama"]


def test_the_reports_rows_not_done_carry_note_and_evidence(evidence_workbook: Path) -> None:
    loaded = load_workbook(evidence_workbook)
    assert loaded.plan is not None
    pdf = pypdf.PdfReader(io.BytesIO(build_pdf(loaded.plan, 9, "id", "bukti.xlsx")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in ("Catatan", "Bukti", "CONTOH: draf kerja sama", "javascript:alert"):
        assert expected in text
    links = {
        annotation.get_object()["/A"]["/URI"]
        for page in pdf.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    }
    assert links == {LINK}


def test_the_bundled_workbook_keeps_its_evidence_as_text() -> None:
    """The shipped examples are text ("CONTOH: laporan kegiatan"), never links."""
    loaded = load_workbook(BUNDLED)
    assert loaded.plan is not None
    assert not [e for e in loaded.plan.realisation["evidence"].dropna() if evidence_href(e)]


def test_the_detail_shows_nothing_recorded_after_the_as_of_month(model: ActionPlan) -> None:
    """Seen by the review: as of May, September's note and evidence in RA-02's detail."""
    detail = views.row_detail_table(model, "RA-02", 5, "id")
    assert detail.iloc[4].tolist() == ["Mei", "Selesai", "100", "CONTOH", "CONTOH: laporan kegiatan"]
    later = detail.iloc[5:]
    assert (later["Status"] == "Rencana").all() and (later[["Progres (%)", "Catatan", "Bukti"]] == "").all().all()


def test_a_month_recorded_but_not_scheduled_says_so_with_its_recorded_status(model: ActionPlan) -> None:
    """Seen by the review: " (di luar jadwal)" with no status word for a "Belum" record, and "Mei: Selesai" for a
    month not scheduled."""
    extra = pd.DataFrame(
        [{**model.realisation.iloc[0].to_dict(), "code": "RA-08", "month": 6, "status": "belum", "scheduled": False}]
    )
    widened = dataclasses.replace(model, realisation=pd.concat([model.realisation, extra], ignore_index=True))
    detail = views.row_detail_table(widened, "RA-08", 9, "id")
    assert detail["Status"].tolist() == ["Terlambat", "Belum (di luar jadwal)", "Rencana"]
    table = views.plan_table(widened, "id", 9).set_index("Kode")
    assert table.loc["RA-08", "Realisasi terakhir"] == "Jun: Belum (di luar jadwal)"
    assert views.row_detail_table(widened, "RA-08", 5, "id")["Bulan"].tolist() == ["Mei", "November"]


def test_a_missing_fixed_workbook_is_a_message_and_a_log_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Seen by the review: RBDASH_WORKBOOK naming a missing file gave Streamlit's "This app has encountered an
    error" on every visit; and the visitor's message sent the admin to a server log that said nothing."""
    monkeypatch.setenv("RBDASH_WORKBOOK", str(tmp_path / "hilang.xlsx"))
    for _ in range(2):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        assert not at.exception
        assert next(e.value for e in at.error).startswith("Data dasbor sedang tidak dapat dibaca")
    logged = [r.getMessage() for r in caplog.records if "shown to a visitor" in r.getMessage()]
    assert len(logged) == 1 and "hilang.xlsx" in logged[0]  # once, with the cause
