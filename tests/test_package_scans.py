"""The byte-level scans of the package inspector and the Arrow column helpers, case by case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rbdash.workbook import columns
from rbdash.workbook.archive import guess_kind
from rbdash.workbook.limits import PackageLimits, PackageProblem, size_in_mb
from rbdash.workbook.parse import parse_month, parse_number
from rbdash.workbook.references import references
from rbdash.workbook.xmlscan import has_dtd, has_formulas, scan_sheet

BOMS = {"utf-8": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


@pytest.mark.parametrize("encoding", list(BOMS))
@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', True),
        ('<!ENTITY a "b"><x/>', True),
        ("<x>Hati-hati! <!-- komentar --> selesai</x>", False),
        ("<x><![CDATA[ <b>!</b> ]]></x>", False),
        ("<x>tanpa deklarasi</x>", False),
    ],
)
def test_dtd_scan_in_every_encoding(encoding: str, xml: str, expected: bool) -> None:
    assert has_dtd(BOMS[encoding] + xml.encode(encoding)) is expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("blank", [" ", " \r\n\t" * 2000])
def test_dtd_scan_after_white_space_without_bom(encoding: str, blank: str) -> None:
    """White space may come before a DOCTYPE (no XML declaration): the encoding is told after it."""
    assert has_dtd((blank + '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>').encode(encoding))
    assert not has_dtd((blank + "<x>tanpa deklarasi!</x>").encode(encoding))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b'<worksheet><sheetData><row><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>', True),
        (b'<worksheet><sheetData><row><c r="A1"><f t="shared" si="0"/></c></row></sheetData></worksheet>', True),
        (b'<x:worksheet><x:sheetData><x:row><x:c r="A1"><x:f>1</x:f></x:c></x:row></x:sheetData></x:worksheet>', True),
        (
            b"<worksheet><sheetData/><dataValidations><dataValidation><formula1>1</formula1></dataValidation>"
            b"</dataValidations></worksheet>",
            False,
        ),
        (
            b'<worksheet><sheetData><row><c r="A1" t="inlineStr"><is><t>&lt;f&gt;</t></is></c></row></sheetData>'
            b"</worksheet>",
            False,
        ),
    ],
)
def test_formula_scan(xml: bytes, expected: bool) -> None:
    assert has_formulas(xml) is expected


def test_sizes_in_messages_never_round_to_zero() -> None:
    assert size_in_mb(50 * 1048576) == "50" and size_in_mb(1048576 + 524288) == "1.5" and size_in_mb(100_000) == "0.1"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7", "kind.pdf"),
        (b"<html><body>", "kind.html"),
        (b"NO;PROGRAM\n1;x", "kind.text"),
        ("NAMA\tNILAI\n".encode("utf-16"), "kind.text"),
        (b"\x89PNG\r\n", "kind.image"),
        (bytes(range(256)), "kind.unknown"),
        ("é".encode() * 1024 + b"\xc3", "kind.text"),
    ],
)
def test_guess_kind(data: bytes, kind: str) -> None:
    assert guess_kind(data) == kind


def test_clean_strips_every_kind_of_space_at_the_ends_only() -> None:
    cleaned = columns.clean(pd.Series(["\u00a0 RA-01\u200b ", "  ", None, "a\u00a0b"], dtype="str", index=[5, 6, 7, 8]))
    assert cleaned.tolist()[0] == "RA-01" and cleaned.tolist()[3] == "a\u00a0b"
    assert cleaned.isna().tolist() == [False, True, True, False]
    assert cleaned.index.tolist() == [5, 6, 7, 8]


def test_numbers_fast_path_and_fallback() -> None:
    values, failed = columns.numbers(
        pd.Series(["3", "-2.5", "1e-7", "88,31", "75 %", "x", None, "inf"], dtype="str"), parse_number
    )
    assert values.tolist()[:5] == [3.0, -2.5, 1e-7, 88.31, 75.0]
    assert failed.tolist() == [False, False, False, False, False, True, False, True]


def test_lookup_exact_hits_and_fallback() -> None:
    table = {str(m): m for m in range(1, 13)}
    values, failed = columns.lookup(pd.Series(["1", "12", "Agt", "13", None], dtype="str"), table, parse_month)
    assert values.tolist()[:3] == [1, 12, 8] and pd.isna(values.iloc[3]) and pd.isna(values.iloc[4])
    assert failed.tolist() == [False, False, False, True, False]


def test_isin_and_map_distinct() -> None:
    series = pd.Series(["ya", "TIDAK", None, "ya"], dtype="str")
    assert columns.isin(series, {"YA"}, upper_case=True).tolist() == [True, False, False, True]
    calls: list[str] = []
    mapped = columns.map_distinct(series, lambda v: calls.append(v) or v.upper())
    assert mapped.tolist() == ["YA", "TIDAK", None, "YA"] and sorted(calls) == ["TIDAK", "ya"]
    assert isinstance(columns.equals(series, "ya"), np.ndarray)


@pytest.mark.parametrize(
    ("xml", "exact", "row", "col"),
    [
        (b'<c r="A1"/><c r="B20"/>', [], 20, 2),
        (b'<c r="Z9"/><c r="AA1"/>', [14], 9, 26),  # AA (27) is past Z (26); two letters are read exactly
        (b'<c r="A0000001"/><c r="A150000"/>', [3, 20], 0, 0),  # a leading zero, six digits: read exactly
        (b'<row r="7"><c r="c3"/></row>', [], 7, 3),
        (b'<c r="GR99"/><c r="GQ100"/>', [3, 16], 0, 0),
        (b'operator="between"/>', [], 0, 0),  # not a reference (no space before r)
        (b"<c r='ab12'/>", [3], 0, 0),
        (b'<c r = "A5"/><c r= "A6"/><c r\t="A7"/>', [3, 16, 28], 0, 0),  # white space around '=': read exactly
        (b'<c r="A5\'/><c r="&#65;9"/><c r="A123456789"/>', [3, 14, 29], 0, 0),  # quotes, char refs, long rows
        (b"<sheetData/>", [], 0, 0),
    ],
)
def test_references_give_what_to_read_exactly_and_the_largest_plain_row_and_column(
    xml: bytes, exact: list[int], row: int, col: int
) -> None:
    found = references(xml, 2, 6)
    assert found.exact.tolist() == exact
    assert (found.rows, found.cols) == (row, col)


def sheet_extent(body: bytes, prefix: str = "") -> tuple[int, int] | tuple[str, object]:
    """The extent `scan_sheet` finds for `body` inside <sheetData>, or the code and reference of its problem."""
    xml = (
        f"<{prefix}worksheet><{prefix}sheetData>".encode() + body + f"</{prefix}sheetData></{prefix}worksheet>".encode()
    )
    try:
        scan = scan_sheet(iter([xml]), PackageLimits(), "xl/worksheets/sheet1.xml")
    except PackageProblem as problem:
        return problem.code, problem.params.get("ref")
    return scan.far_size if scan.far_size != (0, 0) else scan.extent


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'<row r="20000"><c r="GR20000"/></row>', (20000, 200)),
        # Seen by the attacker review: spellings the parser accepts were not counted (7 x 4,000,000 cells).
        (b'<row r = "20000"><c r = "GR20000"/></row>', (20000, 200)),
        (b"<row r='20000'><c r='GR20000'/></row>", (20000, 200)),
        (b'<row r="1"><c r="A1"/><c r="GR00000000000020000"/></row>', (20000, 200)),
        (b'<row r="1"><c r="A1"/><c r="gr20000"/></row>', (20000, 200)),
        (b'<row\tr\n=\n"20000"/>', (20000, 0)),
        (b'<row r="1"><c r="GR300000"/></row>', (300000, 200)),  # beyond the limits: the far cell
        (b'<row r="00000000000000000000000000004294967316"/>', (4294967316, 0)),  # read exactly, never wrapped
        # Values the scan cannot place are refused, never skipped.
        (b'<row r="1"><c r="&#71;R20000"/></row>', ("cell_reference_unreadable", "&#71;R20000")),
        (b'<row r="1"><c r="$A$1"/></row>', ("cell_reference_unreadable", "$A$1")),
        (b'<row r="1"><c r="A1"/><c r=""/></row>', ("cell_reference_unreadable", "")),
        (b'<row r="1"><c r="A0"/></row>', ("cell_reference_unreadable", "A0")),
        (b'<row r="1"><c ph=" r "/></row>', ("cell_reference_unreadable", 'r "/')),
        # Text is no reference.
        (b'<row r="1"><c r="A1" t="inlineStr"><is><t>x r = "ZZZ9" y</t></is></c></row>', (1, 1)),
        # Rows and cells without `r` are counted: placed one after the one before.
        (b"<row><c/><c/></row><row><c/></row>", (2, 2)),
        (b'<row r="2"><c r="B2"/><c/></row><row/>', (3, 3)),
        (b'<row r="1"><c r="A1"/></row>' + b"<row><c/></row>" * 5, (6, 2)),
    ],
)
def test_sheet_scan_extent_in_every_spelling(body: bytes, expected: tuple[object, object]) -> None:
    assert sheet_extent(body) == expected


def test_sheet_scan_counts_prefixed_elements_without_references() -> None:
    assert sheet_extent(b'<x:row r="3"><x:c/><x:c/></x:row><x:row/>', "x:") == (4, 2)
