"""Jadwal (schedule): the Gantt of plan against realisation, with filters."""

from __future__ import annotations

import streamlit as st

from rbdash.analysis import metrics, selection
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.text import escape_markdown
from rbdash.present.views import schedule_table
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.widgets import (
    FIRST_CHART_PRINT_ROOM,
    chart_page,
    relabelled,
    show_chart,
    show_row_detail,
    show_table,
)

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.schedule")

plan = model.plan
activities = selection.activity_keys(model, ctx.programmes)
spans = selection.activity_spans(model)
activity_labels = {
    key: fmt.group_label(parts[1], lang, spans.get(parts))
    for key, parts in ((key, selection.split_activity_key(key)) for key in activities)
}
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
rows = charts.gantt_rows(model, month, chosen, lang)
page_filters = charts.filter_text(chosen, lang, activity_labels)
st.caption(
    escape_markdown(
        " · ".join(filter(None, [t("schedule.rows", lang, shown=len(rows), total=len(plan)), page_filters]))
    )
    + " · "
    + t("schedule.legend", lang)
)
# A chart holds a page of rows (a larger one would stall the browser); the table keeps every row.
page = chart_page(len(rows), "schedule_page", lang)
show_chart(
    charts.gantt(model, month, lang, chosen, page=page, rows=rows),
    "jadwal",
    ctx,
    "schedule_gantt",
    FIRST_CHART_PRINT_ROOM,
)
table = schedule_table(model, list(rows["code"]), lang, month)
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
