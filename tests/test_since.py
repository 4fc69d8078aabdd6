"""Since the last meeting (#12.1): against a reference version, rows newly done and newly late, rows
rescheduled, indicator values changed and the IKM, and each key-figure card's delta on Ringkasan.

The "after" workbook is the bundled one with three edits, worked by hand against the example realisation
(as of September): RA-05/September done (was "Belum"), RA-06 rescheduled from every month to June-December,
RA-01.3's April value (its last) 96 -> 100."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from rbdash.analysis import metrics as m
from rbdash.analysis import selection, since
from rbdash.exports.deck import build_deck
from rbdash.exports.report import build_pdf
from rbdash.model import ActionPlan, LoadResult
from rbdash.present.since import Reference, change_tables, figure_rows, summary_lines
from rbdash.workbook.loader import load_workbook
from tests.conftest import ROOT, CliRun, bundled_with

#: The reports here are read for their text: no chart images (tests/test_report.py renders them).
pytestmark = pytest.mark.usefixtures("text_only_reports")


def _edit(wb: openpyxl.Workbook) -> None:
    real = wb["Realisasi"]
    for row in range(4, real.max_row + 1):
        if (real.cell(row, 1).value, real.cell(row, 2).value) == ("RA-05", 9):
            real.cell(row, 3).value, real.cell(row, 4).value = "Selesai", 100
    plan = wb["Rencana Aksi"]
    for row in range(9, plan.max_row + 1):
        if plan.cell(row, 19).value == "RA-06":
            for month in range(1, 13):  # months are columns F (6) to Q (17)
                plan.cell(row, 5 + month).value = "✓" if month >= 6 else None
    values = wb["Capaian Indikator"]
    for row in range(4, values.max_row + 1):
        if (values.cell(row, 1).value, values.cell(row, 2).value) == ("RA-01.3", 4):
            values.cell(row, 3).value = 100


@pytest.fixture(scope="module")
def after_bytes() -> bytes:
    return bundled_with(_edit)


@pytest.fixture(scope="module")
def after(after_bytes: bytes) -> ActionPlan:
    result = load_workbook(after_bytes)
    assert result.plan is not None and result.is_valid, result.problems
    return result.plan


def test_what_changed_since_the_reference(bundled: LoadResult, after: ActionPlan) -> None:
    assert bundled.plan is not None
    changes = since.compare(bundled.plan, after, 9)
    assert changes.newly_done == [("RA-05", 9)]
    # RA-06 now starts in June: Jan-May are no longer its months; nothing new is late (June-August are done
    # in the example only for the months it had, so June-August are late now).
    assert changes.rescheduled == [("RA-06", list(range(1, 13)), list(range(6, 13)))]
    assert changes.indicator_values == [("RA-01.3", 4, 96.0, 100.0)]
    assert changes.ikm_change is None or changes.ikm_change == 0
    assert (changes.figures_before.done_to_date, changes.figures_after.done_to_date) == (39, 35)
    assert not changes.empty
    same = since.compare(bundled.plan, bundled.plan, 9)
    assert same.empty and same.newly_done == [] and same.rescheduled == []


def test_newly_late_is_late_now_and_not_then(bundled: LoadResult) -> None:
    """The reference as of its own month (June, as it was then), the version shown as of September."""
    assert bundled.plan is not None

    def as_of_june(wb: openpyxl.Workbook) -> None:
        info = wb["Info"]
        for row in range(1, info.max_row + 1):
            if info.cell(row, 1).value == "Posisi Data Per":
                info.cell(row, 2).value = "2022-06-30"

    june = load_workbook(bundled_with(as_of_june)).plan
    assert june is not None
    changes = since.compare(june, bundled.plan, 9)
    # Late by September and not late in June: RA-08/May was already late in June; the September rows are
    # "not done (this month)", not late. So nothing is newly late; newly done are July-August's done months.
    assert ("RA-08", 5) not in changes.newly_late
    assert changes.before_month == 6 and changes.after_month == 9
    assert ("RA-02", 7) in changes.newly_done and all(month > 6 for _, month in changes.newly_done)


@dataclass
class _Stamped:
    number: int
    created_at: str


def test_the_default_reference_is_the_version_current_at_the_start_of_last_month() -> None:
    versions = [  # newest first, times in UTC
        _Stamped(4, "2026-11-20T03:00:00+00:00"),
        _Stamped(3, "2026-10-15T03:00:00+00:00"),
        _Stamped(2, "2026-09-30T16:59:00+00:00"),  # 23:59 WIB on 30 September: before 1 October WIB
        _Stamped(1, "2026-09-01T00:00:00+00:00"),
    ]
    assert since.default_reference(versions, dt.date(2026, 11, 29)).number == 2
    assert since.default_reference(versions[:2], dt.date(2026, 11, 29)) is None  # all newer: none
    assert since.default_reference(versions[2:], dt.date(2026, 11, 29)) is None  # the newest itself: nothing to compare
    boundary = [_Stamped(5, "2026-11-20T00:00:00+00:00"), _Stamped(4, "2026-09-30T17:00:00+00:00")]  # 00:00 WIB 1 Oct
    assert since.default_reference(boundary, dt.date(2026, 11, 29)) is None


def test_ringkasan_compares_with_a_chosen_version(
    monkeypatch: pytest.MonkeyPatch, seeded_store_root: Path, after_bytes: bytes
) -> None:
    from rbdash.store.sqlite import SqliteStore

    store = SqliteStore(seeded_store_root)
    assert store.publish(after_bytes, "ani", "realisasi September").version.number == 2
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    chooser = at.selectbox(key="since_reference")
    assert chooser.value == 0  # "(tanpa perbandingan)": both versions are this month's, no meeting before them
    assert chooser.options[0] == "(tanpa perbandingan)" and chooser.options[1].startswith("Versi 1 · ")
    assert all(metric.proto.delta == "" for metric in at.metric)
    chooser.set_value(1).run()
    assert not at.exception
    deltas = [(metric.proto.delta, metric.proto.color) for metric in at.metric]
    # rows 11 -> 11; done 39/47 -> 35/42 (+0,35 points); indicators achieved 6/21 -> 7/21 (RA-01.3 reaches 100:
    # +4,76 points); overdue rows 6 -> 6 (RA-05 and RA-06 still have months open); due in October 6 -> 6; IKM same.
    assert [delta for delta, _ in deltas] == ["±0", "+0,4 poin", "+4,8 poin", "±0", "±0", "±0,00"]
    heading = [h.value for h in at.subheader if h.value.startswith("Perubahan sejak versi 1")]
    assert len(heading) == 1
    # printed, the picker is hidden: a caption above the cards says what their changes are against
    assert [
        c.value for c in at.caption if c.value.startswith("Perubahan pada angka kunci: dibandingkan dengan versi 1 (")
    ]
    listed = "\n".join(m.value for m in at.markdown)
    assert "Baru selesai\\: 1 \\(RA\\-05 Sep\\)" in listed and "Jadwal berubah\\: 1 baris \\(RA\\-06\\)" in listed
    assert "Nilai capaian indikator berubah\\: 1 \\(RA\\-01\\.3\\)" in listed


def test_no_comparison_without_a_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(ROOT / "data" / "rencana_aksi_2022.xlsx"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not [s for s in at.selectbox if s.key == "since_reference"]


# ----------------------------------------------------------------------------------------------
# The report's since-page and the deck's since-slide (the same words: rbdash.present.since)


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_key_figures_then_and_now(bundled: LoadResult, after: ActionPlan) -> None:
    assert bundled.plan is not None
    changes = since.compare(bundled.plan, after, 9)
    rows = figure_rows(changes, Reference(1, "2026-11-01T03:00:00+00:00"), "id")
    # done 39/47 = 83,0 % -> 35/42 = 83,3 % (+0,35 points, shown +0,4); indicators 6/21 -> 7/21
    assert rows == [
        ["Angka kunci", "Versi 1 (Sep)", "Sekarang (Sep)", "Perubahan"],
        ["Baris rencana aksi", "11", "11", "±0"],
        ["Bulan terjadwal selesai", "83,0%", "83,3%", "+0,4 poin"],
        ["Indikator tercapai", "28,6%", "33,3%", "+4,8 poin"],
        ["Baris belum selesai", "6", "6", "±0"],
        ["Jatuh tempo bulan depan", "6", "6", "±0"],
        ["IKM terakhir", "86,20 (B)", "86,20 (B)", "±0,00"],
    ]
    assert (
        Reference(1, "2026-11-01T03:00:00+00:00").heading("en") == "Changes since version 1 (2026-11-01 10:00:00 WIB)"
    )


def test_the_report_and_deck_carry_the_since_page(bundled: LoadResult, after: ActionPlan) -> None:
    assert bundled.plan is not None
    found = (since.compare(bundled.plan, after, 9), Reference(1, "2026-11-01T03:00:00+00:00"))
    pages = _pdf_pages(build_pdf(after, 9, "id", "versi 2", since=found))
    page = pages[1]  # the first page after the cover
    assert "Perubahan sejak versi 1 (01-11-2026 10.00.00 WIB)" in page
    assert "Baru selesai (1)" in page and "RA-05" in page and "September" in page
    assert "Jadwal berubah (1)" in page and "Jan, Feb, Mar" in page and "Jun, Jul, Agu, Sep, Okt, Nov, Des" in page
    assert "Nilai capaian indikator berubah (1)" in page and "RA-01.3" in page and "96,00" in page
    assert "Baru terlambat" not in page  # nothing newly late
    assert "Angka kunci" in pages[2] and "Perubahan sejak" not in pages[2]  # the key figures follow
    assert not any("Perubahan sejak" in text for text in _pdf_pages(build_pdf(after, 9, "id", "versi 2")))

    deck = Presentation(io.BytesIO(build_deck(after, 9, "en", "version 2", since=found)))
    slide = deck.slides[1]
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert texts[0] == "Changes since version 1 (2026-11-01 10:00:00 WIB)"
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert [cell.text for cell in table.rows[2].cells] == ["Scheduled months done", "83.0%", "83.3%", "+0.4 points"]
    assert "Newly done: 1 (RA-05 Sep)" in texts and "Rescheduled: 1 row (RA-06)" in texts
    notes = slide.notes_slide.notes_text_frame.text
    assert "Newly done (1)\nRA-05 · " in notes and "RA-01.3 · April · 96.00 · 100.00" in notes


def test_nothing_changed_is_said(bundled: LoadResult) -> None:
    assert bundled.plan is not None
    found = (since.compare(bundled.plan, bundled.plan, 9), Reference(1, "2026-11-01T03:00:00+00:00"))
    page = _pdf_pages(build_pdf(bundled.plan, 9, "id", "versi 2", since=found))[1]
    assert "Perubahan sejak versi 1" in page and "Tidak ada perubahan." in page and "Baru selesai" not in page


def test_report_since_from_the_command_line(
    cli: Callable[..., CliRun],
    monkeypatch: pytest.MonkeyPatch,
    seeded_store_root: Path,
    after_bytes: bytes,
    tmp_path: Path,
) -> None:
    from rbdash.store.sqlite import SqliteStore

    assert SqliteStore(seeded_store_root).publish(after_bytes, "ani", "realisasi September").version.number == 2
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    out = tmp_path / "laporan.pdf"
    done = cli("report", "--pdf", str(out), "--since", "1")
    assert done.returncode == 0, done.stderr
    page = _pdf_pages(out.read_bytes())[1]
    assert "CONTOH" in page and "Perubahan sejak versi 1 (" in page and "Baru selesai (1)" in page
    refused = cli("report", "--pdf", str(tmp_path / "x.pdf"), "--since", "2")
    assert refused.returncode == 1 and "lebih lama dari versi 2" in refused.stderr
    unknown = cli("report", "--pdf", str(tmp_path / "x.pdf"), "--since", "99")  # seen: "must be older" said of it
    assert unknown.returncode == 1 and "Versi 99 tidak ada." in unknown.stderr
    for wrong in ("x1", "", "-1", "0", "\u0661", "1" * 100_000):
        refused = cli("report", "--pdf", str(tmp_path / "x.pdf"), "--since", wrong, "--lang", "en")
        assert refused.returncode == 1 and "is not valid: write a version number" in refused.stderr
        assert len(refused.stderr) < 300
    missing = cli(
        "report", str(ROOT / "data" / "rencana_aksi_2022.xlsx"), "--pdf", str(tmp_path / "x.pdf"), "--since", "7"
    )
    assert missing.returncode == 1 and "Versi 7 tidak ada." in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_the_report_page_compares_with_the_version_chosen(
    monkeypatch: pytest.MonkeyPatch, seeded_store_root: Path, after_bytes: bytes
) -> None:
    from rbdash.exports import queue as rq
    from rbdash.store.sqlite import SqliteStore

    assert SqliteStore(seeded_store_root).publish(after_bytes, "ani", "realisasi September").version.number == 2
    built: list[tuple[rq.ReportRequest, ActionPlan | None]] = []

    def fake(model: ActionPlan, request: rq.ReportRequest, reference: ActionPlan | None = None) -> rq.ReportFiles:
        built.append((request, reference))
        return rq.ReportFiles(pdf=b"%PDF-", pptx=b"PK")

    queue = rq.BuildQueue(builders=1, capacity=2)
    monkeypatch.setattr(rq, "build_report", fake)
    old = rq.replace_report_queue(queue)
    try:
        monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
        monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page("app_pages/laporan.py").run()
        assert not at.exception
        assert at.selectbox(key="report_since_reference").value == 0  # both versions this month: none before
        at.selectbox(key="report_since_reference").set_value(1).run()
        at.button(key="report_build").click().run()
        assert at.session_state["report_job"].wait(30)
        request, reference = built[0]
        assert request.since is not None and request.since.number == 1
        assert reference is not None and reference.info["as_of"] == dt.date(2022, 9, 30)
        assert request.since.sha256 != request.sha256
    finally:
        queue.shutdown(timeout=30)
        rq.replace_report_queue(old)


# ----------------------------------------------------------------------------------------------
# Seen by the attack review of the since-page


def _as_of(month_end: str):
    def edit(wb: openpyxl.Workbook) -> None:
        info = wb["Info"]
        for row in range(1, info.max_row + 1):
            if info.cell(row, 1).value == "Posisi Data Per":
                info.cell(row, 2).value = month_end

    return edit


def test_a_fall_reads_as_a_fall_in_streamlit() -> None:
    """Streamlit reads a fall from a leading ASCII "-" only: "−3" (U+2212) was drawn as a rise, and a fall of
    the rows not done ("inverse") red."""
    from rbdash.present.since import count_change, share_change
    from rbdash.ui.since import metric_delta

    assert metric_delta(count_change(3, 6, "id", "inverse")) == {"delta": "-3", "delta_color": "inverse"}
    assert metric_delta(share_change(0.2857, 0.381, "id")) == {"delta": "-9,5 poin", "delta_color": "normal"}
    assert metric_delta(count_change(7, 6, "id")) == {"delta": "+1", "delta_color": "off"}
    assert count_change(3, 6, "id").text == "−3"  # printed (PDF, deck) with the typographic minus


def test_a_filter_restricts_both_versions_to_the_same_rows(bundled: LoadResult) -> None:
    """Seen: filtered by a PENANGGUNG JAWAB the reference did not name, every done month was "newly done"."""
    assert bundled.plan is not None

    def assign(wb: openpyxl.Workbook) -> None:
        _edit(wb)  # RA-05/September done
        plan = wb["Rencana Aksi"]
        for row in range(9, plan.max_row + 1):
            if plan.cell(row, 19).value in ("RA-05", "RA-09"):
                plan.cell(row, 20).value = "Sekretaris"

    shown = load_workbook(bundled_with(assign)).plan
    assert shown is not None
    narrowed = selection.for_programmes(shown, [], ["Sekretaris"])
    changes = since.compare(since.restricted_like(bundled.plan, narrowed, shown, [], ["Sekretaris"]), narrowed, 9)
    assert changes.newly_done == [("RA-05", 9)] and changes.added == [] and changes.removed == []
    assert changes.figures_before.plan_rows == changes.figures_after.plan_rows == 2


def test_a_reference_dated_later_is_read_at_the_month_shown(bundled: LoadResult) -> None:
    """Seen: a reference as of October set against a September report compared October's "due next month"."""
    assert bundled.plan is not None
    october = load_workbook(bundled_with(_as_of("2022-10-31"))).plan
    assert october is not None
    changes = since.compare(october, bundled.plan, 9)
    assert changes.before_month == 9 and changes.empty
    assert changes.figures_before.due_next_month == m.overview(october, 9).due_next_month


