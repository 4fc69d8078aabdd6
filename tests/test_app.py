"""Every page through streamlit.testing.v1.AppTest: renders without exception, controls change what is
shown, the language switch changes the text, the example banner appears only for example data, and
workbook text is shown literally."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.present import printing
from rbdash.ui.plotly_chart import CHART_COMPONENT, figure_json
from rbdash.workbook.content import template_content
from rbdash.workbook.writer import write_workbook
from tests.conftest import BUNDLED, ROOT, bundled_with

APP = str(ROOT / "app.py")
PAGES = ["app_pages/ringkasan.py", "app_pages/jadwal.py", "app_pages/indikator.py", "app_pages/ikm.py"]
TITLES = {"id": ["Ringkasan", "Jadwal", "Indikator", "IKM"], "en": ["Overview", "Schedule", "Indicators", "IKM"]}


def chart_figures(at: AppTest) -> list[dict]:
    """The Plotly figures the run drew, in page order (rbdash.ui.plotly_chart elements)."""
    return [
        figure_json(element.proto.json)
        for element in at.get("bidi_component")
        if element.proto.component_name == CHART_COMPONENT
    ]


def screen_lists(at: AppTest) -> list[pd.DataFrame]:
    """The short lists a run shows on screen as HTML tables (widgets.show_list), as text frames."""
    lists = []
    for element in at.get("html"):
        body = element.proto.body
        if f'class="{printing.SCREEN_TABLE_CLASS}' not in body:
            continue
        parser = _TableText()
        parser.feed(body)
        lists.append(pd.DataFrame(parser.rows[1:], columns=parser.rows[0]))
    return lists


class _TableText(HTMLParser):
    """The text of each cell of an HTML table, row by row (markup inside a cell dropped)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def run_app(monkeypatch: pytest.MonkeyPatch, workbook: Path = BUNDLED, page: str | None = None) -> AppTest:
    monkeypatch.setenv("RBDASH_WORKBOOK", str(workbook))
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)  # opened by its own address: the default page does not run first
    return at.run()


@pytest.mark.parametrize(
    ("page", "title", "english", "first_note"),
    [
        ("ringkasan", "Ringkasan", "Overview", "CONTOH"),
        ("jadwal", "Jadwal", "Schedule", "CONTOH"),
        ("triwulan", "Triwulan", "Quarters", "CONTOH"),
        ("indikator", "Indikator", "Indicators", "CONTOH"),
        ("ikm", "IKM", "IKM", "CONTOH"),
        ("laporan", "Laporan", "Report", "CONTOH"),
        ("riwayat", "Riwayat Versi", "Version history", ""),
        ("data", "Unggah Data", "Upload data", "Halaman ini memerlukan peran editor"),
        ("admin", "Pengguna & Audit", "Users & audit", "Halaman ini memerlukan peran admin"),
    ],
)
def test_every_page_runs_on_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: str, title: str, english: str, first_note: str
) -> None:
    """A page run without app.py (as here) builds the same frame itself: sidebar, language, workbook."""
    monkeypatch.setenv("RBDASH_WORKBOOK", str(BUNDLED))
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == title
    assert at.sidebar.radio(key="lang").value == "id"
    assert at.sidebar.select_slider(key="as_of_month").value == 9
    if first_note:
        assert at.warning[0].value.startswith(first_note)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception and at.title[0].value == english


@pytest.mark.parametrize(("page", "title"), list(zip(PAGES, TITLES["id"], strict=True)))
def test_every_page_renders(monkeypatch: pytest.MonkeyPatch, page: str, title: str) -> None:
    at = run_app(monkeypatch, page=page)
    assert not at.exception
    assert at.title[0].value == title
    assert at.warning[0].value.startswith("CONTOH")
    assert any("Posisi data per 30 September 2022" in c.value for c in at.caption)


