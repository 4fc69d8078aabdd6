"""What pages show: problems of a workbook, charts and tables with their downloads, version lists."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rbdash.exports import tables as export
from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.present import charts, printing, views
from rbdash.present import formatting as fmt
from rbdash.present.charts import schedule
from rbdash.present.text import escape_markdown, literal, literal_frame, markdown_message
from rbdash.ui.plotly_chart import DrawnFigure, plotly_chart
from rbdash.workbook.worker import busy_problem

if TYPE_CHECKING:
    from rbdash.store import Version
    from rbdash.ui.frame import PageContext


def problem_callouts(result: LoadResult, lang: str, limit: int = 3) -> None:
    """The first errors as readable text (where, what, how to fix), shown literally; the table has them all."""
    for problem in result.errors[:limit]:
        st.error(
            f"**{escape_markdown(problem.location(lang))}**: {escape_markdown(problem.message(lang))}\n\n"
            f"{escape_markdown(t('report.fix', lang))}: {escape_markdown(problem.fix(lang))}"
        )


def not_checked(result: LoadResult, lang: str) -> bool:
    """When the worker was too busy to read the file, say so (it is not the file's fault) and offer a retry."""
    busy = busy_problem(result)
    if busy is None:
        return False
    st.warning(
        f"{escape_markdown(t('data.not_checked', lang))}\n\n{escape_markdown(busy.message(lang))} "
        f"{escape_markdown(busy.fix(lang))}"
    )
    st.button(t("data.check_again", lang), key="check_again")  # a click reruns the page: the read is tried again
    return True


def problems_frame(result: LoadResult, lang: str) -> pd.DataFrame:
    """The problems as a table with translated headers."""
    rows = []
    for problem in result.problems:
        row = problem.as_dict(lang)
        # A whole-file problem names no sheet, a whole-sheet one no cell: say so (seen: "None" in both).
        row["sheet"] = problem.sheet if problem.sheet is not None else t("report.whole_file", lang)
        row["cell"] = problem.cell or (t("report.whole_sheet", lang) if problem.sheet is not None else "")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["severity", "sheet", "cell", "message", "fix"])
    frame["severity"] = frame["severity"].map(lambda s: t(f"severity.{s}", lang))
    return frame.rename(columns={c: t(f"col.{c}", lang) for c in frame.columns})


def relabelled(lang: str, *keys: str) -> None:
    """Before the keyed choice widgets `keys`, whose option labels are in `lang`: after a language switch,
    hand the browser each one's value again. The browser keeps a choice by its label (a multiselect) or
    its position (a slider whose labels changed returns to its start), so the old labels came back and
    did not match the new ones (seen: the month slider at January while the figures said July, a programme
    chip left in Indonesian and dropped on the next switch)."""
    drawn_in = st.session_state.setdefault("_labels_lang", {})
    for key in keys:
        if drawn_in.get(key, lang) != lang and key in st.session_state:
            st.session_state[key] = st.session_state[key]
        drawn_in[key] = lang


def chart_page(
    total: int,
    key: str,
    lang: str,
    note: str = "schedule.page_note",
    per_page: int = charts.CHART_PAGE_ROWS,
    option: str = "schedule.page_option",
) -> int:
    """The page of rows a chart shows, `per_page` at a time (1 when all fit on one): a selector and the `note`
    when they do not (`charts.page_span(page, total, per_page)` gives its rows)."""
    pages = charts.gantt_pages(total, per_page)
    if pages == 1:
        return 1

    def page_option(number: int) -> str:
        first_row, last_row = charts.page_span(number, total, per_page)
        return t(option, lang, first=first_row, last=last_row)

    relabelled(lang, key)
    page = st.selectbox(t("schedule.page", lang), list(range(1, pages + 1)), format_func=page_option, key=key)
    first_row, last_row = charts.page_span(page, total, per_page)
    st.info(t(note, lang, first=first_row, last=last_row, total=total))
    return page


#: Room for a chart on a printed sheet below a heading and a caption (present.printing.SHEET_HEIGHT_PX).
CHART_PRINT_ROOM = printing.SHEET_HEIGHT_PX - 90
#: Room for a page's first chart, which shares the first sheet with the page header (title, example
#: banner, posisi data and filter lines, a caption): seen at 190-225 px printed.
FIRST_CHART_PRINT_ROOM = printing.SHEET_HEIGHT_PX - 240


