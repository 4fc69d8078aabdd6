"""Fuzzing that reaches the native reader: mutated workbooks through the loader and the bounded worker.

A fuzz input is a byte string that `build_workbook` decodes into choices; the same bytes always give the
same workbook, whoever made them (libFuzzer under atheris, hypothesis in tests/test_fuzz.py, a saved file):

* part mode (3 inputs in 4): one XML part of the bundled workbook (a worksheet most often) is mutated and
  the package is zipped again honestly, so the mutated XML passes the ZIP checks and reaches calamine;
* raw mode: the bytes of the whole file are mutated, ZIP headers included.

The operations are structure-aware where it pays: numbers and cell references are replaced by values at
the limits (250,000 rows, 200 columns, 1,048,576, 2**32 ...), spreadsheet tokens are inserted (far rows,
r = "..." spellings, whole-sheet ranges, entities, encodings), elements are repeated, ZIP header fields
are overwritten. Empty input decodes to the bundled workbook unchanged.

The property (`check_result`): the answer is a `LoadResult`, every problem renders its message and fix
in Indonesian and English, an unreadable file says why, and the worker neither crashed nor hung
(`worker_memory` is a clear answer: the worker's limit did its job).

Commands (run from the project folder):

    python -m tests.fuzz_workbook run --seconds 600 [--workdir DIR]   # `make fuzz`: see `run`
    python -m tests.fuzz_workbook atheris [libFuzzer flags] [CORPUS]  # one libFuzzer run, in process
    python -m tests.fuzz_workbook replay FILE...                      # saved inputs through the worker
    python -m tests.fuzz_workbook write INPUT OUT.xlsx                # the workbook an input decodes to
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages come from its folder
    sys.path.insert(0, str(ROOT))

from tests import hostile_factory as hf  # noqa: E402

if TYPE_CHECKING:  # rbdash is imported late, inside functions: `atheris_main` instruments it as it is imported
    from rbdash.config import Limits
    from rbdash.model import LoadResult

#: Problems that are findings, not answers: the worker died or hung.
WORKER_FINDINGS = ("worker_crashed", "worker_timeout", "worker_busy")
#: No mutated part or file grows past this (repeat operations stop there).
MAX_BYTES = 8 << 20

NUMBERS: tuple[bytes, ...] = (
    b"0",
    b"1",
    b"-1",
    b"200",
    b"201",
    b"250000",
    b"250001",
    b"1048576",
    b"1048577",
    b"16384",
    b"16385",
    b"2147483647",
    b"2147483648",
    b"4294967295",
    b"4294967296",
    b"18446744073709551616",
    b"1e308",
    b"NaN",
    b"00000000000000000001",
    b"99999999999999999999999999",
    b"2958466",
    b"-0.0",
)
LETTERS: tuple[bytes, ...] = (b"A", b"GR", b"GS", b"XFD", b"XFE", b"ZZZ", b"AAAA", b"xfd", b"", b"$A$")
REFERENCE_SPELLINGS: tuple[bytes, ...] = (b'r = "', b"r='", b'r ="', b'r=\t"', b'R="', b'x:r="', b'r=""')
TOKENS: tuple[bytes, ...] = (
    b'<row r="1048576"/>',
    b'<row r = "1048576">',
    b'<row r="250001"><c><v>1</v></c></row>',
    b"<row/>",
    b'<c r="XFD1048576"><v>1</v></c>',
    b'<c r = "XFD1048576"><v>1</v></c>',
    b"<c><v>1</v></c>",
    b'<c r="GR1"><v>1</v></c>',
    b'<c r="A0"><v>1</v></c>',
    b'<c r=""><v>1</v></c>',
    b'<c r="1A"><v>1</v></c>',
    b"<c>",
    b"</c>",
    b"<v>",
    b"</v>",
    b"<is><t>",
    b"</t></is>",
    b"<r><t>x</t></r>",
    b"<rPh><t>x</t></rPh>",
    b' t="s"',
    b' t="e"',
    b' t="b"',
    b' t="d"',
    b' t="str"',
    b' t="inlineStr"',
    b' t="n"',
    b' s="4294967295"',
    b' s="99999"',
    b"<v>1E+308</v>",
    b"<v>-1</v>",
    b"<v>2958466</v>",
    b"<v>NaN</v>",
    b"<v>1e-320</v>",
    b'<f t="shared" ref="A1:XFD1048576" si="0">A1</f>',
    b'<f t="array" ref="A1:XFD1048576">1</f>',
    b'<f t="shared" si="4294967295"/>',
    b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    b'<mergeCell ref="XFD1048576:A1"/>',
    b'<mergeCell ref="A1"/>',
    b'<dimension ref="A1:XFD1048576"/>',
    b'<dimension ref="A1048576"/>',
    b'<cols><col min="1" max="16384" width="9"/></cols>',
    b'<row r="1" spans="1:16384">',
    b"&#0;",
    b"&#x10FFFF;",
    b"&#xD800;",
    b"&amp;",
    b"&lt;",
    b"&bogus;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?pi x?>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\xc3",
    b"\xed\xa0\x80",
    b'"',
    b"'",
    b">",
    b"<",
    b"/>",
    b"</",
    b' xmlns:x="urn:x"',
    b"<x:c>",
    b"<sheetData>",
    b"</sheetData>",
    b"</worksheet>",
    b'<?xml version="1.0" encoding="UTF-16"?>',
    b"<definedName name=\"x\">'Capaian Indikator'!$A:$XFD</definedName>",
    b'<sheet name="Info" sheetId="9" r:id="rId1"/>',
    b'Target="/etc/passwd"',
    b'Target="../../../etc/passwd"',
    b'TargetMode="External"',
    b'<Override PartName="/xl/worksheets/sheet9.xml" ContentType="application/xml"/>',
    b'<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>',
    b'<xf numFmtId="4294967295"/>',
)
FIELD_VALUES: tuple[int, ...] = (0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
ZIP_SIGNATURES: tuple[bytes, ...] = (hf.LOCAL_SIGNATURE, hf.CENTRAL_SIGNATURE, hf.END_SIGNATURE)

_DIGITS = re.compile(rb"\d+")
_REFERENCE = re.compile(rb"""\br\s*=\s*["']([A-Za-z$]*)""")
_REFERENCE_START = re.compile(rb"""\br=["']""")
_ELEMENT = re.compile(rb"<(row|c|si|mergeCell|sheet|Relationship|definedName)\b[^>]*?(/>|>)")


