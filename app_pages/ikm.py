"""IKM: the service-satisfaction index per period and unit, NRR per unsur, and the computation itself."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbdash.analysis import metrics
from rbdash.ikm import UNSUR, compute_row
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.widgets import FIRST_CHART_PRINT_ROOM, relabelled, show_chart, show_table

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.ikm", programme_scoped=False)

table = ctx.shared(lambda: metrics.ikm_table(model, t("ikm.overall", lang), month), "ikm_table")
_, later = metrics.survey_by_as_of(model, month)
if later:  # said, never silently dropped
    st.caption(t("ikm.later_hidden", lang, periods=", ".join(later), month=fmt.month_long(month, lang)))
if table.empty:
    st.info(t("ikm.no_data", lang))
    st.stop()
show_chart(
    ctx.shared_chart(lambda: charts.ikm_trend(table, model, month, lang), "ikm_trend"),
    "ikm",
    ctx,
    "ikm_trend",
    FIRST_CHART_PRINT_ROOM,
)

periods = list(dict.fromkeys(table["period"]))
first, second = st.columns(2)
relabelled(lang, "ikm_period", "ikm_unit")
period = first.selectbox(t("control.period", lang), periods, index=len(periods) - 1, key="ikm_period")
units = list(table[table["period"] == period]["unit"])
unit = second.selectbox(t("control.unit", lang), units, index=len(units) - 1, key="ikm_unit")
row = table[(table["period"] == period) & (table["unit"] == unit)].iloc[0]
show_chart(
    ctx.shared_chart(lambda: charts.nrr_bars(row, model, month, lang), "nrr_bars", period, unit),
    f"nrr_{period}",
    ctx,
    "ikm_nrr",
)
show_chart(
    ctx.shared_chart(lambda: charts.respondents_bars(table, model, month, lang), "respondents_bars"),
    "responden",
    ctx,
    "ikm_respondents",
)

st.subheader(t("ikm.computation", lang))
result = compute_row(row)
if result is None:
    st.info(t("ikm.no_data", lang))
    st.stop()
steps = pd.DataFrame(
    {
        t("col.unsur", lang): [f"{u} {t(f'unsur.{u}', lang)}" for u in UNSUR],
        t("col.nrr", lang): [fmt.number(float(v), lang, 4) for v in result.nrr],
        t("col.weight", lang): [fmt.number(float(result.weight), lang, 4) + " (1/9)"] * len(UNSUR),
        t("col.weighted", lang): [fmt.number(float(v), lang, 4) for v in result.weighted],
    }
)
show_table(steps, f"perhitungan_ikm_{period}", ctx, "ikm_steps", programme_scoped=False)
st.markdown(
    f"**{t('col.ikm', lang)}** = {fmt.number(float(result.ikm), lang, 4)} · "
    f"**{t('col.converted', lang)}** = {fmt.number(float(result.ikm), lang, 4)} × 25 = "
    f"{fmt.number(float(result.converted), lang, 2)} · **{t('col.mutu', lang)}** = {result.band.grade} "
    f"({result.band.label_id if lang == 'id' else result.band.label_en}) · "
    f"{t('col.respondents', lang)}: {fmt.number(int(row['respondents']), lang)}"
)
st.caption(t("ikm.computation_note", lang))