def test_overview_figures_follow_the_as_of_month(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch)
    values = [m.value for m in at.metric]
    assert values == ["11", "83,0%", "28,6%", "6", "6", "86,20 (B)"]
    at.sidebar.select_slider(key="as_of_month").set_value(5).run()
    assert not at.exception
    values = [m.value for m in at.metric]
    # Up to May: RA-01/1 + RA-02/1-5 + RA-04..06/1-5 + RA-08/5 = 22 row-months; 21 done (RA-08/5 not yet).
    assert values[1] == "95,5%" and values[3] == "1"
    assert any("Posisi data per Mei 2022" in c.value for c in at.caption)


def test_the_overview_is_computed_once_for_every_reader_of_the_same_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its key figures, progress and chart are shared by sessions (about 130 ms of each run here), and made
    again for another month or language."""
    from rbdash.analysis import metrics
    from rbdash.ui import loading

    made: list[int] = []
    overview = metrics.overview
    monkeypatch.setattr(metrics, "overview", lambda model, month: made.append(month) or overview(model, month))
    loading._shared.clear()
    first = run_app(monkeypatch)
    second = run_app(monkeypatch)  # another reader, another session
    assert made == [9] and [m.value for m in first.metric] == [m.value for m in second.metric]
    assert chart_figures(first) == chart_figures(second)
    second.sidebar.select_slider(key="as_of_month").set_value(5).run()
    assert made == [9, 5] and second.metric[1].value == "95,5%"
    second.sidebar.radio(key="lang").set_value("en").run()
    assert made == [9, 5, 5] and second.metric[1].value == "95.5%"
    assert "Progress" in json.dumps(chart_figures(second)) and "Progress" not in json.dumps(chart_figures(first))
    loading._shared.clear()


def test_cache_keys_of_different_choices_never_meet(bundled: LoadResult) -> None:
    """Seen by the review: Streamlit hashes a tuple of strings by joining them, so the programme choice
    ("A", "B") and ("Astr:B",) were one cache key, and a reader who chose A and B got Astr:B's figures."""
    import dataclasses

    from rbdash.ui import loading

    programmes = ["A"] * 3 + ["B"] * 4 + ["Astr:B"] * 4  # RA-01..11 (the review's published workbook)
    model = dataclasses.replace(bundled.plan, plan=bundled.plan.plan.assign(program=programmes))
    sha = "e" * 64  # this test's own content key
    loading._restricted.clear()
    assert len(loading.restricted(model, sha, ["Astr:B"]).plan) == 4
    assert len(loading.restricted(model, sha, ["A", "B"]).plan) == 7
    loading._shared.clear()
    assert loading.shared(("nrr_bars", "Astr:B", sha), lambda: "one") == "one"
    assert loading.shared(("nrr_bars", "A", "B", sha), lambda: "other") == "other"
    assert loading.shared(("nrr_barsstr:A", "B", sha), lambda: "third") == "third"
    loading._restricted.clear()
    loading._shared.clear()


@pytest.mark.parametrize("page", PAGES)
def test_language_switch(monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = run_app(monkeypatch, page=page)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == TITLES["en"][PAGES.index(page)]
    assert at.warning[0].value.startswith("EXAMPLE")
    assert any("Data as of" in c.value for c in at.caption)


def test_schedule_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch, page="app_pages/jadwal.py")
    assert any(c.value.startswith("11 dari 11 baris") for c in at.caption)
    at.text_input(key="schedule_text").input("Kerja Sama").run()
    assert any(c.value.startswith("1 dari 11 baris") for c in at.caption)
    # The page's own filters are said too, so a printout says it is narrowed (seen: it did not).
    assert any("Filter halaman: teks “Kerja Sama”" in c.value.replace("\\", "") for c in at.caption)
    assert at.dataframe[0].value["Kode"].tolist() == ["RA-09"]
    at.text_input(key="schedule_text").input("").run()
    at.multiselect(key="schedule_statuses").set_value(["late"]).run()
    assert at.dataframe[0].value["Kode"].tolist() == ["RA-08"]
    at.multiselect(key="schedule_statuses").set_value([]).run()
    programmes = at.sidebar.multiselect(key="programmes")
    # Shown by the rows it holds (the copy has no name for it), kept as a key.
    assert programmes.options[0] == "RA-01–RA-03 · nama tidak ada dalam salinan"
    programmes.set_value([""]).run()
    assert at.dataframe[0].value["Kode"].tolist() == ["RA-01", "RA-02", "RA-03"]
    # Seen by the review: the filter kept the translated label and cleared itself on a language switch.
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.sidebar.multiselect(key="programmes").value == [""]
    assert at.sidebar.multiselect(key="programmes").options[0] == "RA-01–RA-03 · name not in the copy"
    assert at.dataframe[0].value["Code"].tolist() == ["RA-01", "RA-02", "RA-03"]
    activities = at.multiselect(key="schedule_activities")
    assert activities.options == ["RA-01–RA-03 · name not in the copy"]
    activities.set_value(["\x1f"]).run()  # the unnamed activity of the unnamed programme (selection.activity_key)
    assert at.dataframe[0].value["Code"].tolist() == ["RA-01", "RA-02", "RA-03"]


