"""The fuzz harness (tests/fuzz_workbook.py) in the suite, on a short deterministic budget.

* hypothesis, derandomized (the same inputs on every run, no example database), feeds byte strings to the
  harness's decoder; every mutated workbook goes through the bounded worker (`load_untrusted`) and must get
  a clear answer. Explicit examples are the inputs that fuzzing found worth keeping.
* the libFuzzer harness itself (atheris: load_workbook in process, coverage-guided, every 16th input also
  through the worker) runs a fixed number of inputs with a fixed seed in a subprocess that the test
  watches, so `make fuzz` cannot rot unnoticed.

`make fuzz` runs the same harness for ten minutes (FUZZ_SECONDS to change it).
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import fuzz_workbook as fw
from tests.conftest import ROOT, require_tool

#: Inputs through the worker per run of the suite (about 10 s here); `make fuzz` runs for minutes.
WORKER_EXAMPLES = 40
#: Inputs of the libFuzzer smoke run: about 15 s, two of them also through the worker.
LIBFUZZER_RUNS = 2 * fw.WORKER_EVERY


@pytest.mark.slow
@settings(
    max_examples=WORKER_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.binary(max_size=96))
@example(b"")  # the bundled workbook unchanged
# make fuzz, first 10-minute run: a central directory entry needing ZIP version 25.5
# (hostile_factory.zip_version_needed)
@example(b"\x031\x17\x08(\xe0\xea\x86@\xc8\xfco!\x1fa\xb95\xb0\x96\xe3\xf4U4U6\xaa\\\xc8qc")
def test_mutated_workbooks_get_a_clear_answer_from_the_worker(raw: bytes) -> None:
    data = fw.build_workbook(raw)
    fw.check_result(fw.load_in_worker(data))


def test_empty_input_decodes_to_the_bundled_workbook() -> None:
    """Zero choices mean no mutation: the harness starts from a workbook that loads."""
    data = fw.build_workbook(b"")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.filename: archive.read(info) for info in archive.infolist()} == fw.hf.bundled_entries()
    result = fw.load_in_worker(data)
    assert result.plan is not None and result.problems == []


def test_decoding_is_deterministic_and_mutates() -> None:
    seeds = fw.seed_inputs()
    decoded = {name: fw.build_workbook(raw) for name, raw in seeds.items()}
    assert decoded == {name: fw.build_workbook(raw) for name, raw in seeds.items()}
    assert len(set(decoded.values())) == len(decoded)  # every seed gives a different workbook


def test_check_result_rejects_a_dead_worker() -> None:
    """The property fails on a worker that crashed or hung, and accepts the memory limit's answer."""
    from rbdash.model import LoadResult
    from rbdash.problems import Problem

    for code, params in (("worker_crashed", {"detail": "SIGSEGV"}), ("worker_timeout", {"seconds": 30})):
        with pytest.raises(fw.Finding):
            fw.check_result(LoadResult(None, [Problem("error", code, params=params)]))
    with pytest.raises(fw.Finding):
        fw.check_result(LoadResult(None, []))
    with pytest.raises(fw.Finding):
        fw.check_result(None)
    fw.check_result(LoadResult(None, [Problem("error", "worker_memory", params={"limit_mb": 1536})]))


@pytest.mark.slow
def test_libfuzzer_harness_runs_in_a_watched_subprocess(tmp_path: Path) -> None:
    require_tool(importlib.util.find_spec("atheris") is not None, "atheris (requirements-dev.txt)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, raw in fw.seed_inputs(8).items():
        (corpus / name).write_bytes(raw)
    command = fw._fuzz_command(
        [
            f"-runs={LIBFUZZER_RUNS}",
            "-seed=1",
            "-timeout=30",
            *fw.LIBFUZZER_FLAGS,
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ]
    )
    done = subprocess.run(command, cwd=ROOT, env=fw._fuzz_environment(), capture_output=True, timeout=300, check=False)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, output[-3000:]
    assert f"Done {LIBFUZZER_RUNS} runs" in output, output[-3000:]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-"))]
