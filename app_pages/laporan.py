"""Laporan: the PDF report and the PowerPoint deck of the data shown, for meetings.

"Buat laporan" puts the report in the server's report queue (`rbdash.exports.queue`) and returns at
once; a fragment polls the job, showing its place in line, then the downloads or the error. Every
session asking for the same report (data version, month, language, filters, quarter, the version compared
with) shares one build. A tab may have one
report of its own in the queue, a visitor (user, else address: rbdash.ui.visitor) a few.
"""

from __future__ import annotations

import streamlit as st

from rbdash.analysis import quarters
from rbdash.config import settings
from rbdash.exports.queue import (
    DONE,
    QUEUED,
    RUNNING,
    Job,
    QueueFull,
    ReportRequest,
    SinceVersion,
    report_queue,
    submit_report,
)
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present.views import QUARTER_NUMERALS
from rbdash.ui.frame import page_header, page_setup
from rbdash.ui.session import browser_session
from rbdash.ui.since import reference_model, reference_picker
from rbdash.ui.visitor import report_visitor
from rbdash.ui.widgets import relabelled

POLL_SECONDS = 1.0
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

ctx = page_setup()
lang, model, month = ctx.lang, ctx.model, ctx.as_of_month
page_header(ctx, "page.report")
st.write(t("report.intro", lang))
# A quarter's report (triwulan), of the quarters begun by the month shown and by the workbook's data date (as
# `report --quarter`): as of its last month, or earlier. 0 is "the month shown" (None would be "nothing chosen":
# seen, Streamlit's "Choose an option" once the month moved before the quarter chosen).
options = [0, *quarters.quarters_begun(ctx.whole_model, month)]
if st.session_state.get("report_quarter") not in options:
    st.session_state["report_quarter"] = 0
relabelled(lang, "report_quarter")
quarter = (
    st.selectbox(
        t("report.period", lang),
        options,
        format_func=lambda q: (
            t("report.period_quarter", lang, quarter=QUARTER_NUMERALS[q]) if q else t("report.period_as_of", lang)
        ),
        key="report_quarter",
    )
    or None
)
stem = charts.chart_filename("laporan", model.info.get("year"), month, model.info.get("satker"))
if quarter is not None:
    month = quarters.quarter_as_of(quarter, month)
    stem = charts.chart_filename(f"laporan_TW{quarter}", model.info.get("year"), month, model.info.get("satker"))
# Since the last meeting: the report's first page after the cover compares with this version (as Ringkasan).
reference = reference_picker(ctx, "report_since_reference")
reference_plan = reference_model(reference, lang) if reference is not None else None
since = None
if reference is not None and reference_plan is not None:
    since = SinceVersion(reference.number, reference.created_at, reference.sha256)
    stem += f"_sejak_v{reference.number}"
if ctx.narrowed:  # as every download narrowed by a filter is named (seen: the same name as the whole plan's)
    stem += "_" + t("export.filtered_suffix", lang)
# The whole workbook goes to the queue with the programmes chosen: equal requests share one build.
request = ReportRequest(
    ctx.loaded.sha256,
    month,
    lang,
    # a store's version as the command line names it ("versi 4"; seen: "v4" here), else the workbook's file
    t("cli.version_label", lang, number=ctx.version.number)
    if ctx.version is not None
    else ctx.loaded.source_name or ctx.loaded.sha256[:12],
    tuple(ctx.programmes),
    tuple(ctx.responsible),
    quarter=quarter,
    since=since,
    layout=settings().report_layout(ctx.whole_model.info.get("satker")),  # [report] is the home office's own
)
if st.button(t("report.build", lang), type="primary", key="report_build"):
    try:
        st.session_state["report_job"] = submit_report(
            ctx.whole_model, request, browser_session(), report_visitor(), reference_plan
        )
    except QueueFull as exc:
        st.session_state.pop("report_job", None)
        st.error(t(exc.key, lang))
stored = st.session_state.get("report_job")
if isinstance(stored, Job) and stored.key == request:
    job: Job = stored
    polling = not job.finished.is_set()

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def report_status() -> None:
        """The job's place in line while it waits or runs; then the downloads, or why there are none."""
        place = report_queue().place(job)
        if place.state == QUEUED:
            st.info(t("report.queued", lang, position=place.position or 1))
        elif place.state == RUNNING:
            st.info(t("report.building", lang))
        elif polling:
            st.rerun()  # finished since the page was drawn: draw it again, without polling
        elif place.state == DONE:
            left, right = st.columns(2)
            left.download_button(
                t("report.download_pdf", lang),
                job.result.pdf,
                file_name=f"{stem}.pdf",
                mime="application/pdf",
                key="report_pdf",
                on_click="ignore",
            )
            right.download_button(
                t("report.download_pptx", lang),
                job.result.pptx,
                file_name=f"{stem}.pptx",
                mime=PPTX,
                key="report_pptx",
                on_click="ignore",
            )
        else:
            st.error(t(job.error_key or "report.failed", lang))

    report_status()
