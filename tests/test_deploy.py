"""deploy/nginx.conf is a valid nginx configuration (`nginx -t`) whose upload body limit matches
Streamlit's server.maxUploadSize, and a real nginx running it keeps its promises: slow senders never
lock other uploads out, removing a file is never rate-limited nor blocked by uploads, uploads are
limited per address, at most four bodies reach the app at once, across all nginx worker processes, and
media files (downloads) are refused to requests without Streamlit's browser cookie."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import ROOT, free_port, require_tool

# Starts a browser, a server or another program: left out of `make test-fast`.
pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
require_tool(Path(NGINX).exists(), "nginx")

DEPLOY = ROOT / "deploy" / "nginx.conf"


def nginx_test(config: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`nginx -t` of `config` included in a minimal main configuration whose files all live in tmp_path."""
    temp = {name: tmp_path / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"};
events {{}}
http {{
    access_log {tmp_path / "access.log"};
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {config};
}}
""")
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nginx_accepts_the_deployment_config(tmp_path: Path) -> None:
    config = tmp_path / "rbdash.conf"
    config.write_text(
        DEPLOY.read_text().replace("/var/log/nginx/rbdash.access.log", str(tmp_path / "rbdash.access.log"))
    )
    result = nginx_test(config, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_would_reject_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.conf"
    broken.write_text(DEPLOY.read_text().replace("limit_conn rbdash_upload_addr 2;", "limit_conn rbdash_nozone 2;"))
    result = nginx_test(broken, tmp_path)
    assert result.returncode != 0
    assert "rbdash_nozone" in result.stderr


def test_the_upload_body_limit_matches_streamlits() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    upload_mb = config["server"]["maxUploadSize"]
    text = DEPLOY.read_text()
    upload = re.search(r"location /_stcore/upload_file/ \{(.*?)\n    \}", text, re.S).group(1)
    # Streamlit's server refuses a Content-Length over maxUploadSize MiB before reading the body, and
    # nginx sends one (it buffers the body): the same number of MiB (tests/test_upload_limit.py).
    assert re.search(rf"^\s*client_max_body_size {upload_mb}m;", upload, re.M)
    assert re.search(r"^\s*limit_req\s+zone=rbdash_upload_rate\b", upload, re.M)
    assert re.search(r"^\s*proxy_pass http://rbdash_streamlit_uploads;", upload, re.M)
    assert re.search(r"server 127\.0\.0\.1:8501 max_conns=4;", text)
    uploads = re.search(r"upstream rbdash_streamlit_uploads \{(.*?)\n\}", text, re.S).group(1)
    assert re.search(r"^\s*zone rbdash_uploads 64k;", uploads, re.M)  # one count for all workers
    assert re.search(r"^\s*client_max_body_size 1m;", text, re.M)  # everything else stays small
    for header in ("X-Real-IP", "X-Forwarded-For"):
        assert re.search(rf"^\s*proxy_set_header {header}\s", text, re.M), header


# ----------------------------------------------------------------------------------------------
# The rules at work: a real nginx with deploy/nginx.conf in front of a stand-in app. Clients come
# from different loopback addresses (127.0.0.N), as different visitors would. nginx runs WORKERS
# worker processes with `reuseport`, so the kernel spreads connections over them (as Debian's
# `worker_processes auto` on a multi-core server would): a limit that one worker counts alone shows.

UPLOAD = "/_stcore/upload_file/session/file"
WORKERS = 4


#: Notified whenever the stand-in counts a request or a client gets its answer (tests wait on it).
CHANGED = threading.Condition()


def _changed() -> None:
    with CHANGED:
        CHANGED.notify_all()


class StandIn(BaseHTTPRequestHandler):
    """The app: reads an upload's body, waits while `hold` is clear, answers 204; answers removals at once."""

    hold = threading.Event()
    bodies = 0
    removals: ClassVar[list[str]] = []  # the paths of the DELETEs it got
    seen: ClassVar[dict[str, tuple[str | None, str | None]]] = {}  # path: (X-Real-IP, X-Forwarded-For)

    def do_GET(self) -> None:
        StandIn.seen[self.path] = (self.headers.get("X-Real-IP"), self.headers.get("X-Forwarded-For"))
        if self.path.endswith(".js"):  # a script, as Streamlit sends them: uncompressed
            body = b"export const chart = 1;\n" * 4000
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)
            return
        self.send_response(204)
        self.end_headers()

    do_HEAD = do_GET

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        StandIn.bodies += 1
        _changed()
        StandIn.hold.wait(30)
        self.send_response(204)
        self.end_headers()

    def do_DELETE(self) -> None:
        StandIn.removals.append(self.path)
        _changed()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[int]:
    """nginx running deploy/nginx.conf on a free port, proxying to the stand-in app; its port."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    app.daemon_threads = True
    threading.Thread(target=app.serve_forever, daemon=True).start()
    StandIn.hold.set()
    StandIn.bodies = 0
    StandIn.removals = []
    StandIn.seen = {}
    port = free_port()
    config = tmp_path / "rbdash.conf"
    config.write_text(
        DEPLOY.read_text()
        .replace("127.0.0.1:8501", f"127.0.0.1:{app.server_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{port} reuseport;")
        .replace("/var/log/nginx/rbdash.access.log", str(tmp_path / "rbdash.access.log"))
    )
    temp = {name: tmp_path / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes {WORKERS};
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"};
events {{}}
http {{
    access_log off;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {config};
}}
""")
    server = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.05)  # polling for the port to open, bounded by the deadline
        yield port
    finally:
        StandIn.hold.set()
        server.terminate()
        server.wait(30)
        app.shutdown()
        app.server_close()


