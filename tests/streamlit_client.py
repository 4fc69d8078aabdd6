"""A bare Streamlit client for tests: a session over the websocket, uploads as a browser sends them,
the server's metrics and RSS. It does what an attacker can do without a browser."""

from __future__ import annotations

import http.client
import re
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileURLsRequest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

XSRF_COOKIE = "_streamlit_xsrf"


@dataclass
class Session:
    """A Streamlit session: its id, the XSRF token (cookie and header) and our websocket, if we hold it."""

    url: str
    session_id: str
    xsrf: str
    websocket: ClientConnection | None = None
    received: list[bytes] = field(default_factory=list)  # every ForwardMsg of the first run, serialised

    def close(self) -> None:
        if self.websocket is not None:
            self.websocket.close()


def _xsrf_cookie(url: str) -> str:
    """The XSRF cookie the server sets with its health check (the frontend's first request)."""
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            match = re.match(rf"{XSRF_COOKIE}=([^;]+)", header)
            if match:
                return match.group(1)
    raise AssertionError("the server set no XSRF cookie")


def open_session(
    url: str, run: bool = True, timeout: float = 60, existing_session_id: str | None = None, page: str = ""
) -> Session:
    """Connect as a browser would. With `run`, run the app once (on `page`, a URL path) and return when
    that run has finished; without, only ask for an upload URL, which names the session (the app never
    runs). `existing_session_id` asks to resume that session, as a reconnecting browser does - or as
    someone who read the ID in a log would."""
    xsrf = _xsrf_cookie(url)
    host = urlsplit(url).netloc
    websocket = connect(
        f"ws://{host}/_stcore/stream",
        origin=url,
        subprotocols=["streamlit", xsrf, *([existing_session_id] if existing_session_id else [])],
        additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"},
        max_size=None,
        proxy=None,
        legacy=True,
    )
    if run:
        websocket.send(BackMsg(rerun_script=ClientState(page_name=page)).SerializeToString())
    else:
        request = FileURLsRequest(request_id="1", file_names=["a.xlsx"])
        websocket.send(BackMsg(file_urls_request=request).SerializeToString())
    session_id = ""
    received: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = ForwardMsg()
        raw = websocket.recv(timeout=max(0.1, deadline - time.monotonic()))
        received.append(raw if isinstance(raw, bytes) else raw.encode())
        message.ParseFromString(received[-1])
        kind = message.WhichOneof("type")
        if kind == "new_session":
            session_id = message.new_session.initialize.session_id
        elif kind == "script_finished" and session_id:
            return Session(url, session_id, xsrf, websocket, received)
        elif kind == "file_urls_response":
            session_id = message.file_urls_response.file_urls[0].upload_url.split("/")[-2]
            return Session(url, session_id, xsrf, websocket)
    websocket.close()
    raise AssertionError("the server did not answer")


def put_file(session: Session, data: bytes, file_id: str | None = None, name: str = "data.xlsx") -> int:
    """PUT one file to the session's upload URL (multipart, XSRF cookie and header); the HTTP status."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    parts = urlsplit(session.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request(
            "PUT",
            f"/_stcore/upload_file/{session.session_id}/{file_id or uuid.uuid4()}",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": session.xsrf,
                "Cookie": f"{XSRF_COOKIE}={session.xsrf}",
                "Origin": session.url,
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def metrics(url: str) -> str:
    """The server's OpenMetrics text (/_stcore/metrics)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=30) as response:
        return response.read().decode()


def metric(text: str, name: str, default: float = 0.0) -> float:
    """The value of the first sample named exactly `name` (labels allowed), or `default` when absent."""
    match = re.search(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else default


def streamlit_held_bytes(url: str) -> float:
    """Bytes Streamlit's own uploaded-file manager reports holding (absent when it holds no file)."""
    return metric(metrics(url), 'cache_memory_bytes{cache_type="UploadedFileManager",cache=""}')


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def wait_until(condition: Callable[[], object], timeout: float = 60, what: str = "condition") -> object:
    """Poll `condition` until it returns something true; its value. Fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
