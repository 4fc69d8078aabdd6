"""Unggah Data: upload, validation report, preview of the changes, publish (editors only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rbdash.analysis.diff import compare
from rbdash.config import UPLOAD_LIMIT_MB
from rbdash.messages import t
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError, office_refusal
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import load_bytes, load_version, store
from rbdash.ui.session import acting_user, store_error_text
from rbdash.ui.uploads import upload_box
from rbdash.ui.widgets import not_checked, problem_callouts, problems_frame, show_table

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
st.title(t("page.data", lang))
editor = acting_user("editor")
if editor is None:
    st.warning(t("auth.forbidden", lang, role="editor"))
    if not store().has_editor():
        st.info(t("auth.no_editor", lang))
    st.stop()
if store().read_only is not None:  # a disk or folder the server cannot write: viewing only
    st.warning(say("store.read_only", lang, reason=store().read_only))
    st.stop()

upload = upload_box(editor, lang, t("data.upload", lang, limit=UPLOAD_LIMIT_MB), type=["xlsx", "xlsm"], key="upload")
if upload is None:
    st.stop()
data = upload.getvalue()
result = load_bytes(data)
digest = result.sha256
st.subheader(t("data.report", lang))
if not_checked(result, lang):
    st.stop()
if result.problems:
    show_table(problems_frame(result, lang), "validasi", ctx, "upload_problems")
if not result.is_valid:
    st.error(t("data.invalid", lang, errors=len(result.errors)))
    problem_callouts(result, lang)
    logged = st.session_state.setdefault("rejected_uploads", set())
    if digest not in logged:
        store().audit("upload_rejected", editor, sha256=digest, name=upload.name, errors=len(result.errors))
        logged.add(digest)
    st.stop()
st.success(t("data.valid", lang, warnings=len(result.warnings)))

plan = result.plan
assert plan is not None, "a valid result has a plan"
current = store().current()
refusal = office_refusal(plan.info, store().office())  # another satker or year: said now, not only at publishing
if refusal is not None:
    st.error(say(refusal.key, lang, **refusal.params))
    st.stop()
current_number = current.number if current else 0
try:
    before = load_version(current).plan if current else None
except StoreError as exc:  # the current version's file is missing or damaged: everything shows as added
    st.warning(say(exc.key, lang, **{**exc.params, "number": current_number}))
    before = None
changes = compare(before, plan)
# What the editor saw when they clicked: the preview of the previous run. Seen by the attacker review:
# a preview against v1 was published as v9 after other publishes, with no word.
previewed = st.session_state.get("previewed")
st.session_state["previewed"] = (digest, current_number)
st.subheader(t("data.preview", lang, number=current_number))


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    names = {
        "code": "col.code",
        "indicator_code": "col.code",
        "month": "col.month",
        "field": "col.field",
        "before": "col.before",
        "after": "col.after",
    }
    if "field" in frame:
        frame = frame.assign(field=frame["field"].map(lambda name: t(f"col.{name}", lang)))
    return frame.rename(columns={c: t(names[c], lang) for c in frame.columns if c in names})


if changes.empty:
    st.info(t("data.no_changes", lang))
if changes.plan_added:
    st.write(say("data.plan_added", lang, codes=", ".join(changes.plan_added)))
if changes.plan_removed:
    st.write(say("data.plan_removed", lang, codes=", ".join(changes.plan_removed)))
for frame, key in (
    (changes.plan_changed, "data.plan_changed"),
    (changes.rescheduled, "data.rescheduled"),
    (changes.realisation, "data.realisation"),
    (changes.indicator_values, "data.values"),
):
    if not frame.empty:
        st.markdown(f"**{t(key, lang)}**")
        show_table(labelled(frame), key.split(".")[1], ctx, key.replace(".", "_"))
if changes.new_periods:
    st.write(say("data.periods", lang, periods=", ".join(changes.new_periods)))

comment = st.text_input(t("data.comment", lang), key="publish_comment")
if st.button(t("data.publish", lang), type="primary", disabled=not comment.strip(), key="publish"):
    if acting_user("editor") != editor:  # checked again where the action happens
        st.error(t("auth.forbidden", lang, role="editor"))
        st.stop()
    if previewed != (digest, current_number):
        st.warning(t("data.changed_since_preview", lang, number=current_number))
        st.stop()
    try:
        published = store().publish(data, editor, comment.strip(), expected_current=current_number)
    except StoreError as exc:
        st.error(store_error_text(exc, lang))
        st.stop()
    if published.version is None:  # the check at publishing (in the worker again) refused it or gave no answer
        if not not_checked(published.validation, lang):
            st.error(t("data.publish_refused", lang, errors=len(published.validation.errors)))
            problem_callouts(published.validation, lang)
        st.stop()
    st.success(t("data.published", lang, number=published.version.number))
