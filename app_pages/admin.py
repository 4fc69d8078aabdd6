"""Pengguna & Audit: users and the audit log (admins only)."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from rbdash.config import ROLES
from rbdash.messages import t
from rbdash.offices import ALL
from rbdash.present import formatting as fmt
from rbdash.present.text import literal
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import store
from rbdash.ui.session import acting_user, forbidden_text, store_error_text
from rbdash.ui.widgets import show_table

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
st.title(t("page.admin", lang))
admin = acting_user("admin")
if admin is None:
    st.warning(forbidden_text("admin", lang))
    st.stop()

st.subheader(t("admin.users", lang))
users = store().users()
# The offices first, the home office chosen unless another is picked: every office ("*") is a choice an admin makes,
# never the default (seen by the review: a new editor could publish for every office unless the admin changed it).
scopes = [*store().offices(), ALL]


def scope_label(scope: str) -> str:
    return t("admin.scope_all", lang) if scope == ALL else literal(scope)


users_table = st.container()  # filled last, so it shows the users after this run's change
with st.form("add_user", clear_on_submit=True):
    st.markdown(f"**{t('admin.add', lang)}**")
    name = st.text_input(t("auth.user", lang), key="new_user")
    role = st.selectbox(t("admin.role", lang), ROLES, key="new_role")
    scope = st.selectbox(t("admin.scope", lang), scopes, format_func=scope_label, key="new_scope")
    password = st.text_input(t("auth.password", lang), type="password", key="new_password")
    if st.form_submit_button(t("admin.add", lang)):
        if acting_user("admin") != admin:
            st.stop()
        try:
            store().add_user(name, role, password, actor=admin, scope=None if role == "admin" else scope)
            added = scope_label(store().scope_of(name.strip()) or "")
            st.success(say("admin.added", lang, name=name.strip(), scope=added))
        except StoreError as exc:
            st.error(store_error_text(exc, lang))
if users:
    # The name removed is the one the admin typed and chose: another admin's change between two runs
    # can move the list under the selection, never the removal to another user.
    with st.form("remove_user_form", clear_on_submit=True):
        chosen = st.selectbox(t("admin.remove", lang), [u for u, _ in users], key="remove_user")
        typed = st.text_input(t("admin.confirm_remove", lang), key="remove_confirm")
        if st.form_submit_button(t("admin.remove", lang)) and acting_user("admin") == admin:
            if typed.strip() not in {u for u, _ in store().users()}:  # e.g. removed by another admin meanwhile
                st.error(say("store.no_such_user", lang, name=typed.strip()))
            elif typed.strip() != chosen:
                st.error(say("admin.confirm_mismatch", lang, typed=typed.strip(), name=chosen))
            else:
                try:
                    store().remove_user(chosen, actor=admin)
                    st.success(say("admin.removed", lang, name=chosen))
                except StoreError as exc:
                    st.error(store_error_text(exc, lang))

if users:
    # Like removal: the name changed is the one chosen, and the store refuses to demote the last admin.
    with st.form("role_form", clear_on_submit=True):
        st.markdown(f"**{t('admin.change_role', lang)}**")
        who = st.selectbox(t("auth.user", lang), [u for u, _ in users], key="role_user")
        new_role = st.selectbox(t("admin.new_role", lang), ROLES, key="role_new")
        if st.form_submit_button(t("admin.change_role", lang)) and acting_user("admin") == admin:
            try:
                previous = store().set_role(who, new_role, actor=admin)
                scope = scope_label(store().scope_of(who) or "")
                st.success(say("admin.role_changed", lang, name=who, previous=previous, role=new_role, scope=scope))
            except StoreError as exc:
                st.error(store_error_text(exc, lang))

if users:
    # The office a user may publish for (an admin: every one, whatever is set), checked by the store at each publish.
    with st.form("scope_form", clear_on_submit=True):
        st.markdown(f"**{t('admin.change_scope', lang)}**")
        whose = st.selectbox(t("auth.user", lang), [u for u, _ in users], key="scope_user")
        new_scope = st.selectbox(t("admin.scope", lang), scopes, format_func=scope_label, key="scope_new")
        if st.form_submit_button(t("admin.change_scope", lang)) and acting_user("admin") == admin:
            try:
                before = store().set_scope(whose, new_scope, actor=admin)
                shown = {"previous": scope_label(before), "scope": scope_label(new_scope)}
                st.success(say("admin.scope_changed", lang, name=whose, **shown))
            except StoreError as exc:
                st.error(store_error_text(exc, lang))

with users_table:
    rows = [(name, role, scope_label(store().scope_of(name) or "")) for name, role in store().users()]
    show_table(
        pd.DataFrame(rows, columns=[t("col.user", lang), t("col.role", lang), t("col.scope", lang)]),
        "pengguna",
        ctx,
        "users",
        of_workbook=False,
    )

st.subheader(t("admin.audit", lang))
log = store().audit_log()
show_table(
    pd.DataFrame(
        [
            {
                t("col.created_at", lang): fmt.timestamp(e["at"], lang),
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
    of_workbook=False,
)
