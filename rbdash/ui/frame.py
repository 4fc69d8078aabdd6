"""The frame around every page: language, sign-in, the current workbook, the shared sidebar, print styles."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import plotly.graph_objects as go
import streamlit as st

from rbdash.analysis import metrics, selection
from rbdash.messages import DEFAULT_LANGUAGE, LANGUAGES, t
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.text import escape_markdown, literal, literal_frame
from rbdash.present.views import example_sheet_names
from rbdash.store import StoreError, Version
from rbdash.ui.loading import fixed_workbook, load_current, restricted, shared
from rbdash.ui.office_choice import OfficeChoice, office_choice
from rbdash.ui.plotly_chart import DrawnFigure, prefetch_plotly
from rbdash.ui.print_css import print_styles
from rbdash.ui.session import (
    authorised,
    current_scope,
    login_box,
    signed_in,
    store_error_text,
    view_requires_login,
)
from rbdash.ui.widgets import problems_frame, relabelled

T = TypeVar("T")

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
_LANG_KEPT = "lang_kept"


def language() -> str:
    """The language chosen in the sidebar (Indonesian by default)."""
    # Kept apart from the widget's own key too: a page that opens another with st.switch_page (Rekap's drill-down)
    # ends its run early, and Streamlit then drops the widget's value (seen: Overview came back in Indonesian).
    if "lang" not in st.session_state:
        st.session_state["lang"] = st.session_state.get(_LANG_KEPT, DEFAULT_LANGUAGE)
    st.sidebar.radio(
        t("app.language", st.session_state["lang"]),
        LANGUAGES,
        key="lang",
        format_func=LANGUAGE_NAMES.get,
        horizontal=True,
    )
    st.session_state[_LANG_KEPT] = st.session_state["lang"]
    return st.session_state["lang"]


@dataclass
class PageContext:
    """What every page needs: the model, the language and the shared sidebar choices.

    `result` is None, or has no plan, when there is nothing to show (`problem` says why for the store);
    the dashboard pages stop there (`page_setup`), while Unggah Data, Riwayat and Pengguna & Audit, the
    pages needed to put things right, still run.
    """

    result: LoadResult | None
    lang: str
    as_of_month: int
    programmes: list[str]
    print_mode: bool
    problem: StoreError | None = None
    programme_spans: dict[str, str] = field(default_factory=dict)  # selection.code_spans of the whole workbook
    responsible: list[str] = field(default_factory=list)  # PENANGGUNG JAWAB keys chosen (none: all)
    version: Version | None = None  # the store's version shown (None: a fixed workbook, RBDASH_WORKBOOK)
    office: OfficeChoice | None = None  # the sidebar's office and year (None: a fixed workbook)

    @property
    def narrowed(self) -> bool:
        """Whether a sidebar filter narrows the plan rows (programmes or PENANGGUNG JAWAB)."""
        return bool(self.programmes or self.responsible)

    @property
    def shows_workbook(self) -> bool:
        return self.result is not None and self.result.plan is not None

    @property
    def loaded(self) -> LoadResult:
        """The loaded workbook (with its problems); only on pages that need one."""
        assert self.result is not None and self.result.plan is not None, "dashboard pages stop without a workbook"
        return self.result

    @property
    def whole_model(self) -> ActionPlan:
        """Every programme of the workbook (the filter's options; the problems concern the whole file)."""
        assert self.result is not None and self.result.plan is not None, "dashboard pages stop without a workbook"
        return self.result.plan

    @cached_property
    def model(self) -> ActionPlan:
        """The workbook restricted to the programmes chosen in the sidebar: what every figure, table,
        chart and export of a dashboard page shows (selection.for_programmes)."""
        return restricted(self.whole_model, self.loaded.sha256, self.programmes, self.responsible)

    def shared(self, build: Callable[[], T], *what: Hashable) -> T:
        """`build()` made once per workbook content, programme choice, as-of month and language and shared by
        every session (`loading.shared`): `what` names the value and anything else it depends on."""
        if not self.loaded.sha256:  # content not identified: nothing to key a shared value on
            return build()
        choice = (tuple(self.programmes), tuple(self.responsible))
        return shared((*what, self.loaded.sha256, choice, self.as_of_month, self.lang), build)

    def shared_chart(self, build: Callable[[], go.Figure], *what: Hashable) -> DrawnFigure:
        """A chart made once per `what` and this context's choices (`shared`), kept as the JSON the chart
        component draws: a Plotly figure is changed in place, so it is never what sessions share."""
        return self.shared(lambda: DrawnFigure.of(build()), *what)

    @property
    def filters_text(self) -> str:
        """Which programmes (and PENANGGUNG JAWAB) the page's figures reflect ("Filter: semua program")."""
        return fmt.filters_text(self.programmes, self.responsible, self.lang, self.programme_spans)


def sidebar(result: LoadResult, lang: str) -> PageContext:
    """The shared sidebar: as-of month (default: the workbook's), programme filter, print mode."""
    model = result.plan
    assert model is not None, "the frame stops before the sidebar when the workbook did not load"
    default_month = metrics.default_as_of_month(model)
    previous_default = st.session_state.get("as_of_default")
    plan = (model.info.get("satker"), model.info.get("year"))
    # Follow the workbook's "posisi data per" unless the reader moved the slider away from it; another office's
    # or year's plan starts at its own (seen by the review: December chosen for the province carried over to an
    # office whose data ends in June, and Ringkasan no longer agreed with Rekap).
    if (
        "as_of_month" not in st.session_state
        or st.session_state["as_of_month"] == previous_default
        or st.session_state.get("as_of_plan") != plan
    ):
        st.session_state["as_of_month"] = default_month
    st.session_state["as_of_default"] = default_month
    st.session_state["as_of_plan"] = plan
    relabelled(lang, "as_of_month", "programmes", "responsible")
    st.sidebar.select_slider(
        t("control.as_of", lang),
        options=list(range(1, 13)),
        key="as_of_month",
        format_func=lambda mo: fmt.month_long(mo, lang),
    )
    options = selection.programme_keys(model)
    spans = selection.code_spans(model, "program")
    st.sidebar.multiselect(
        t("control.programmes", lang),
        options,
        key="programmes",
        format_func=lambda key: fmt.group_label(key, lang, spans.get(key)),
        placeholder=t("control.all", lang),
    )
    responsible = selection.responsible_keys(model)
    if responsible:  # only a workbook whose rows name a PENANGGUNG JAWAB offers the filter
        st.sidebar.multiselect(
            t("control.responsible", lang),
            responsible,
            key="responsible",
            format_func=lambda key: literal(fmt.responsible_label(key, lang)),  # seen: an RLO reversed a name
            placeholder=t("control.all_responsible", lang),
        )
    st.sidebar.toggle(t("control.print_mode", lang), key="print_mode", help=t("control.print_help", lang))
    chosen = [p for p in st.session_state.get("programmes", []) if p in options]
    return PageContext(
        result,
        lang,
        int(st.session_state["as_of_month"]),
        chosen,
        bool(st.session_state.get("print_mode", False)),
        programme_spans=spans,
        responsible=[r for r in st.session_state.get("responsible", []) if r in responsible],
    )


def example_banner(model: ActionPlan, lang: str) -> None:
    """The CONTOH banner, whenever the workbook says it holds example data."""
    names = example_sheet_names(model)
    if names:
        st.warning(t("app.example_banner", lang, sheets=escape_markdown(", ".join(names))))


def page_header(ctx: PageContext, title_key: str, programme_scoped: bool = True) -> None:
    """Page title, example banner, the "posisi data per" line and the filters the page reflects (a page
    whose figures are the whole office's, not `programme_scoped`, says the programme filter does not apply)."""
    st.title(t(title_key, ctx.lang))
    example_banner(ctx.model, ctx.lang)
    info = ctx.model.info
    if programme_scoped:
        filters_line = "  \n" + escape_markdown(ctx.filters_text)
    else:  # the office's figures: the programme filter does not reach them
        filters_line = "  \n" + t("filter.ikm_whole", ctx.lang) if ctx.narrowed else ""
    st.caption(
        escape_markdown(charts.as_of_text(info.get("as_of"), info.get("year"), ctx.as_of_month, ctx.lang))
        + " · "
        + escape_markdown(
            # a stored version's model names its office as the store spells it (`LoadResult.named`); either part
            # may be blank
            " · ".join(fmt.short_text(part, 80) for part in (info.get("satker"), info.get("decree_number")) if part)
        )
        + filters_line
    )


_CONTEXT_KEY = "_page_context"


@contextmanager
def store_errors_shown(lang: str) -> Iterator[None]:
    """A store error raised inside (an unreadable or damaged store) is said, not shown as a traceback."""
    try:
        yield
    except StoreError as exc:
        st.error(store_error_text(exc, lang))
        st.stop()


def frame() -> PageContext:
    """The frame of every page: language, sign-in, the current workbook, the shared sidebar, print styles.

    Stops the run with a message when viewing needs a sign-in. When the store fails or no version can
    be shown, the context says why and holds no workbook (`page_setup` decides what a page does then);
    versions passed over for a missing or damaged file are said to editors and admins.
    """
    prefetch_plotly()  # the page's first element: the chart script loads while the server runs the page
    lang = language()
    with store_errors_shown(lang):
        if view_requires_login() and not signed_in():
            login_box(lang)
            st.title(t("app.title", lang))
            st.info(t("auth.required", lang))
            st.stop()
        office = None  # chosen first: the sidebar's main choice, above the sign-in form
        if fixed_workbook() is None:
            user = signed_in()
            office = office_choice(lang, user, current_scope(user))
        login_box(lang)
        current = load_current(office.satker, office.year) if office is not None else load_current()
        if current.passed_over and authorised("editor"):  # one warning, however many versions
            numbers = ", ".join(str(version.number) for version, _exc in current.passed_over)
            if current.version is not None:
                st.warning(t("store.passed_over", lang, number=numbers, shown=current.version.number))
            else:
                st.warning(t("store.passed_over_all", lang, number=numbers))
    result = current.result
    if result is None or result.plan is None:
        print_styles(False)  # also hides the grid's raw CSV export
        return PageContext(result, lang, 1, [], False, current.problem, office=office)
    context = sidebar(result, lang)
    context.version, context.office = current.version, office
    print_styles(context.print_mode, lang)
    return context


def _say_nothing_to_show(context: PageContext) -> None:
    """Why a dashboard page has nothing to show: the store's problem, or the workbook's."""
    lang = context.lang
    st.title(t("app.title", lang))
    if context.problem is not None:
        st.error(store_error_text(context.problem, lang))
        return
    st.error(t("app.cannot_load", lang))
    if context.result is not None:
        st.dataframe(literal_frame(problems_frame(context.result, lang)), hide_index=True, width="stretch")


@contextmanager
def framed_run(context: PageContext) -> Iterator[None]:
    """Around app.py's navigation: the page it runs finds this run's context (and no other run's)."""
    st.session_state[_CONTEXT_KEY] = context
    try:
        yield
    finally:
        st.session_state.pop(_CONTEXT_KEY, None)


def page_setup(needs_workbook: bool = True) -> PageContext:
    """What a page calls first: the context app.py prepared for this run, or, when the page runs on
    its own (as the tests run each page), the same frame built here.

    A page that `needs_workbook` (the dashboard) stops with the reason when there is none to show."""
    context = st.session_state.get(_CONTEXT_KEY)
    if not isinstance(context, PageContext):
        context = frame()
    if needs_workbook and not context.shows_workbook:
        _say_nothing_to_show(context)
        st.stop()
    return context