def show_chart(
    fig: go.Figure | DrawnFigure, kind: str, ctx: PageContext, key: str, print_room: int = CHART_PRINT_ROOM
) -> None:
    """A chart whose camera button saves a high-resolution PNG named after what and when. Printed, it is
    scaled to fit `print_room` pixels of a sheet, so it is never split (the first chart of a page gets
    the room its header leaves)."""
    info = ctx.model.info
    config = charts.download_config(kind, info.get("year"), ctx.as_of_month, info.get("satker"))
    show_figure(fig, config, key, ctx.lang, print_room)


def show_figure(
    fig: go.Figure | DrawnFigure, config: dict, key: str, lang: str, print_room: int = CHART_PRINT_ROOM
) -> None:
    """A chart with the Plotly `config` given (its camera button's file name), printed whole within `print_room`
    pixels of a sheet (`show_chart`, for a chart that is not of the workbook shown)."""
    drawn = fig if isinstance(fig, DrawnFigure) else DrawnFigure.of(fig)
    zoom = printing.chart_zoom(drawn.height, print_room)
    if zoom < 1:
        # Printed only, never on screen (Mode cetak included): Plotly sizes to its box, and a box zoomed
        # on screen made it redraw smaller and be zoomed again (seen: the indicator chart at a quarter of
        # the sheet). A print takes its picture without running the page's scripts.
        st.html(f"<style>@media print {{ .st-key-{key} {{ zoom: {zoom}; }} }}</style>")
    plotly_chart(drawn, config, key, lang)


#: Rows tall enough for four lines: Streamlit's table wraps text only in rows taller than 4 rem.
WRAPPED_ROW_HEIGHT = 88
#: Two wrapped columns of this width and the short ones fit beside the sidebar at 1366 px (seen: two
#: "large" 400 px columns pushed the second past the right edge).
WRAPPED_COLUMN_WIDTH = 300


def show_table(
    frame: pd.DataFrame,
    name: str,
    ctx: PageContext,
    key: str,
    wrapped: Sequence[str] = (),
    page_filters: str = "",
    programme_scoped: bool = True,
    of_workbook: bool = True,
    selectable: bool = False,
    linked: Sequence[str] = (),
) -> int | None:
    """A table with XLSX and CSV downloads (formula-injection safe), named after what and when and saying
    which filters they reflect (see `_downloads`). The `wrapped` columns get a wide column and rows of four
    lines, so long text is read in full at 1366 px. A table that is not of the workbook shown (users,
    versions, an upload's check: `of_workbook=False`) is named by `name` alone. A `selectable` table lets
    the reader select one row: its position is returned (None when none is). The `linked` columns' http(s)
    addresses are links in the printed copy.

    The files are made when a download is clicked (Streamlit's deferred download), not at every run:
    a 20,000-row table would otherwise cost seconds and its bytes in memory per session and run.
    """
    event = st.dataframe(
        literal_frame(frame),  # the downloads below keep the text exactly as in the workbook
        hide_index=True,
        width="stretch",
        key=table_key(key, frame) if selectable else f"{key}_table",
        row_height=WRAPPED_ROW_HEIGHT if wrapped else None,
        column_config={column: st.column_config.TextColumn(width=WRAPPED_COLUMN_WIDTH) for column in wrapped} or None,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
    )
    st.html(printing.table_html(frame, ctx.lang, linked=linked))  # what prints (Ctrl+P, Mode cetak)
    _downloads(frame, name, ctx, key, page_filters, programme_scoped, of_workbook)
    if not selectable:
        return None
    rows = event.selection.rows  # type: ignore[union-attr]
    return rows[0] if rows and 0 <= rows[0] < len(frame) else None


def table_key(key: str, frame: pd.DataFrame) -> str:
    """The element key of a selectable table: `key` and the rows it lists (its first column). A selection is
    kept by position, so other rows (the filters changed, another workbook) make another table with none
    selected (seen by the review: RA-09's detail became RA-10's once a filter dropped RA-08)."""
    rows = "\x1f".join(str(value) for value in frame.iloc[:, 0]) if len(frame.columns) else ""
    return f"{key}_table_{hashlib.sha256(rows.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def show_list(
    frame: pd.DataFrame, name: str, ctx: PageContext, key: str, columns: Sequence[str], clamped: Sequence[str] = ()
) -> None:
    """A short list read at a glance: on screen a plain table of `columns`, its first
    `printing.SCREEN_LIST_ROWS` rows, the cells of `clamped` columns cut to three lines (whole in their
    tooltip); printed and downloaded, every column and row, as `show_table`.

    No grid: Streamlit's grid script was half a second of the browser's work before the first chart of a
    page that shows one (bench/bench_browser.py), and a list this short needs no sorting or scrolling."""
    lang = ctx.lang
    if frame.empty:  # said, on screen and in print (seen: a table of headers alone, with downloads of nothing)
        st.caption(t("list.empty", lang))
        return
    st.html(printing.screen_table_html(frame[list(columns)], lang, clamped))
    # what prints (Ctrl+P, Mode cetak); an evidence address is a link there
    st.html(printing.table_html(frame, lang, linked=[t("col.evidence", lang)]))
    _downloads(frame, name, ctx, key)


