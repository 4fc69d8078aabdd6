"""The Streamlit side of the upload limits (`rbdash.access.uploads`): one hook per server process.

Streamlit's `PUT /_stcore/upload_file/<session>/<file>` checks the XSRF token (cookie equal to
header: any client can send both), that the session is connected, and the size
(`server.maxUploadSize`, while streaming). It takes any file id for any session and keeps the bytes
in memory until the session is shut down: for a closed tab, once it has outlived
`server.disconnectedSessionTTL` and is later dropped from storage and garbage-collected.
`streamlit run` apps cannot add middleware, so the app's first run in a process wraps, on their
instances, the uploaded-file manager's `add_file` / `remove_file` / `remove_session_files` and the
runtime's `disconnect_session` / `close_session`; files stored before that first run are dropped
then. A refused body has already been read (to a temporary file, then into memory): it is dropped
at once, and only the proxy bounds how many are read at the same time (deploy/nginx.conf).
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import streamlit as st
from starlette.exceptions import HTTPException
from streamlit import runtime
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.stats import CounterStat, GaugeStat

from rbdash.access.uploads import MB, REASONS, Refusal, UploadLedger
from rbdash.config import settings
from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.store import VersionStore, open_store

_LOG = logging.getLogger(__name__)
_ATTRIBUTE = "_rbdash_upload_ledger"  # set on the hooked uploaded-file manager
_INSTALL = threading.Lock()
NOTICE_POLL_SECONDS = 2
_NOTICE_KEYS = {"session_cap": "data.upload_refused_session", "total_cap": "data.upload_refused_total"}


_RUN_TOKENS = itertools.count()
_LATEST_RUN: dict[str, int] = {}  # session id -> token of its latest run
_SHOWN_IN: dict[str, int] = {}  # session id -> token of the run that showed the uploader


@contextmanager
def upload_run() -> Iterator[None]:
    """Around every run of the app (app.py): hook this server process once; when the session's latest
    run ends having shown no uploader, the session may no longer hold uploads.

    The permission is withdrawn at the *end* of a run, never at its start, so an upload that arrives
    while the page that shows the uploader is being run again (an editor replacing a file) is not
    refused. Only the session's latest run decides: Streamlit may stop an older run after a newer one
    (the next page) has started, and that run's end must not withdraw what the newer run granted. A
    run interrupted by a rerun leaves the decision to the run that follows it. A run that ends in a
    stop leaves it too: Streamlit ends the running script with the same StopException for `st.stop()`
    and for a rerun that replaces it (`runner.fastReruns`, the default), and the second is what a
    replaced file looks like - the uploader removes the old file, the rerun stops the run before the
    uploader is drawn, and closing then would delete the new file as it arrives (seen in CI under
    load). Staying open after a deliberate stop costs nothing: each upload checks the role again and
    the session's bytes stay capped; the next run that returns, or the tab closing, decides.
    """
    ledger = ledger_of_this_process()
    ctx = get_script_run_ctx()
    if ledger is None or ctx is None:
        yield
        return
    session_id, token = ctx.session_id, next(_RUN_TOKENS)
    _LATEST_RUN[session_id] = token
    completed = False
    try:
        yield
        completed = True  # only a run that returns decides: see below
    finally:
        if _LATEST_RUN.get(session_id) == token:
            shown = _SHOWN_IN.pop(session_id, None) == token
            del _LATEST_RUN[session_id]
            if completed and not shown:
                ledger.close(session_id)
                if ledger.held(session_id):  # left the upload page: its files are freed now, not at tab close
                    ctx.uploaded_file_mgr.remove_session_files(session_id)


def upload_box(user: str, lang: str, label: str, **kwargs: Any) -> Any:
    """`st.file_uploader(label, **kwargs)` for the signed-in editor `user`, under the upload limits.

    While it shows, the session may hold uploads for `user` (role checked again at each upload);
    files it showed before and no longer shows are removed from the server, and the reason the
    session's last upload was refused, if it was, is shown above it.
    """
    ledger = ledger_of_this_process()
    ctx = get_script_run_ctx()
    if ledger is None or ctx is None:
        return st.file_uploader(label, **kwargs)
    ledger.open(ctx.session_id, user)
    if ctx.session_id in _LATEST_RUN:
        _SHOWN_IN[ctx.session_id] = _LATEST_RUN[ctx.session_id]
    _refusal_notice(ledger, ctx.session_id, lang)
    value = st.file_uploader(label, **kwargs)
    files = value if isinstance(value, list) else [] if value is None else [value]
    for file_id in ledger.shown(ctx.session_id, [f.file_id for f in files]):
        # The runtime's manager is the in-memory one, which removes single files; the base class does not.
        ctx.uploaded_file_mgr.remove_file(session_id=ctx.session_id, file_id=file_id)  # type: ignore[attr-defined]
    return value


@st.fragment(run_every=NOTICE_POLL_SECONDS)
def _refusal_notice(ledger: UploadLedger, session_id: str, lang: str) -> None:
    """Why the session's last upload was refused, until one is accepted. Polled: a refused upload
    changes no widget, so nothing else would rerun the page to say so."""
    notice = ledger.notice(session_id)
    if notice is not None:
        st.error(
            t(
                _NOTICE_KEYS[notice.reason],
                lang,
                size=fmt.number(notice.size / MB, lang, 1),
                limit=fmt.number(notice.limit / MB, lang),
            )
        )


def ledger_of_this_process() -> UploadLedger | None:
    """The ledger the runtime's uploaded-file manager answers to, hooked on first use; None without a
    Streamlit server (AppTest's runtime is a mock, bare scripts have none)."""
    if not runtime.exists():
        return None
    return guard_runtime(runtime.get_instance())


def guard_runtime(rt: Runtime) -> UploadLedger | None:
    """Hook the upload limits into `rt` (once); `python -m rbdash.ui.serve` calls it as the runtime is made."""
    manager = rt.uploaded_file_mgr
    if not isinstance(manager, MemoryUploadedFileManager):
        if type(rt) is Runtime:
            _LOG.error("Upload limits NOT in force: unknown uploaded-file manager %s", type(manager).__name__)
        return None
    ledger = vars(manager).get(_ATTRIBUTE)
    if ledger is not None:
        return ledger
    with _INSTALL:
        ledger = vars(manager).get(_ATTRIBUTE)
        if ledger is None:
            ledger = _install(rt, manager)
    return ledger


@functools.lru_cache(maxsize=4)
def _store_at(location: str) -> VersionStore:
    return open_store(location)


def _role_of(user: str) -> str | None:
    """The user's role now, read as rbdash.ui.session.current_role reads it (off the script thread)."""
    cfg = settings()
    return cfg.oidc_role(user) if cfg.auth == "oidc" else _store_at(cfg.store_location).role_of(user)


def _install(rt: Runtime, manager: MemoryUploadedFileManager) -> UploadLedger:
    ledger = UploadLedger.from_limits(settings().limits, _role_of)
    add_file, remove_file, remove_session_files = manager.add_file, manager.remove_file, manager.remove_session_files
    disconnect_session, close_session = rt.disconnect_session, rt.close_session

    def guarded_add_file(session_id: str, file: Any) -> None:
        refusal = ledger.admit(session_id, file.file_id, len(file.data))
        if refusal is not None:
            _refused(session_id, refusal)
            raise HTTPException(status_code=refusal.status, detail=f"Upload refused: {refusal.reason}")
        try:
            add_file(session_id=session_id, file=file)
        except BaseException:
            ledger.discard(session_id, file.file_id)
            raise

    def guarded_remove_file(session_id: str, file_id: str) -> None:
        remove_file(session_id=session_id, file_id=file_id)
        ledger.discard(session_id, file_id)

    def guarded_remove_session_files(session_id: str) -> None:
        remove_session_files(session_id)
        ledger.release(session_id)

    def end_if_gone(session_id: str) -> None:
        """A session without a connection ends here; its bytes are not kept for a reconnect."""
        if not rt.is_active_session(session_id):
            guarded_remove_session_files(session_id)
            ledger.end(session_id)

    def guarded_disconnect_session(session_id: str, *args: Any, **kwargs: Any) -> None:
        disconnect_session(session_id, *args, **kwargs)
        end_if_gone(session_id)

    def guarded_close_session(session_id: str) -> None:
        close_session(session_id)
        end_if_gone(session_id)

    # Hooks on this runtime's own objects (Streamlit offers no extension point for uploads).
    manager.add_file, manager.remove_file = guarded_add_file, guarded_remove_file  # type: ignore[method-assign]
    manager.remove_session_files = guarded_remove_session_files  # type: ignore[method-assign]
    rt.disconnect_session, rt.close_session = guarded_disconnect_session, guarded_close_session  # type: ignore[method-assign]
    # Files stored before the hook (no session had run the app yet, so none showed the uploader).
    for session_id in list(manager.file_storage):
        remove_session_files(session_id)
    rt.stats_mgr.register_provider(_LedgerStats(ledger))
    setattr(manager, _ATTRIBUTE, ledger)
    return ledger


def _refused(session_id: str, refusal: Refusal) -> None:
    """Log a refusal: at info level for sessions not allowed (anyone could flood the log; /_stcore/metrics
    counts them), as a warning when an uploader reaches a cap."""
    if refusal.reason == "not_allowed":
        _LOG.info("Upload refused (not allowed, %d bytes) for session %s", refusal.size, session_id[:8])
    else:
        _LOG.warning("Upload refused (%s, %d bytes) for session %s", refusal.reason, refusal.size, session_id[:8])


class _LedgerStats:
    """The ledger in /_stcore/metrics: bytes held, sessions holding them, refusals by reason."""

    stats_families: Sequence[str] = ("rbdash_upload_held_bytes", "rbdash_upload_sessions", "rbdash_upload_refused")

    def __init__(self, ledger: UploadLedger) -> None:
        self._ledger = ledger

    def get_stats(self, family_names: Sequence[str] | None = None) -> Mapping[str, Sequence[Any]]:
        refused = self._ledger.refused()
        stats: dict[str, list[CounterStat | GaugeStat]] = {
            "rbdash_upload_held_bytes": [
                GaugeStat(
                    "rbdash_upload_held_bytes",
                    self._ledger.held(),
                    unit="bytes",
                    help="Uploaded bytes held for browser sessions",
                )
            ],
            "rbdash_upload_sessions": [
                GaugeStat(
                    "rbdash_upload_sessions", self._ledger.holders(), help="Browser sessions holding uploaded files"
                )
            ],
            "rbdash_upload_refused": [
                CounterStat(
                    "rbdash_upload_refused", refused[reason], {"reason": reason}, help="Uploads refused, by reason"
                )
                for reason in REASONS
            ],
        }
        return {name: value for name, value in stats.items() if family_names is None or name in family_names}
