"""Unggah Data: upload, validation report, preview of the changes, publish (editors only)."""

from __future__ import annotations

import streamlit as st

from rbdash.config import MAX_COMMENT_CHARS, UPLOAD_LIMIT_MB
from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.present.changes import counts_text, missing_sheet_text, removed_text
from rbdash.present.text import escape_markdown
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError, office_of_workbook
from rbdash.ui.frame import page_setup
from rbdash.ui.loading import comparison_of, load_bytes, load_version, prepare_uploads, store
from rbdash.ui.office_choice import ask_for
from rbdash.ui.session import acting_user, current_scope, forbidden_text, store_error_text
from rbdash.ui.uploads import upload_box
from rbdash.ui.widgets import not_checked, problem_callouts, problems_frame, show_table

ctx = page_setup(needs_workbook=False)
lang = ctx.lang
# A Publish click is taken by the run it starts, or dropped: a run that stops early (the file chosen with it
# has errors, the worker is busy) must not leave it for a later run to act on (seen by the review: choosing
# the previewed file again published it with no click).
request = st.session_state.pop("publish_request", None)
st.title(t("page.data", lang))
editor = acting_user("editor")
if editor is None:
    st.warning(forbidden_text("editor", lang))
    if not store().has_editor():
        st.info(t("auth.no_editor", lang))
    st.stop()
if store().read_only is not None:  # a disk or folder the server cannot write: viewing only
    st.warning(say("store.read_only", lang, reason=store().read_only))
    st.stop()

prepare_uploads()  # the checking workers are ready by the time a file is chosen
st.caption(t("data.checker", lang))
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
    problems = problems_frame(result, lang)
    show_table(
        problems,
        "validasi",
        ctx,
        "upload_problems",
        wrapped=[t("col.message", lang), t("col.fix", lang)],
        of_workbook=False,
    )
if not result.is_valid:
    st.error(t("data.invalid", lang, errors=len(result.errors)))
    problem_callouts(result, lang)
    logged = st.session_state.setdefault("rejected_uploads", set())
    if digest not in logged:
        store().audit("upload_rejected", editor, sha256=digest, name=upload.name, errors=len(result.errors))
        logged.add(digest)
    st.stop()
headline = st.empty()  # filled below, once the comparison says whether the file can be published
headline.success(t("data.valid", lang, warnings=len(result.warnings)))

plan = result.plan
assert plan is not None, "a valid result has a plan"
# The office and year the file names: an unknown office, or one this editor may not publish for, is said now,
# not only at publishing (the store checks it again then).
try:
    satker = office_of_workbook(plan.info, store().offices(), current_scope() or "")
except StoreError as refusal:
    headline.error(t("data.valid_but_refused", lang, warnings=len(result.warnings)))
    st.error(say(refusal.key, lang, **refusal.params))
    st.stop()
year = int(plan.info["year"])
current = store().current(satker, year)
current_number = current.number if current else 0
target = "data.target_replaces" if current else "data.target_first"
st.markdown(say(target, lang, satker=satker, year=year, number=current_number + 1, current=current_number))
shown = ctx.office
if shown is not None and (shown.satker, shown.year) != (satker, year):
    st.caption(say("data.target_not_shown", lang, satker=shown.satker, year=shown.year or "-"))
try:
    before = load_version(current).plan if current else None
except StoreError as exc:  # the current version's file is missing or damaged: everything shows as added
    st.warning(say(exc.key, lang, **{**exc.params, "number": current_number}))
    before = None
comparison, changes = comparison_of(
    before, current.sha256 if before is not None and current else "", plan, digest, lang
)
# What the editor saw when they clicked: the preview of the previous run. Seen by the attacker review:
# a preview against v1 was published as v9 after other publishes, with no word.
previewed = st.session_state.get("previewed")
st.session_state["previewed"] = (digest, current_number)
if current is None:  # the first version of this office and year: nothing to compare with (seen: "(v0)")
    st.subheader(t("data.preview_first", lang, satker=satker, year=year))
else:
    st.subheader(t("data.preview", lang, number=current_number))

blocked = False
if current is not None and before is not None and comparison.empty:
    st.info(t("data.unchanged", lang, number=current_number))
    blocked = True