def test_rows_added_and_removed_are_named(bundled: LoadResult) -> None:
    """Seen: a row removed and another added read as "11 -> 11 ±0" and were named nowhere."""
    assert bundled.plan is not None
    without = selection.for_codes(bundled.plan, set(bundled.plan.plan["code"]) - {"RA-11"})
    gone = since.compare(bundled.plan, without, 9)
    assert [code for code, _ in gone.removed] == ["RA-11"] and gone.added == [] and not gone.empty
    back = since.compare(without, bundled.plan, 9)
    assert [code for code, _ in back.added] == ["RA-11"] and back.removed == []
    assert summary_lines(back, "id")[0] == "Baris baru: 1 (RA-11)"
    [table] = [found for found in change_tables(gone, without, "id") if found.kind == "codes"]
    assert table.heading == "Baris dihapus (1)" and table.rows[1][0] == "RA-11"
    assert table.rows[1][1] == bundled.plan.plan.set_index("code").at["RA-11", "sub_activity"]


def test_survey_values_of_ikm_indicators_are_compared(bundled: LoadResult) -> None:
    """Seen: the IKM indicators' values shown (from the survey) changed, and the list named none of them."""
    assert bundled.plan is not None

    def lower(wb: openpyxl.Workbook) -> None:
        survey = wb["Responden SKM"]
        for row in range(4, survey.max_row + 1):
            if survey.cell(row, 1).value == "2022-TW3" and survey.cell(row, 3).value in range(1, 21):
                for column in range(4, 13):
                    survey.cell(row, column).value = 1

    lowered = load_workbook(bundled_with(lower)).plan
    assert lowered is not None
    changes = since.compare(bundled.plan, lowered, 9)
    shown = m.indicator_values(lowered, 9)
    survey_codes = set(shown.loc[shown["from_survey"], "indicator_code"])
    assert survey_codes and {code for code, *_ in changes.indicator_values} == survey_codes
    assert all(
        month == 9 and old is not None and new is not None and new < old
        for _, month, old, new in changes.indicator_values
    )