def test_indicator_page_table_and_trend(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch, page="app_pages/indikator.py")
    table = at.dataframe[0].value.set_index("Kode")
    assert table.loc["RA-06.1", "Status"] == "Target belum ditetapkan"
    assert table.loc["RA-05.4", "Capaian"] == "50%" and table.loc["RA-05.4", "Status"] == "Tertinggal"
    at.selectbox(key="indicator_code").set_value("RA-02.2").run()
    assert not at.exception
    assert at.info[0].value == "Belum ada nilai capaian untuk indikator ini."


def test_ikm_page_shows_the_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(monkeypatch, page="app_pages/ikm.py")
    steps = at.dataframe[0].value
    assert len(steps) == 9 and steps.iloc[0]["Bobot"] == "0,1111 (1/9)"
    assert "86,20" in at.main.markdown[-1].value and "B (Baik)" in at.main.markdown[-1].value
    at.selectbox(key="ikm_period").set_value("2022-TW1").run()
    at.selectbox(key="ikm_unit").set_value("Layanan Internal Kesekretariatan (contoh)").run()
    assert "76,02" in at.main.markdown[-1].value and "C (Kurang Baik)" in at.main.markdown[-1].value


def test_no_banner_without_example_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    template = tmp_path / "templat.xlsx"
    write_workbook(template, template_content())
    for page in PAGES:
        at = run_app(monkeypatch, template, page)
        assert not at.exception, page
        assert not at.warning, page


