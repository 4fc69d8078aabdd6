"""Triwulan (quarters): plan against realisation per quarter, per programme and kegiatan."""

from __future__ import annotations

import streamlit as st

from rbdash.analysis import quarters
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present.views import quarter_table
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.widgets import FIRST_CHART_PRINT_ROOM, show_chart, show_table

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.quarters")
st.caption(t("quarter.intro", lang))
progress = ctx.shared(lambda: quarters.quarter_progress(model, month), "quarter_progress")
show_chart(
    ctx.shared_chart(lambda: charts.quarter_bars(progress, model, month, lang), "quarter_bars"),
    "triwulan",
    ctx,
    "quarter_bars",
    FIRST_CHART_PRINT_ROOM,
)
show_table(ctx.shared(lambda: quarter_table(model, month, lang), "quarter_table"), "triwulan", ctx, "quarters")
