"""The bounds applied to every workbook package (`PackageLimits`) and the problem that stops an
inspection (`PackageProblem`)."""

from __future__ import annotations

from dataclasses import dataclass

from rbdash.config import UPLOAD_LIMIT_BYTES
from rbdash.problems import ProblemCode, ProblemLog


@dataclass(frozen=True)
class PackageLimits:
    """Bounds applied to every uploaded or loaded workbook."""

    max_file_bytes: int = UPLOAD_LIMIT_BYTES  # decimal: 50 MB = 50,000,000 bytes (rbdash.config)
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
    # Text parts the reader holds whole: the shared strings (every text cell points into them; Excel writes
    # about 100 bytes per text), and any other XML part (styles, comments, drawings). Worksheets are bounded
    # by their cells above, media are never parsed.
    max_shared_strings_bytes: int = 64 * 1024 * 1024
    max_shared_strings: int = 1_000_000
    max_xml_part_bytes: int = 64 * 1024 * 1024
    # Merged ranges are filled cell by cell (each cell shows the range's value): their count per sheet, and
    # the cells they cover within the sheet's grid.
    max_merged_ranges: int = 10_000
    max_merged_cells: int = 1_000_000
    max_cell_chars: int = 32_767  # Excel's own limit on the text of one cell


DEFAULT_LIMITS = PackageLimits()


def size_in_mb(size: int) -> str:
    """A byte count in MB for messages: 50, 1.5, 0.1 (never a misleading 0)."""
    value = size / 1048576
    return f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"


CHUNK_BYTES = 1 << 20


# Between two '>' a workbook writer puts at most one cell's text (32,767 characters): 16 MB without a
# '>' is no spreadsheet XML, and bounds what a scan holds at once.
MAX_TAG_BYTES = 16 << 20


# Parts parsed in Python (content types, relationships, the workbook) are small in every real file.
MAX_STRUCTURE_BYTES = 16 << 20


class PackageProblem(Exception):
    """A part that stops the inspection: `code` names the problem, `sheet` and `cell` where, `params` fill it."""

    def __init__(self, code: ProblemCode, sheet: str | None = None, cell: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code, self.sheet, self.cell = code, sheet, cell
        self.params = params

    def log(self, log: ProblemLog) -> None:
        log.error(self.code, self.sheet, self.cell, **self.params)
