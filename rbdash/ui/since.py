"""Ringkasan's "since the last meeting": the reference version picker, the key figures' deltas and the list of
what changed (`analysis.since`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import streamlit as st

from rbdash.access.signin import WIB
from rbdash.analysis import metrics, since
from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.text import escape_markdown
from rbdash.store import StoreError, Version
from rbdash.ui.loading import load_version, store
from rbdash.ui.widgets import relabelled

if TYPE_CHECKING:
    from rbdash.ui.frame import PageContext


#: The reference picker's "no comparison" (version numbers start at 1).
NO_REFERENCE = 0


def changes_since(ctx: PageContext) -> tuple[since.Since, Version] | None:
    """The reference picker (default: the version current at the start of the previous month), and the
    changes from that version to the one shown, restricted like every figure of the page; None without one."""
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
    relabelled(lang, "since_reference")
    if st.session_state.get("since_reference") not in options:  # first visit, or a version gone
        st.session_state["since_reference"] = default.number if default else NO_REFERENCE
    chosen = st.selectbox(
        t("since.reference", lang),
        options,
        format_func=lambda number: t("since.none", lang) if number == NO_REFERENCE else labels.get(number, str(number)),
        key="since_reference",
        help=t("since.help", lang),
    )
    reference = next((v for v in older if v.number == chosen), None)
    if reference is None:
        return None
    try:
        before = load_version(reference)
    except StoreError:
        st.warning(t("since.unreadable", lang, number=reference.number))
        return None
    if before.plan is None:
        st.warning(t("since.unreadable", lang, number=reference.number))
        return None
    model = metrics.for_programmes(before.plan, ctx.programmes, ctx.responsible)
    changes = ctx.shared(lambda: since.compare(model, ctx.model, ctx.as_of_month), "since", reference.sha256)
    return changes, reference


Delta = dict[str, Any]  # st.metric's delta and delta_color


def _delta(change: float | None, text: str, better: str) -> Delta:
    """st.metric arguments for a change: none without a reference, grey "±0" for no change; `better`
    "normal" (a rise shows green), "inverse" (a fall shows green) or "off" (no colour)."""
    if change is None:
        return {}
    if change == 0:
        return {"delta": "±" + text.lstrip("+−-"), "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text, "delta_color": better}


def share_delta(after: float | None, before: float | None, lang: str) -> Delta:
    """A share's change in percentage points ("+2,5 poin")."""
    if after is None or before is None:
        return {}
    points = round((after - before) * 100, 1)
    sign = "+" if points >= 0 else "−"
    return _delta(points, t("since.points", lang, value=f"{sign}{fmt.number(abs(points), lang, 1)}"), "normal")


def count_delta(after: int, before: int, lang: str, better: str = "off") -> Delta:
    """A count's change ("+2"), green when it moves the `better` way."""
    change = after - before
    return _delta(change, f"{'+' if change >= 0 else '−'}{fmt.number(abs(change), lang)}", better)


def ikm_delta(change: float | None, lang: str) -> Delta:
    """The latest IKM's change in points ("+1,25")."""
    if change is None:
        return {}
    return _delta(change, f"{'+' if change >= 0 else '−'}{fmt.number(abs(change), lang, 2)}", "normal")


def show_changes(changes: since.Since, reference: Version, lang: str) -> None:
    """What changed since the reference, one line per kind, the rows named (literally)."""
    when = fmt.timestamp(reference.created_at, lang)
    st.subheader(t("since.heading", lang, number=reference.number, when=when))
    if changes.empty:
        st.caption(t("since.nothing", lang))
        return
    month = {m: fmt.month_short(m, lang) for m in range(1, 13)}

    def named(pairs: list[tuple[str, int]]) -> str:
        return fmt.short_list([f"{code} {month[mo]}" for code, mo in pairs], lang, shown=10, limit=40)

    lines = []
    if changes.newly_done:
        lines.append(t("since.newly_done", lang, count=len(changes.newly_done), rows=named(changes.newly_done)))
    if changes.newly_late:
        lines.append(t("since.newly_late", lang, count=len(changes.newly_late), rows=named(changes.newly_late)))
    if changes.rescheduled:
        rows = fmt.short_list([code for code, _, _ in changes.rescheduled], lang, shown=10)
        lines.append(t("since.rescheduled", lang, count=len(changes.rescheduled), rows=rows))
    if changes.indicator_values:
        codes = fmt.short_list(list(dict.fromkeys(code for code, *_ in changes.indicator_values)), lang, shown=10)
        lines.append(t("since.values", lang, count=len(changes.indicator_values), codes=codes))
    if changes.ikm_change is not None and changes.ikm_change != 0:
        before, after = changes.figures_before.latest_ikm, changes.figures_after.latest_ikm
        assert before and after
        lines.append(
            t(
                "since.ikm",
                lang,
                before=fmt.number(before["ikm_converted"], lang, 2),
                after=fmt.number(after["ikm_converted"], lang, 2),
            )
        )
    st.markdown("\n".join(f"- {escape_markdown(line)}" for line in lines))