def request(port: int, method: str, client: int, body: bytes = b"x" * 1000) -> int:
    """The status nginx answers to a whole request from 127.0.0.`client`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(f"127.0.0.{client}", 0))
    try:
        connection.request(method, UPLOAD, body=body if method == "PUT" else None)
        return connection.getresponse().status
    finally:
        connection.close()


def slow_sender(port: int, client: int) -> socket.socket:
    """A PUT from 127.0.0.`client` announcing 1 MB and sending 10 bytes of it (then nothing).

    It asks for "100 Continue" and waits for it: nginx sends it when it starts reading the body, after
    its limits counted the request, so the caller's next request meets a sender already counted (with
    four nginx workers, the one reading this connection may not have got to it yet otherwise)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(f"127.0.0.{client}", 0))
    sock.sendall(
        f"PUT {UPLOAD} HTTP/1.1\r\nHost: rbdash\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(1024)
        if not chunk:
            break
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 100"), answer[:200]
    sock.sendall(b"x" * 10)
    return sock


def test_slow_senders_do_not_lock_other_uploads_out(proxy: int) -> None:
    """Seen by the attacker review: four slow anonymous PUTs held the whole server's four upload places."""
    slow = [slow_sender(proxy, client) for client in range(2, 8)]  # six visitors, each sending slowly
    try:
        assert request(proxy, "PUT", 20) == 204
    finally:
        for sock in slow:
            sock.close()


def test_one_address_sends_at_most_two_uploads_at_once(proxy: int) -> None:
    slow = [slow_sender(proxy, 30), slow_sender(proxy, 30)]
    try:
        assert request(proxy, "PUT", 30) == 429
        assert request(proxy, "PUT", 31) == 204  # another address is not affected
    finally:
        for sock in slow:
            sock.close()


def test_the_access_log_keeps_session_ids_out(proxy: int, tmp_path: Path) -> None:
    """Seen by the attacker review: session IDs in upload URLs reached the proxy's access log."""
    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=30, source_address=("127.0.0.45", 0))
    try:
        for method in ("PUT", "DELETE", "DELETE"):  # one kept-alive connection: requests end in order
            connection.request(method, UPLOAD, body=b"x" * 1000 if method == "PUT" else None)
            response = connection.getresponse()
            response.read()
            assert response.status == 204
    finally:
        connection.close()
    # nginx writes a request's log line before it reads the next request on the connection, so once the
    # third answer arrived the first two lines are in the file.
    lines = (tmp_path / "rbdash.access.log").read_text().splitlines()[:2]
    assert len(lines) == 2, lines
    assert all('/_stcore/upload_file/-/file HTTP/1.1" 204' in line for line in lines), lines
    assert "session" not in "\n".join(lines)


def test_removing_files_is_never_rate_limited_but_uploads_are(proxy: int) -> None:
    assert [request(proxy, "DELETE", 40) for _ in range(20)] == [204] * 20
    # One connection, one request after another: nginx frees each request (and its place among the two
    # uploads an address may have at once) before it reads the next, so only the rate limit can answer 429
    # (seen in CI under load: separate connections still counted as open gave 429 after four).
    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=30, source_address=("127.0.0.41", 0))
    statuses = []
    try:
        for _ in range(8):
            connection.request("PUT", UPLOAD, body=b"x" * 1000)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    assert statuses[:6] == [204] * 6 and statuses[6:] == [429, 429]  # 1 + a burst of 5, then 10 a minute


def uploads_held_by_the_app(port: int, clients: range) -> tuple[list[threading.Thread], list[int]]:
    """A PUT from each of `clients` at once, with the app holding every body it gets; the threads
    sending them and the statuses answered so far (a held upload answers once `hold` is set)."""
    StandIn.hold.clear()
    statuses: list[int] = []

    def send(client: int) -> None:
        statuses.append(request(port, "PUT", client))
        _changed()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    return threads, statuses


def wait_for(condition: Callable[[], bool]) -> None:
    """Wait until `condition` holds, woken at each change it depends on, for at most 20 seconds (the
    caller then asserts it)."""
    with CHANGED:
        CHANGED.wait_for(condition, timeout=20)


