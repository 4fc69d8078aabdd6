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
import posixpath
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .problems import MessageRef, ProblemLog, column_index

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


@dataclass
class PackageInfo:
    """The result of inspecting a package: its worksheets and whether it holds macros."""

    sheets: list[SheetPart] = field(default_factory=list)
    has_macros: bool = False

    def sheet(self, name: str) -> SheetPart | None:
        for part in self.sheets:
            if part.name == name:
                return part
        return None


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
        if content[begin - before:begin + len(bang)] == start:
            following = content[begin + len(bang): begin + len(bang) + 16].decode(encoding, "ignore")
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
    if data_at > 0 and xml[data_at - 1:data_at] == b":":
        prefix_start = xml.rfind(b"<", 0, data_at)
        prefix = xml[prefix_start + 1:data_at]
    needle = b"<" + prefix + b"f"
    at = xml.find(needle)
    while at != -1:
        if xml[at + len(needle):at + len(needle) + 1] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
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


@dataclass
class _Entry:
    """One checked ZIP entry: its text (None for binaries), a problem code, whether it holds formulas."""

    content: bytes | None = None
    problem: str | None = None
    has_formulas: bool = False


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Entry:
    """Decompress and scan one entry (run on a worker thread, overlapping the other's decompression)."""
    try:
        content = _read_entry(archive, info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        return _Entry(problem="zip_size_mismatch")
    if info.filename.lower().endswith(_BINARY_SUFFIXES):
        return _Entry()
    if _has_dtd(content):
        return _Entry(problem="xml_dtd")
    return _Entry(content, None, _has_formulas(content))


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Decompress one entry in full.

    zipfile never returns more than the entry's declared size (whose total was bounded before),
    and raises BadZipFile on a CRC mismatch; a shorter stream is caught here.
    """
    with archive.open(info) as stream:
        content = stream.read()
    if len(content) != info.file_size:
        raise zipfile.BadZipFile("size mismatch")
    return content


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
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(base_dir, target))
        targets[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return targets


def size_allowed(size: int, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> bool:
    """False (and a problem logged) when a file of `size` bytes is over the limit."""
    if size > limits.max_file_bytes:
        log.error("file_too_large", size_mb=_mb(size), limit_mb=_mb(limits.max_file_bytes))
        return False
    return True


def inspect_package(data: bytes, log: ProblemLog, limits: PackageLimits = DEFAULT_LIMITS) -> PackageInfo | None:
    """Check `data` as an .xlsx package; return its worksheets, or None when it is unusable.

    Problems go to `log`; an error here means the file must not be parsed further.
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        log.error("corrupt_zip", detail=str(exc)[:120] or "zip")
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
        mimetype = archive.read("mimetype")[:100]
        if b"opendocument" in mimetype:
            log.error("foreign_package", kind=MessageRef("kind.ods"))
            return None

    # Decompress every entry (bounded by the declared sizes): catches lying headers and DTDs.
    # zlib releases the GIL, so the two cores share the work; the results keep the ZIP order.
    files = [info for info in infos if not info.is_dir()]
    contents: dict[str, bytes] = {}
    with_formulas: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:
        checked = list(pool.map(lambda info: _check_entry(archive, info), files))
    for info, entry in zip(files, checked, strict=True):
        if entry.problem:
            log.error(entry.problem, entry=info.filename)
            return None
        if entry.content is not None:
            contents[info.filename] = entry.content
        if entry.has_formulas:
            with_formulas.add(info.filename)

    root_rels = contents.get("_rels/.rels")
    workbook_path = "xl/workbook.xml"
    if root_rels is not None:
        for rel_type, path in _rels_targets(root_rels, "", "_rels/.rels", log).values():
            if rel_type.endswith("/officeDocument"):
                workbook_path = path
    if log.errors:
        return None
    if workbook_path not in contents:
        log.error("not_a_workbook", entry=workbook_path)
        return None

    info_out = PackageInfo()
    content_types = contents.get("[Content_Types].xml", b"")
    info_out.has_macros = any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroEnabled" in content_types)

    workbook_dir = posixpath.dirname(workbook_path)
    rels_path = posixpath.join(workbook_dir, "_rels", posixpath.basename(workbook_path) + ".rels")
    targets = _rels_targets(contents.get(rels_path, b"<Relationships/>"), workbook_dir, rels_path, log)
    workbook_root = _parse_xml(contents[workbook_path], workbook_path, log)
    if workbook_root is None or log.errors:
        return None
    for sheet in workbook_root.iter(f"{{{NS_MAIN}}}sheet"):
        name = sheet.get("name", "")
        rel_id = sheet.get(f"{{{NS_REL}}}id", "")
        _, path = targets.get(rel_id, ("", ""))
        if path not in contents:
            continue  # chart sheets and dialog sheets have no cells to read
        xml = contents[path]
        part = SheetPart(name=name, path=path, size=len(xml))
        sheet_data_at = xml.find(b"sheetData")
        dimension = _DIMENSION_RE.search(xml, 0, sheet_data_at if sheet_data_at != -1 else len(xml))
        if dimension:
            part.dimension = dimension.group(1).decode("ascii", "replace")
            size = _dimension_size(part.dimension)
            if size and (size[0] > limits.max_sheet_rows or size[1] > limits.max_sheet_cols):
                log.error("sheet_too_large", name, None, ref=part.dimension, rows=size[0], cols=size[1],
                          max_rows=limits.max_sheet_rows, max_cols=limits.max_sheet_cols)
                return None
        data_end = xml.rfind(b"sheetData>")  # merged ranges follow the cell data
        merge_at = xml.find(b"mergeCell", max(data_end, 0))
        if merge_at != -1:
            part.merged_ranges = [m.group(1).decode() for m in _MERGE_RE.finditer(xml, max(merge_at - 8, 0))]
        if path in with_formulas:
            part.formula_cells_without_value = _formula_cells_without_value(xml, 100_000)
        info_out.sheets.append(part)
    return info_out
