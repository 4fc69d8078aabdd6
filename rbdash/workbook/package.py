"""Inspect an .xlsx package before any spreadsheet parsing.

Every check here runs on the raw bytes and the ZIP directory, with bounded work, so that hostile
or foreign files are answered with a problem instead of reaching the cell parser:

* not a ZIP (with a guess at what it is), a truncated ZIP, duplicate entry names;
* an encrypted (password-protected) workbook, which is an OLE compound file, or a legacy .xls;
* decompression bombs: entry count, total uncompressed size and per-entry ratio are checked on
  the declared sizes first, then every entry is decompressed in a bounded stream so that a
  header lying about its size is caught by size and CRC checks;
* XML with a DTD or entity declarations (entity expansion), refused outright; the few XML parts
  parsed in Python go through defusedxml;
* absurd declared sheet dimensions (`<dimension ref=...>`), refused before the reader sizes
  anything by them;
* macros (vbaProject.bin): a warning, the macro is never run, kept or served;
* formulas without cached values: listed by cell so they are never read as 0.

The limits are in `PackageLimits` and documented in the README.
"""

from __future__ import annotations

import codecs
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from rbdash.problems import MessageRef, ProblemLog, column_index, column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class PackageLimits:
    """Bounds applied to every uploaded or loaded workbook."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_entries: int = 2_000
    max_total_uncompressed: int = 500 * 1024 * 1024
    max_ratio: int = 250
    ratio_applies_above: int = 1024 * 1024
    max_sheet_rows: int = 250_000
    max_sheet_cols: int = 200
    # The reader holds every cell of a sheet's rectangle (about 45 bytes each), empty or not: the
    # rectangle is bounded per sheet and over the workbook, so any accepted file reads in a few
    # hundred MB (worker and server alike).
    max_sheet_cells: int = 4_000_000
    max_workbook_cells: int = 8_000_000
    max_listed_cells: int = 20


DEFAULT_LIMITS = PackageLimits()


@dataclass
class SheetPart:
    """A worksheet inside the package, with what the inspection learnt about it."""

    name: str
    path: str
    size: int = 0
    dimension: str | None = None
    merged_ranges: list[str] = field(default_factory=list)
    formula_cells_without_value: list[str] = field(default_factory=list)
    extent: tuple[int, int] = (0, 0)  # rows and columns of the rectangle its references span (after `scan`)

    @property
    def cells(self) -> int:
        """Cells in the rectangle the reader would hold for this sheet."""
        return self.extent[0] * self.extent[1]


@dataclass
class PackageInfo:
    """The result of inspecting a package: its worksheets and whether it holds macros.

    From `open_package` the worksheets are not scanned yet: `scan(part)` does it (thread-safe, one
    part at a time per thread), so a caller may start reading a sheet once its own scan has passed.
    """

    sheets: list[SheetPart] = field(default_factory=list)
    has_macros: bool = False
    _archive: zipfile.ZipFile | None = field(default=None, repr=False)
    _limits: PackageLimits = field(default_factory=PackageLimits, repr=False)

    def sheet(self, name: str) -> SheetPart | None:
        for part in self.sheets:
            if part.name == name:
                return part
        return None

    def scan(self, part: SheetPart) -> PackageProblem | None:
        """Stream one worksheet: DTD, declared and real extent, merged ranges, formula cells without a value.

        Fills `part`; returns the problem that makes the file unusable, or None.
        """
        if self._archive is None:
            return None
        limits = self._limits
        info = self._archive.getinfo(part.path)
        try:
            scan = _scan_sheet(_chunks(self._archive, info), limits, part.path)
        except PackageProblem as problem:
            return problem
        except _TagTooLong:
            return PackageProblem("xml_malformed", entry=part.path, detail=f"no '>' in {_mb(MAX_TAG_BYTES)} MB")
        part.dimension, part.merged_ranges = scan.dimension, scan.merged_ranges
        if part.dimension:
            size = _dimension_size(part.dimension)
            if size and (size[0] > limits.max_sheet_rows or size[1] > limits.max_sheet_cols):
                return PackageProblem(
                    "sheet_too_large",
                    part.name,
                    None,
                    ref=part.dimension,
                    rows=size[0],
                    cols=size[1],
                    max_rows=limits.max_sheet_rows,
                    max_cols=limits.max_sheet_cols,
                )
        if scan.far_size != (0, 0):
            row, col = scan.far_size
            if scan.far_cell:
                return PackageProblem(
                    "sheet_extent_too_large",
                    part.name,
                    scan.far_cell,
                    far_cell=scan.far_cell,
                    row=row,
                    col=col,
                    max_rows=limits.max_sheet_rows,
                    max_cols=limits.max_sheet_cols,
                )
            return PackageProblem("sheet_row_too_far", part.name, None, row=row, max_rows=limits.max_sheet_rows)
        part.extent = scan.extent
        if part.cells > limits.max_sheet_cells:
            rows, cols = part.extent
            return PackageProblem(
                "sheet_area_too_large",
                part.name,
                column_letter(cols - 1) + str(rows),
                rows=rows,
                cols=cols,
                cells=part.cells,
                max_cells=limits.max_sheet_cells,
            )
        if scan.has_formulas:
            try:
                part.formula_cells_without_value = _formula_cells_streamed(_chunks(self._archive, info), 100_000)
            except (PackageProblem, _TagTooLong):
                part.formula_cells_without_value = []
        return None

    def scan_all(self, log: ProblemLog) -> bool:
        """Scan every worksheet (two threads); log the first problem in sheet order. False when unusable."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(self.scan, self.sheets))
        for problem in [*outcomes, self.area_problem()]:
            if problem is not None:
                problem.log(log)
                return False
        return True

    def area_problem(self) -> PackageProblem | None:
        """The workbook's sheets together span more cells than the limit (after every sheet's `scan`)."""
        total = sum(part.cells for part in self.sheets)
        if total <= self._limits.max_workbook_cells:
            return None
        largest = sorted(self.sheets, key=lambda part: -part.cells)[:3]
        sheets = ", ".join(f"'{part.name}' {part.extent[0]} x {part.extent[1]}" for part in largest)
        return PackageProblem(
            "workbook_area_too_large", None, None, cells=total, max_cells=self._limits.max_workbook_cells, sheets=sheets
        )


