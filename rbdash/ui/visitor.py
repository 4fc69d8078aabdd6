"""Who a request comes from, for bounds per visitor (the report queue): the signed-in user, else the
client address (`rbdash.exports.queue.visitor_key` decides which counts).

The address is Streamlit's `st.context.ip_address`, the same one sign-in throttling counts. On
Streamlit 1.67 that is the websocket peer as uvicorn reports it, and uvicorn alone decides whom to
believe: it takes X-Forwarded-For only from the proxies in $FORWARDED_ALLOW_IPS (default 127.0.0.1
and ::1, i.e. an nginx on the same host) and then its rightmost address that is not such a proxy
(README, "Behind a reverse proxy"). The app reads no forwarding header itself: the app sees the
headers but not who sent them, so a second, app-level "trusted proxy" rule could only disagree with
uvicorn's or believe a client's own header.
"""

from __future__ import annotations

import streamlit as st

from rbdash.exports.queue import visitor_key
from rbdash.ui.session import signed_in


def client_address() -> str | None:
    """This session's client address, or None when it is loopback or unknown (a local run, AppTest)."""
    return st.context.ip_address


def report_visitor() -> str:
    """Whom this session's report requests count against (`visitor_key`)."""
    return visitor_key(signed_in(), client_address())
