"""What a page prints (Ctrl+P or Mode cetak) instead of its on-screen widgets: tables as real HTML
tables (every row and column, header repeated on each sheet, text wrapped) and charts scaled to fit a
sheet. Plain functions over DataFrames and figure heights; the CSS that switches them on is ui.frame's."""

from __future__ import annotations

import html
from collections.abc import Collection

import pandas as pd

from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.text import evidence_href, literal

#: A4 landscape with 10 mm margins holds 277 x 190 mm: 1047 x 718 CSS pixels (96 per inch).
SHEET_WIDTH_PX = 1040
SHEET_HEIGHT_PX = 718
#: A word longer than this gets break opportunities every BREAK_EVERY characters; shorter ones (numbers,
#: codes, headers) never break (seen: "100,00" printed as "100,0" / "0").
LONG_WORD = 24
BREAK_EVERY = 16
#: Rows a printed table holds: a longer one prints its first rows and says where the rest is (the XLSX
#: download); the HTML goes to the browser on every run, so it is bounded like everything else.
PRINT_TABLE_ROWS = 1000
#: Characters of one printed cell: a longer text is cut and says where it is whole (the XLSX download). Seen: a
#: 32,600-character programme name repeated in each row of a list printed 304 sheets.
PRINT_CELL_CHARS = 1000
#: Class of the printed copy of a table (hidden on screen unless in Mode cetak).
TABLE_CLASS = "rb-print-table"
#: Class of a short list shown on screen as a plain HTML table (hidden in print, where its TABLE_CLASS copy shows).
SCREEN_TABLE_CLASS = "rb-screen-table"
#: Class of a table shown the same on screen and printed (a plan row's detail).
DETAIL_TABLE_CLASS = "rb-detail-table"
#: A cell cut to a few lines on screen (its whole text in its tooltip, the printed copy and the downloads).
CLAMP_CLASS = "rb-clamp"
#: Rows of a short list shown on screen; its downloads have every row, its printed copy PRINT_TABLE_ROWS.
SCREEN_LIST_ROWS = 25


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return "<br>".join(" ".join(_word(word) for word in line.split(" ")) for line in literal(value).split("\n"))


def _word(word: str) -> str:
    """One escaped word: a short one never breaks, even at a hyphen or slash (seen: "RA-" / "01.1"); a long
    one (a 200-character code) may break every BREAK_EVERY characters."""
    if len(word) <= LONG_WORD:
        return f'<span class="nw">{html.escape(word)}</span>' if any(c in word for c in "-/") else html.escape(word)
    return "<wbr>".join(html.escape(word[i : i + BREAK_EVERY]) for i in range(0, len(word), BREAK_EVERY))


def _printed_cell(value: object, lang: str) -> str:
    """A printed cell: its text, cut at PRINT_CELL_CHARS characters with a note saying where it is whole."""
    if isinstance(value, str) and len(value) > PRINT_CELL_CHARS:
        return _cell(value[: PRINT_CELL_CHARS - 1] + "…") + f" <i>{html.escape(t('print.cell_cut', lang))}</i>"
    return _cell(value)


def link_cell(value: object) -> str:
    """A BUKTI cell: a link when it is an http(s) address (`text.evidence_href`), its text otherwise; the
    link's text is the address as typed, and the link opens apart from the dashboard."""
    href = evidence_href(value)
    if href is None:
        return _cell(value)
    attributes = f'href="{html.escape(href, quote=True)}" target="_blank" rel="noopener noreferrer nofollow"'
    return f"<a {attributes}>{_cell(href)}</a>"


def table_html(frame: pd.DataFrame, lang: str, limit: int = PRINT_TABLE_ROWS, linked: Collection[str] = ()) -> str:
    """`frame` as the HTML table a page prints: every column, at most `limit` rows, then a note; the cells
    of the `linked` columns are links where they hold an http(s) address (`link_cell`)."""
    return _table(frame, lang, limit, TABLE_CLASS, "print.table_cut", (), linked, printed=True)


def screen_table_html(frame: pd.DataFrame, lang: str, clamped: Collection[str] = ()) -> str:
    """`frame` as a short list on screen: at most SCREEN_LIST_ROWS rows, then a note; the cells of the
    `clamped` columns can be cut to a few lines by CSS (`CLAMP_CLASS`), their whole text in their tooltip."""
    return _table(frame, lang, SCREEN_LIST_ROWS, SCREEN_TABLE_CLASS, "table.screen_cut", clamped, printed=False)


def detail_table_html(frame: pd.DataFrame, lang: str, linked: Collection[str] = ()) -> str:
    """`frame` as a plain table shown on screen and printed alike (a row's month-by-month detail), the
    `linked` columns' addresses as links."""
    return _table(frame, lang, PRINT_TABLE_ROWS, DETAIL_TABLE_CLASS, "print.table_cut", (), linked, printed=True)


def _table(
    frame: pd.DataFrame,
    lang: str,
    limit: int,
    css_class: str,
    cut_note: str,
    clamped: Collection[str],
    linked: Collection[str] = (),
    *,
    printed: bool,
) -> str:
    """`frame` as an HTML table of `css_class`; `printed`: a printed copy, whose cells are cut at
    PRINT_CELL_CHARS (`_printed_cell`)."""
    head = "".join(f"<th>{_cell(column)}</th>" for column in frame.columns)

    def plain(value: object) -> str:
        return _printed_cell(value, lang) if printed else _cell(value)

    def linked_cell(value: object) -> str:  # an address is a link (at most 2 kB); other text is cut as printed
        return link_cell(value) if evidence_href(value) is not None else plain(value)

    cells = [
        _clamped_cell if column in clamped else linked_cell if column in linked else plain for column in frame.columns
    ]
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(value)}</td>" for cell, value in zip(cells, row, strict=True)) + "</tr>"
        for row in frame.head(limit).itertuples(index=False, name=None)
    )
    note = ""
    if len(frame) > limit:
        text = t(cut_note, lang, shown=fmt.number(limit, lang), total=fmt.number(len(frame), lang))
        note = f'<p class="rb-print-note">{html.escape(text)}</p>'
    return f'<div class="{css_class}"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}</div>'


def _clamped_cell(value: object) -> str:
    whole = _cell(value)
    if not whole:
        return ""
    return f'<div class="{CLAMP_CLASS}" title="{html.escape(literal(value), quote=True)}">{whole}</div>'


def chart_zoom(height: object, room: int) -> float:
    """The scale at which a chart `height` pixels tall fits in `room` pixels of a printed sheet (at most 1)."""
    tall = float(height) if isinstance(height, int | float) and height > 0 else 450.0  # Plotly's default height
    return round(min(1.0, room / tall), 3)
