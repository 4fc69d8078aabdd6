"""The Streamlit side of RB Dash: the only module (with app.py and pages/) that imports streamlit."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from rbdash.analysis import metrics
from rbdash.config import BUNDLED_WORKBOOK, role_at_least, settings
from rbdash.exports import tables as export
from rbdash.messages import DEFAULT_LANGUAGE, LANGUAGES, t
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.text import escape_markdown
from rbdash.present.text import markdown_message as say
from rbdash.present.views import example_sheet_names
from rbdash.store.sqlite import Store, StoreError, data_dir
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.worker import WORKER_FAILURES, load_untrusted, warm_up

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


class _NoAnswer(Exception):
    """The worker gave no answer (busy, out of time or memory, crashed): raised so the cache keeps nothing."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(result.problems[0].code if result.problems else "")
        self.result = result


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_by_hash(digest: str, data: bytes) -> LoadResult:
    result = load_untrusted(data)
    if any(problem.code in WORKER_FAILURES for problem in result.problems):
        raise _NoAnswer(result)  # exceptions are not cached: the next try reads the file again
    return result


@st.cache_resource(show_spinner=False)
def _worker_started() -> bool:
    """Start the workers' fork server once per server process, before the first upload needs it."""
    warm_up()
    return True


@st.cache_resource(show_spinner=False)
def _store(root: str) -> Store:
    store = Store(Path(root))
    store.seed(BUNDLED_WORKBOOK, t("store.seed_comment", DEFAULT_LANGUAGE))
    return store


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_version(root: str, sha256: str) -> LoadResult:
    return load_workbook(_store(root).read_sha256(sha256))


def load_bytes(data: bytes) -> LoadResult:
    """Load workbook bytes that did not come from the store (an upload), in the bounded worker process,
    parsed once per distinct content (keyed by SHA-256)."""
    try:
        return _load_by_hash(hashlib.sha256(data).hexdigest(), data)
    except _NoAnswer as failed:
        return failed.result


def load_current() -> LoadResult:
    """The workbook to show, parsed once per distinct content.

    $RBDASH_WORKBOOK names a fixed file (as the tests do); otherwise the store's current version,
    looked up by its recorded SHA-256, so a rerun reads no file (version 1 is seeded on first start).
    """
    _worker_started()
    fixed = os.environ.get("RBDASH_WORKBOOK")
    if fixed:
        return dataclasses.replace(load_bytes(Path(fixed).read_bytes()), source_name=Path(fixed).name)
    root = str(data_dir())
    version = _store(root).current()
    assert version is not None, "the store is seeded with the bundled workbook when it is made"
    # A copy: the cached result is shared by every session and must not be changed.
    return dataclasses.replace(_load_version(root, version.sha256), source_name=f"v{version.number}")


