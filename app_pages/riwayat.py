"""Riwayat Versi: every published version; download any; publish an old one again (editors)."""

from __future__ import annotations

import streamlit as st

from rbdash.messages import t
from rbdash.offices import scope_allows
from rbdash.present import formatting as fmt
from rbdash.present.changes import counts_text
from rbdash.present.text import escape_markdown
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import comparison_of, load_version, store
from rbdash.ui.session import acting_user, current_scope, forbidden_text, store_error_text
from rbdash.ui.widgets import relabelled, show_table, versions_frame

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
st.title(t("page.history", lang))
flash = st.session_state.pop("history_flash", None)  # the outcome of a restore, said after the refresh
if flash is not None:
    getattr(st, flash[0])(flash[1])
office = ctx.office  # the sidebar's office and year (None: a fixed workbook is shown; every version is listed)
if office is None:
    versions = store().history()
else:
    if office.year is None:
        st.caption(say("history.no_office_version", lang, satker=office.satker))
    else:
        st.caption(say("history.of_office", lang, satker=office.satker, year=office.year))
    versions = store().history(office.satker, office.year) if office.year is not None else []
show_table(versions_frame(versions, lang), "riwayat_versi", ctx, "versions", of_workbook=False)
if not versions:
    st.stop()
# Each version by its office, year and number: a store written before one satker-year per store was
# enforced can hold two versions 1, and each must stay reachable.
several = len({(v.satker, v.year) for v in versions}) > 1
by_key = {(v.satker, v.year, v.number): v for v in versions}


def version_option(k: tuple[str, int, int]) -> str:
    """'3 · 28-11-2026 18.40.59 WIB · edi · realisasi Oktober' (with office and year when several)."""
    version = by_key[k]
    office = f" · {k[0]} {k[1]}" if several else ""
    when = fmt.timestamp(version.created_at, lang)
    return f"{k[2]}{office} · {when} · {fmt.short_text(version.user, 60)} · {fmt.short_text(version.comment, 60)}"


relabelled(lang, "history_version")
key = st.selectbox(t("history.choose", lang), list(by_key), format_func=version_option, key="history_version")
chosen = by_key[key]
number = chosen.number
stored: bytes | None = None
try:
    stored = store().read(chosen)
except StoreError as exc:  # a missing or damaged file: said, and every other version stays reachable
    st.error(store_error_text(exc, lang))
if stored is not None:
    st.download_button(
        t("history.download", lang, number=number),
        stored,
        file_name=f"rencana_aksi_{fmt.name_part(chosen.satker)}_{chosen.year}_v{number}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="history_download",
    )
editor = acting_user("editor")
if editor and store().read_only is not None:
    st.info(say("store.read_only", lang, reason=store().read_only))
    st.stop()
# A version whose file is damaged cannot be restored (the store would refuse it): no button is offered.
if not editor or stored is None:
    st.stop()
if not scope_allows(current_scope(), chosen.satker):  # the store refuses it too: not offered
    st.info(say("history.out_of_scope", lang, satker=chosen.satker, scope=current_scope() or "-"))
    st.stop()
if st.button(t("history.restore", lang, number=number), key="history_restore"):
    st.session_state["restore_asked"] = key
if st.session_state.get("restore_asked") != key:
    st.stop()
# Asked: say what the restore does, and do it only when confirmed.
current = store().current(chosen.satker, chosen.year)
current_number = current.number if current else 0
# The current version this confirmation was shown against, as the reader saw it before this run (a click's run
# reads the store again): the restore is refused when another came meanwhile.
confirmed_against = st.session_state.get("restore_against", current_number)
st.session_state["restore_against"] = current_number
with st.container(border=True):
    st.warning(
        say(
            "history.confirm",
            lang,
            number=number,
            date=fmt.timestamp(chosen.created_at, lang),
            user=chosen.user,
            comment=fmt.short_text(chosen.comment, 120),
            current=current_number,
        )
    )
    same = False
    try:
        restored_content = load_version(chosen).plan
        assert restored_content is not None, "a stored version is valid"
        before = load_version(current).plan if current else None
        comparison, _ = comparison_of(before, current.sha256 if current else "", restored_content, chosen.sha256, lang)
        same = current is not None and comparison.empty
        if same:  # nothing to restore: said before the click, and the click is not offered
            st.info(t("history.same_as_current", lang, number=number, current=current_number))
        else:
            lines = counts_text(comparison, lang)
            st.markdown(
                f"{t('history.confirm_changes', lang)}\n\n" + "\n".join(f"- {escape_markdown(line)}" for line in lines)
            )
    except StoreError as exc:  # the current version's file is damaged: the restore is still possible
        st.caption(store_error_text(exc, lang))
    yes, no = st.columns(2)
    confirmed = yes.button(
        t("history.confirm_yes", lang, number=number), type="primary", key="restore_yes", disabled=same
    )
    if no.button(t("history.cancel", lang), key="restore_no"):
        st.session_state.pop("restore_asked", None)
        st.rerun()
if confirmed:
    st.session_state.pop("restore_asked", None)
    if acting_user("editor") != editor:  # checked again where the action happens
        st.error(forbidden_text("editor", lang))
        st.stop()
    try:
        comment = t("store.restore_comment", lang, number=number)
        scope = current_scope() or ""  # read now; the store checks it inside the restore
        restored = store().restore(
            number, editor, comment, chosen.satker, chosen.year, scope=scope, expected_current=confirmed_against
        )
    except StoreError as exc:
        flash = ("info" if exc.key == "store.unchanged" else "error", store_error_text(exc, lang))
    else:
        flash = ("success", t("history.restored", lang, old=number, number=restored.number))
    st.session_state["history_flash"] = flash
    st.rerun()  # the table above shows the new version