def test_the_reference_carries_across_pages_and_a_fall_points_down(
    monkeypatch: pytest.MonkeyPatch, seeded_store_root: Path, after_bytes: bytes, bundled_bytes: bytes
) -> None:
    """Seen: a version picked on Ringkasan was not the one Laporan compared with (and a choice there flipped
    back); a fall drawn as a rise."""
    from streamlit.proto.Metric_pb2 import Metric

    from rbdash.store.sqlite import SqliteStore

    store = SqliteStore(seeded_store_root)
    assert store.publish(after_bytes, "ani", "realisasi September").version.number == 2
    assert store.publish(bundled_bytes, "ani", "kembali").version.number == 3  # RA-05/September not done again
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(seeded_store_root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key="since_reference").set_value(2).run()
    assert not at.exception
    done = at.metric[1]
    assert done.proto.delta == "-0,4 poin" and done.proto.direction == Metric.MetricDirection.DOWN
    assert done.proto.color == Metric.MetricColor.RED  # a fall of the share done is bad
    at.switch_page("app_pages/laporan.py").run()
    assert at.selectbox(key="report_since_reference").value == 2
    at.selectbox(key="report_since_reference").set_value(0).run()
    at.switch_page("app_pages/ringkasan.py").run()
    assert at.selectbox(key="since_reference").value == 0 and all(metric.proto.delta == "" for metric in at.metric)