def test_the_example_banner_names_only_sheets_the_workbook_still_has(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seen by the attacker review: with the example sheets removed, the banner still named them."""
    wb = openpyxl.load_workbook(BUNDLED)
    for name in ("Realisasi", "Capaian Indikator"):
        del wb[name]
    path = tmp_path / "tanpa_realisasi.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path)
    assert not at.exception
    banner = at.warning[0].value
    assert banner.startswith("CONTOH") and "Indikator" in banner and "Responden SKM" in banner
    assert "Realisasi" not in banner and "Capaian Indikator" not in banner


def test_unreadable_workbook_shows_the_problem_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(BUNDLED.read_bytes()[:5000])
    at = run_app(monkeypatch, broken)
    assert not at.exception
    assert at.error and "tidak dapat dimuat" in at.error[0].value
    assert "rusak atau terpotong" in at.dataframe[0].value.iloc[0]["Pesan"]


def test_workbook_text_is_shown_literally(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Info"]["B4"] = "<b>KPU</b> **Banten** [x](javascript:alert(1))"
    wb["Rencana Aksi"]["D9"] = "<script>alert(1)</script>"
    path = tmp_path / "markup.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path, "app_pages/jadwal.py")
    assert not at.exception
    caption = next(c.value for c in at.caption if "Posisi data per" in c.value)
    assert "\\<b\\>KPU\\</b\\>" in caption and "\\*\\*Banten\\*\\*" in caption and "\\[x\\]" in caption
    assert at.dataframe[0].value.iloc[0]["Sub Kegiatan"] == "<script>alert(1)</script>"


def test_row_codes_in_overview_captions_are_literal_and_cut(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Seen by the attacker review: a KODE written as a Markdown image made every visitor's browser fetch it."""
    wb = openpyxl.load_workbook(BUNDLED)
    sheet = wb["Rencana Aksi"]
    for row in range(9, sheet.max_row + 1):
        if sheet.cell(row=row, column=19).value:
            sheet.cell(
                row=row,
                column=19,
                value=f"![X](HTTP://EVIL.EXAMPLE/{sheet.cell(row=row, column=19).value}"
                f"{'.PNG' if row % 2 else 'Y' * 200})",
            )
    path = tmp_path / "codes.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path)
    assert not at.exception
    overdue = next(c.value for c in at.caption if c.value.startswith("terjadwal s.d. September, belum selesai"))
    assert "\\!\\[X\\]\\(HTTP\u2060\\://EVIL\\.EXAMPLE/RA\\-01" in overdue
    assert "![X](" not in overdue.replace("\\", "\\\\")  # no unescaped image syntax survives
    assert "Y" * 50 not in overdue and "…" in overdue  # long codes are cut in the caption
    assert "lainnya" in overdue  # 11 rows overdue: the first 8 are listed


def test_a_long_office_name_is_cut_in_the_page_caption(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Info"]["B4"] = "KPU Provinsi Banten " + "Sangat Panjang " * 300
    path = tmp_path / "long_satker.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path)
    assert not at.exception
    caption = next(c.value for c in at.caption if "Posisi data per" in c.value)
    assert "KPU Provinsi Banten Sangat Panjang" in caption and "…" in caption and len(caption) < 250


def test_the_store_seeds_version_1_and_sessions_see_a_new_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    from rbdash.store.sqlite import SqliteStore

    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("Posisi data per 30 September 2022" in c.value for c in at.caption)
    store = SqliteStore(tmp_path / "data")
    assert [v.number for v in store.history()] == [1]
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Info"]["B9"] = "2022-06-30"
    out = io.BytesIO()
    wb.save(out)
    assert store.publish(out.getvalue(), "ani", "posisi Juni").version.number == 2
    at.run()
    assert any("Posisi data per 30 Juni 2022" in c.value for c in at.caption)


def test_an_unusable_data_directory_is_a_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "berkas"
    blocker.write_text("x")
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(blocker / "data"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    # Seen by the attacker review: anonymous visitors were shown the server's path. The cause is the admin's.
    assert at.error[0].value == t("store.unavailable_public", "id")
    assert not any(str(tmp_path) in element.value for element in at.error)


def recorded_downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], tuple[str, bytes]]:
    """`served(button)`: the file name and bytes a download button's click gets (the deferred file made, then
    read back from the media storage of the AppTest started after this call)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import app_test

    managers: list[MediaFileManager] = []

    class RecordingManager(MediaFileManager):
        def __init__(self, storage: object) -> None:
            super().__init__(storage)  # type: ignore[arg-type]
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", RecordingManager)

    def served(button: Any) -> tuple[str, bytes]:
        url = managers[-1].execute_deferred(button.proto.deferred_file_id)
        file = managers[-1]._storage.get_file(url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
        return file.filename, file.content

    return served


def test_tables_offer_safe_xlsx_and_csv_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The bytes the download buttons serve (read back from the media storage) neutralise formulas."""
    served = recorded_downloads(monkeypatch)
    wb = openpyxl.load_workbook(BUNDLED)
    wb["Rencana Aksi"]["D9"] = '=HYPERLINK("http://contoh","klik")'
    wb["Rencana Aksi"]["D9"].data_type = "s"
    path = tmp_path / "rumus.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path, "app_pages/jadwal.py")
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Unduh XLSX", "Unduh CSV"]
    assert not buttons[0].proto.url  # nothing is made before a click
    csv_text = served(buttons[1])[1].decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://contoh"",""klik"")' in csv_text  # a quote makes it text in a sheet
    assert "\n=HYPERLINK" not in csv_text and ";=HYPERLINK" not in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(served(buttons[0])[1])).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert '\'=HYPERLINK("http://contoh","klik")' in texts  # text, as in the CSV ...
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # ... never a formula