class Finding(AssertionError):
    """A result that breaks the property: what a fuzzer reports and a corpus case must then cover."""


# ----------------------------------------------------------------------------------------------
# Decoding an input into a workbook


class Choices:
    """Deterministic choices read from the bytes of an input; past its end every choice is 0."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def below(self, bound: int) -> int:
        """An integer in [0, bound), from as few bytes as `bound` needs."""
        if bound <= 1:
            return 0
        width = (bound - 1).bit_length() + 7 >> 3
        chunk = self._data[self._at : self._at + width]
        self._at += width
        return int.from_bytes(chunk.ljust(width, b"\0"), "little") % bound

    def pick(self, options: Sequence[bytes]) -> bytes:
        return options[self.below(len(options))]


@cache
def seed_entries() -> dict[str, bytes]:
    """The bundled workbook's entries (read once per process)."""
    return hf.bundled_entries()


@cache
def seed_file() -> bytes:
    """The bundled workbook's bytes (read once per process)."""
    return hf.bundled_bytes()


@cache
def mutable_parts() -> tuple[str, ...]:
    """The XML parts part mode mutates: each worksheet three times over, then every structural part once."""
    sheets = tuple(hf.SHEET_PARTS.values())
    others = (
        "xl/workbook.xml",
        hf.WORKBOOK_RELS,
        "_rels/.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
        "xl/comments/comment4.xml",
        "xl/worksheets/_rels/sheet5.xml.rels",
    )
    return sheets * 3 + others


def _wrap_search(pattern: re.Pattern[bytes], data: bytes, start: int) -> re.Match[bytes] | None:
    """The first match at or after `start`, else the first one from the beginning."""
    return pattern.search(data, start) or pattern.search(data)


def _element_end(data: bytes, match: re.Match[bytes]) -> int:
    """The end of the element whose start tag `match` is (its closing tag, or the start tag if it is empty)."""
    if match.group(2) == b"/>":
        return match.end()
    close = data.find(b"</" + match.group(1) + b">", match.end())
    return match.end() if close == -1 else close + len(match.group(1)) + 3