# Seen by the second attack review


def test_a_row_removed_since_stays_named_under_a_filter(bundled: LoadResult) -> None:
    assert bundled.plan is not None
    shown = selection.for_codes(bundled.plan, set(bundled.plan.plan["code"]) - {"RA-11"})
    public = ["Peningkatan Kualitas Pelayanan Publik"]  # RA-04 to RA-11
    narrowed = selection.for_programmes(shown, public)
    changes = since.compare(since.restricted_like(bundled.plan, narrowed, shown, public, []), narrowed, 9)
    assert [code for code, _ in changes.removed] == ["RA-11"]
    assert (changes.figures_before.plan_rows, changes.figures_after.plan_rows) == (8, 7)


def test_a_month_done_then_and_not_now_is_named(bundled: LoadResult, after: ActionPlan) -> None:
    assert bundled.plan is not None
    back = since.compare(after, bundled.plan, 9)  # RA-05/September was done in `after`, is "Belum" again
    # (RA-06's January-May are "newly done": not its months in `after`, rescheduled, and done in the example)
    assert back.no_longer_done == [("RA-05", 9)] and [key for key in back.newly_done if key[0] != "RA-06"] == []
    assert "Tidak lagi selesai: 1 (RA-05 Sep)" in summary_lines(back, "id")
    assert any(table.heading == "Tidak lagi selesai (1)" for table in change_tables(back, bundled.plan, "id"))


