"""deploy/nginx.conf is a valid nginx configuration (`nginx -t`) whose upload body limit matches
Streamlit's server.maxUploadSize, and a real nginx running it keeps its promises: slow senders never
lock other uploads out, removing a file is never rate-limited, uploads are limited per address, and
at most four bodies reach the app at once."""

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
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_tool

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
    result = nginx_test(DEPLOY, tmp_path)
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
    # Streamlit streams at most maxUploadSize + 1 MB of multipart body (_MAX_UPLOAD_MULTIPART_OVERHEAD_BYTES).
    assert re.search(rf"^\s*client_max_body_size {upload_mb + 1}m;", upload, re.M)
    assert re.search(r"^\s*limit_req\s+zone=rbdash_upload_rate\b", upload, re.M)
    assert re.search(r"^\s*proxy_pass http://rbdash_streamlit_uploads;", upload, re.M)
    assert re.search(r"server 127\.0\.0\.1:8501 max_conns=4;", text)
    assert re.search(r"^\s*client_max_body_size 1m;", text, re.M)  # everything else stays small
    for header in ("X-Real-IP", "X-Forwarded-For"):
        assert re.search(rf"^\s*proxy_set_header {header}\s", text, re.M), header


# ----------------------------------------------------------------------------------------------
# The rules at work: a real nginx with deploy/nginx.conf in front of a stand-in app. Clients come
# from different loopback addresses (127.0.0.N), as different visitors would.

UPLOAD = "/_stcore/upload_file/session/file"


class StandIn(BaseHTTPRequestHandler):
    """The app: reads the body, waits while `hold` is clear, answers 204."""

    hold = threading.Event()
    bodies = 0

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        StandIn.bodies += 1
        StandIn.hold.wait(30)
        self.send_response(204)
        self.end_headers()

    do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[int]:
    """nginx running deploy/nginx.conf on a free port, proxying to the stand-in app; its port."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    app.daemon_threads = True
    threading.Thread(target=app.serve_forever, daemon=True).start()
    StandIn.hold.set()
    StandIn.bodies = 0
    port = free_port()
    config = tmp_path / "rbdash.conf"
    config.write_text(
        DEPLOY.read_text()
        .replace("127.0.0.1:8501", f"127.0.0.1:{app.server_port}")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    temp = {name: tmp_path / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
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
    """A PUT from 127.0.0.`client` announcing 1 MB and sending 10 bytes of it (then nothing)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(f"127.0.0.{client}", 0))
    sock.sendall(f"PUT {UPLOAD} HTTP/1.1\r\nHost: rbdash\r\nContent-Length: 1000000\r\n\r\n".encode() + b"x" * 10)
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


def test_removing_files_is_never_rate_limited_but_uploads_are(proxy: int) -> None:
    assert [request(proxy, "DELETE", 40) for _ in range(20)] == [204] * 20
    statuses = [request(proxy, "PUT", 41) for _ in range(8)]
    assert statuses[:6] == [204] * 6 and statuses[6:] == [429, 429]  # 1 + a burst of 5, then 10 a minute


def test_at_most_four_bodies_reach_the_app_at_once(proxy: int) -> None:
    StandIn.hold.clear()  # the app holds every request it gets
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda c=client: statuses.append(request(proxy, "PUT", c))) for client in range(50, 54)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while StandIn.bodies < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # polling until the four reached the app, bounded by the deadline
    assert StandIn.bodies == 4
    assert request(proxy, "PUT", 54) == 503  # the fifth: "try again", and the app never saw it
    StandIn.hold.set()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [204] * 4 and StandIn.bodies == 4