_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]+)"')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Za-z]+\d+)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")
_INLINE_RE = re.compile(rb"<(?:\w+:)?is>")
_A1_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
# Markup declarations ("<!DOCTYPE", "<!ENTITY", also comments and CDATA) start with "<!".
_DECLARATION_START = {enc: "<!".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")}
_DTD_WORDS = ("DOCTYPE", "ENTITY")
# Parts that are never XML (images, embedded binaries, macros): not scanned, not kept.
_BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp")


def _starts_like_xml(head: bytes) -> bool:
    """The first bytes of a part look like XML text (in UTF-8 or UTF-16, after a byte-order mark)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    stripped = head[:4096].lstrip(b" \t\r\n")
    return stripped.startswith(b"<") or stripped[:4] in (b"<\x00?\x00", b"\x00<\x00?")


def _mb(size: int) -> str:
    """A byte count in MB for messages: 50, 1.5, 0.1 (never a misleading 0)."""
    value = size / 1048576
    return f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"


def _guess_kind(data: bytes) -> str:
    head = data[:2048].lstrip()
    lowered = head.lower()
    if head.startswith(b"%PDF"):
        return "kind.pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "kind.image"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered:
        return "kind.html"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "kind.xml"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "kind.archive"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Excel's "Unicode Text" export writes
        encoding, body = ("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"), head[2:]
    else:
        encoding, body = "utf-8", head
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(body, final=False)  # a cut last character is fine
    except UnicodeDecodeError:
        return "kind.unknown"
    readable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return "kind.text" if text and readable >= 0.95 * len(text) else "kind.unknown"


def _dimension_size(ref: str) -> tuple[int, int] | None:
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
    """The encoding of an XML part, from its first bytes (XML 1.0 appendix F)."""
    if content.startswith((b"\xff\xfe", b"<\x00")):
        return "utf-16-le"
    if content.startswith((b"\xfe\xff", b"\x00<")):
        return "utf-16-be"
    return "utf-8"


def _has_dtd(content: bytes) -> bool:
    """True when the part declares a DTD or entities, in whatever encoding it is written.

    Every markup declaration starts with "<!"; the scan looks for the rare byte "!" (a fast
    memchr, whatever the encoding) and checks what surrounds each hit.
    """
    encoding = _xml_encoding(content)
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


def _has_formulas(xml: bytes) -> bool:
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


CHUNK_BYTES = 1 << 20
# Between two '>' a workbook writer puts at most one cell's text (32,767 characters): 16 MB without a
# '>' is no spreadsheet XML, and bounds what a scan holds at once.
MAX_TAG_BYTES = 16 << 20
# Parts parsed in Python (content types, relationships, the workbook) are small in every real file.
MAX_STRUCTURE_BYTES = 16 << 20


class _TagTooLong(Exception):
    """A part has no '>' in MAX_TAG_BYTES."""


class PackageProblem(Exception):
    """A part that stops the inspection: `code` names the problem, `sheet` and `cell` where, `params` fill it."""

    def __init__(self, code: str, sheet: str | None = None, cell: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code, self.sheet, self.cell = code, sheet, cell
        self.params = params

    def log(self, log: ProblemLog) -> None:
        log.error(self.code, self.sheet, self.cell, **self.params)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
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
    """The chunks of an XML part as UTF-8: a UTF-16 part (BOM or '<' with a zero byte) is transcoded."""
    first = next(chunks, b"")
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
                raise _TagTooLong
            carry = buffer
            continue
        cut += len(boundary)
        yield buffer[:cut]
        carry = buffer[cut:]
    if carry:
        yield carry


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A structural part in full (checked for a DTD), refused above MAX_STRUCTURE_BYTES."""
    if info.file_size > MAX_STRUCTURE_BYTES:
        raise PackageProblem("part_too_large", entry=info.filename, limit_mb=_mb(MAX_STRUCTURE_BYTES))
    content = b"".join(_chunks(archive, info))
    if _has_dtd(content):
        raise PackageProblem("xml_dtd", entry=info.filename)
    return content


_REF_AT_RE = re.compile(rb"r=[\"']([A-Za-z]*)0*(\d*)[\"']")
_XML_SPACE = b" \t\r\n"


def _is_letter(codes: np.ndarray) -> np.ndarray:
    lowered = codes | 32
    return (lowered >= ord("a")) & (lowered <= ord("z"))


def _is_digit(codes: np.ndarray) -> np.ndarray:
    return (codes >= ord("0")) & (codes <= ord("9"))


def _is_zero(codes: np.ndarray) -> np.ndarray:
    return codes == ord("0")


def _references(buffer: bytes, letters: int, digits: int) -> tuple[np.ndarray, int, int]:
    """Where the references in `buffer` may lie beyond the limits, and the largest row and column they name.

    Returns the offsets of `r="…"` / `r='…'` references with at least `letters` column letters (as many
    as the last allowed column has) or a row number of at least `digits` digits (cell `r="AB123456"`,
    row `r="123456"`): every such candidate is then checked exactly. And the largest row and column
    (1-based, 0 when none) named by the references preceded by white space, read in place (at most
    `max(3, letters)` letters and 8 digits; longer ones are candidates).

    Vectorised with numpy, which releases the GIL: the scan runs beside the native reader and the
    parsing instead of holding the interpreter (a regex over every reference did, at twice the time).
    The spelling every writer uses is matched (`r="A1"`, `r='a1'`); exotic ones the native reader
    also accepts (no `r`, spaces around '=') are caught on the grid it builds (loader,
    `sheet_grid_too_large`) inside the worker's memory limit.
    """
    most_letters, most_digits = max(3, letters), max(8, digits)
    codes = np.frombuffer(buffer + bytes(most_letters + most_digits + 3), dtype=np.uint8)
    count = len(buffer)
    quote = codes[2 : count + 2]
    found = (codes[:count] == ord("r")) & (codes[1 : count + 1] == ord("="))
    found &= (quote == ord('"')) | (quote == ord("'"))
    offsets = np.flatnonzero(found)
    if not len(offsets):
        return offsets, 0, 0
    letter_count = _run_length(codes, offsets + 3, most_letters, _is_letter)
    digit_count = _run_length(codes, offsets + 3 + letter_count, most_digits, _is_digit)
    candidates = offsets[(letter_count >= letters) | (digit_count >= digits)]
    before = codes[np.maximum(offsets - 1, 0)]
    spaced = (offsets > 0) & ((before == 32) | (before == 9) | (before == 10) | (before == 13))
    if not spaced.any():
        return candidates, 0, 0
    letter_count, digit_count = letter_count[spaced], digit_count[spaced]
    starts = offsets[spaced] + 3
    col = _largest(codes, starts, letter_count, lambda code: (int(code) | 32) - ord("a") + 1, 26)
    zeros = np.minimum(_run_length(codes, starts + letter_count, most_digits, _is_zero), digit_count)
    row = _largest(codes, starts + letter_count + zeros, digit_count - zeros, lambda code: int(code) - ord("0"), 10)
    return candidates, row, col


def _run_length(
    codes: np.ndarray, starts: np.ndarray, most: int, accepts: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """How many characters from each start `accepts` in a row (at most `most`)."""
    length = np.zeros(len(starts), dtype=np.int64)
    active = np.ones(len(starts), dtype=bool)
    for k in range(most):
        active &= accepts(codes[starts + k])
        if not active.any():
            break
        length += active
    return length


def _largest(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, digit: Callable[[int], int], base: int) -> int:
    """The largest number written at `starts` (`lengths` digits of `base`, no leading zero), found by
    narrowing: most digits first, then the largest digit at each place (no full parse of every number)."""
    most = int(lengths.max())
    if most == 0:
        return 0
    chosen = starts[lengths == most]
    value = 0
    for k in range(most):
        place = codes[chosen + k] | 32 if base == 26 else codes[chosen + k]
        top = place.max()
        chosen = chosen[place == top]
        value = value * base + digit(top)
    return value


@dataclass
class _SheetScan:
    """What one streamed pass over a worksheet part learns (see `_scan_sheet`)."""

    dimension: str | None = None
    far_cell: str | None = None  # the first cell beyond the limits (None when only a row element is)
    far_size: tuple[int, int] = (0, 0)  # its row and column (column 0 for a row element)
    merged_ranges: list[str] = field(default_factory=list)
    has_formulas: bool = False
    extent: tuple[int, int] = (0, 0)  # the largest row and column any reference names


def _scan_sheet(chunks: Iterator[bytes], limits: PackageLimits, entry: str) -> _SheetScan:
    """One streamed pass over a worksheet: DTD, declared dimension, real extent, merged ranges, formulas.

    Holds one buffer of about a megabyte at a time. The real extent comes from the cell and row
    references themselves, whatever `<dimension>` says; the first reference beyond the limits stops the scan.
    """
    scan = _SheetScan()
    letters = len(column_letter(limits.max_sheet_cols - 1))
    digits = len(str(limits.max_sheet_rows))
    formula_needle: bytes | None = None
    in_head = True
    for buffer in _buffers(_as_utf8(chunks)):
        if _has_dtd(buffer):
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
            formula_needle = b"<" + prefix + b"f"
        if not scan.has_formulas and formula_needle is not None:
            scan.has_formulas = _has_needle(buffer, formula_needle)
        far: tuple[str, int, int] | None = None
        candidates, rows, cols = _references(buffer, letters, digits)
        for offset in candidates.tolist():
            if offset and buffer[offset - 1] not in _XML_SPACE:
                continue  # an attribute whose name ends in r (operator="between"), not the reference r
            hit = _REF_AT_RE.match(buffer, offset)
            if hit is None:
                continue
            col = column_index(hit.group(1).decode()) + 1 if hit.group(1) else 0
            row = int(hit.group(2)) if hit.group(2) else 0
            if row > limits.max_sheet_rows or col > limits.max_sheet_cols:
                name = hit.group(1).decode().upper() + str(row)
                far = far or (name, row, col)
                if col:  # a cell names the place better than its row element: keep looking in this buffer
                    far = (name, row, col)
                    break
        if far:
            scan.far_cell, scan.far_size = far[0] if far[2] else None, (far[1], far[2])
            return scan
        scan.extent = (max(scan.extent[0], rows), max(scan.extent[1], cols))
        if b"mergeCell" in buffer:
            scan.merged_ranges.extend(m.group(1).decode() for m in _MERGE_RE.finditer(buffer))
    return scan


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


def _scan_other(chunks: Iterator[bytes], entry: str) -> None:
    """One streamed pass over any other XML part: only the DTD check."""
    for buffer in _buffers(_as_utf8(chunks)):
        if _has_dtd(buffer):
            raise PackageProblem("xml_dtd", entry=entry)


def _formula_cells_streamed(chunks: Iterator[bytes], limit: int) -> list[str]:
    """Formula cells without a cached value, from a second streamed pass (buffers end at a cell's end)."""
    found: list[str] = []
    for buffer in _buffers(_as_utf8(chunks), boundary=b"c>"):
        found += _formula_cells_without_value(buffer, limit - len(found))
        if len(found) >= limit:
            break
    return found


def _parse_xml(data: bytes, entry: str, log: ProblemLog):
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException:
        log.error("xml_dtd", entry=entry)
    except SafeET.ParseError as exc:
        log.error("xml_malformed", entry=entry, detail=str(exc)[:120])
    return None


def _rels_targets(data: bytes, base_dir: str, entry: str, log: ProblemLog) -> dict[str, tuple[str, str]]:
    root = _parse_xml(data, entry, log)
    if root is None:
        return {}
    targets = {}
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base_dir, target))
        targets[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return targets


def size_allowed(size: int, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> bool:
    """False (and a problem logged) when a file of `size` bytes is over the limit."""
    if size > limits.max_file_bytes:
        log.error("file_too_large", size_mb=_mb(size), limit_mb=_mb(limits.max_file_bytes))
        return False
    return True


def inspect_package(data: bytes, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> PackageInfo | None:
    """Check `data` as an .xlsx package, worksheets scanned; return them, or None when it is unusable.

    Problems go to `log`; an error here means the file must not be parsed further.
    """
    package = open_package(data, log, limits)
    if package is None or not package.scan_all(log):
        return None
    return package


def open_package(data: bytes, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> PackageInfo | None:
    """Check `data` as an .xlsx package up to its worksheets, which are listed but not scanned yet
    (`PackageInfo.scan`); None when it is unusable. Every other part has been checked.
    """
    if not data:
        log.error("empty_file")
        return None
    if not size_allowed(len(data), log, limits):
        return None
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            log.error("encrypted_workbook")
        else:
            log.error("legacy_xls")
        return None
    if not data.startswith(ZIP_MAGICS):
        log.error("not_a_zip", kind=MessageRef(_guess_kind(data)))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        log.error("corrupt_zip", detail=str(exc)[:120] or "zip")  # NotImplementedError: "zip file version 25.5"
        return None

    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        log.error("corrupt_zip", detail="duplicate entry names")
        return None
    if len(infos) > limits.max_entries:
        log.error("too_many_entries", count=len(infos), limit=limits.max_entries)
        return None
    for info in infos:
        if info.flag_bits & 0x1:
            log.error("zip_encrypted_entry", entry=info.filename)
            return None
    declared_total = sum(info.file_size for info in infos)
    if declared_total > limits.max_total_uncompressed:
        log.error("zip_bomb_size", size_mb=_mb(declared_total), limit_mb=_mb(limits.max_total_uncompressed))
        return None
    for info in infos:
        if info.file_size > limits.ratio_applies_above:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                log.error("zip_bomb_ratio", entry=info.filename, ratio=int(ratio), limit=limits.max_ratio)
                return None

    name_set = set(names)
    if "xl/workbook.xml" not in name_set and "[Content_Types].xml" in name_set:
        for marker, kind in (("word/document.xml", "kind.docx"), ("ppt/presentation.xml", "kind.pptx")):
            if marker in name_set:
                log.error("foreign_package", kind=MessageRef(kind))
                return None
    if "mimetype" in name_set:
        with archive.open("mimetype") as stream:
            mimetype = stream.read(100)
        if b"opendocument" in mimetype:
            log.error("foreign_package", kind=MessageRef("kind.ods"))
            return None

    by_name = {info.filename: info for info in infos}
    try:
        return _inspect_parts(archive, infos, by_name, names, log, limits)
    except PackageProblem as problem:
        problem.log(log)
    except _TagTooLong:
        log.error("xml_malformed", entry="?", detail=f"no '>' in {_mb(MAX_TAG_BYTES)} MB")
    return None


def _inspect_parts(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    by_name: dict[str, zipfile.ZipInfo],
    names: list[str],
    log: ProblemLog,
    limits: PackageLimits,
) -> PackageInfo | None:
    """Structure first (small parts parsed in Python), then one streamed scan of every other part."""
    structure: dict[str, bytes] = {}

    def small(name: str) -> bytes | None:
        if name not in structure and name in by_name:
            structure[name] = _read_small(archive, by_name[name])
        return structure.get(name)

    content_types = small("[Content_Types].xml") or b""
    workbook_path = "xl/workbook.xml"
    root_rels = small("_rels/.rels")
    if root_rels is not None:
        for rel_type, path in _rels_targets(root_rels, "", "_rels/.rels", log).values():
            if rel_type.endswith("/officeDocument"):
                workbook_path = path
    if log.errors:
        return None
    workbook = small(workbook_path)
    if workbook is None:
        log.error("not_a_workbook", entry=workbook_path)
        return None
    workbook_dir = posixpath.dirname(workbook_path)
    rels_path = posixpath.join(workbook_dir, "_rels", posixpath.basename(workbook_path) + ".rels")
    targets = _rels_targets(small(rels_path) or b"<Relationships/>", workbook_dir, rels_path, log)
    workbook_root = _parse_xml(workbook, workbook_path, log)
    if workbook_root is None or log.errors:
        return None

    info_out = PackageInfo()
    info_out.has_macros = any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroEnabled" in content_types
    )
    sheet_paths: dict[str, str] = {}
    for sheet in workbook_root.iter(f"{{{NS_MAIN}}}sheet"):
        rel_type, path = targets.get(sheet.get(f"{{{NS_REL}}}id", ""), ("", ""))
        if path not in by_name:
            if rel_type.endswith("/worksheet"):
                log.error("part_missing", sheet.get("name", ""), None, entry=path)
                return None
            continue  # chart sheets and dialog sheets have no cells to read
        sheet_paths.setdefault(path, sheet.get("name", ""))

    # Every other part is decompressed in a bounded stream (catches lying headers, hidden tails and
    # DTDs); zlib releases the GIL, so two threads share it. Worksheets are scanned by PackageInfo.scan.
    def check(info: zipfile.ZipInfo) -> PackageProblem | None:
        try:
            chunks = _chunks(archive, info)
            if info.filename.lower().endswith(_BINARY_SUFFIXES):
                # Named as binary, but the name proves nothing: one that starts as XML is scanned as XML.
                first = next(chunks, b"")
                if not _starts_like_xml(first):
                    for _ in chunks:
                        pass
                    return None
                chunks = itertools.chain([first], chunks)
            _scan_other(chunks, info.filename)
            return None
        except PackageProblem as problem:
            return problem
        except _TagTooLong:
            return PackageProblem("xml_malformed", entry=info.filename, detail=f"no '>' in {_mb(MAX_TAG_BYTES)} MB")

    others = [
        info
        for info in infos
        if not info.is_dir() and info.filename not in structure and info.filename not in sheet_paths
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for problem in pool.map(check, others):
            if problem is not None:
                problem.log(log)
                return None

    info_out._archive, info_out._limits = archive, limits
    for sheet in workbook_root.iter(f"{{{NS_MAIN}}}sheet"):
        _, path = targets.get(sheet.get(f"{{{NS_REL}}}id", ""), ("", ""))
        if path in by_name and not any(part.path == path for part in info_out.sheets):
            info_out.sheets.append(SheetPart(name=sheet.get("name", ""), path=path, size=by_name[path].file_size))
    return info_out
