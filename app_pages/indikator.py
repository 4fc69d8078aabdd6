"""Indikator: completion of each indicator against its target, and the trend of one indicator."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbdash.analysis import metrics
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.widgets import FIRST_CHART_PRINT_ROOM, chart_page, relabelled, show_chart, show_table

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.indicators")

states = ctx.shared(lambda: metrics.indicator_status(model, month), "indicator_status")
# Like the Gantt, the chart holds a page of indicators; the table keeps every one.
page = chart_page(len(states), "indicator_page", lang)
first_row, last_row = charts.page_span(page, len(states), charts.CHART_PAGE_ROWS)
shown = states.iloc[first_row - 1 : last_row]
show_chart(
    ctx.shared_chart(
        lambda: charts.indicator_bars(shown, model, month, lang, total=len(states), first=first_row),
        "indicator_bars",
        page,
    ),
    "indikator",
    ctx,
    "indicator_bars",
    FIRST_CHART_PRINT_ROOM,
)

# Seen: "73 % · Tertinggal" for 96 against a target of 100, with no word that it counts from the baseline.
st.caption(t("indicators.formula", lang))
st.subheader(t("indicators.table", lang), help=t("indicators.formula", lang))
table = pd.DataFrame(
    {
        t("col.code", lang): states["indicator_code"],
        t("col.indicators_text", lang): states["text"],
        t("col.unit", lang): states["unit"],
        t("col.direction", lang): states["direction"].map(lambda d: t(f"direction.{d}", lang)),
        t("col.target", lang): [fmt.number(v, lang, 2) for v in states["target"]],
        t("col.value", lang): [fmt.number(v, lang, 2) for v in states["value"]],
        t("col.completion", lang): [fmt.percent(v, lang) for v in states["completion"]],
        t("col.state", lang): states["state"].map(lambda s: t(f"state.{s}", lang)),
    }
)
show_table(table, "indikator", ctx, "indicator_rows")

codes = list(states["indicator_code"])
if codes:
    texts = dict(zip(states["indicator_code"], states["text"], strict=True))
    relabelled(lang, "indicator_code")
    code = st.selectbox(
        t("control.indicator", lang),
        codes,
        key="indicator_code",
        format_func=lambda c: fmt.short_text(f"{c} — {texts[c]}", 100),
    )
    if metrics.indicator_trend(model, code).empty:
        st.info(t("indicators.no_values", lang))
    show_chart(charts.indicator_trend(model, code, month, lang), f"indikator_{code}", ctx, "indicator_trend")
