"""Hostile, broken and foreign files: `load_workbook` answers each with a problem, never an exception.

Every file is generated in `tests/hostile_factory.py`. For each case the tests check the problem code
and severity, that an unreadable file yields no model, that the message and fix exist in Indonesian and
English, and that loading changes nothing: not the input bytes, and no file anywhere (an audit hook sees
every file the process opens for writing, moves or removes while a file loads); from a path, for a case
of each stage of the reader, not the file on disk and not its folder.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msoffcrypto
import olefile
import openpyxl
import openpyxl.xml
import pandas as pd
import pytest
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.problems import MessageRef, Problem
from rbdash.workbook.limits import DEFAULT_LIMITS, PackageLimits
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.macros import strip_macros
from tests import hostile_factory as hf
from tests.conftest import CliRun

FRAMES = ("plan", "schedule", "realisation", "indicators", "indicator_values", "survey", "responses")


# ----------------------------------------------------------------------------------------------
# Helpers


@dataclass(frozen=True)
class Case:
    """One hostile file and the problem it must produce."""

    make: Callable[[], bytes]
    code: str
    severity: str = "error"
    unreadable: bool = True
    limits: PackageLimits = DEFAULT_LIMITS
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    cell: str | None = None


CASES: dict[str, Case] = {
    # Not a ZIP package at all.
    "empty_file": Case(hf.empty_file, "empty_file"),
    "file_too_large": Case(
        hf.oversized_workbook,
        "file_too_large",
        limits=PackageLimits(max_file_bytes=1_000_000),
        params={"limit": 1_000_000, "limit_mb": 1},
    ),
    "legacy_xls": Case(hf.legacy_xls, "legacy_xls"),
    "encrypted_workbook": Case(hf.encrypted_workbook, "encrypted_workbook"),
    "not_a_zip_pdf": Case(lambda: hf.NOT_A_ZIP["pdf"][0], "not_a_zip", params={"kind": MessageRef("kind.pdf")}),
    # Damaged ZIP archives.
    "truncated_half": Case(lambda: hf.truncated_workbook(len(hf.bundled_bytes()) // 2), "corrupt_zip"),
    "truncated_end_record": Case(lambda: hf.truncated_workbook(-10), "corrupt_zip"),
    "truncated_local_header": Case(lambda: hf.truncated_workbook(30), "corrupt_zip"),
    "zip_magic_only": Case(lambda: hf.truncated_workbook(4), "corrupt_zip"),
    "duplicate_workbook_entry": Case(hf.duplicate_entry_workbook, "corrupt_zip"),
    "duplicate_sheet_entry": Case(lambda: hf.duplicate_entry_workbook(hf.VALUES_PART), "corrupt_zip"),
    # Other packages.
    "docx": Case(hf.docx, "foreign_package", params={"kind": MessageRef("kind.docx")}),
    "pptx": Case(hf.pptx, "foreign_package", params={"kind": MessageRef("kind.pptx")}),
    "ods": Case(hf.ods, "foreign_package", params={"kind": MessageRef("kind.ods")}),
    "zip_of_csv": Case(hf.zip_of_csv, "not_a_workbook"),
    "empty_zip": Case(hf.empty_zip, "not_a_workbook"),
    "workbook_part_missing": Case(hf.workbook_part_missing, "not_a_workbook", params={"entry": "xl/workbook.xml"}),
    "office_document_elsewhere": Case(hf.workbook_pointing_elsewhere, "workbook_part_elsewhere"),
    "office_document_decoy": Case(hf.workbook_with_a_decoy, "workbook_part_elsewhere"),
    # Encrypted entries, entry counts, bombs.
    "zipcrypto_all_entries": Case(hf.zipcrypto_workbook, "zip_encrypted_entry"),
    "zipcrypto_one_entry": Case(
        lambda: hf.zipcrypto_workbook(only="xl/styles.xml"), "zip_encrypted_entry", params={"entry": "xl/styles.xml"}
    ),
    "too_many_entries_default": Case(
        lambda: hf.many_entries_workbook(2000), "too_many_entries", params={"limit": 2000}
    ),
    "too_many_entries_small_limit": Case(
        hf.bundled_bytes, "too_many_entries", limits=PackageLimits(max_entries=10), params={"count": 33, "limit": 10}
    ),
    "zip_bomb_size_600mb": Case(lambda: hf.bomb_workbook(600 << 20), "zip_bomb_size", params={"limit_mb": "500"}),
    "zip_bomb_size_small_limit": Case(
        hf.bundled_bytes, "zip_bomb_size", limits=PackageLimits(max_total_uncompressed=100_000)
    ),
    "zip_bomb_ratio_media": Case(
        lambda: hf.bomb_workbook(2 << 20), "zip_bomb_ratio", params={"entry": "xl/media/image1.png", "limit": 250}
    ),
    "zip_bomb_ratio_sheet": Case(hf.bomb_in_sheet, "zip_bomb_ratio", params={"entry": hf.VALUES_PART}),
    # Headers that lie.
    "size_declared_larger": Case(lambda: hf.lying_size(1000), "zip_size_mismatch", params={"entry": hf.VALUES_PART}),
    "size_declared_smaller": Case(lambda: hf.lying_size(-100), "zip_size_mismatch", params={"entry": hf.VALUES_PART}),
    "size_larger_central_only": Case(
        lambda: hf.lying_size(1000, local=False), "zip_size_mismatch", params={"entry": hf.VALUES_PART}
    ),
    "crc_wrong": Case(hf.lying_crc, "zip_size_mismatch", params={"entry": hf.VALUES_PART}),
    "compressed_size_short": Case(
        lambda: hf.lying_compressed_size(-200), "zip_size_mismatch", params={"entry": hf.VALUES_PART}
    ),
    # XML with a DTD, or not well-formed.
    "billion_laughs_shared_strings": Case(hf.shared_strings_bomb, "xml_dtd", params={"entry": "xl/sharedStrings.xml"}),
    "billion_laughs_sheet": Case(hf.sheet_laughs, "xml_dtd", params={"entry": hf.VALUES_PART}),
    # A name ending in .bin proves nothing (seen by the attacker review: such parts skipped the DTD check).
    "billion_laughs_in_a_part_named_bin": Case(
        lambda: hf.rewrite_bundled({"xl/sharedStrings.bin": hf.billion_laughs("sst", "<sst>&lol9;</sst>")}),
        "xml_dtd",
        params={"entry": "xl/sharedStrings.bin"},
    ),
    # ... however much white space comes first (seen by the attacker review: 4096 bytes hid it).
    "billion_laughs_in_a_bin_after_8kb_of_blank": Case(
        lambda: hf.laughs_after_blank(8192), "xml_dtd", params={"entry": "xl/sharedStrings.bin"}
    ),
    "billion_laughs_in_a_bin_after_3mb_of_blank": Case(
        lambda: hf.laughs_after_blank(3 << 20), "xml_dtd", params={"entry": "xl/sharedStrings.bin"}
    ),
    "billion_laughs_in_a_bin_utf16_after_blank": Case(
        lambda: hf.laughs_after_blank(8192, encoding="utf-16-le"), "xml_dtd", params={"entry": "xl/sharedStrings.bin"}
    ),
    "billion_laughs_utf16_without_bom_after_blank": Case(
        lambda: hf.laughs_after_blank(8192, "xl/sharedStrings.xml", "utf-16-le"),
        "xml_dtd",
        params={"entry": "xl/sharedStrings.xml"},
    ),
    "quadratic_blowup_sheet": Case(hf.quadratic_blowup, "xml_dtd", params={"entry": hf.VALUES_PART}),
    "xxe_workbook": Case(
        lambda: hf.with_doctype("xl/workbook.xml", hf.XXE_DOCTYPE), "xml_dtd", params={"entry": "xl/workbook.xml"}
    ),
    "doctype_root_rels": Case(
        lambda: hf.with_doctype("_rels/.rels", hf.PLAIN_DOCTYPE), "xml_dtd", params={"entry": "_rels/.rels"}
    ),
    "doctype_content_types": Case(
        lambda: hf.with_doctype("[Content_Types].xml", hf.PLAIN_DOCTYPE),
        "xml_dtd",
        params={"entry": "[Content_Types].xml"},
    ),
    "doctype_vml": Case(
        lambda: hf.with_doctype("xl/drawings/commentsDrawing1.vml", hf.PLAIN_DOCTYPE),
        "xml_dtd",
        params={"entry": "xl/drawings/commentsDrawing1.vml"},
    ),
    "doctype_core_properties": Case(
        lambda: hf.with_doctype("docProps/core.xml", hf.PLAIN_DOCTYPE), "xml_dtd", params={"entry": "docProps/core.xml"}
    ),
    "malformed_workbook": Case(
        lambda: hf.malformed_part("xl/workbook.xml", 300), "xml_malformed", params={"entry": "xl/workbook.xml"}
    ),
    "malformed_root_rels": Case(
        lambda: hf.malformed_part("_rels/.rels", 100), "xml_malformed", params={"entry": "_rels/.rels"}
    ),
    "malformed_workbook_rels": Case(
        lambda: hf.malformed_part("xl/_rels/workbook.xml.rels", 200),
        "xml_malformed",
        params={"entry": "xl/_rels/workbook.xml.rels"},
    ),
    "undefined_entity_workbook": Case(
        hf.undefined_entity_workbook, "xml_malformed", params={"entry": "xl/workbook.xml"}
    ),
    # Absurd sheet dimensions.
    "dimension_whole_grid": Case(
        lambda: hf.huge_dimension("A1:XFD1048576"),
        "sheet_too_large",
        sheet=hf.PLAN_SHEET,
        params={"ref": "A1:XFD1048576", "rows": 1048576, "cols": 16384},
    ),
    "dimension_rows": Case(
        lambda: hf.huge_dimension("A1:S1048576"),
        "sheet_too_large",
        sheet=hf.PLAN_SHEET,
        params={"rows": 1048576, "cols": 19},
    ),
    "dimension_columns": Case(
        lambda: hf.huge_dimension("A1:XFD19"),
        "sheet_too_large",
        sheet=hf.PLAN_SHEET,
        params={"rows": 19, "cols": 16384},
    ),
    "dimension_absolute": Case(lambda: hf.huge_dimension("$A$1:$XFD$1048576"), "sheet_too_large", sheet=hf.PLAN_SHEET),
    "dimension_prefixed": Case(
        lambda: hf.huge_dimension("A1:XFD1048576", prefix="x"), "sheet_too_large", sheet=hf.PLAN_SHEET
    ),
    "dimension_small_limit": Case(
        hf.bundled_bytes,
        "sheet_too_large",
        limits=PackageLimits(max_sheet_rows=10),
        sheet="Info",
        params={"max_rows": 10},
    ),
    # The rectangle the reader holds, whatever spells the references (seen by the attacker review).
    **{
        f"area_in_every_sheet_{name}": Case(
            lambda cell=cell: hf.area_in_every_sheet(cell),
            "workbook_area_too_large",
            params={"max_cells": 8_000_000},
        )
        for name, cell in hf.AREA_CELL_SPELLINGS.items()
    },
    "area_row_spelled_with_spaces": Case(
        lambda: hf.area_in_every_sheet(hf.AREA_CELL_SPELLINGS["double_quotes"], b'<row r = "20000" >'),
        "workbook_area_too_large",
    ),
    "reference_with_char_ref": Case(
        lambda: hf.far_cell_workbook(cell=b'<c r="&#71;R20000" t="n"><v>1</v></c>', own_row=False),
        "cell_reference_unreadable",
        sheet=hf.VALUES_SHEET,
        params={"ref": "&#71;R20000"},
    ),
    "reference_with_dollars": Case(
        lambda: hf.far_cell_workbook(cell=b'<c r="$GR$20000" t="n"><v>1</v></c>', own_row=False),
        "cell_reference_unreadable",
        sheet=hf.VALUES_SHEET,
        params={"ref": "$GR$20000"},
    ),
    # Text parts the reader holds whole (seen by the attacker review: a 393 MB sharedStrings.xml was accepted).
    "shared_strings_80mb": Case(
        hf.huge_shared_strings,
        "shared_strings_too_large",
        params={"entry": "xl/sharedStrings.xml", "limit_mb": "64", "max_count": 1_000_000},
    ),
    "shared_strings_1_100_000_items": Case(
        hf.many_shared_strings,
        "shared_strings_too_large",
        params={"entry": "xl/sharedStrings.xml", "count": 1_100_000, "max_count": 1_000_000},
    ),
    "shared_strings_small_limit": Case(
        lambda: hf.many_shared_strings(1000),
        "shared_strings_too_large",
        limits=PackageLimits(max_shared_strings=999),
        params={"count": 1000},
    ),
    "styles_80mb": Case(hf.huge_styles, "part_too_large", params={"entry": "xl/styles.xml", "limit_mb": "64"}),
    # Merged ranges: counted in the scan, and the cells they fill within the grid.
    "merged_ranges_10_001": Case(
        lambda: hf.merged_ranges(10_001, "B2"),
        "merged_ranges_too_many",
        sheet=hf.VALUES_SHEET,
        params={"count": 10_002, "max_ranges": 10_000},  # with the sheet's own A1:D1
    ),
    # Each A1:D30 fills 120 cells (over 200 at the second; the sheet's own A1:D1 comes after them and is counted
    # in the 4 ranges); 'Rencana Aksi' fills fewer than 200.
    "merged_cells_small_limit": Case(
        lambda: hf.merged_ranges(3, "D30", first_rows=1),
        "merged_cells_too_many",
        limits=PackageLimits(max_merged_cells=200),
        sheet=hf.VALUES_SHEET,
        params={"count": 4, "cells": 240, "max_cells": 200},
    ),
    # Warnings: the workbook still loads.
    "xlsm": Case(hf.xlsm, "macros_ignored", "warning", unreadable=False),
    "vba_project_only": Case(lambda: hf.xlsm(macro_content_type=False), "macros_ignored", "warning", unreadable=False),
    "macro_content_type_only": Case(lambda: hf.xlsm(with_vba=False), "macros_ignored", "warning", unreadable=False),
    "formula_without_value": Case(
        hf.formula_without_value,
        "formula_without_value",
        "warning",
        unreadable=False,
        sheet=hf.VALUES_SHEET,
        cell=hf.FORMULA_CELL,
        params={"count": 1, "cells": "C9"},
    ),
}


@functools.cache
def case_bytes(name: str) -> bytes:
    """The file of case `name`, made once per test process (some take a second to make; bytes are immutable)."""
    return CASES[name].make()


def load(data: bytes, limits: PackageLimits = DEFAULT_LIMITS) -> LoadResult:
    """Load `data` and check the input was not changed and the digest is the input's."""
    before = bytes(data)
    result = load_workbook(data, limits=limits)
    assert data == before
    assert result.sha256 == hashlib.sha256(before).hexdigest()
    return result


