"""Jadwal (schedule): the Gantt of plan against realisation, with filters."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from rbdash.analysis import metrics, selection
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.text import escape_markdown
from rbdash.present.views import schedule_table
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.plotly_chart import DrawnFigure
from rbdash.ui.widgets import (
    FIRST_CHART_PRINT_ROOM,
    chart_page,
    relabelled,
    show_chart,
    show_row_detail,
    show_table,
)

T = TypeVar("T")
ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.schedule")

plan = model.plan


def labelled_activities() -> dict[str, str]:
    spans = selection.activity_spans(model)
    return {
        key: fmt.group_label(parts[1], lang, spans.get(parts))
        for key, parts in (
            (key, selection.split_activity_key(key)) for key in selection.activity_keys(model, ctx.programmes)
        )
    }


# What the filters offer and show is made once per workbook, choice and language, and shared by every session
# (ctx.shared): with 10,000 rows, each rerun (a click, a keystroke) rebuilt it all (0.45 s).
activity_labels = ctx.shared(labelled_activities, "schedule_activities")
activities = list(activity_labels)
first, second, third = st.columns([3, 2, 2])
relabelled(lang, "schedule_activities", "schedule_statuses", "schedule_months")
chosen_activities = first.multiselect(
    t("control.activities", lang),
    activities,
    key="schedule_activities",
    format_func=lambda key: activity_labels.get(key, key),
    placeholder=t("control.choose", lang),
)
statuses = second.multiselect(
    t("control.statuses", lang),
    list(metrics.MONTH_STATUSES),
    format_func=lambda s: t(f"status.{s}", lang),
    key="schedule_statuses",
    placeholder=t("control.choose", lang),
)
months = third.select_slider(
    t("control.months", lang),
    options=list(range(1, 13)),
    value=(1, 12),
    format_func=lambda mo: fmt.month_short(mo, lang),
    key="schedule_months",
)
text = st.text_input(t("control.search", lang), key="schedule_text")

chosen = charts.GanttFilter(
    programmes=ctx.programmes, activities=chosen_activities, statuses=statuses, months=(months[0], months[1]), text=text
)
choice = (tuple(chosen_activities), tuple(statuses), (months[0], months[1]))


def shared(build: Callable[[], T], *what: Hashable) -> T:
    """`build()` shared by every session for the page's filter choice; made for this run alone when a search text
    narrows it (each keystroke's text would otherwise take a place in the shared cache)."""
    return build() if text else ctx.shared(build, *what, *choice)


rows = shared(lambda: charts.gantt_rows(model, month, chosen, lang), "schedule_rows")
page_filters = charts.filter_text(chosen, lang, activity_labels)
st.caption(
    escape_markdown(
        " · ".join(filter(None, [t("schedule.rows", lang, shown=len(rows), total=len(plan)), page_filters]))
    )
    + " · "
    + t("schedule.legend", lang)
)
# A chart holds a page of rows (a larger one would stall the browser); the table keeps every row.
page = chart_page(len(rows), "schedule_page", lang, per_page=charts.GANTT_PAGE_ROWS)
show_chart(
    DrawnFigure.of(charts.gantt(model, month, lang, chosen, page=page, rows=rows))
    if text
    else ctx.shared_chart(
        lambda: charts.gantt(model, month, lang, chosen, page=page, rows=rows), "gantt", *choice, page
    ),
    "jadwal",
    ctx,
    "schedule_gantt",
    FIRST_CHART_PRINT_ROOM,
)
table = shared(lambda: schedule_table(model, list(rows["code"]), lang, month), "schedule_table")
# One line per row; a selected row's detail below shows its texts whole.
evidence = [t("col.evidence", lang)]
selected = show_table(
    table, "jadwal", ctx, "schedule_rows", page_filters=page_filters, selectable=True, linked=evidence
)
if selected is None:
    st.caption(t("schedule.detail_hint", lang))
else:
    code = str(table[t("col.code", lang)].iloc[selected])
    show_row_detail(ctx, code)
