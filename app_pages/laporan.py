"""Laporan: the PDF report and the PowerPoint deck of the data shown, for meetings."""

from __future__ import annotations

import streamlit as st

from rbdash import charts
from rbdash.deck import build_deck
from rbdash.messages import t
from rbdash.report import build_pdf
from rbdash.ui import page_context, page_header

ctx = page_context()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.report")
st.write(t("report.intro", lang))
stem = charts.chart_filename("laporan", model.info.get("year"), month)
version = ctx.result.source_name or ctx.result.sha256[:12]
key = (ctx.result.sha256, month, lang)
if st.button(t("report.build", lang), type="primary", key="report_build"):
    with st.spinner(t("report.building", lang)):
        st.session_state["report_files"] = (key, build_pdf(model, month, lang, version),
                                            build_deck(model, month, lang, version))
built = st.session_state.get("report_files")
if built and built[0] == key:
    _, pdf, pptx = built
    left, right = st.columns(2)
    left.download_button(t("report.download_pdf", lang), pdf, file_name=f"{stem}.pdf", mime="application/pdf",
                         key="report_pdf", on_click="ignore")
    right.download_button(t("report.download_pptx", lang), pptx, file_name=f"{stem}.pptx", key="report_pptx",
                          mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                          on_click="ignore")