class FileWrites:
    """What the process does to files while `watching()`: opened for writing, created, moved, removed or
    re-dated (Python's audit events, so the loader's own threads are seen too). Python's own bytecode cache
    (`__pycache__`, written on a module's first import) is not the loader's doing and is left out."""

    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    EVENTS = frozenset(
        {
            "os.remove",
            "os.rename",
            "os.mkdir",
            "os.rmdir",
            "os.truncate",
            "os.link",
            "os.symlink",
            "os.chmod",
            "os.utime",
            "shutil.copyfile",
            "shutil.move",
            "shutil.rmtree",
            "tempfile.mkstemp",
            "tempfile.mkdtemp",
        }
    )

    def __init__(self) -> None:
        self._seen: list[str] | None = None
        sys.addaudithook(self._hook)  # audit hooks cannot be removed: this one is idle outside watching()

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        seen = self._seen
        if seen is None or "__pycache__" in str(args[0] if args else ""):
            return
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags or 0) & self.WRITE_FLAGS:
                seen.append(f"open {path!r} {mode or flags}")
        elif event in self.EVENTS:
            seen.append(f"{event} {args[0]!r}")

    @contextmanager
    def watching(self) -> Iterator[list[str]]:
        # The chart renderer of an earlier test in this worker closes its idle browser on a timer, removing the
        # browser's profile folder from its own threads (seen: 82 removals counted against a hostile workbook in a
        # CI run): closed now, before watching, it writes nothing while the loader runs.
        from rbdash.exports import images

        images.renderer().close()
        # A closed browser's temporary profile is removed again by its TemporaryDirectory finalizer when the
        # garbage collector reaches it, which may be mid-load (seen in CI: an rmtree and a chmod of /tmp/tmp...):
        # collected now, and no collection while watching, so only the loader's own writes are counted.
        gc.collect()
        gc.disable()
        self._seen = []
        try:
            yield self._seen
        finally:
            self._seen = None
            gc.enable()


