"""Rekap: every office's current version of a year side by side (programmes, rows not done, indicators, IKM),
ranked for attention, each opening its office's Ringkasan; and one office's years side by side."""

from __future__ import annotations

import streamlit as st

from rbdash.analysis.rollup import programme_matrix, ranked_by_lateness, rollup_frame
from rbdash.messages import t
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.charts import rollup as rollup_charts
from rbdash.present.rollup import rollup_table
from rbdash.present.text import escape_markdown, literal
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import rollup_records, shared, store
from rbdash.ui.office_choice import ask_for
from rbdash.ui.plotly_chart import DrawnFigure
from rbdash.ui.print_css import print_styles
from rbdash.ui.widgets import FIRST_CHART_PRINT_ROOM, chart_page, relabelled, show_figure, show_table

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
if not ctx.shows_workbook:  # the frame drew no print styles with a sidebar: Rekap prints all the same
    print_styles(False, lang)
st.title(t("page.rollup", lang))
st.caption(t("rollup.intro", lang))
rollup = rollup_records()
records = rollup.records
years = sorted({year for _, year, _, _ in records}, reverse=True)
if not years:
    st.info(t("rollup.no_versions", lang, year=ctx.office.year if ctx.office and ctx.office.year else "-"))
    st.stop()
shown_year = ctx.office.year if ctx.office is not None else None
relabelled(lang, "rollup_year")
# The sidebar's year, and again whenever the sidebar's year changes (seen by the review: the sidebar said 2022
# while Rekap stayed at 2023); Rekap's own choice otherwise.
followed = st.session_state.get("rollup_sidebar_year") != shown_year and shown_year in years
if followed or st.session_state.get("rollup_year") not in years:
    st.session_state["rollup_year"] = shown_year if shown_year in years else years[0]
st.session_state["rollup_sidebar_year"] = shown_year
year = int(st.selectbox(t("rollup.year", lang), years, key="rollup_year"))

of_year = [record for record in records if record[1] == year]
figures = {satker: record_figures for satker, _, _, record_figures in of_year}
ranked = ranked_by_lateness(rollup_frame(of_year))
held = {satker for satker, _, _, _ in of_year}
missing = [office for office in store().offices() if office not in held]
if missing:
    st.caption(escape_markdown(t("rollup.missing_offices", lang, year=year, offices=fmt.short_list(missing, lang))))
examples = [str(satker) for satker, record in zip(ranked["satker"], ranked["examples"], strict=True) if record]
if examples:
    st.warning(escape_markdown(t("rollup.example_banner", lang, offices=fmt.short_list(examples, lang))))


def config(kind: str) -> dict:
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": f"rekap_{year}_{kind}", "scale": 3},
    }


# Ranked for attention in both charts and the table; a province of nine is one chart, KPU RI's 553 are pages.
page = chart_page(len(ranked), "rollup_page", lang, note="rollup.page_note", option="rollup.page_option")
first, last = charts.page_span(page, len(ranked), charts.CHART_PAGE_ROWS)
part = ranked.iloc[first - 1 : last]
total = len(ranked) if len(part) < len(ranked) else None


def heatmap() -> DrawnFigure:
    matrix = programme_matrix((satker, figures[satker]) for satker in part["satker"])
    return DrawnFigure.of(rollup_charts.programme_heatmap(matrix, year, lang, total, first))


def late_bars() -> DrawnFigure:
    return DrawnFigure.of(rollup_charts.rows_not_done_bars(part, year, lang, total, first))


key = ("rollup", rollup.revision, year, page, lang)
show_figure(shared((*key, "heatmap"), heatmap), config("program"), "rollup_heatmap", lang, FIRST_CHART_PRINT_ROOM)
show_figure(shared((*key, "late"), late_bars), config("belum_selesai"), "rollup_late", lang)

st.subheader(t("rollup.ranked", lang))
st.container(key="screen_only_rollup_hint").caption(t("rollup.open_hint", lang))  # not printed: paper has no rows
selected = show_table(
    shared((*key[:3], lang, "table"), lambda: rollup_table(ranked, lang)),
    f"rekap_{year}",
    ctx,
    "rollup_table",
    of_workbook=False,
    selectable=True,
)
offices = ranked["satker"].tolist()
chosen_office = st.selectbox(t("rollup.open_office", lang), offices, format_func=literal, key="rollup_open_office")
if selected is not None or st.button(t("rollup.open", lang), key="rollup_open"):
    ask_for(offices[selected] if selected is not None else chosen_office, year)
    st.switch_page("app_pages/ringkasan.py")

st.subheader(t("rollup.years_heading", lang))
every_office = list(dict.fromkeys(satker for satker, _, _, _ in records))
default_office = ctx.office.satker if ctx.office is not None and ctx.office.satker in every_office else every_office[0]
if st.session_state.get("rollup_years_office") not in every_office:
    st.session_state["rollup_years_office"] = default_office
office = st.selectbox(t("rollup.years_office", lang), every_office, format_func=literal, key="rollup_years_office")
over_years = rollup_frame(sorted((r for r in records if r[0] == office), key=lambda r: r[1]))
show_figure(
    shared(
        ("rollup", rollup.revision, office, lang, "years"),
        lambda: DrawnFigure.of(rollup_charts.years_bars(over_years, office, lang)),
    ),
    config("tahunan"),
    "rollup_years",
    lang,
)
show_table(
    rollup_table(over_years, lang, with_year=True).drop(columns=[t("col.satker", lang)]),
    f"rekap_tahunan_{fmt.name_part(office)}",
    ctx,
    "rollup_years_table",
    of_workbook=False,
)