def language() -> str:
    """The language chosen in the sidebar (Indonesian by default)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = DEFAULT_LANGUAGE
    st.sidebar.radio(
        t("app.language", st.session_state["lang"]),
        LANGUAGES,
        key="lang",
        format_func=LANGUAGE_NAMES.get,
        horizontal=True,
    )
    return st.session_state["lang"]


def load_version(version) -> LoadResult:
    """A version from the store (trusted: read in-process), parsed once per distinct content."""
    return _load_version(str(data_dir()), version.sha256)


def problem_callouts(result: LoadResult, lang: str, limit: int = 3) -> None:
    """The first errors as readable text (where, what, how to fix), shown literally; the table has them all."""
    for problem in result.errors[:limit]:
        st.error(
            f"**{escape_markdown(problem.location(lang))}**: {escape_markdown(problem.message(lang))}\n\n"
            f"{escape_markdown(t('report.fix', lang))}: {escape_markdown(problem.fix(lang))}"
        )


def not_checked(result: LoadResult, lang: str) -> bool:
    """When the worker was too busy to read the file, say so (it is not the file's fault) and offer a retry."""
    busy = [problem for problem in result.problems if problem.code == "worker_busy"]
    if not busy:
        return False
    st.warning(
        f"{escape_markdown(t('data.not_checked', lang))}\n\n{escape_markdown(busy[0].message(lang))} "
        f"{escape_markdown(busy[0].fix(lang))}"
    )
    st.button(t("data.check_again", lang), key="check_again")  # a click reruns the page: the read is tried again
    return True


def problems_frame(result: LoadResult, lang: str) -> pd.DataFrame:
    """The problems as a table with translated headers."""
    rows = [p.as_dict(lang) for p in result.problems]
    frame = pd.DataFrame(rows, columns=["severity", "sheet", "cell", "message", "fix"])
    frame[["sheet", "cell"]] = frame[["sheet", "cell"]].fillna("")  # a whole-file problem: no sheet, no cell
    frame["severity"] = frame["severity"].map(lambda s: t(f"severity.{s}", lang))
    return frame.rename(columns={c: t(f"col.{c}", lang) for c in frame.columns})


# ----------------------------------------------------------------------------------------------
# The dashboard frame: shared sidebar, banner, print styles, charts.

_PRINT_RULES = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stElementToolbar"],
[data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stSlider"],
[data-testid="stTextInput"], [data-testid="stRadio"], [data-testid="stCheckbox"],
[data-testid="stToggle"], [data-testid="stDownloadButton"], [data-testid="stExpander"],
.modebar-container { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.5rem 1rem !important; max-width: 100% !important; }
[data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stAlert"] {
  break-inside: avoid; page-break-inside: avoid; }
"""


@dataclass
class PageContext:
    """What every page needs: the model, the language and the shared sidebar choices."""

    result: LoadResult
    lang: str
    as_of_month: int
    programmes: list[str]
    print_mode: bool

    @property
    def model(self) -> ActionPlan:
        assert self.result.plan is not None, "a page context is made only for a loaded workbook"
        return self.result.plan


def print_styles(print_mode: bool) -> None:
    """CSS for Ctrl+P (A4 landscape, no sidebar or widgets, charts kept whole); the same on screen in print mode."""
    # The grid's own CSV button exports workbook text raw; tables offer safe downloads instead.
    rules = (
        '[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none !important; } '
        f"@page {{ size: A4 landscape; margin: 10mm; }} @media print {{ {_PRINT_RULES} }}"
    )
    if print_mode:
        rules += _PRINT_RULES
    st.html(f"<style>{rules}</style>")


def sidebar(result: LoadResult, lang: str) -> PageContext:
    """The shared sidebar: as-of month (default: the workbook's), programme filter, print mode."""
    model = result.plan
    assert model is not None, "the frame stops before the sidebar when the workbook did not load"
    default_month = metrics.default_as_of_month(model)
    previous_default = st.session_state.get("as_of_default")
    # Follow the workbook's "posisi data per" unless the reader moved the slider away from it.
    if "as_of_month" not in st.session_state or st.session_state["as_of_month"] == previous_default:
        st.session_state["as_of_month"] = default_month
    st.session_state["as_of_default"] = default_month
    st.sidebar.select_slider(
        t("control.as_of", lang),
        options=list(range(1, 13)),
        key="as_of_month",
        format_func=lambda mo: fmt.month_long(mo, lang),
    )
    options = metrics.programme_keys(model)
    st.sidebar.multiselect(
        t("control.programmes", lang),
        options,
        key="programmes",
        format_func=lambda key: fmt.group_label(key, lang),
        placeholder=t("control.all", lang),
    )
    st.sidebar.toggle(t("control.print_mode", lang), key="print_mode", help=t("control.print_help", lang))
    chosen = [p for p in st.session_state.get("programmes", []) if p in options]
    return PageContext(
        result, lang, int(st.session_state["as_of_month"]), chosen, bool(st.session_state.get("print_mode", False))
    )


def example_banner(model: ActionPlan, lang: str) -> None:
    """The CONTOH banner, whenever the workbook says it holds example data."""
    names = example_sheet_names(model)
    if names:
        st.warning(t("app.example_banner", lang, sheets=escape_markdown(", ".join(names))))


def page_header(ctx: PageContext, title_key: str) -> None:
    """Page title, example banner and the "posisi data per" line."""
    st.title(t(title_key, ctx.lang))
    example_banner(ctx.model, ctx.lang)
    info = ctx.model.info
    st.caption(
        escape_markdown(charts.as_of_text(info.get("as_of"), info.get("year"), ctx.as_of_month, ctx.lang))
        + " · "
        + escape_markdown(
            f"{fmt.short_text(info.get('satker'), 80)} · {fmt.short_text(info.get('decree_number') or '', 80)}"
        )
    )


def show_chart(fig, kind: str, ctx: PageContext, key: str) -> None:
    """A chart whose camera button saves a high-resolution PNG named after what and when."""
    st.plotly_chart(
        fig, config=charts.download_config(kind, ctx.model.info.get("year"), ctx.as_of_month), key=key, theme=None
    )


def show_table(frame: pd.DataFrame, name: str, ctx: PageContext, key: str) -> None:
    """A table with XLSX and CSV downloads (formula-injection safe), named after what and when."""
    st.dataframe(frame, hide_index=True, width="stretch", key=f"{key}_table")
    year = ctx.model.info.get("year")
    stem = charts.chart_filename(name, year, ctx.as_of_month)
    left, right, _ = st.columns([1, 1, 6])
    left.download_button(
        t("table.download_xlsx", ctx.lang),
        export.to_xlsx(frame, name),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
    right.download_button(
        t("table.download_csv", ctx.lang),
        export.to_csv(frame, ctx.lang),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )


def browser_session() -> str:
    """This browser session's id (a tab): the owner of what it queues."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


_CONTEXT_KEY = "_page_context"


def frame() -> PageContext:
    """The frame of every page: language, sign-in, the current workbook, the shared sidebar, print styles.

    Stops the run with a message when viewing needs a sign-in, the store fails or the workbook cannot
    be shown.
    """
    lang = language()
    login_box(lang)
    if view_requires_login() and not signed_in():
        st.title(t("app.title", lang))
        st.info(t("auth.required", lang))
        st.stop()
    try:
        result = load_current()
    except StoreError as exc:
        st.title(t("app.title", lang))
        st.error(say(exc.key, lang, **exc.params))
        st.stop()
    if result.plan is None:
        st.title(t("app.title", lang))
        print_styles(False)  # also hides the grid's raw CSV export
        st.error(t("app.cannot_load", lang))
        st.dataframe(problems_frame(result, lang), hide_index=True, width="stretch")
        st.stop()
    context = sidebar(result, lang)
    print_styles(context.print_mode)
    return context


@contextmanager
def framed_run(context: PageContext) -> Iterator[None]:
    """Around app.py's navigation: the page it runs finds this run's context (and no other run's)."""
    st.session_state[_CONTEXT_KEY] = context
    try:
        yield
    finally:
        st.session_state.pop(_CONTEXT_KEY, None)


def page_setup() -> PageContext:
    """What a page calls first: the context app.py prepared for this run, or, when the page runs on
    its own (as the tests run each page), the same frame built here."""
    context = st.session_state.get(_CONTEXT_KEY)
    return context if isinstance(context, PageContext) else frame()


# ----------------------------------------------------------------------------------------------
# Sign-in and roles. The role is read from the store at every action, not trusted from the session.


def store() -> Store:
    """The version store of this server (seeded on first use)."""
    return _store(str(data_dir()))


def _oidc() -> bool:
    return settings().auth == "oidc"


def signed_in() -> str | None:
    """The signed-in user's name (or e-mail address with single sign-on), if any."""
    if _oidc():
        return getattr(st.user, "email", None) if getattr(st.user, "is_logged_in", False) else None
    return st.session_state.get("user")


def current_role() -> str | None:
    """The signed-in user's role now: from the store, or from the configured list with single sign-on."""
    name = signed_in()
    if not name:
        return None
    return settings().oidc_role(name) if _oidc() else store().role_of(name)


def authorised(role: str) -> bool:
    """True when the signed-in user holds `role` or a higher one at this moment."""
    current = current_role()
    return role_at_least(current, role)


def login_box(lang: str) -> None:
    """Sign-in form or the signed-in user with a sign-out button, in the sidebar."""
    name = signed_in()
    if name:
        st.sidebar.caption(escape_markdown(t("auth.signed_in", lang, name=name, role=current_role() or "-")))
        if st.sidebar.button(t("auth.logout", lang), key="logout"):
            store().audit("logout", name)
            st.session_state.pop("user", None)
            if _oidc():
                st.logout()
            st.rerun()
        return
    if _oidc():
        if st.sidebar.button(t("auth.sso", lang), key="sso_login"):
            try:
                st.login()
            except Exception:  # Streamlit's error when [auth] is missing from secrets.toml
                st.sidebar.error(t("auth.sso_not_configured", lang))
        return
    with st.sidebar.form("login", clear_on_submit=True):
        st.markdown(f"**{t('auth.heading', lang)}**")
        user = st.text_input(t("auth.user", lang), key="login_user")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        if st.form_submit_button(t("auth.submit", lang)):
            try:
                role = store().authenticate(user.strip(), password, address=st.context.ip_address)
            except StoreError as exc:
                st.error(say(exc.key, lang, **exc.params))
                return
            if role is None:
                st.error(t("auth.failed", lang))
                return
            st.session_state["user"] = user.strip()
            st.rerun()


def view_requires_login() -> bool:
    """RBDASH_VIEW_REQUIRES_LOGIN=1 (or view_requires_login in the config file) closes viewing to visitors."""
    return settings().view_requires_login


def versions_frame(versions: list, lang: str) -> pd.DataFrame:
    rows = [
        {
            t("col.number", lang): v.number,
            t("col.created_at", lang): fmt.timestamp(v.created_at, lang),
            t("col.user", lang): v.user,
            t("col.comment", lang): v.comment,
            t("col.satker", lang): v.satker,
            t("col.year", lang): v.year,
            t("col.sha256", lang): v.sha256[:16],
        }
        for v in versions
    ]
    return pd.DataFrame(rows)