FILE_WRITES = FileWrites()


def describe(result: LoadResult) -> list[str]:
    """Every problem rendered in English, for assertion messages."""
    return [p.render("en") for p in result.problems]


def problem(result: LoadResult, code: str, severity: str) -> Problem:
    """The first problem with `code`; fails, showing all problems, when there is none or its severity differs."""
    matches = [p for p in result.problems if p.code == code]
    assert matches, f"no {code!r} among {describe(result)}"
    assert matches[0].severity == severity, describe(result)
    return matches[0]


def assert_bilingual(item: Problem) -> None:
    """Message and fix are non-empty in Indonesian and English, and the two languages differ."""
    for render in (item.message, item.fix):
        indonesian, english = render("id"), render("en")
        assert indonesian.strip() and english.strip()
        assert indonesian != english
        assert "{" not in indonesian and "{" not in english  # every placeholder filled


def assert_matches_case(result: LoadResult, case: Case) -> Problem:
    """The problem of `case` is there, with its severity, parameters, sheet and cell; the model is as expected."""
    found = problem(result, case.code, case.severity)
    for name, value in case.params.items():
        assert found.params.get(name) == value, (name, found.params)
    if case.sheet is not None:  # named in the location or in the message (the location field is tested apart)
        assert found.sheet == case.sheet or (case.sheet in found.message("en") and case.sheet in found.message("id"))
    if case.cell is not None:
        assert found.cell == case.cell
        assert case.cell in found.message("en") and case.cell in found.message("id")
    if case.unreadable:
        assert result.plan is None
        assert result.unreadable and not result.is_valid
        assert found in result.errors
    else:
        assert result.plan is not None and not result.unreadable
        assert not result.errors, describe(result)
        assert found in result.warnings
    for item in result.problems:
        assert_bilingual(item)
    return found


