"""Who is using the page: sign-in, the role read from the store at every action, the browser session.

A password sign-in is bound to two things a thief of the Streamlit session ID lacks: the account's
session key at sign-in (new when the account is re-created or its password changes) and the
browser's XSRF cookie (Streamlit sets it on the first page load; a raw websocket presenting a
leaked session ID does not carry it). Every rerun checks both; a mismatch signs the session out.
"""

from __future__ import annotations

import hashlib
import logging
import threading

import streamlit as st

from rbdash.config import MAX_USER_NAME_CHARS, role_at_least, settings
from rbdash.messages import t
from rbdash.present.text import escape_markdown
from rbdash.present.text import markdown_message as say
from rbdash.store import StoreError
from rbdash.ui.loading import store

_LOG = logging.getLogger(__name__)


def _oidc() -> bool:
    return settings().auth == "oidc"


#: The cookie Streamlit's XSRF protection keeps in the browser (Tornado's default name).
BROWSER_COOKIE = "_streamlit_xsrf"


def _browser_secret() -> str | None:
    """A digest of this browser's XSRF token (None without one, e.g. under AppTest)."""
    return browser_secret(st.context.cookies.get(BROWSER_COOKIE))


def browser_secret(cookie: object) -> str | None:
    """A digest of the XSRF token an `_streamlit_xsrf` cookie carries (None when it carries none).

    The cookie holds the token masked afresh at each answer that sets it ("2|mask|masked token|time", as Tornado
    writes it; Streamlit sets it again at every /_stcore/health, which the page asks before each reconnection):
    the token under the mask is what stays the browser's. Seen by the deployment review: the whole cookie was
    compared, and a reconnection after a network drop or a proxy restart signed the user out."""
    if not isinstance(cookie, str):
        return None
    value = cookie.strip("\"'")
    try:
        if value.startswith("2|"):
            _version, mask_hex, masked_hex, _time = value.split("|")
            mask, masked = bytes.fromhex(mask_hex), bytes.fromhex(masked_hex)
            token = bytes(byte ^ mask[index % len(mask)] for index, byte in enumerate(masked)) if mask else b""
        else:
            token = bytes.fromhex(value)
    except ValueError:
        return None
    return hashlib.sha256(token).hexdigest() if token else None


def _sign_out(notice: str | None = None) -> None:
    for key in ("user", "session_key", "browser"):
        st.session_state.pop(key, None)
    if notice:
        st.session_state["auth_notice"] = notice


def signed_in() -> str | None:
    """The signed-in user's name (or e-mail address with single sign-on), if any.

    A password sign-in holds only while the account still has the session key it had at sign-in
    and the connection still carries the browser cookie it had; otherwise it ends here.
    """
    if _oidc():
        return getattr(st.user, "email", None) if getattr(st.user, "is_logged_in", False) else None
    name = st.session_state.get("user")
    if not name:
        return None
    key = store().session_key(name)
    if key is None or key != st.session_state.get("session_key"):
        _sign_out("auth.session_ended")
        return None
    if st.session_state.get("browser") != _browser_secret():
        _sign_out("auth.session_moved")
        return None
    return name


def current_role() -> str | None:
    """The signed-in user's role now: from the store, or from the configured list with single sign-on."""
    name = signed_in()
    if not name:
        return None
    return settings().oidc_role(name) if _oidc() else store().role_of(name)


def current_scope(name: str | None = None) -> str | None:
    """The office the signed-in user (`name`, when the caller has just asked `signed_in`) may publish for now
    (`offices.ALL`: every one), None when signed out."""
    name = name or signed_in()
    if not name:
        return None
    return settings().oidc_scope(name) if _oidc() else store().scope_of(name)


def authorised(role: str) -> bool:
    """True when the signed-in user holds `role` or a higher one at this moment."""
    current = current_role()
    return role_at_least(current, role)


def forbidden_text(role: str, lang: str) -> str:
    """Why this page or action is refused: sign in with an account holding `role`, or, to someone signed in
    with a lesser role, which role they hold (seen by the review: a signed-in viewer was told to sign in)."""
    name = signed_in()
    if not name:
        return t("auth.forbidden", lang, role=role)
    return t("auth.forbidden_role", lang, role=role, name=escape_markdown(name), current=current_role() or "-")


def acting_user(role: str) -> str | None:
    """The signed-in user's name when they hold `role` (or a higher one) at this moment, else None."""
    name = signed_in()
    return name if name and authorised(role) else None


def store_error_text(exc: StoreError, lang: str) -> str:
    """A store error as Markdown: in full for admins; without the server's paths and system errors for
    everyone else (they are the admin's to act on)."""
    if "path" in exc.params:
        try:
            admin = authorised("admin")
        except StoreError:  # the store cannot say who is an admin: nobody is shown the path
            admin = False
        if not admin:
            _log_once(exc)  # the message sends the reader's admin to the server log: the cause is there
            return t("store.unavailable_public", lang)
    return say(exc.key, lang, **exc.params)


_logged: set[str] = set()
_logged_lock = threading.Lock()


def _log_once(exc: StoreError) -> None:
    """Log a store error shown to a visitor without its details, once per distinct error per process (seen
    by the review: the page said the cause was in the server log, which held nothing)."""
    text = t(exc.key, "en", **exc.params)
    with _logged_lock:
        if text in _logged or len(_logged) > 1000:
            return
        _logged.add(text)
    _LOG.warning("shown to a visitor as 'data cannot be read': %s", text)


def login_box(lang: str) -> None:
    """Sign-in form or the signed-in user with a sign-out button, in the sidebar."""
    name = signed_in()
    if name:
        st.sidebar.caption(escape_markdown(t("auth.signed_in", lang, name=name, role=current_role() or "-")))
        if st.sidebar.button(t("auth.logout", lang), key="logout"):
            store().audit("logout", name)
            _sign_out()
            if _oidc():
                st.logout()
            st.rerun()
        return
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.sidebar.warning(t(notice, lang))
    if _oidc():
        if st.sidebar.button(t("auth.sso", lang), key="sso_login"):
            try:
                st.login()
            except Exception:  # Streamlit's error when [auth] is missing from secrets.toml
                st.sidebar.error(t("auth.sso_not_configured", lang))
        return
    with st.sidebar.form("login", clear_on_submit=True):
        st.markdown(f"**{t('auth.heading', lang)}**")
        # Said above the fields, not below the button (seen: below the fold of the sidebar at 1366x768).
        message = st.empty()
        user = st.text_input(t("auth.user", lang), key="login_user", max_chars=MAX_USER_NAME_CHARS)
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        if st.form_submit_button(t("auth.submit", lang)):
            try:
                role = store().authenticate(user.strip(), password, address=st.context.ip_address)
            except StoreError as exc:
                message.error(store_error_text(exc, lang))
                return
            if role is None:
                message.error(t("auth.failed", lang))
                return
            st.session_state["user"] = user.strip()
            st.session_state["session_key"] = store().session_key(user.strip())
            st.session_state["browser"] = _browser_secret()
            st.rerun()


def view_requires_login() -> bool:
    """RBDASH_VIEW_REQUIRES_LOGIN=1 (or view_requires_login in the config file) closes viewing to visitors."""
    return settings().view_requires_login


def browser_session() -> str:
    """This browser session's id (a tab): the owner of what it queues."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""
