"""RB Dash entry point: `streamlit run app.py` (or `make run`)."""

from __future__ import annotations

import streamlit as st

from rbdash.messages import t
from rbdash.text import escape_markdown
from rbdash.ui import language, load_current, problems_frame
from rbdash.views import example_sheet_names, plan_table

st.set_page_config(page_title="RB Dash", layout="wide")
lang = language()
st.title(t("app.title", lang))

result = load_current()
if result.plan is None:
    st.error(t("app.cannot_load", lang))
    st.dataframe(problems_frame(result, lang), hide_index=True, width="stretch")
    st.stop()

model = result.plan
info = model.info
examples = example_sheet_names(model)
if examples:
    st.warning(t("app.example_banner", lang, sheets=escape_markdown(", ".join(examples))))
st.subheader(t("app.plan_heading", lang, year=info.get("year"), satker=escape_markdown(info.get("satker"))))
if info.get("as_of"):
    st.caption(t("app.as_of", lang, date=info["as_of"].isoformat()))
st.caption(t("app.counts", lang, rows=len(model.plan), row_months=len(model.schedule),
             indicators=len(model.indicators)))
st.dataframe(plan_table(model, lang), hide_index=True, width="stretch")
if result.problems:
    st.subheader(t("app.problems_heading", lang))
    st.dataframe(problems_frame(result, lang), hide_index=True, width="stretch")