def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of `folder` (recursively) with its bytes and modification time in nanoseconds."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


def model_dump(result: LoadResult) -> str:
    """All the model's text: info and every frame as CSV."""
    assert result.plan is not None
    parts = [repr(result.plan.info)]
    parts += [getattr(result.plan, name).to_csv() for name in FRAMES]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def bundled_result() -> LoadResult:
    """The bundled workbook, loaded."""
    return load_workbook(hf.bundled_bytes())


def assert_same_model(result: LoadResult, reference: LoadResult) -> None:
    """`result` holds the same info and frames as `reference`."""
    assert result.plan is not None and reference.plan is not None
    assert result.plan.info == reference.plan.info
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(result.plan, name), getattr(reference.plan, name))


# ----------------------------------------------------------------------------------------------
# The case table, from bytes and from a path


def test_bundled_workbook_loads_clean(bundled_result: LoadResult) -> None:
    assert bundled_result.plan is not None
    assert bundled_result.problems == []


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_bytes_are_reported(name: str) -> None:
    case = CASES[name]
    with FILE_WRITES.watching() as writes:
        result = load(case_bytes(name), case.limits)
    assert writes == []
    assert_matches_case(result, case)
    assert result.source_name == "upload"


def test_the_write_watch_sees_the_loader_s_threads_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch above can fail: a write from the reader's thread pool is seen."""
    import rbdash.workbook.grids as grids

    real = grids._read_grid

    def writing(reader, part, limits):
        (tmp_path / f"{part.name}.tmp").write_bytes(b"")
        return real(reader, part, limits)

    monkeypatch.setattr(grids, "_read_grid", writing)
    with FILE_WRITES.watching() as writes:
        load(case_bytes("formula_without_value"))
    assert any(str(tmp_path) in line for line in writes)


