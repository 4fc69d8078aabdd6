"""Riwayat Versi: every published version; download any; publish an old one again (editors)."""

from __future__ import annotations

import streamlit as st

from rbdash.messages import t
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import store
from rbdash.ui.session import acting_user, store_error_text
from rbdash.ui.widgets import show_table, versions_frame

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
st.title(t("page.history", lang))
versions = store().history()
show_table(versions_frame(versions, lang), "riwayat_versi", ctx, "versions")
if not versions:
    st.stop()
# Each version by its office, year and number: a store written before one satker-year per store was
# enforced can hold two versions 1, and each must stay reachable.
several = len({(v.satker, v.year) for v in versions}) > 1
by_key = {(v.satker, v.year, v.number): v for v in versions}
key = st.selectbox(
    t("history.choose", lang),
    list(by_key),
    format_func=lambda k: f"{k[2]} · {k[0]} {k[1]}" if several else str(k[2]),
    key="history_version",
)
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
        file_name=f"rencana_aksi_{chosen.year}_v{number}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="history_download",
    )
editor = acting_user("editor")
if editor and store().read_only is not None:
    st.info(say("store.read_only", lang, reason=store().read_only))
    st.stop()
# A version whose file is damaged cannot be restored (the store would refuse it): no button is offered.
if editor and stored is not None and st.button(t("history.restore", lang, number=number), key="history_restore"):
    if acting_user("editor") != editor:  # checked again where the action happens
        st.error(t("auth.forbidden", lang, role="editor"))
        st.stop()
    try:
        restored = store().restore(
            number, editor, t("store.restore_comment", lang, number=number), chosen.satker, chosen.year
        )
    except StoreError as exc:
        st.error(store_error_text(exc, lang))
        st.stop()
    st.success(t("history.restored", lang, old=number, number=restored.number))
