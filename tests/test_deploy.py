"""deploy/nginx.conf is a valid nginx configuration (`nginx -t`) whose upload body limit matches
Streamlit's server.maxUploadSize."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

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
    return subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, timeout=60)


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
    assert re.search(r"^\s*limit_conn rbdash_upload_server \d+;", upload, re.M)
    assert re.search(r"^\s*client_max_body_size 1m;", text, re.M)  # everything else stays small
    for header in ("X-Real-IP", "X-Forwarded-For"):
        assert re.search(rf"^\s*proxy_set_header {header}\s", text, re.M), header
