"""What pages print: tables as whole HTML tables, charts scaled to fit a sheet, Mode cetak's way back."""

from __future__ import annotations

import pandas as pd
import pytest

from rbdash.present import printing


def test_a_printed_table_has_every_column_and_row_literally() -> None:
    frame = pd.DataFrame(
        {"Kode": ["RA-01", "<b>x</b>"], "Teks": ["baris 1\nbaris 2", "exe\u202etxt.exe"], "N": [1.5, None]}
    )
    html = printing.table_html(frame, "id")
    assert html.startswith('<div class="rb-print-table"><table><thead><tr><th>Kode</th><th>Teks</th><th>N</th></tr>')
    assert '<td><span class="nw">RA-01</span></td><td>baris 1<br>baris 2</td><td>1.5</td>' in html
    # Markup is shown as typed, a right-to-left override as its code point, a missing value as nothing.
    assert '<td><span class="nw">&lt;b&gt;x&lt;/b&gt;</span></td><td>exe[U+202E]txt.exe</td><td></td>' in html
    assert html.count("<tr>") == 3 and "rb-print-note" not in html


def test_a_very_long_table_prints_its_first_rows_and_says_where_the_rest_is() -> None:
    html = printing.table_html(pd.DataFrame({"Kode": [f"RA-{n}" for n in range(1, 2501)]}), "id", limit=1000)
    assert html.count("<tr>") == 1 + 1000 and "RA-1000<" in html and "RA-1001<" not in html
    assert "Dicetak 1.000 baris pertama dari 2.500; semua baris ada di unduhan XLSX." in html


@pytest.mark.parametrize(
    ("height", "room", "zoom"),
    [(634, 478, 0.754), (300, 478, 1.0), (None, 225, 0.5), (946, 478, 0.505), ("x", 900, 1.0)],
)
def test_charts_are_scaled_to_the_room_a_sheet_has(height: object, room: int, zoom: float) -> None:
    assert printing.chart_zoom(height, room) == zoom  # None or junk: Plotly's default height, 450 px


def test_printed_cells_break_only_long_words() -> None:
    """Seen: "100,00" printed as "100,0" / "0" and "RA-" / "01.1"; a 200-character code must still wrap."""
    html = printing.table_html(pd.DataFrame({"a": ["100,00 RA-01.1 ada/tidak", "A" * 40]}), "id")
    assert '<td>100,00 <span class="nw">RA-01.1</span> <span class="nw">ada/tidak</span></td>' in html
    assert f"<td>{'A' * 16}<wbr>{'A' * 16}<wbr>{'A' * 8}</td>" in html


def test_a_clamped_cell_keeps_its_whole_text_as_its_tooltip() -> None:
    frame = pd.DataFrame({"Sub Kegiatan": ['Satu "dua" <tiga>\nempat', None], "Bulan": ["Jan, Feb", "Mei"]})
    html = printing.screen_table_html(frame, "id", clamped=["Sub Kegiatan"])
    assert html.startswith(f'<div class="{printing.SCREEN_TABLE_CLASS}">')
    tooltip = 'title="Satu &quot;dua&quot; &lt;tiga&gt;\nempat"'
    shown = "Satu &quot;dua&quot; &lt;tiga&gt;<br>empat"
    assert f'<td><div class="{printing.CLAMP_CLASS}" {tooltip}>{shown}</div></td>' in html
    assert "<td></td><td>Mei</td>" in html  # a missing value: an empty cell, no empty box; Bulan not clamped


def test_a_huge_cell_prints_cut_and_says_where_it_is_whole() -> None:
    """Seen by a review: a 32,600-character programme name, repeated in each row of a list, printed 304 sheets."""
    frame = pd.DataFrame({"Program": ["<b>" + "P" * 32_600, "pendek"], "Kode": ["RA-01", "RA-02"]})
    printed = printing.table_html(frame, "id")
    assert len(printed) < 3 * printing.PRINT_CELL_CHARS
    assert (
        "&lt;b&gt;PPP" in printed and "…" in printed and "(terpotong; teks lengkapnya ada di unduhan XLSX)" in printed
    )
    assert "<td>pendek</td>" in printed and "(cut; the whole text" in printing.table_html(frame, "en")
    on_screen = printing.screen_table_html(frame, "id")  # on screen the list is 25 rows, cut by CSS: whole here
    assert "P" * 32_000 in on_screen.replace("<wbr>", "")


def test_a_huge_evidence_that_is_no_link_prints_cut_too() -> None:
    """Seen by the second review: a 5,020-character BUKTI (too long for a link) printed whole over five sheets."""
    frame = pd.DataFrame({"Bukti": ["https://example.org/" + "a" * 5_000, "https://contoh.go.id/b"]})
    printed = printing.table_html(frame, "id", linked=["Bukti"])
    assert len(printed) < 3 * printing.PRINT_CELL_CHARS and "(terpotong; teks lengkapnya" in printed
    assert '<a href="https://contoh.go.id/b"' in printed