if comparison.missing_sheets:  # seen: a green "no errors" above this red block
    headline.error(t("data.valid_but_blocked", lang, warnings=len(result.warnings)))
    st.error(
        t("data.sheet_missing", lang)
        + "\n\n"
        + "\n".join(f"- {escape_markdown(missing_sheet_text(m, lang))}" for m in comparison.missing_sheets)
    )
    blocked = True
if not comparison.empty:
    st.markdown(
        f"**{t('data.counts_heading', lang)}**\n\n"
        + "\n".join(f"- {escape_markdown(line)}" for line in counts_text(comparison, lang))
    )
    if comparison.removed:
        st.warning(say("data.removals", lang, removed=comparison.removed, detail=removed_text(comparison, lang)))
    show_table(
        changes,
        "perubahan",
        ctx,
        "upload_changes",
        wrapped=[t("col.before", lang), t("col.after", lang)],
        of_workbook=False,
    )

confirmed = True
if comparison.removed and not blocked:
    confirmed = st.checkbox(
        t("data.confirm_removals", lang, removed=comparison.removed, detail=removed_text(comparison, lang)),
        key=f"confirm_removals_{digest}_{current_number}",
    )
# One comment field per file: a comment typed for one file never goes with the next (seen by the review).
comment = st.text_input(t("data.comment", lang), key=f"publish_comment_{digest}", max_chars=MAX_COMMENT_CHARS)


def _request_publish() -> None:
    st.session_state["publish_request"] = (digest, current_number)


def _publish(request: tuple[str, int], editor: str) -> tuple[str, str, LoadResult | None]:
    """Publish for a click on the previewed file: (kind of message, message, the refusing validation);
    kind 'success' when published."""
    if acting_user("editor") != editor:  # checked again where the action happens
        return "error", forbidden_text("editor", lang), None
    scope = current_scope()  # read now: an admin may have changed it since the preview
    # A second click that reaches the server while (or after) this file was published by the first:
    # say what happened, not "changed since your preview" (seen by the review on a fast double click).
    if st.session_state.get("published_upload") == (digest, current_number):
        return "success", t("data.published", lang, number=current_number, satker=satker, year=year), None
    if previewed is None or previewed[0] != digest or request[0] != digest:  # another file was chosen meanwhile
        return "warning", t("data.file_changed_since_preview", lang), None
    if previewed[1] != current_number or request[1] != current_number:  # another version came first
        return "warning", t("data.changed_since_preview", lang, number=current_number), None
    try:
        published = store().publish(
            data,
            editor,
            comment.strip(),
            expected_current=current_number,
            allow_removals=confirmed,
            validated=result,  # the preview's bounded read of these bytes: not read a second time
            scope=scope or "",  # checked by the store too, inside the publish
        )
    except StoreError as exc:
        return ("info" if exc.key == "store.unchanged" else "error"), store_error_text(exc, lang), None
    if published.version is None:  # the check at publishing refused it (macros removed, another read) or gave no answer
        refused = published.validation
        return "refused", t("data.publish_refused", lang, errors=len(refused.errors)), refused
    st.session_state["published_upload"] = (digest, published.version.number)  # before any element is drawn
    ask_for(published.version.satker, published.version.year)  # the sidebar shows it from the next run
    done = published.version
    return "success", t("data.published", lang, number=done.number, satker=done.satker, year=done.year), None


# The click is taken in a callback; the run that publishes first draws the button disabled, so a second
# click while it runs does nothing (seen by the user review: a double click published twice).
button = st.empty()
outcome = None
if request:
    button.button(t("data.publishing", lang), type="primary", disabled=True, key="publish_busy")
    outcome = _publish(request, editor)
button.button(
    t("data.publish", lang),
    type="primary",
    disabled=blocked or not confirmed or not comment.strip() or (outcome is not None and outcome[0] == "success"),
    key="publish",
    on_click=_request_publish,
)
if outcome is not None:
    kind, text, refused = outcome
    if refused is not None:
        if not not_checked(refused, lang):
            st.error(text)
            problem_callouts(refused, lang)
    else:
        getattr(st, kind)(text)