def test_downloads_say_which_filters_they_reflect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the review: a filtered table downloaded as "jadwal_2022_posisi_2022-09.xlsx", the name and
    content of the whole table. A narrowed file says so in its name, and the XLSX says on a second sheet
    what it is: source, posisi data, every filter in force (typed text literally), when it was made."""
    served = recorded_downloads(monkeypatch)
    at = run_app(monkeypatch, page="app_pages/jadwal.py")

    def files(page_key: str = "schedule_rows") -> dict[str, bytes]:
        """The table's downloads, by the name each click serves."""
        return dict(served(b) for b in at.get("download_button") if b.key.startswith(page_key))

    def about(xlsx: bytes, sheets: list[str]) -> dict[str, str]:
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        assert book.sheetnames == sheets
        return {row[0]: row[1] for row in book[sheets[1]].iter_rows(values_only=True)}

    whole = files()
    assert sorted(whole) == [
        "jadwal_kpu_provinsi_banten_2022_posisi_2022-09.csv",
        "jadwal_kpu_provinsi_banten_2022_posisi_2022-09.xlsx",
    ]
    said = about(whole["jadwal_kpu_provinsi_banten_2022_posisi_2022-09.xlsx"], ["jadwal", "Keterangan"])
    assert said["Filter"] == "Filter: semua program"
    assert said["Posisi data"] == "Posisi data per 30 September 2022"
    assert said["Sumber"].startswith("KPU Provinsi Banten · ")
    assert said["Dibuat"].endswith(" WIB")

    at.sidebar.multiselect(key="programmes").set_value([""]).run()
    at.text_input(key="schedule_text").input("=RA *kerja*").run()
    narrowed = files()
    assert sorted(narrowed) == [
        "jadwal_kpu_provinsi_banten_2022_posisi_2022-09_terfilter.csv",
        "jadwal_kpu_provinsi_banten_2022_posisi_2022-09_terfilter.xlsx",
    ]
    said = about(narrowed["jadwal_kpu_provinsi_banten_2022_posisi_2022-09_terfilter.xlsx"], ["jadwal", "Keterangan"])
    assert said["Filter"].startswith("Filter: program RA-01–RA-03")
    assert "“=RA *kerja*”" in said["Filter"]  # as typed: no Markdown escapes, no formula

    at.sidebar.radio(key="lang").set_value("en").run()
    assert "jadwal_kpu_provinsi_banten_2022_posisi_2022-09_filtered.csv" in files()
    at.switch_page("app_pages/ikm.py").run()  # the office's IKM: the programme filter does not narrow it
    ikm = files("ikm_steps")
    (ikm_xlsx,) = [name for name in ikm if name.endswith(".xlsx")]
    assert "filtered" not in ikm_xlsx
    assert about(ikm[ikm_xlsx], [ikm_xlsx.split("_kpu_provinsi_banten_2022_posisi")[0], "About"])["Filters"].startswith(
        "The IKM covers the whole office"
    )


