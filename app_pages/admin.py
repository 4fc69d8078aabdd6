"""Pengguna & Audit: users and the audit log (admins only)."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from rbdash.messages import t
from rbdash.present.text import markdown_message as say
from rbdash.store.sqlite import ROLES, StoreError
from rbdash.ui.page import authorised, page_context, show_table, store

ctx = page_context()
lang = ctx.lang
st.title(t("page.admin", lang))
if not authorised("admin"):
    st.warning(t("auth.forbidden", lang, role="admin"))
    st.stop()

st.subheader(t("admin.users", lang))
users = store().users()
show_table(pd.DataFrame(users, columns=[t("col.user", lang), t("col.role", lang)]), "pengguna", ctx, "users")
with st.form("add_user", clear_on_submit=True):
    st.markdown(f"**{t('admin.add', lang)}**")
    name = st.text_input(t("auth.user", lang), key="new_user")
    role = st.selectbox(t("admin.role", lang), ROLES, key="new_role")
    password = st.text_input(t("auth.password", lang), type="password", key="new_password")
    if st.form_submit_button(t("admin.add", lang)):
        if not authorised("admin"):
            st.stop()
        try:
            store().add_user(name.strip(), role, password)
            st.success(say("admin.added", lang, name=name.strip()))
        except StoreError as exc:
            st.error(say(exc.key, lang, **exc.params))
if users:
    remove = st.selectbox(t("admin.remove", lang), [u for u, _ in users], key="remove_user")
    if st.button(t("admin.remove", lang), key="remove_button") and authorised("admin"):
        store().remove_user(remove)
        st.success(say("admin.removed", lang, name=remove))

st.subheader(t("admin.audit", lang))
log = store().audit_log()
show_table(
    pd.DataFrame(
        [
            {
                t("col.created_at", lang): e["at"],
                t("col.user", lang): e["user"],
                t("col.action", lang): e["action"],
                t("col.detail", lang): json.dumps(e["detail"], ensure_ascii=False),
            }
            for e in log
        ]
    ),
    "audit",
    ctx,
    "audit",
)