def test_the_write_watch_leaves_out_earlier_garbage() -> None:
    """A temporary folder an earlier test left to the garbage collector is not counted against the loader
    (seen in CI: a closed browser's profile removed by its finalizer while a hostile workbook loaded)."""

    class Cycle:
        def __init__(self) -> None:
            self.me = self
            self.folder = tempfile.TemporaryDirectory()

    Cycle()  # unreachable at once, freed only by a collection
    with FILE_WRITES.watching() as writes:
        kept = [[index] for index in range(100_000)]  # enough new containers to start a collection
        load(case_bytes("formula_without_value"))
    assert len(kept) == 100_000
    assert writes == []


# From a path: the same reader once the bytes are read (loader._read_source), so one case of each stage:
# the bounded file read, the container, the package limits, the XML scan, the sheet reader, macros.
ON_DISK_CASES = [
    "empty_file",
    "file_too_large",
    "not_a_zip_pdf",
    "truncated_half",
    "legacy_xls",
    "encrypted_workbook",
    "zip_bomb_size_600mb",
    "billion_laughs_sheet",
    "xxe_workbook",
    "dimension_whole_grid",
    "shared_strings_small_limit",
    "merged_cells_small_limit",
    "xlsm",
    "formula_without_value",
]


@pytest.mark.parametrize("name", ON_DISK_CASES)
def test_hostile_file_on_disk_is_left_untouched(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    folder = tmp_path / "uploads"
    folder.mkdir()
    path = folder / "rencana_aksi.xlsx"
    path.write_bytes(case_bytes(name))
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = folder_state(folder)

    result = load_workbook(path, limits=case.limits)

    assert folder_state(folder) == before
    assert sorted(os.listdir(tmp_path)) == ["uploads"]
    assert result.source_name == path.name
    assert_matches_case(result, case)


def test_a_path_given_as_text_reads_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "rencana_aksi.xlsx"
    path.write_bytes(case_bytes("formula_without_value"))
    by_path = load_workbook(path, limits=CASES["formula_without_value"].limits)
    by_text = load_workbook(str(path), limits=CASES["formula_without_value"].limits)
    assert by_text.problems == by_path.problems and by_path.problems
    assert by_text.source_name == by_path.source_name == path.name


@pytest.mark.parametrize("name", ["legacy_xls", "zip_bomb_ratio_media", "xxe_workbook", "formula_without_value"])
@pytest.mark.parametrize("wrap", [bytearray, memoryview])
def test_mutable_buffer_input_is_not_changed(name: str, wrap: Callable[[bytes], Any]) -> None:
    case = CASES[name]
    data = case_bytes(name)
    buffer = bytearray(data)
    source = buffer if wrap is bytearray else memoryview(buffer)
    result = load_workbook(source, limits=case.limits)
    assert bytes(buffer) == data
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert_matches_case(result, case)


@pytest.mark.parametrize("name", ["dimension_whole_grid", "dimension_small_limit", "formula_without_value"])
def test_problem_location_is_the_sheet(name: str) -> None:
    """A problem about one sheet carries that sheet in its `sheet` field, so it is reported at the sheet, not as
    '(whole file)'."""
    case = CASES[name]
    found = problem(load(case_bytes(name), case.limits), case.code, case.severity)
    assert found.sheet == case.sheet, f"problem.sheet is {found.sheet!r}: {found.render('en')}"
    assert found.location("en").startswith(case.sheet)
    assert found.as_dict("en")["sheet"] == case.sheet


# ----------------------------------------------------------------------------------------------
# What the files are, and what kind is named


@pytest.mark.parametrize("name", list(hf.NOT_A_ZIP))
def test_not_a_zip_names_the_kind(name: str) -> None:
    data, kind = hf.NOT_A_ZIP[name]
    result = load(data)
    found = problem(result, "not_a_zip", "error")
    assert result.plan is None
    assert found.params["kind"] == MessageRef(kind)
    assert t(kind, "en") in found.message("en")
    assert t(kind, "id") in found.message("id")
    assert_bilingual(found)


def test_utf8_csv_cut_mid_character_is_still_text() -> None:
    """The kind guess looks at the first 2048 bytes; a valid UTF-8 CSV must not become 'unknown' because a
    two-byte character straddles that boundary."""
    data = hf.csv_split_utf8_at(2048)
    data.decode("utf-8")  # the whole file is valid UTF-8 text
    found = problem(load(data), "not_a_zip", "error")
    assert found.params["kind"] == MessageRef("kind.text"), found.message("en")


def test_utf16_text_is_refused_without_crash() -> None:
    """Excel's 'Unicode Text' export (UTF-16 with BOM) is not a package."""
    data = ("\ufeff" + hf.CSV_TEXT).encode("utf-16-le")
    result = load(data)
    found = problem(result, "not_a_zip", "error")
    assert result.plan is None
    assert_bilingual(found)


def test_legacy_xls_fixture_is_a_real_compound_file() -> None:
    data = hf.legacy_xls()
    assert olefile.isOleFile(io.BytesIO(data))
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        assert ole.exists("Workbook")
        assert ole.openstream("Workbook").read(2) == b"\x09\x08"  # BIFF8 BOF record


def test_encrypted_fixture_decrypts_to_the_bundled_workbook() -> None:
    data = hf.encrypted_workbook("rahasia")
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    assert office.is_encrypted()
    office.load_key(password="rahasia")
    out = io.BytesIO()
    office.decrypt(out)
    assert out.getvalue() == hf.bundled_bytes()
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        assert ole.exists("EncryptedPackage")


def test_zipcrypto_fixture_decrypts_with_its_password() -> None:
    with zipfile.ZipFile(io.BytesIO(hf.zipcrypto_workbook(b"rahasia"))) as archive:
        assert all(info.flag_bits & 0x1 for info in archive.infolist())
        assert {
            info.filename: archive.read(info, pwd=b"rahasia") for info in archive.infolist()
        } == hf.bundled_entries()


# ----------------------------------------------------------------------------------------------
# Bombs stay small on disk; header patches touch only the documented bytes


@pytest.mark.parametrize(
    ("make", "declared_at_least"),
    [
        (lambda: hf.bomb_workbook(600 << 20), 600 << 20),
        (lambda: hf.bomb_workbook(2 << 20), 2 << 20),
        (hf.bomb_in_sheet, 4 << 20),
    ],
)
def test_bomb_fixtures_are_small_but_inflate(make: Callable[[], bytes], declared_at_least: int) -> None:
    data = make()
    assert len(data) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert max(info.file_size for info in archive.infolist()) >= declared_at_least
        assert archive.testzip() is None  # honest headers: sizes and CRC-32 match the inflated data


def test_bomb_in_sheet_is_well_formed_xml() -> None:
    with zipfile.ZipFile(io.BytesIO(hf.bomb_in_sheet(1 << 20))) as archive:
        content = archive.read(hf.VALUES_PART)
    assert content.rstrip().endswith(b"</worksheet>")
    assert b"<sheetData>" in content


def test_patch_entry_changes_only_the_documented_fields() -> None:
    original = hf.build_zip(hf.bundled_entries())
    patched = hf.patch_entry(original, hf.VALUES_PART, file_size=0x01020304)
    offsets = hf.header_offsets(original, hf.VALUES_PART)
    changed = [i for i, (a, b) in enumerate(zip(original, patched, strict=True)) if a != b]
    assert changed
    assert set(changed) <= set(range(offsets.local + 22, offsets.local + 26)) | set(
        range(offsets.central + 24, offsets.central + 28)
    )
    assert patched[offsets.local + 22 : offsets.local + 26] == bytes([4, 3, 2, 1])
    assert patched[offsets.central + 24 : offsets.central + 28] == bytes([4, 3, 2, 1])
    assert hf.entry_info(patched, hf.VALUES_PART).file_size == 0x01020304


def test_hidden_tail_fixture_hides_data_after_the_declared_end() -> None:
    data = hf.hidden_tail(1 << 20)
    info = hf.entry_info(data, hf.VALUES_PART)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(hf.VALUES_PART) == hf.bundled_entries()[hf.VALUES_PART]  # the header is self-consistent
    start = info.header_offset + 30 + len(info.filename.encode())
    inflated = zlib.decompressobj(-15).decompress(data[start : start + info.compress_size])
    assert len(inflated) > info.file_size + (1 << 20)
    assert hf.HIDDEN_MARKER.encode() in inflated[info.file_size :]


@pytest.mark.parametrize(
    "make",
    [
        lambda: hf.lying_size(1000, central=False),  # only the local header lies; readers use the central directory
        lambda: hf.lying_compressed_size(200),  # the deflate stream ends before the declared compressed size
        hf.hidden_tail,  # size and CRC agree with each other but the stream hides a second document after them
    ],
    ids=["size_local_only", "compressed_size_long", "hidden_tail"],
)
def test_inconsistent_headers_never_let_hidden_data_in(make: Callable[[], bytes], bundled_result: LoadResult) -> None:
    """Either the entry is refused as a size mismatch, or exactly the declared content is read."""
    result = load(make())
    if any(p.code == "zip_size_mismatch" for p in result.problems):
        assert result.plan is None
        return
    assert result.problems == [], describe(result)
    assert_same_model(result, bundled_result)
    assert hf.HIDDEN_MARKER not in model_dump(result)


# ----------------------------------------------------------------------------------------------
# Pre-check gaps


def test_dtd_in_utf16_part_is_refused_as_dtd() -> None:
    """OPC allows UTF-16 parts; a billion-laughs DTD written in UTF-16 is still a DTD."""
    data = hf.shared_strings_bomb("utf-16")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<!DOCTYPE" in archive.read("xl/sharedStrings.xml").decode("utf-16")
    result = load(data)
    assert result.plan is None
    found = problem(result, "xml_dtd", "error")
    assert found.params.get("entry") == "xl/sharedStrings.xml"


def test_dimension_after_a_long_comment_is_still_checked() -> None:
    """A comment before <sheetPr> is legal XML; it must not hide the declared dimension from the check."""
    result = load(hf.huge_dimension_after_padding(5000))
    found = problem(result, "sheet_too_large", "error")
    assert result.plan is None
    assert found.params.get("ref") == "A1:XFD1048576"


def test_sheet_part_without_xml_extension_is_not_read_unchecked() -> None:
    """A worksheet stored as 'sheet5.dat' (rels and content types follow) with an absurd dimension: loading does
    not crash, the sheet is named in a problem, and none of its values reach the model."""
    result = load(hf.sheet_part_renamed(".dat"))
    assert any(hf.VALUES_SHEET in p.message("en") for p in result.problems), describe(result)
    if result.plan is not None:
        assert result.plan.indicator_values.empty


# ----------------------------------------------------------------------------------------------
# Files that still load


def test_macros_are_ignored_and_values_load(bundled_result: LoadResult) -> None:
    data = hf.xlsm()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert hf.MACRO_MARKER.encode() in archive.read("xl/vbaProject.bin")
        assert hf.MACRO_WORKBOOK_TYPE in archive.read("[Content_Types].xml")
    result = load(data)
    found = problem(result, "macros_ignored", "warning")
    assert_bilingual(found)
    assert [p.code for p in result.problems] == ["macros_ignored"]
    assert_same_model(result, bundled_result)
    text = model_dump(result) + "".join(p.render(lang) for p in result.problems for lang in ("id", "en"))
    for needle in (hf.MACRO_MARKER, "vbaProject", "Workbook_Open", "Shell"):
        assert needle not in text
    assert not any(isinstance(v, bytes) for v in result.plan.info.values())


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="C9"><f>SUM(A1:A2)</f></c>',
        b'<c r="C9"><f>SUM(A1:A2)</f><v></v></c>',
        b'<c r="C9" t="str"><f>SUM(A1:A2)</f><v> </v></c>',
        b'<c r="C9" s="0"><f t="shared" ref="C9:C9" si="0">B9*30</f></c>',
    ],
    ids=["no_v", "empty_v", "blank_string_v", "shared_formula"],
)
def test_formula_without_value_is_empty_not_zero(cell: bytes, bundled_result: LoadResult) -> None:
    result = load(hf.formula_without_value(cell))
    found = problem(result, "formula_without_value", "warning")
    assert (found.sheet, found.cell) == (hf.VALUES_SHEET, hf.FORMULA_CELL)
    assert found.params["count"] == 1
    assert "C9" in found.message("id") and "C9" in found.message("en")
    assert_bilingual(found)
    assert result.plan is not None
    values = result.plan.indicator_values
    reference = bundled_result.plan.indicator_values
    row = values[values["excel_row"] == 9]
    assert len(row) == 1, values
    value = row["value"].iloc[0]
    assert pd.isna(value), f"C9 read as {value!r}, expected empty"
    others = values[values["excel_row"] != 9].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, reference[reference["excel_row"] != 9].reset_index(drop=True))