def test_rows_added_are_not_also_newly_done(bundled: LoadResult) -> None:
    assert bundled.plan is not None
    without = selection.for_codes(bundled.plan, set(bundled.plan.plan["code"]) - {"RA-09"})
    changes = since.compare(without, bundled.plan, 9)
    assert [code for code, _ in changes.added] == ["RA-09"]
    assert not [key for key in changes.newly_done + changes.newly_late if key[0] == "RA-09"]


def test_values_after_the_month_shown_are_not_changes_yet(bundled: LoadResult, after: ActionPlan) -> None:
    assert bundled.plan is not None
    assert since.compare(bundled.plan, after, 9).indicator_values == [("RA-01.3", 4, 96.0, 100.0)]
    assert since.compare(bundled.plan, after, 3).indicator_values == []  # April is after March


def test_the_ikm_row_says_it_is_the_offices_under_a_filter(bundled: LoadResult) -> None:
    assert bundled.plan is not None
    changes = since.compare(bundled.plan, bundled.plan, 9)
    reference = Reference(1, "2026-11-01T03:00:00+00:00")
    assert figure_rows(changes, reference, "id", office_wide=True)[-1][0] == "IKM terakhir (seluruh satker)"
    assert figure_rows(changes, reference, "id")[-1][0] == "IKM terakhir"


def test_an_unchanged_survey_value_is_no_change_when_the_months_differ(bundled: LoadResult) -> None:
    """Seen by the third review: TW3's IKM dated August in the reference and September now was listed as removed
    and added again, unchanged."""
    assert bundled.plan is not None
    august = load_workbook(bundled_with(_as_of("2022-08-31"))).plan
    assert august is not None
    shown = m.indicator_values(bundled.plan, 9)
    survey_codes = set(shown.loc[shown["from_survey"], "indicator_code"])
    changes = since.compare(august, bundled.plan, 9)
    assert survey_codes and not [change for change in changes.indicator_values if change[0] in survey_codes]
