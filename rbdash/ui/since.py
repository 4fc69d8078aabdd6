"""Ringkasan's "since the last meeting": the reference version picker, the key figures' deltas and the list of
what changed (`analysis.since`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import streamlit as st

from rbdash.access.signin import WIB
from rbdash.analysis import since
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.since import Change, Reference, summary_lines
from rbdash.present.text import escape_markdown
from rbdash.store import StoreError, Version
from rbdash.ui.loading import load_version, store
from rbdash.ui.widgets import relabelled

if TYPE_CHECKING:
    from rbdash.ui.frame import PageContext


#: The reference picker's "no comparison" (version numbers start at 1).
NO_REFERENCE = 0
#: The reference chosen on any page (a page's widget state is dropped when another page is shown).
KEPT_REFERENCE = "since_reference_kept"


def reference_picker(ctx: PageContext, key: str = "since_reference") -> Version | None:
    """The reference version picker ("Bandingkan dengan versi": an older version of the one shown, default the
    version current at the start of the previous month, or none) and the version chosen; None without one.

    Each page has its own widget `key`; the choice is kept under `KEPT_REFERENCE` and carries from page to page
    (seen: a version picked on Ringkasan was not the one the Laporan page compared with)."""
    lang, shown = ctx.lang, ctx.version
    if shown is None:  # a fixed workbook, not a store's version: nothing to compare with
        return None
    try:
        versions = store().history(shown.satker, shown.year)
    except StoreError:
        return None
    older = [v for v in versions if v.number < shown.number]
    if not older:
        return None
    default = since.default_reference([shown, *older], dt.datetime.now(WIB).date())
    # 0 is "no comparison": a None value is a selectbox with nothing chosen ("Choose an option", seen)
    options = [NO_REFERENCE, *(v.number for v in older)]
    labels = {
        v.number: t("since.option", lang, number=v.number, when=fmt.timestamp(v.created_at, lang), user=v.user)
        for v in older
    }
    # Per office and year: a number chosen for one office's plan is not another's version of that number.
    plan = (shown.satker, shown.year)
    kept_plan, kept = st.session_state.get(KEPT_REFERENCE, (None, None))
    if kept_plan != plan:
        kept = None
    other_plan = st.session_state.get(f"{key}_plan") != plan  # the widget's number was another plan's
    st.session_state[f"{key}_plan"] = plan
    relabelled(lang, key)
    if (
        other_plan
        or st.session_state.get(key) not in options
        or (kept in options and st.session_state.get(key) != kept)
    ):
        # first visit, a version gone, or a choice made on another page
        st.session_state[key] = kept if kept in options else (default.number if default else NO_REFERENCE)
    chosen = st.selectbox(
        t("since.reference", lang),
        options,
        format_func=lambda number: t("since.none", lang) if number == NO_REFERENCE else labels.get(number, str(number)),
        key=key,
        help=t("since.help", lang),
        on_change=lambda: st.session_state.__setitem__(KEPT_REFERENCE, (plan, st.session_state[key])),
    )
    return next((v for v in older if v.number == chosen), None)


def reference_model(reference: Version, lang: str) -> ActionPlan | None:
    """The whole model of the reference version; a warning and None when it cannot be read."""
    try:
        before = load_version(reference)
    except StoreError:
        before = None
    if before is None or before.plan is None:
        st.warning(t("since.unreadable", lang, number=reference.number))
        return None
    return before.plan


def changes_since(ctx: PageContext) -> tuple[since.Since, Version] | None:
    """The reference picker, and the changes from the version chosen to the one shown, restricted like every
    figure of the page; None without one."""
    reference = reference_picker(ctx)
    whole = reference_model(reference, ctx.lang) if reference is not None else None
    if reference is None or whole is None:
        return None

    def build() -> since.Since:  # made once per reference, workbook, filters, month and language
        before = since.restricted_like(whole, ctx.model, ctx.whole_model, ctx.programmes, ctx.responsible)
        return since.compare(before, ctx.model, ctx.as_of_month)

    return ctx.shared(build, "since", reference.sha256), reference


Delta = dict[str, Any]  # st.metric's delta, delta_color and delta_arrow


def metric_delta(change: Change | None) -> Delta:
    """st.metric arguments for a key figure's change: none without a reference, a grey "±0" without an arrow
    for no change."""
    if change is None:
        return {}
    if change.unchanged:
        return {"delta": change.text, "delta_color": "off", "delta_arrow": "off"}
    # Streamlit reads a fall from a leading ASCII "-" only (seen: "−3" drawn as a rise, an "inverse" fall red)
    text = "-" + change.text[1:] if change.text.startswith("−") else change.text
    return {"delta": text, "delta_color": change.better}


def show_changes(changes: since.Since, reference: Version, lang: str) -> None:
    """What changed since the reference, one line per kind, the rows named (literally)."""
    st.subheader(Reference(reference.number, reference.created_at).heading(lang))
    lines = summary_lines(changes, lang)
    if not lines:
        st.caption(t("since.nothing", lang))
        return
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