def test_many_formulas_without_value_are_counted_and_listed() -> None:
    result = load(hf.many_formulas_without_value(25))
    found = problem(result, "formula_without_value", "warning")
    assert (found.sheet, found.cell) == (hf.VALUES_SHEET, "C4")
    assert found.params["count"] == 25
    listed = found.params["cells"]
    assert listed.startswith("C4, C5") and listed.endswith(" ...")
    assert listed.count(",") == DEFAULT_LIMITS.max_listed_cells - 1
    assert "25" in found.message("en") and "25" in found.message("id")
    assert result.plan is not None
    values = result.plan.indicator_values
    assert not (values[values["excel_row"].between(4, 28)]["value"] == 0).any()


def test_malformed_sheet_xml_is_reported_for_that_sheet() -> None:
    result = load(hf.malformed_part(hf.VALUES_PART, 3000))
    found = [p for p in result.errors if hf.VALUES_SHEET in (p.sheet or "") or hf.VALUES_SHEET in p.message("en")]
    assert found, describe(result)
    assert found[0].code in {"unreadable_sheet", "xml_malformed"}
    assert_bilingual(found[0])


def test_foreign_spreadsheet_is_answered_with_problems() -> None:
    """A valid .xlsx that is not an action plan ('Sheet1' only): the required sheets are reported missing."""
    result = load(hf.foreign_xlsx())
    assert not result.is_valid
    missing = [p for p in result.errors if p.code == "missing_sheet"]
    assert missing, describe(result)
    assert any(hf.PLAN_SHEET in p.message("en") for p in missing)
    for item in result.problems:
        assert_bilingual(item)


