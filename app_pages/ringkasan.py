"""Ringkasan (overview): key figures at the as-of month and progress per programme."""

from __future__ import annotations

import streamlit as st

from rbdash.analysis import metrics
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.since import figure_changes, figure_values
from rbdash.present.text import escape_markdown
from rbdash.present.text import markdown_message as say
from rbdash.present.views import plan_rows_table
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.since import changes_since, metric_delta, show_changes
from rbdash.ui.widgets import (
    FIRST_CHART_PRINT_ROOM,
    chart_page,
    problems_frame,
    show_chart,
    show_list,
    show_table,
)

#: Printed, the six cards and their notes take about 230 px of the first sheet above the chart.
OVERVIEW_CHART_PRINT_ROOM = FIRST_CHART_PRINT_ROOM - 230

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.overview")
figures = ctx.shared(lambda: metrics.overview(model, month), "overview")
month_name = fmt.month_long(month, lang)
next_name = fmt.month_long(month + 1, lang) if month < 12 else "–"
# Since the last meeting: each card's change from the reference version (none without one).
compared = changes_since(ctx)
changes = compared[0] if compared else None
deltas = figure_changes(changes, lang) if changes else {}
values = figure_values(figures, lang)  # as the report's since-page writes them
if compared is not None:  # printed, the picker is hidden: the cards' changes say what they are against
    st.caption(t("since.cards_note", lang, number=compared[1].number, when=fmt.timestamp(compared[1].created_at, lang)))

first, second, third = st.columns(3)
first.metric(
    t("overview.rows", lang),
    values["overview.rows"],
    **metric_delta(deltas.get("overview.rows")),
    border=True,
    help=t("overview.rows_help", lang, indicators=figures.indicators),
)
first.caption(t("overview.rows_help", lang, indicators=fmt.number(figures.indicators, lang)))
second.metric(
    t("overview.done", lang),
    values["overview.done"],
    **metric_delta(deltas.get("overview.done")),
    border=True,
)
second.caption(
    t(
        "overview.done_help",
        lang,
        done=figures.done_to_date,
        scheduled=figures.scheduled_to_date,
        month=month_name,
        partial=figures.partial_to_date,
    )
)
third.metric(
    t("overview.indicators", lang),
    values["overview.indicators"],
    **metric_delta(deltas.get("overview.indicators")),
    border=True,
)
third.caption(
    t(
        "overview.indicators_help",
        lang,
        achieved=figures.indicators_achieved,
        with_target=figures.indicators_with_target,
    )
)
fourth, fifth, sixth = st.columns(3)
fourth.metric(  # fewer rows overdue is better: a fall shows green (present.since.figure_changes)
    t("overview.overdue", lang),
    values["overview.overdue"],
    **metric_delta(deltas.get("overview.overdue")),
    border=True,
)
fourth.caption(
    t("overview.overdue_help", lang, month=month_name)
    + ": "
    + escape_markdown(fmt.short_list(figures.overdue_rows, lang) or t("overview.none", lang))
)
fifth.metric(
    t("overview.due_next", lang),
    values["overview.due_next"],
    **metric_delta(deltas.get("overview.due_next")),
    border=True,
)
fifth.caption(
    t("overview.due_next_help", lang, month=next_name)
    + ": "
    + escape_markdown(fmt.short_list(figures.due_next_month, lang) or t("overview.none", lang))
)
ikm = figures.latest_ikm
sixth.metric(
    t("overview.ikm", lang),
    values["overview.ikm"],
    **metric_delta(deltas.get("overview.ikm")),
    border=True,
)
sixth.caption(
    say("overview.ikm_help", lang, period=ikm["period"], mutu=ikm["mutu"], respondents=ikm["respondents"])
    if ikm
    else t("ikm.no_data", lang)
)
if ctx.narrowed:
    sixth.caption(t("filter.ikm_whole", lang))

progress = ctx.shared(lambda: metrics.programme_progress(model, month), "programme_progress")
# A page of programmes per chart, as on Jadwal: one bar per programme of a plan with thousands would stall the browser.
page = chart_page(len(progress), "overview_programme_page", lang, note="overview.page_note")
first_row, last_row = charts.page_span(page, len(progress), charts.CHART_PAGE_ROWS)
show_chart(
    ctx.shared_chart(
        lambda: charts.programme_bars(
            progress.iloc[first_row - 1 : last_row], model, month, lang, total=len(progress), first=first_row
        ),
        "programme_bars",
        page,
    ),
    "ringkasan",
    ctx,
    "overview_programmes",
    OVERVIEW_CHART_PRINT_ROOM,
)

if compared is not None:
    show_changes(*compared, lang)

left, right = st.columns(2)
# Made once per workbook, filters, month and language (the whole plan's realisation is read for them).
overdue = ctx.shared(lambda: plan_rows_table(model, figures.overdue_rows, lang, month), "overdue_table")
due = ctx.shared(lambda: plan_rows_table(model, figures.due_next_month, lang, month), "due_table")
#: On screen the lists name each row (code, who is responsible when the workbook says, sub-activity, months)
#: and its last note; printed and downloaded they are whole (the last realisation's status, progress and
#: evidence too).
listed = [
    name
    for name in (t(f"col.{key}", lang) for key in ("code", "responsible", "sub_activity", "months", "note"))
    if name in overdue.columns
]
clamped = [t("col.responsible", lang), t("col.sub_activity", lang), t("col.note", lang)]
left.subheader(t("overview.overdue_list", lang, month=month_name))
with left:
    show_list(overdue, "belum_selesai", ctx, "overdue", listed, clamped)
right.subheader(t("overview.due_list", lang, month=next_name))
with right:
    show_list(due, "jatuh_tempo", ctx, "due_next", listed, clamped)

if ctx.loaded.problems:
    with st.expander(t("app.problems_heading", lang)):
        show_table(
            problems_frame(ctx.loaded, lang),
            "validasi",
            ctx,
            "problems",
            wrapped=[t("col.message", lang), t("col.fix", lang)],
            programme_scoped=False,
        )
