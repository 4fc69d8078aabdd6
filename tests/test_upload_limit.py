"""One upload limit, one unit, everywhere (#10): 50 MB = 50,000,000 bytes (decimal), set once in
rbdash.config.UPLOAD_LIMIT_BYTES. The loader refuses a larger file with its own message, Streamlit's
`server.maxUploadSize` and nginx's `client_max_body_size` never refuse a file the loader accepts.

Seen by a tester: the browser refused a 48.5 MiB file ("must be 50.0MB or smaller") while the server
accepted 50 MiB. Streamlit reads `server.maxUploadSize` in two units: its upload widget as
maxUploadSize x 1000 x 1000 bytes (x 1024 x 1024 on Windows), its server as x 1024 x 1024 bytes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from rbdash.config import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB
from rbdash.messages import t
from rbdash.workbook.limits import DEFAULT_LIMITS
from rbdash.workbook.loader import load_workbook
from tests.conftest import ROOT

#: More than a browser's multipart framing of one file (boundaries, part headers, a long file name).
FRAMING_BYTES = 64 * 1024
MIB = 1024 * 1024


def streamlit_upload_mb() -> int:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = config["server"]["maxUploadSize"]
    assert isinstance(value, int)
    return value


def nginx_upload_body_bytes() -> int:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    upload = re.search(r"location /_stcore/upload_file/ \{(.*?)\n    \}", text, re.S)
    assert upload
    size = re.search(r"^\s*client_max_body_size (\d+)([km]?);", upload.group(1), re.M)
    assert size, "the upload location sets no client_max_body_size"
    return int(size.group(1)) * {"": 1, "k": 1024, "m": MIB}[size.group(2)]  # nginx: k and m are binary


def test_the_constant_config_toml_and_nginx_agree() -> None:
    assert UPLOAD_LIMIT_BYTES == 50_000_000 and UPLOAD_LIMIT_MB == 50
    assert DEFAULT_LIMITS.max_file_bytes == UPLOAD_LIMIT_BYTES
    upload_mb = streamlit_upload_mb()
    # Streamlit's widget in the browser (not Windows): decimal, the same number as ours, so its own
    # refusal ("File must be 50.0MB or smaller") says what our message and the page say.
    assert upload_mb * 1_000_000 == UPLOAD_LIMIT_BYTES
    # Streamlit's server (and its widget on Windows): binary. It refuses a body whose Content-Length
    # is over this before reading it, so a file at our limit plus its framing must fit.
    streamlit_server_bytes = upload_mb * MIB
    assert streamlit_server_bytes >= UPLOAD_LIMIT_BYTES + FRAMING_BYTES
    # nginx: the same bound as Streamlit's server (nginx sends Content-Length, having buffered the body):
    # smaller would stop files we accept, larger would only buffer bodies Streamlit refuses.
    assert nginx_upload_body_bytes() == streamlit_server_bytes


def test_streamlit_still_reads_max_upload_size_as_we_assume() -> None:
    """The agreement above rests on how this Streamlit converts maxUploadSize; an upgrade that changes it
    must be looked at (and the constant, config.toml and nginx.conf re-derived)."""
    import streamlit

    package = Path(streamlit.__file__).parent
    routes = (package / "web" / "server" / "starlette" / "starlette_routes.py").read_text()
    assert re.search(r'get_option\("server\.maxUploadSize"\)\s*\*\s*1024\s*\*\s*1024', routes)
    assert re.search(r"if int\(content_length\) > max_size_bytes:", routes)
    bundles = [path.read_text(errors="replace") for path in (package / "static" / "static" / "js").glob("utils.*.js")]
    # FileHelper.ts: BYTE_CONVERSION_SIZE = isFromWindows() ? 1024 : 1000
    assert any(re.search(r"=\w+\(\)\?1024:1e3,\w+=\[`gb`,`mb`,`kb`,`b`\]", text) for text in bundles)


@pytest.mark.parametrize("from_disk", [False, True], ids=["upload", "file"])
def test_one_byte_over_the_limit_is_refused_with_the_limit_in_the_same_words(from_disk: bool, tmp_path: Path) -> None:
    data = b"PK\x03\x04" + bytes(UPLOAD_LIMIT_BYTES + 1 - 4)
    source: bytes | Path = data
    if from_disk:
        source = tmp_path / "besar.xlsx"
        source.write_bytes(data)
    result = load_workbook(source)
    assert result.plan is None and [problem.code for problem in result.problems] == ["file_too_large"]
    problem = result.problems[0]
    assert problem.message("en") == "The file is 50,000,001 bytes, over the 50 MB limit (50,000,000 bytes)."
    assert problem.message("id") == "Berkas berukuran 50.000.001 bita, melebihi batas 50 MB (50.000.000 bita)."
    # The Unggah Data page announces the same limit in the same words.
    assert "50 MB" in t("data.upload", "en", limit=UPLOAD_LIMIT_MB)
    assert "50 MB" in t("data.upload", "id", limit=UPLOAD_LIMIT_MB)


@pytest.mark.parametrize("from_disk", [False, True], ids=["upload", "file"])
def test_a_file_of_exactly_the_limit_is_not_refused_for_its_size(from_disk: bool, tmp_path: Path) -> None:
    data = b"PK\x03\x04" + bytes(UPLOAD_LIMIT_BYTES - 4)
    source: bytes | Path = data
    if from_disk:
        source = tmp_path / "pas.xlsx"
        source.write_bytes(data)
    codes = [problem.code for problem in load_workbook(source).problems]
    assert codes and "file_too_large" not in codes  # refused, but for what it holds (not a workbook)
