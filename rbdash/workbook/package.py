"""Inspect an .xlsx package before any spreadsheet parsing.

Every check here runs on the raw bytes and the ZIP directory, with bounded work, so that hostile
or foreign files are answered with a problem instead of reaching the cell parser:

* the ZIP itself first (`archive.open_archive`: not a ZIP, encrypted, legacy .xls, foreign
  packages, declared sizes and ratios);
* decompression bombs: every entry is decompressed in a bounded stream so that a header lying
  about its size is caught by size and CRC checks;
* XML with a DTD or entity declarations (entity expansion), refused outright; the few XML parts
  parsed in Python go through defusedxml;
* absurd declared sheet dimensions (`<dimension ref=...>`), refused before the reader sizes
  anything by them;
* macros (vbaProject.bin): a warning, the macro is never run, kept or served;
* formulas without cached values: listed by cell so they are never read as 0.

The limits are in `PackageLimits` and documented in the README.
"""

from __future__ import annotations

import itertools
import posixpath
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from rbdash.problems import ProblemLog, column_letter
from rbdash.workbook.archive import open_archive
from rbdash.workbook.limits import DEFAULT_LIMITS, MAX_TAG_BYTES, PackageLimits, PackageProblem, size_in_mb
from rbdash.workbook.macros import is_macro_type
from rbdash.workbook.xmlscan import (
    BINARY_SUFFIXES,
    TagTooLong,
    dimension_size,
    entry_chunks,
    formula_cells_streamed,
    read_small,
    scan_other,
    scan_sheet,
    skip_blank,
    starts_like_xml,
)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


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
            scan = scan_sheet(entry_chunks(self._archive, info), limits, part.path)
        except PackageProblem as problem:
            if problem.sheet is None and problem.code == "cell_reference_unreadable":
                problem.sheet = part.name
            return problem
        except TagTooLong:
            return PackageProblem("xml_malformed", entry=part.path, detail=f"no '>' in {size_in_mb(MAX_TAG_BYTES)} MB")
        part.dimension, part.merged_ranges = scan.dimension, scan.merged_ranges
        if scan.merged_count > limits.max_merged_ranges:
            return PackageProblem(
                "merged_ranges_too_many",
                part.name,
                None,
                count=scan.merged_count,
                max_ranges=limits.max_merged_ranges,
            )
        if part.dimension:
            size = dimension_size(part.dimension)
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
        if part.extent[0] > limits.max_sheet_rows or part.extent[1] > limits.max_sheet_cols:
            # Only rows and cells without a reference, counted, go this far (a reference would have stopped the scan).
            return PackageProblem(
                "sheet_grid_too_large",
                part.name,
                None,
                rows=part.extent[0],
                cols=part.extent[1],
                max_rows=limits.max_sheet_rows,
                max_cols=limits.max_sheet_cols,
                max_cells=limits.max_sheet_cells,
            )
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
                part.formula_cells_without_value = formula_cells_streamed(entry_chunks(self._archive, info), 100_000)
            except (PackageProblem, TagTooLong):
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


def _shared_strings_problem(info: zipfile.ZipInfo, count: int, limits: PackageLimits) -> PackageProblem | None:
    """The shared strings are more than the reader should hold (bytes or items), or None."""
    if info.file_size <= limits.max_shared_strings_bytes and count <= limits.max_shared_strings:
        return None
    return PackageProblem(
        "shared_strings_too_large",
        entry=info.filename,
        size_mb=size_in_mb(info.file_size),
        count=count,
        limit_mb=size_in_mb(limits.max_shared_strings_bytes),
        max_count=limits.max_shared_strings,
    )


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
    opened = open_archive(data, log, limits)
    if opened is None:
        return None
    archive, infos = opened
    names = [info.filename for info in infos]
    by_name = {info.filename: info for info in infos}
    try:
        return _inspect_parts(archive, infos, by_name, names, log, limits)
    except PackageProblem as problem:
        problem.log(log)
    except TagTooLong:
        log.error("xml_malformed", entry="?", detail=f"no '>' in {size_in_mb(MAX_TAG_BYTES)} MB")
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
            structure[name] = read_small(archive, by_name[name])
        return structure.get(name)

    content_types = small("[Content_Types].xml") or b""
    workbook_path = "xl/workbook.xml"
    root_rels = small("_rels/.rels")
    if root_rels is not None:
        for rel_type, path in _rels_targets(root_rels, "", "_rels/.rels", log).values():
            if rel_type.endswith("/officeDocument") and path != workbook_path:
                # The reader always opens xl/workbook.xml: a package that points elsewhere would have
                # one workbook checked here and another read (seen by the attacker review).
                log.error("workbook_part_elsewhere", entry=path)
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
    # By name, by content type, or by a relationship of the workbook (a VBA project may be stored under any name).
    info_out.has_macros = (
        any(name.lower().endswith("vbaproject.bin") for name in names)
        or b"macroEnabled" in content_types
        or b"vbaProject" in content_types
        or any(is_macro_type(rel_type) for rel_type, _ in targets.values())
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
    shared_strings = {path for rel_type, path in targets.values() if rel_type.endswith("/sharedStrings")}
    shared_strings |= {name for name in names if posixpath.basename(name).lower().startswith("sharedstrings")}

    def check(info: zipfile.ZipInfo) -> PackageProblem | None:
        try:
            chunks = entry_chunks(archive, info)
            if info.filename.lower().endswith(BINARY_SUFFIXES):
                # Named as binary, but the name proves nothing: one that starts as XML (after any amount of
                # white space) is scanned as XML.
                first, chunks = skip_blank(chunks)
                if not starts_like_xml(first):
                    for _ in chunks:
                        pass
                    return None
                chunks = itertools.chain([first], chunks)
            if info.filename in shared_strings:
                return _shared_strings_problem(info, scan_other(chunks, info.filename, count_strings=True), limits)
            if info.file_size > limits.max_xml_part_bytes:
                return PackageProblem(
                    "part_too_large", entry=info.filename, limit_mb=size_in_mb(limits.max_xml_part_bytes)
                )
            scan_other(chunks, info.filename)
            return None
        except PackageProblem as problem:
            return problem
        except TagTooLong:
            return PackageProblem(
                "xml_malformed", entry=info.filename, detail=f"no '>' in {size_in_mb(MAX_TAG_BYTES)} MB"
            )

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