def download_about(ctx: PageContext, page_filters: str = "", programme_scoped: bool = True) -> list[tuple[str, str]]:
    """What a downloaded table of the workbook shown is (the XLSX's second sheet): source, "posisi data per",
    the filters it reflects (the programme filter, unless the table is the whole office's, and the page's
    own `page_filters`) and when the file was made (WIB)."""
    lang, info = ctx.lang, ctx.model.info
    if programme_scoped or not ctx.narrowed:
        filters = "; ".join(filter(None, [ctx.filters_text, page_filters]))
    else:
        filters = t("filter.ikm_whole", lang)
    return [
        (
            t("export.about_source", lang),
            " · ".join(literal(v) for v in (info.get("satker"), info.get("decree_number")) if v),
        ),
        (t("export.about_as_of", lang), charts.as_of_text(info.get("as_of"), info.get("year"), ctx.as_of_month, lang)),
        (t("export.about_filters", lang), filters),
        (t("export.about_made", lang), fmt.timestamp(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), lang)),
    ]


def _downloads(
    frame: pd.DataFrame,
    name: str,
    ctx: PageContext,
    key: str,
    page_filters: str = "",
    programme_scoped: bool = True,
    of_workbook: bool = True,
) -> None:
    """XLSX and CSV downloads of `frame`, made when clicked. Of the workbook shown, they are named after it
    (plan year, as-of month) with a mark when filters narrow them ("_terfilter"), and the XLSX says on a
    second sheet what the table is and which filters it reflects (`download_about`, made with the file on the
    click); a CSV holds the table alone, so that it stays one table to any program that reads it."""
    described = of_workbook and ctx.shows_workbook
    stem = name
    if described:
        stem = charts.chart_filename(name, ctx.model.info.get("year"), ctx.as_of_month, ctx.model.info.get("satker"))
        if page_filters or (programme_scoped and ctx.narrowed):
            stem += "_" + t("export.filtered_suffix", ctx.lang)

    def xlsx() -> bytes:
        about = download_about(ctx, page_filters, programme_scoped) if described else []
        # an evidence address is a link there too, as on the printed copy (seen: plain text)
        return export.to_xlsx(frame, name, about, t("export.about_sheet", ctx.lang), [t("col.evidence", ctx.lang)])

    # Side by side, each as wide as its label (seen: fixed columns cut them to "U.." at 1366 px).
    row = st.container(horizontal=True)
    row.download_button(
        t("table.download_xlsx", ctx.lang),
        xlsx,
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
    row.download_button(
        t("table.download_csv", ctx.lang),
        lambda: export.to_csv(frame, ctx.lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )


def versions_frame(versions: list[Version], lang: str) -> pd.DataFrame:
    """The version history as a table with translated headers, times in WIB."""
    rows = [
        {
            t("col.number", lang): v.number,
            t("col.created_at", lang): fmt.timestamp(v.created_at, lang),
            t("col.user", lang): v.user,
            t("col.comment", lang): v.comment,
            t("col.satker", lang): v.satker,
            t("col.year", lang): v.year,
            t("col.sha256", lang): v.sha256[:16],
        }
        for v in versions
    ]
    return pd.DataFrame(rows)


def show_row_detail(ctx: PageContext, code: str) -> None:
    """One plan row's realisation month by month (status, progress, note, evidence), under its code and
    sub-activity; an evidence that is an http(s) address is a link, anything else its text."""
    lang = ctx.lang
    plan = ctx.model.plan
    found = plan[plan["code"] == code]
    name = ""
    if not found.empty:
        first = found.iloc[0]
        name = schedule.row_text(first["sub_activity"], first["indicators_text"], lang)
    st.subheader(markdown_message("schedule.detail_heading", lang, code=code, name=name))
    detail = views.row_detail_table(ctx.model, code, ctx.as_of_month, lang)
    st.html(printing.detail_table_html(detail, lang, linked=[t("col.evidence", lang)]))