def mutate(data: bytes, choices: Choices, raw: bool) -> bytes:
    """`data` after 0 to 8 operations drawn from `choices`; `raw` adds ZIP header field overwrites."""
    out = bytearray(data)
    for _ in range(choices.below(9)):
        if not out:
            out += choices.pick(TOKENS)
            continue
        at = choices.below(len(out))
        operation = choices.below(12)
        if operation == 0:  # a number at the limits
            if match := _wrap_search(_DIGITS, bytes(out), at):
                out[match.start() : match.end()] = choices.pick(NUMBERS)
        elif operation == 1:  # a cell reference's column letters
            if (match := _wrap_search(_REFERENCE, bytes(out), at)) is not None:
                out[match.start(1) : match.end(1)] = choices.pick(LETTERS)
        elif operation == 2:  # a reference spelled as the native reader also reads it
            if match := _wrap_search(_REFERENCE_START, bytes(out), at):
                out[match.start() : match.end()] = choices.pick(REFERENCE_SPELLINGS)
        elif operation == 3:
            out[at:at] = choices.pick(TOKENS)
        elif operation == 4:
            token = choices.pick(TOKENS)
            out[at : at + len(token)] = token
        elif operation == 5:
            del out[at : at + 1 + choices.below(256)]
        elif operation == 6:  # copy a span elsewhere
            span = bytes(out[at : at + 1 + choices.below(4096)])
            where = choices.below(len(out) + 1)
            out[where:where] = span
        elif operation == 7:  # repeat an element (a row, a cell, a shared string, a relationship ...)
            if match := _wrap_search(_ELEMENT, bytes(out), at):
                element = bytes(out[match.start() : _element_end(out, match)])
                times = (1, 9, 99, 999, 9999, 99999)[choices.below(6)]
                times = min(times, max((MAX_BYTES - len(out)) // max(len(element), 1), 0))
                out[match.start() : match.start()] = element * times
        elif operation == 8:
            out[at] ^= 1 + choices.below(255)
        elif operation == 9 and raw:  # a ZIP header field
            signature = ZIP_SIGNATURES[choices.below(3)]
            start = out.find(signature, at)
            start = out.find(signature) if start == -1 else start
            offset = start + choices.below(46)
            value = FIELD_VALUES[choices.below(len(FIELD_VALUES))]
            if start != -1 and offset + 4 <= len(out):
                if choices.below(2):
                    struct.pack_into("<I", out, offset, value)
                else:
                    struct.pack_into("<H", out, offset, value & 0xFFFF)
        elif operation == 9:  # the whole part in UTF-16, as OPC allows
            text = bytes(out).decode("utf-8", "replace").replace('encoding="UTF-8"', 'encoding="UTF-16"')
            out = bytearray(b"\xff\xfe" + text.encode("utf-16-le"))
        elif operation == 10:
            del out[at + 1 :]
        else:  # the same bytes twice in a row: duplicate the element around `at`
            start = out.rfind(b"<", 0, at + 1)
            end = out.find(b">", at)
            if start != -1 and end != -1:
                out[start:start] = out[start : end + 1]
        if len(out) > MAX_BYTES:
            del out[MAX_BYTES:]
    return bytes(out)


def build_workbook(raw: bytes) -> bytes:
    """The workbook that the fuzz input `raw` decodes to (see the module docstring)."""
    choices = Choices(raw)
    if choices.below(4) == 3:
        return mutate(seed_file(), choices, raw=True)
    entries = dict(seed_entries())
    part = mutable_parts()[choices.below(len(mutable_parts()))]
    entries[part] = mutate(entries[part], choices, raw=False)
    return hf.build_zip(entries, level=1)


def seed_inputs(count: int = 24) -> dict[str, bytes]:
    """Starting inputs for libFuzzer, by name: the empty input (the bundled workbook) and `count` inputs whose
    choices spread over both modes and every mutable part (deterministic: the same on every machine)."""
    generator = random.Random(2022)
    seeds = {"seed-bundled": b""}
    for index in range(count):
        mode_and_part = bytes([index % 4, index % len(mutable_parts()), 1 + index % 8])
        seeds[f"seed-{index:02d}"] = mode_and_part + generator.randbytes(72)
    return seeds


# ----------------------------------------------------------------------------------------------
# The property


def check_result(result: object) -> None:
    """Raise `Finding` unless `result` is a clear answer (see the module docstring)."""
    from rbdash.model import LoadResult

    if not isinstance(result, LoadResult):
        raise Finding(f"not a LoadResult: {type(result).__name__}")
    for item in result.problems:
        for lang in ("id", "en"):
            message, fix = item.message(lang), item.fix(lang)
            if not (isinstance(message, str) and message.strip() and isinstance(fix, str) and fix.strip()):
                raise Finding(f"problem {item.code} without message or fix in {lang!r}")
            item.render(lang)
        if item.code in WORKER_FINDINGS:
            raise Finding(item.render("en"))
    if result.plan is None and not result.errors:
        raise Finding("no model and no error saying why")


def fuzz_limits() -> Limits:
    """Limits of the worker while fuzzing: the defaults, with a hang declared after 30 s instead of 90."""
    from rbdash.config import Limits

    return Limits(worker_wall_seconds=30, worker_cpu_seconds=25)


def load_in_worker(data: bytes) -> LoadResult:
    """`data` through the bounded worker with the fuzzing limits."""
    from rbdash.workbook.worker import load_untrusted

    return load_untrusted(data, limits=fuzz_limits())


# ----------------------------------------------------------------------------------------------
# atheris: in process and coverage-guided, every WORKER_EVERY-th input through the worker too

WORKER_EVERY = 16
#: Inputs hold about 8 bytes per operation; libFuzzer may use the whole length from the start.
LIBFUZZER_FLAGS = ("-max_len=256", "-len_control=0")
#: Address space of the fuzzing process: a native reader that asks for gigabytes aborts (libFuzzer keeps the
#: input as a crash) instead of making the machine swap. Arrow's system pool keeps reservations small.
FUZZ_ADDRESS_SPACE = 4 << 30
#: The code whose coverage guides libFuzzer: the project's own (pandas, Arrow and calamine are not instrumented).
INSTRUMENTED = ["rbdash"]
FUZZ_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2"}


def atheris_main(argv: list[str]) -> None:
    """One libFuzzer run over `argv` (its flags and corpus folders): load_workbook in process, instrumented."""
    import atheris
    import fastexcel  # noqa: F401  (imported before instrumentation: only rbdash's code is instrumented)
    import pandas  # noqa: F401

    resource.setrlimit(resource.RLIMIT_AS, (FUZZ_ADDRESS_SPACE, FUZZ_ADDRESS_SPACE))
    with atheris.instrument_imports(include=INSTRUMENTED):
        from rbdash.workbook import loader

    counter = 0

    def one_input(raw: bytes) -> None:
        nonlocal counter
        counter += 1
        data = build_workbook(raw)
        check_result(loader.load_workbook(data))
        if counter % WORKER_EVERY == 0:
            check_result(load_in_worker(data))

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


# ----------------------------------------------------------------------------------------------
# Replaying saved inputs through the worker


@dataclass(frozen=True)
class Outcome:
    """What the worker answered for one input."""

    name: str
    codes: tuple[str, ...]
    loaded: bool
    peak_mb: float
    seconds: float
    finding: str | None

    def line(self) -> str:
        verdict = f"FINDING: {self.finding}" if self.finding else "clear answer"
        return (
            f"{self.name}: {verdict}; codes {', '.join(self.codes) or '-'}; "
            f"{'loaded' if self.loaded else 'refused'}; peak {self.peak_mb:.0f} MB; {self.seconds:.2f} s"
        )


def replay(raw: bytes, name: str, save_to: Path | None = None) -> Outcome:
    """Decode `raw`, load the workbook in the worker and check the answer; with `save_to`, keep the .xlsx there."""
    data = build_workbook(raw)
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
        (save_to / f"{name}.xlsx").write_bytes(data)
    started = time.monotonic()
    result = load_in_worker(data)
    seconds = time.monotonic() - started
    finding = None
    try:
        check_result(result)
    except Finding as exc:
        finding = str(exc)
    return Outcome(
        name,
        tuple(p.code for p in result.problems[:8]),
        result.plan is not None,
        result.worker_peak_bytes / 1048576,
        seconds,
        finding,
    )


# ----------------------------------------------------------------------------------------------
# make fuzz: atheris restarted after each finding until the budget is spent


_STATS = re.compile(rb"#(\d+)\s+(?:pulse|NEW|REDUCE|DONE|INITED)\b.*?cov: (\d+) ft: (\d+) corp: (\d+)")
_ARTIFACT = re.compile(rb"Test unit written to (\S+)")


def _fuzz_command(extra: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "tests.fuzz_workbook", "atheris", *extra]


def _fuzz_environment() -> dict[str, str]:
    return {**os.environ, **FUZZ_ENVIRONMENT, "PYTHONHASHSEED": "0"}


def run(seconds: float, workdir: Path, log: Callable[[str], None] = print) -> int:
    """Fuzz for `seconds`: libFuzzer runs in a child process; when it stops on a finding (an exception, a native
    abort, a timeout, an out-of-memory), the input is replayed through the worker and kept, and fuzzing goes on
    from the same corpus. Returns the number of findings that the worker did not answer clearly."""
    corpus, artifacts, findings = workdir / "corpus", workdir / "artifacts", workdir / "findings"
    for folder in (corpus, artifacts, findings):
        folder.mkdir(parents=True, exist_ok=True)
    for name, raw in seed_inputs().items():
        if not (corpus / name).exists():
            (corpus / name).write_bytes(raw)
    deadline = time.monotonic() + seconds
    executions, rounds, outcomes = 0, 0, []
    seen: set[str] = set()
    while (left := int(deadline - time.monotonic())) > 5:
        rounds += 1
        log_path = workdir / f"libfuzzer-{rounds}.log"
        flags = [
            f"-max_total_time={left}",
            "-timeout=30",
            "-rss_limit_mb=3584",
            f"-artifact_prefix={artifacts}/",
            *LIBFUZZER_FLAGS,
            "-print_final_stats=1",
            str(corpus),
        ]
        with log_path.open("wb") as output:
            child = subprocess.run(
                _fuzz_command(flags),
                cwd=ROOT,
                env=_fuzz_environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=left + 120,
                check=False,
            )
        text = log_path.read_bytes()
        counts = _STATS.findall(text)
        if counts:
            executions += int(counts[-1][0])
        written = [Path(m.decode()) for m in _ARTIFACT.findall(text)]
        for artifact in written:
            if artifact.name in seen or not artifact.exists():
                continue
            seen.add(artifact.name)
            cause = _cause(text)
            outcome = replay(artifact.read_bytes(), artifact.name, findings)
            outcomes.append((outcome, cause))
            log(f"round {rounds}: {artifact.name} in process: {cause}")
            log(f"    worker: {outcome.line()}")
        if child.returncode == 0 and not written:
            break
        if child.returncode != 0 and not written:
            log(f"round {rounds}: libFuzzer exited {child.returncode} without an artifact; see {log_path}")
            break
    unclear = sum(1 for outcome, _ in outcomes if outcome.finding)
    corpus_size = sum(1 for _ in corpus.iterdir())
    log(
        f"fuzzed {seconds:.0f} s in {rounds} run(s): about {executions} inputs in process, every "
        f"{WORKER_EVERY}th also through the worker; corpus {corpus_size} inputs; {len(outcomes)} artifact(s), "
        f"{unclear} not answered clearly by the worker"
    )
    return unclear


def _cause(log_text: bytes) -> str:
    """The last reason libFuzzer gave for stopping: an uncaught exception's last line, or its own summary."""
    lines = [line.strip() for line in log_text.decode("utf-8", "replace").splitlines() if line.strip()]
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith("=== Uncaught Python exception"):
            tail = [line for line in lines[index + 1 : index + 40] if not line.startswith(("File ", "Traceback"))]
            return next(
                (line for line in tail if re.match(r"^[A-Za-z_.]+(Error|Exception|Finding)\b", line)),
                "uncaught Python exception",
            )
    memory = next((line for line in reversed(lines) if "memory allocation of" in line), None)
    summary = next((line for line in reversed(lines) if line.startswith("SUMMARY: libFuzzer")), "libFuzzer stopped")
    return f"{summary} ({memory})" if memory else summary


# ----------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str]) -> int:
    if argv and argv[0] == "atheris":
        atheris_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_workbook", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="fuzz for a time budget (make fuzz)")
    run_parser.add_argument("--seconds", type=float, default=600)
    run_parser.add_argument("--workdir", type=Path, default=ROOT / "test-artifacts" / "fuzz")
    replay_parser = commands.add_parser("replay", help="run saved inputs through the worker")
    replay_parser.add_argument("inputs", nargs="+", type=Path)
    write_parser = commands.add_parser("write", help="write the workbook an input decodes to")
    write_parser.add_argument("input", type=Path)
    write_parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        return 1 if run(args.seconds, args.workdir) else 0
    if args.command == "write":
        args.output.write_bytes(build_workbook(args.input.read_bytes()))
        return 0
    unclear = 0
    for path in args.inputs:
        outcome = replay(path.read_bytes(), path.name)
        print(outcome.line())
        unclear += bool(outcome.finding)
    return 1 if unclear else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