def test_schedule_of_a_large_plan_shows_the_chart_page_by_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Seen by the review: a 2,000-row plan drew one Gantt of every row, which stalled the browser for minutes.
    The chart holds a page of rows; the table keeps all of them."""

    from rbdash.workbook.synthetic import WorkbookSize, synthetic_content

    path = tmp_path / "besar.xlsx"
    write_workbook(path, synthetic_content(WorkbookSize(200, 40)))
    at = run_app(monkeypatch, path, page="app_pages/jadwal.py")
    assert not at.exception
    pages = at.selectbox(key="schedule_page")
    assert pages.options == ["Baris 1–60", "Baris 61–120", "Baris 121–180", "Baris 181–200"]  # 60 plan rows a chart
    assert at.info[0].value.startswith("Grafik menampilkan baris 1–60 dari 200;")
    codes = at.dataframe[0].value["Kode"].tolist()
    assert len(codes) == 200  # the table and its downloads keep every row

    def chart_codes() -> list[str]:
        spec = chart_figures(at)[0]
        return [label.split()[0] for label in spec["layout"]["yaxis"]["ticktext"] if label.startswith("SYN-")]

    assert chart_codes() == codes[:60]
    pages.set_value(4).run()
    assert not at.exception
    assert chart_codes() == codes[180:]
    assert at.info[0].value.startswith("Grafik menampilkan baris 181–200 dari 200;")
    at.text_input(key="schedule_text").input("SYN-00001").run()  # a narrow filter: one page, no selector
    assert not at.get("selectbox") or all(box.key != "schedule_page" for box in at.selectbox)
    assert not at.info


def test_indicators_of_a_large_plan_are_charted_page_by_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """As on Jadwal: one chart of every indicator of a large plan would stall the browser."""

    from rbdash.workbook.synthetic import WorkbookSize, synthetic_content

    path = tmp_path / "besar.xlsx"
    write_workbook(path, synthetic_content(WorkbookSize(200, 40)))
    at = run_app(monkeypatch, path, page="app_pages/indikator.py")
    assert not at.exception
    total = len(at.dataframe[0].value)
    assert total > 160  # three chart pages at least
    pages = at.selectbox(key="indicator_page")
    assert pages.options[:2] == ["Baris 1–80", "Baris 81–160"]
    pages.set_value(2).run()
    assert not at.exception
    spec = chart_figures(at)[0]
    assert f"81–160 dari {total:,}".replace(",", ".") in spec["layout"]["title"]["subtitle"]["text"]
    assert len(at.dataframe[0].value) == total  # the table keeps every indicator


def test_many_programmes_are_charted_page_by_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Seen by the attacker review: 3,000 programmes made one 180,000 px chart that froze the landing page."""

    wb = openpyxl.load_workbook(BUNDLED)
    sheet = wb["Rencana Aksi"]
    template = [sheet.cell(row=9, column=col).value for col in range(1, 20)]
    for offset in range(200):
        row = sheet.max_row + 1
        for col, value in enumerate(template, start=1):
            sheet.cell(row=row, column=col, value=value)
        sheet.cell(row=row, column=2, value=f"Program uji {offset + 1:03d}")
        sheet.cell(row=row, column=19, value=f"PU-{offset + 1:03d}")
    path = tmp_path / "banyak_program.xlsx"
    wb.save(path)
    at = run_app(monkeypatch, path)
    assert not at.exception
    pages = at.selectbox(key="overview_programme_page")
    assert pages.options[0] == "Baris 1–80" and len(pages.options) >= 3
    assert at.info[0].value.startswith("Grafik menampilkan program 1–80 dari ")
    spec = chart_figures(at)[-1]
    assert len(spec["layout"]["yaxis"]["ticktext"]) == 80
    assert "program 1–80 dari" in spec["layout"]["title"]["subtitle"]["text"]


def test_survey_periods_after_the_posisi_data_count_nowhere_and_are_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seen by the user review: with a survey period after the posisi data, the overview showed the one
    before it while the IKM page, the PDF and the deck showed the later one. One rule everywhere."""
    from rbdash.analysis import metrics
    from rbdash.workbook.loader import load_workbook
    from tests.conftest import bundled_with

    june = bundled_with(lambda wb: wb["Info"].cell(row=9, column=2, value="2022-06-30"))
    result = load_workbook(june)
    warning = next(p for p in result.problems if p.code == "survey_after_as_of")
    assert warning.params == {"periods": "2022-TW3", "as_of": "30-06-2022"} and warning.sheet == "Responden SKM"
    assert result.is_valid
    model = result.plan
    assert metrics.latest_ikm(model, 6)["period"] == "2022-TW2"
    assert set(metrics.ikm_table(model, "Semua unit", 6)["period"]) == {"2022-TW1", "2022-TW2"}
    path = tmp_path / "juni.xlsx"
    path.write_bytes(june)
    overview = run_app(monkeypatch, path)
    assert any("2022-TW2" in c.value.replace("\\", "") for c in overview.caption)  # the IKM card's period
    ikm = run_app(monkeypatch, path, "app_pages/ikm.py")
    assert not ikm.exception
    assert any("2022-TW3" in c.value and "tidak dihitung" in c.value for c in ikm.caption)
    assert "2022-TW3" not in ikm.selectbox(key="ikm_period").options


def test_the_programme_filter_reaches_every_figure_and_table_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen: with one programme chosen the cards still counted all 11 rows and the tables listed others."""

    def captions() -> list[str]:  # as read: Markdown escapes removed
        return [c.value.replace("\\", "") for c in at.caption]

    at = run_app(monkeypatch)
    assert "Filter: semua program" in captions()[0]
    at.sidebar.multiselect(key="programmes").set_value([""]).run()
    # By hand (tests/test_metrics.py): 3 rows; 10 of 11 row-months done; 4 of 7 indicators achieved.
    assert [metric.value for metric in at.metric] == ["3", "90,9%", "57,1%", "1", "1", "86,20 (B)"]
    assert "Filter: program RA-01–RA-03 · nama tidak ada dalam salinan" in captions()[0]
    assert any("filter program tidak berlaku untuk IKM" in c for c in captions())
    assert [frame["Kode"].tolist() for frame in screen_lists(at)] == [["RA-02"], ["RA-02"]]
    at.switch_page("app_pages/indikator.py").run()
    assert "Filter: program RA-01–RA-03" in captions()[0]
    assert {code.split(".")[0] for code in at.dataframe[0].value["Kode"]} == {"RA-01", "RA-02", "RA-03"}
    at.switch_page("app_pages/ikm.py").run()
    assert "filter program tidak berlaku untuk IKM" in captions()[0]


