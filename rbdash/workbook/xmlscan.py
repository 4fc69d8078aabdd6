"""Streamed scans of package parts: bounded decompression (`entry_chunks`), buffers cut at tag ends, the DTD
check, the declared dimension, merged ranges, formulas without values, and one pass over a worksheet
(`scan_sheet`) that finds its real extent whatever `<dimension>` says."""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from rbdash.problems import column_index, column_letter
from rbdash.workbook.limits import (
    CHUNK_BYTES,
    MAX_STRUCTURE_BYTES,
    MAX_TAG_BYTES,
    PackageLimits,
    PackageProblem,
    size_in_mb,
)
from rbdash.workbook.references import (
    ELEMENT_NAME_RE,
    REF_ATTRIBUTE_RE,
    REF_VALUE_RE,
    implicit,
    references,
)

_A1_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]+)"')


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')


_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)


_REF_RE = re.compile(rb'\br="([A-Za-z]+\d+)"')


_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


_VALUE_RE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")


_INLINE_RE = re.compile(rb"<(?:\w+:)?is>")


# Markup declarations ("<!DOCTYPE", "<!ENTITY", also comments and CDATA) start with "<!".
_DECLARATION_START = {enc: "<!".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")}


_DTD_WORDS = ("DOCTYPE", "ENTITY")


# Parts that are never XML (images, embedded binaries, macros): not scanned, not kept.
BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp")


#: White space before the first markup, in UTF-8 or UTF-16 (whose ASCII characters carry a NUL byte).
_LEADING_SPACE = b" \t\r\n\x00"


def starts_like_xml(head: bytes) -> bool:
    """The first bytes of a part look like XML text (in UTF-8 or UTF-16, after a byte-order mark), however much
    white space comes first (`head` is the part's first chunk that is not all white space: see `skip_blank`)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    return head.lstrip(_LEADING_SPACE).startswith(b"<")


def skip_blank(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first chunk that is not all white space (b"" when none), and the chunks after it.

    The blank chunks before it are dropped (never held): a DTD hidden behind megabytes of white space is
    seen all the same. Chunks have an even size, so UTF-16 stays aligned.
    """
    for chunk in chunks:
        if chunk.lstrip(_LEADING_SPACE):
            return chunk, chunks
    return b"", chunks


def dimension_size(ref: str) -> tuple[int, int] | None:
    parts = ref.split(":")
    corners = []
    for part in parts:
        match = _A1_RE.match(part.strip())
        if not match:
            return None
        corners.append((int(match.group(2)), column_index(match.group(1))))
    if len(corners) == 1:
        corners.append(corners[0])
    (r1, c1), (r2, c2) = corners
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


def _xml_encoding(content: bytes) -> str:
    """The encoding of an XML part, from its first bytes (XML 1.0 appendix F), after any white space."""
    if content.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if content.startswith(b"\xfe\xff"):
        return "utf-16-be"
    at = len(content) - len(content.lstrip(_LEADING_SPACE))
    if content[at : at + 1] == b"<":
        if content[at + 1 : at + 2] == b"\x00":
            return "utf-16-le"
        if at and content[at - 1 : at] == b"\x00":
            return "utf-16-be"
    return "utf-8"


def has_dtd(content: bytes, encoding: str | None = None) -> bool:
    """True when the part declares a DTD or entities, in `encoding` (None: whatever it is written in).

    Every markup declaration starts with "<!"; the scan looks for the rare byte "!" (a fast
    memchr, whatever the encoding) and checks what surrounds each hit.
    """
    encoding = encoding or _xml_encoding(content)
    start = _DECLARATION_START[encoding]
    bang = b"!" if encoding == "utf-8" else ("!\x00" if encoding == "utf-16-le" else "\x00!").encode("latin-1")
    before = len(start) - len(bang)
    at = content.find(b"!")
    while at != -1:
        begin = at - (1 if encoding == "utf-16-be" else 0)
        if content[begin - before : begin + len(bang)] == start:
            following = content[begin + len(bang) : begin + len(bang) + 16].decode(encoding, "ignore")
            if following.startswith(_DTD_WORDS):
                return True
        at = content.find(b"!", at + 1)
    return False


def has_formulas(xml: bytes) -> bool:
    """True when a worksheet holds a formula element (<f>, <f .../>, or prefixed <x:f>).

    One scan for "<f" (or "<x:f" when the sheet's elements are prefixed); <formula1> and other
    elements starting with f are told apart by the byte that follows.
    """
    data_at = xml.find(b"sheetData")
    prefix = b""
    if data_at > 0 and xml[data_at - 1 : data_at] == b":":
        prefix_start = xml.rfind(b"<", 0, data_at)
        prefix = xml[prefix_start + 1 : data_at]
    needle = b"<" + prefix + b"f"
    at = xml.find(needle)
    while at != -1:
        if xml[at + len(needle) : at + len(needle) + 1] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            return True
        at = xml.find(needle, at + len(needle))
    return False


def _formula_cells_without_value(xml: bytes, limit: int) -> list[str]:
    """A1 references of cells that carry a formula but no cached value."""
    if not _FORMULA_RE.search(xml):
        return []
    found: list[str] = []
    for match in _CELL_RE.finditer(xml):
        body = match.group(3)
        if not body or not _FORMULA_RE.search(body):
            continue
        if _VALUE_RE.search(body) or _INLINE_RE.search(body):
            continue
        ref = _REF_RE.search(match.group(1))
        found.append(ref.group(1).decode() if ref else "?")
        if len(found) >= limit:
            break
    return found


class TagTooLong(Exception):
    """A part has no '>' in MAX_TAG_BYTES."""


def entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's content, decompressed in chunks of at most CHUNK_BYTES (never the whole entry at once).

    zipfile never returns more than the declared size and checks the CRC at the end; a shorter
    stream is caught here. Every failure is `PackageProblem("zip_size_mismatch")`.
    """
    total = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                total += len(chunk)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise PackageProblem("zip_size_mismatch", entry=info.filename) from exc
    if total != info.file_size:
        raise PackageProblem("zip_size_mismatch", entry=info.filename)


def _as_utf8(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of an XML part as UTF-8: a UTF-16 part (BOM or '<' with a zero byte) is transcoded.

    Chunks of white space before the first markup are dropped; the encoding is told from the first other one.
    """
    first, chunks = skip_blank(chunks)
    encoding = _xml_encoding(first)
    if encoding == "utf-8":
        if first:
            yield first
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    yield decoder.decode(first).lstrip("\ufeff").encode("utf-8")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _buffers(chunks: Iterator[bytes], boundary: bytes = b">") -> Iterator[bytes]:
    """The stream cut just after the last `boundary` of each chunk, so no tag is split between two buffers."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk if carry else chunk
        cut = buffer.rfind(boundary)
        if cut == -1:
            if len(buffer) > MAX_TAG_BYTES:
                raise TagTooLong
            carry = buffer
            continue
        cut += len(boundary)
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A structural part in full (checked for a DTD), refused above MAX_STRUCTURE_BYTES."""
    if info.file_size > MAX_STRUCTURE_BYTES:
        raise PackageProblem("part_too_large", entry=info.filename, limit_mb=size_in_mb(MAX_STRUCTURE_BYTES))
    content = b"".join(entry_chunks(archive, info))
    if has_dtd(content):
        raise PackageProblem("xml_dtd", entry=info.filename)
    return content


@dataclass
class _SheetScan:
    """What one streamed pass over a worksheet part learns (see `scan_sheet`)."""

    dimension: str | None = None
    far_cell: str | None = None  # the first cell beyond the limits (None when only a row element is)
    far_size: tuple[int, int] = (0, 0)  # its row and column (column 0 for a row element)
    merged_ranges: list[str] = field(default_factory=list)  # the first `max_merged_ranges`
    merged_count: int = 0
    has_formulas: bool = False
    extent: tuple[int, int] = (0, 0)  # the largest row and column any reference names


def scan_sheet(chunks: Iterator[bytes], limits: PackageLimits, entry: str) -> _SheetScan:
    """One streamed pass over a worksheet: DTD, declared dimension, real extent, merged ranges, formulas.

    Holds one buffer of about a megabyte at a time. The real extent comes from the cell and row
    references themselves, whatever `<dimension>` says; the first reference beyond the limits stops the scan.
    """
    scan = _SheetScan()
    letters = len(column_letter(limits.max_sheet_cols - 1))
    digits = len(str(limits.max_sheet_rows))
    formula_needle: bytes | None = None
    element_prefix = b""
    in_head = True
    implicit_rows = implicit_cols = open_row_cells = 0
    for buffer in _buffers(_as_utf8(chunks)):
        if has_dtd(buffer, "utf-8"):
            raise PackageProblem("xml_dtd", entry=entry)
        data_at = buffer.find(b"sheetData") if (in_head or formula_needle is None) else -1
        if in_head:
            head_end = data_at if data_at != -1 else len(buffer)
            dimension = _DIMENSION_RE.search(buffer, 0, head_end)
            if dimension and scan.dimension is None:
                scan.dimension = dimension.group(1).decode("ascii", "replace")
            in_head = data_at == -1
        if formula_needle is None and data_at != -1:
            prefix = b""
            if data_at > 0 and buffer[data_at - 1 : data_at] == b":":
                prefix = buffer[buffer.rfind(b"<", 0, data_at) + 1 : data_at]
            formula_needle, element_prefix = b"<" + prefix + b"f", prefix
        if not scan.has_formulas and formula_needle is not None:
            scan.has_formulas = _has_needle(buffer, formula_needle)
        found = references(buffer, letters, digits)
        rows, cols = found.rows, found.cols
        far: tuple[str, int, int] | None = None
        for offset in found.exact.tolist():
            exact = _exact_reference(buffer, offset, entry)
            if exact is None:
                continue
            name, row, col = exact
            if row > limits.max_sheet_rows or col > limits.max_sheet_cols:
                far = far or (name, row, col)
                if col:  # a cell names the place better than its row element: keep looking in this buffer
                    far = (name, row, col)
                    break
            rows, cols = max(rows, row), max(cols, col)
        if far:
            scan.far_cell, scan.far_size = far[0] if far[2] else None, (far[1], far[2])
            return scan
        positions = implicit(buffer, found.attributes, element_prefix, open_row_cells)
        open_row_cells = positions.open_row_cells
        implicit_rows += positions.rows
        implicit_cols = max(implicit_cols, positions.most_cells)
        scan.extent = (max(scan.extent[0], rows), max(scan.extent[1], cols))
        if b"mergeCell" in buffer:
            for merge in _MERGE_RE.finditer(buffer):
                scan.merged_count += 1
                if scan.merged_count <= limits.max_merged_ranges:  # the count goes on; the ranges are not kept
                    scan.merged_ranges.append(merge.group(1).decode())
    # Rows and cells without `r` are placed one after the one before: past the largest reference at most.
    scan.extent = (scan.extent[0] + implicit_rows, scan.extent[1] + implicit_cols)
    return scan


def _exact_reference(buffer: bytes, offset: int, entry: str) -> tuple[str, int, int] | None:
    """The reference of the `r` attribute at `offset` read exactly: its name, row and column (0 for a row).

    None when it is no reference the reader reads (outside a tag, or in an element other than <c> and
    <row>). Refused (`cell_reference_unreadable`) when it sits in a <c> or <row> element but its value is no
    plain reference (a character reference such as `&#71;`, '$', spaces): rather than guess where the reader
    would place it.
    """
    opening = buffer.rfind(b"<", 0, offset)
    if opening == -1 or buffer.rfind(b">", opening, offset) != -1:
        return None  # in text, not in a tag
    element = ELEMENT_NAME_RE.match(buffer, opening + 1)
    if element is None or element.group(1) not in (b"c", b"row"):
        return None
    attribute = REF_ATTRIBUTE_RE.match(buffer, offset)
    end = buffer.find(b">", offset, offset + 41)
    raw = buffer[offset : end if end != -1 else offset + 41]
    if attribute is not None:
        raw = attribute.group(1) if attribute.group(1) is not None else attribute.group(2)
        value = REF_VALUE_RE.fullmatch(raw)
        if value is not None and int(value.group(2)) > 0 and (value.group(1) or element.group(1) == b"row"):
            letters, row = value.group(1).decode("ascii"), int(value.group(2))
            col = column_index(letters) + 1 if letters else 0
            return letters.upper() + str(row), row, col
    shown = raw[:40].decode("utf-8", "replace") + ("..." if len(raw) > 40 else "")
    raise PackageProblem("cell_reference_unreadable", entry=entry, ref=shown)


_AFTER_ELEMENT_NAME = np.array([ord(c) for c in "> /\t\n\r"], dtype=np.uint8)


def _has_needle(xml: bytes, needle: bytes) -> bool:
    """True when `needle` (an element start such as b"<f") is followed by '>', '/' or white space."""
    if needle == b"<f":  # the usual, unprefixed case: vectorised (numpy releases the GIL)
        codes = np.frombuffer(xml + b"\0", dtype=np.uint8)
        starts = np.flatnonzero((codes[:-2] == ord("<")) & (codes[1:-1] == ord("f")))
        return bool(len(starts)) and bool(np.isin(codes[starts + 2], _AFTER_ELEMENT_NAME).any())
    return _find_needle(xml, needle)


def _find_needle(xml: bytes, needle: bytes) -> bool:
    at = xml.find(needle)
    while at != -1:
        if xml[at + len(needle) : at + len(needle) + 1] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            return True
        at = xml.find(needle, at + len(needle))
    return False


_STRING_ITEM_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def scan_other(chunks: Iterator[bytes], entry: str, count_strings: bool = False) -> int:
    """One streamed pass over any other XML part: the DTD check; with `count_strings`, the count of its
    shared-string items (<si>), else 0."""
    items = 0
    for buffer in _buffers(_as_utf8(chunks)):
        if has_dtd(buffer, "utf-8"):
            raise PackageProblem("xml_dtd", entry=entry)
        if count_strings:
            items += len(_STRING_ITEM_RE.findall(buffer))
    return items


def formula_cells_streamed(chunks: Iterator[bytes], limit: int) -> list[str]:
    """Formula cells without a cached value, from a second streamed pass (buffers end at a cell's end)."""
    found: list[str] = []
    for buffer in _buffers(_as_utf8(chunks), boundary=b"c>"):
        found += _formula_cells_without_value(buffer, limit - len(found))
        if len(found) >= limit:
            break
    return found