def test_at_most_four_bodies_reach_the_app_at_once(proxy: int) -> None:
    """Seen by the attacker review: without a shared zone each nginx worker counted its own four, and
    seven uploads reached the app at once."""
    threads, statuses = uploads_held_by_the_app(proxy, range(50, 62))  # twelve visitors, over four workers
    wait_for(lambda: StandIn.bodies >= 4 and len(statuses) >= 8)
    assert (StandIn.bodies, sorted(statuses)) == (4, [503] * 8)  # the other eight: "try again"
    assert request(proxy, "PUT", 62) == 503  # and so is the next one, the app never saw them
    StandIn.hold.set()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [204] * 4 + [503] * 8 and StandIn.bodies == 4


def test_removals_pass_while_uploads_take_every_place(proxy: int) -> None:
    """Seen by the attacker review: DELETEs went through the four upload places, so a flood of slow
    uploads also kept visitors from removing files."""
    threads, statuses = uploads_held_by_the_app(proxy, range(70, 74))
    wait_for(lambda: StandIn.bodies >= 4)
    assert StandIn.bodies == 4 and request(proxy, "PUT", 74) == 503  # every upload place is taken
    assert [request(proxy, "DELETE", 75) for _ in range(3)] == [204] * 3
    assert StandIn.removals == [UPLOAD] * 3  # the app got them, at their own address
    StandIn.hold.set()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [204] * 4


def test_a_removal_may_not_carry_a_large_body(proxy: int) -> None:
    """Only PUT may send 50 MiB: any other method to the upload address has the 1 MB of every request."""
    with socket.create_connection(("127.0.0.1", proxy), timeout=30, source_address=("127.0.0.80", 0)) as sock:
        sock.sendall(f"DELETE {UPLOAD} HTTP/1.1\r\nHost: rbdash\r\nContent-Length: 2000000\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 413 ")
    assert request(proxy, "DELETE", 80) == 204 and StandIn.removals == [UPLOAD]


def media_status(port: int, path: str, cookie: str | None, method: str = "GET") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=("127.0.0.95", 0))
    try:
        connection.request(method, path, headers={"Cookie": cookie} if cookie is not None else {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_media_files_need_the_browser_cookie(proxy: int) -> None:
    """Streamlit serves /media/<id>.<ext> (st.download_button's files) without checking any cookie: with
    view_requires_login a leaked media URL fetched a report. The proxy refuses requests without
    Streamlit's _streamlit_xsrf cookie, and passes those with it (among other cookies) to the app."""
    report = "/media/0123456789abcdef0123456789abcdef.pdf"
    xsrf = "_streamlit_xsrf=2|1a2b3c4d|00112233445566778899aabbccddeeff|1700000000"
    for method in ("GET", "HEAD"):
        assert media_status(proxy, report, None, method) == 403
        assert media_status(proxy, report, "other=1", method) == 403
        assert media_status(proxy, report, "_streamlit_xsrf=", method) == 403
    assert report not in StandIn.seen  # the app never saw them
    assert media_status(proxy, report, xsrf) == 204
    assert media_status(proxy, "/media/abc.png", f"other=1; {xsrf}; more=2") == 204
    assert set(StandIn.seen) == {report, "/media/abc.png"}
    # The rest of the site needs no cookie: a first visit is how a browser gets one.
    assert media_status(proxy, "/", None) == 204 and media_status(proxy, "/mediafoo", None) == 204


def test_the_app_learns_the_client_address_on_every_path(proxy: int) -> None:
    """Seen in review: the websocket location set headers of its own and so inherited none of the
    server's; a client's forged X-Forwarded-For reached the app, which took it for the address."""
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    for path, headers in (("/", forged), ("/_stcore/stream", forged | upgrade)):
        connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=30, source_address=("127.0.0.90", 0))
        try:
            connection.request("GET", path, headers=headers)
            assert connection.getresponse().status == 204, path
        finally:
            connection.close()
    # The rightmost X-Forwarded-For entry is nginx's (what uvicorn under Streamlit takes); X-Real-IP is replaced.
    assert StandIn.seen == {
        "/": ("127.0.0.90", "203.0.113.9, 127.0.0.90"),
        "/_stcore/stream": ("127.0.0.90", "203.0.113.9, 127.0.0.90"),
    }


def test_scripts_are_compressed_on_the_way(proxy: int) -> None:
    """Streamlit sends its scripts uncompressed (4.7 MB for the Plotly chart script): the proxy gzips them."""
    import gzip
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    connection.request("GET", "/static/js/PlotlyChart.abc.js", headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert len(body) < 10_000 and gzip.decompress(body) == b"export const chart = 1;\n" * 4000


def test_the_chart_script_is_kept_by_browsers_and_compressed(proxy: int) -> None:
    """The charts' script carries its version in its name (rbdash.ui.plotly_chart): browsers may keep it a
    year instead of asking again each visit; it is compressed and reaches the app with the client's address."""
    import gzip
    import http.client

    from rbdash.present.charts.plotlyjs import BUNDLE

    path = f"/app/static/plotly/{BUNDLE.name}"
    connection = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200 and response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip" and gzip.decompress(body).startswith(b"export const")
    assert StandIn.seen[path][0] == "127.0.0.1"