def test_print_mode_offers_a_way_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen: Mode cetak hid the sidebar and its toggle, so only a reload led back."""
    at = run_app(monkeypatch, page="app_pages/jadwal.py")
    assert not [b for b in at.button if b.key == "print_exit"]
    at.sidebar.toggle(key="print_mode").set_value(True).run()
    at.button(key="print_exit").click().run()
    assert not at.exception and at.sidebar.toggle(key="print_mode").value is False
    assert not [b for b in at.button if b.key == "print_exit"]


def test_unnamed_activities_of_two_programmes_are_two_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the second review: one choice 'RA-01–RA-03, RA-08' selected both programmes' rows."""
    at = run_app(monkeypatch, page="app_pages/jadwal.py")
    activities = at.multiselect(key="schedule_activities")
    unnamed = [label for label in activities.options if "nama tidak ada dalam salinan" in label]
    assert unnamed == ["RA-01–RA-03 · nama tidak ada dalam salinan", "RA-08 · nama tidak ada dalam salinan"]
    activities.set_value(["Peningkatan Kualitas Pelayanan Publik\x1f"]).run()
    assert at.dataframe[0].value["Kode"].tolist() == ["RA-08"]


def test_the_overview_lists_show_their_first_rows_and_keep_every_row_for_print_and_download(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ringkasan's two lists are plain tables (no grid script before its chart): at most 25 rows on
    screen with a note, every row in the printed copy and in the downloads."""

    def forty_more_late_rows(wb: openpyxl.Workbook) -> None:
        sheet = wb["Rencana Aksi"]
        template = [sheet.cell(row=9, column=col).value for col in range(1, 20)]  # RA-02: scheduled, not done
        for offset in range(40):
            row = sheet.max_row + 1
            for col, value in enumerate(template, start=1):
                sheet.cell(row=row, column=col, value=value)
            sheet.cell(row=row, column=19, value=f"LB-{offset + 1:02d}")

    path = tmp_path / "panjang.xlsx"
    path.write_bytes(bundled_with(forty_more_late_rows))
    at = run_app(monkeypatch, path)
    assert not at.exception
    overdue = int(at.metric[3].value)
    assert overdue > 25
    shown = screen_lists(at)[0]
    assert len(shown) == 25
    screen = next(e.proto.body for e in at.get("html") if printing.SCREEN_TABLE_CLASS in e.proto.body)
    assert f"Ditampilkan 25 baris pertama dari {overdue}; semua baris ada di unduhan." in screen
    assert list(shown.columns) == ["Kode", "Sub Kegiatan", "Bulan Pelaksanaan", "Catatan"]
    printed = [e.proto.body for e in at.get("html") if f'<div class="{printing.TABLE_CLASS}">' in e.proto.body]
    assert printed[0].count("<tr>") == 1 + overdue  # every row and column printed
    assert "<th>Indikator Keberhasilan</th>" in printed[0] and "<th>Bukti</th>" in printed[0]
    assert all("Kode" not in frame.value.columns for frame in at.dataframe)  # no grid for the lists