# ----------------------------------------------------------------------------------------------
# openpyxl parses through defusedxml


def test_openpyxl_uses_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("make", [hf.sheet_laughs, hf.shared_strings_bomb], ids=["sheet", "shared_strings"])
def test_openpyxl_refuses_entity_expansion(make: Callable[[], bytes]) -> None:
    """openpyxl wraps the parser's error in a ValueError; a defusedxml refusal must be in the chain."""
    with pytest.raises(Exception) as raised:  # openpyxl chooses the wrapper type
        openpyxl.load_workbook(io.BytesIO(make()))
    chain: list[BaseException] = []
    error: BaseException | None = raised.value
    while error is not None and len(chain) < 10:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(item, DefusedXmlException) for item in chain), chain


# ----------------------------------------------------------------------------------------------
# Command line


@pytest.mark.parametrize(
    ("make", "code"), [(hf.legacy_xls, "legacy_xls"), (hf.encrypted_workbook, "encrypted_workbook")]
)
def test_cli_validate_unreadable_file(
    make: Callable[[], bytes], code: str, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    path = tmp_path / "kiriman.xlsx"
    path.write_bytes(make())
    before = folder_state(tmp_path)
    expected = Problem("error", code)

    indonesian = cli("validate", str(path))
    assert indonesian.returncode == 2, indonesian.stderr
    assert expected.message("id") in indonesian.stderr
    assert expected.fix("id") in indonesian.stderr
    assert t("report.unreadable", "id") in indonesian.stderr
    assert expected.message("en") not in indonesian.stdout + indonesian.stderr

    english = cli("validate", str(path), "--lang", "en")
    assert english.returncode == 2, english.stderr
    assert expected.message("en") in english.stderr
    assert expected.fix("en") in english.stderr
    assert t("report.unreadable", "en") in english.stderr
    assert expected.message("id") not in english.stdout + english.stderr
    assert folder_state(tmp_path) == before


# ----------------------------------------------------------------------------------------------
# Findings of the attacker review: answers in time, numbers in the reader's grouping


def test_merged_ranges_to_zzzz_are_clipped_to_the_grid_and_answer_quickly() -> None:
    """merge_slow_125_ZZZZ: 125 ranges each from a cell of the table to ZZZZ1000000 took 48 s to fill; clipped to
    the grid (4 columns x 30 rows) they fill at most 120 cells each, in well under a second."""
    data = hf.merged_ranges(125)
    started = time.monotonic()
    result = load(data)
    seconds = time.monotonic() - started
    assert seconds < 5, f"{seconds:.1f} s"
    assert result.plan is not None, describe(result)  # the whole table is merged over: no header, but an answer
    assert all(p.code != "merged_cells_too_many" for p in result.problems), describe(result)


def test_limits_in_messages_are_grouped_in_each_language() -> None:
    found = problem(load(hf.many_shared_strings()), "shared_strings_too_large", "error")
    assert "1.100.000" in found.message("id") and "1.000.000" in found.message("id")
    assert "1,100,000" in found.message("en") and "1,000,000" in found.message("en")


@pytest.mark.parametrize(
    "make",
    [
        lambda: hf.xlsm_renamed("xl/code.bin"),
        lambda: hf.xlsm_renamed("xl/media/modul.png"),
        lambda: hf.xlsm_renamed("xl/code.bin", annotated=True),
        lambda: hf.xlsm(),
    ],
    ids=["renamed", "renamed_as_image", "renamed_with_xml_lang_and_foreign_attributes", "vbaProject_bin"],
)
def test_stripped_macro_workbook_keeps_no_macro_and_opens(
    make: Callable[[], bytes], bundled_result: LoadResult
) -> None:
    """The parts are dropped by what the package says they are (relationship type and target, content type), not
    by name; the rewritten content types and relationships keep namespaced attributes valid."""
    data = make()
    assert [p.code for p in load(data).problems] == ["macros_ignored"]
    stripped = strip_macros(data)
    with zipfile.ZipFile(io.BytesIO(stripped)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    for name, content in entries.items():
        assert hf.MACRO_MARKER.encode() not in content, name
        assert b"{http" not in content and b"{urn" not in content, name
        assert b"vbaProject" not in content and b"macroEnabled" not in content, name
    assert not any(name.startswith("xl/_rels/code") or name == "xl/sig.dat" for name in entries)
    result = load(stripped)
    assert result.problems == [], describe(result)
    assert_same_model(result, bundled_result)
    openpyxl.load_workbook(io.BytesIO(stripped))  # Excel's own reader accepts it too


def test_stripping_keeps_xml_lang_and_foreign_attributes_with_their_prefixes() -> None:
    """Kept entries carry `xml:lang` and a foreign attribute: written back with prefixes, read back the same."""
    data = hf.xlsm_renamed()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[hf.WORKBOOK_RELS] = entries[hf.WORKBOOK_RELS].replace(
        b'Target="styles.xml"', b'Target="styles.xml" xml:lang="id" xmlns:x="urn:rbdash:test" x:note="catatan"'
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b'PartName="/xl/workbook.xml"', b'PartName="/xl/workbook.xml" xml:lang="id"'
    )
    with zipfile.ZipFile(io.BytesIO(strip_macros(hf.build_zip(entries)))) as archive:
        rels, types = archive.read(hf.WORKBOOK_RELS), archive.read("[Content_Types].xml")
    assert b'xml:lang="id"' in rels and b'xml:lang="id"' in types
    assert b'="urn:rbdash:test"' in rels and b':note="catatan"' in rels
    root = SafeET.fromstring(rels)
    styles = next(r for r in root if r.get("Target") == "styles.xml")
    assert styles.get("{http://www.w3.org/XML/1998/namespace}lang") == "id"
    assert styles.get("{urn:rbdash:test}note") == "catatan"
