"""Problems found in a workbook: collected, never raised, rendered from the message catalogue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from rbdash.messages import t

Severity = Literal["error", "warning"]

#: Every problem a workbook check can report; each has "problem.<code>.message" and ".fix" in the catalogue.
ProblemCode = Literal[
    "answer_out_of_range",
    "cell_reference_unreadable",
    "cell_text_too_long",
    "corrupt_zip",
    "as_of_outside_year",
    "duplicate_code",
    "duplicate_column",
    "duplicate_entry",
    "duplicate_sheet",
    "empty_file",
    "encrypted_workbook",
    "file_too_large",
    "foreign_package",
    "formula_without_value",
    "header_not_found",
    "invalid_date",
    "invalid_flag",
    "invalid_item_no",
    "invalid_month",
    "invalid_period",
    "invalid_year",
    "responsible_not_listed",
    "legacy_xls",
    "macro_strip_failed",
    "macros_ignored",
    "merged_cells_too_many",
    "merged_ranges_too_many",
    "missing_code",
    "missing_column",
    "missing_info_field",
    "missing_month_columns",
    "missing_sheet",
    "missing_sheet_renamed",
    "missing_value",
    "more_problems",
    "no_plan_rows",
    "not_a_number",
    "not_a_regular_file",
    "not_a_workbook",
    "not_a_zip",
    "number_out_of_range",
    "part_missing",
    "part_too_large",
    "period_outside_year",
    "realisation_not_scheduled",
    "row_without_schedule",
    "shared_strings_too_large",
    "sheet_area_too_large",
    "sheet_extent_too_large",
    "sheet_grid_too_large",
    "sheet_row_too_far",
    "sheet_too_large",
    "survey_after_as_of",
    "indicator_value_from_survey",
    "indicator_value_not_survey_month",
    "survey_conflict",
    "too_many_entries",
    "unknown_code",
    "unknown_direction",
    "unknown_status",
    "unknown_tick",
    "unknown_unit",
    "unreadable_sheet",
    "unsur_without_answers",
    "workbook_area_too_large",
    "workbook_part_elsewhere",
    "worker_busy",
    "worker_crashed",
    "worker_memory",
    "worker_timeout",
    "xml_dtd",
    "xml_malformed",
    "zero_respondents",
    "zip_bomb_ratio",
    "zip_bomb_size",
    "zip_encrypted_entry",
    "zip_size_mismatch",
]


@dataclass(frozen=True)
class MessageRef:
    """A problem parameter that is itself a catalogue message, rendered in the reader's language."""

    key: str


#: A workbook text quoted in a message (a cell's value, a list of options) is cut to this many characters: a
#: 32,000-character cell made a 64 kB line of `validate` (seen).
PARAM_CHARS = 200


@dataclass(frozen=True)
class Problem:
    """One finding: what is wrong, where (sheet and A1 cell), and how to fix it."""

    severity: Severity
    code: ProblemCode
    sheet: str | None = None
    cell: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "id") -> str:
        return t(f"problem.{self.code}.message", lang, **self._params(lang))

    def fix(self, lang: str = "id") -> str:
        return t(f"problem.{self.code}.fix", lang, **self._params(lang))

    def _params(self, lang: str) -> dict[str, Any]:
        params: dict[str, Any] = {"sheet": self.sheet or "", "cell": self.cell or ""}
        for name, value in self.params.items():
            if isinstance(value, MessageRef):
                params[name] = t(value.key, lang)
            elif isinstance(value, str) and len(value) > PARAM_CHARS:  # a cell's text is quoted, not reprinted
                params[name] = value[: PARAM_CHARS - 1] + "…"
            else:
                params[name] = value
        return params

    def location(self, lang: str = "id") -> str:
        if self.sheet is None:
            return t("report.whole_file", lang)
        return f"{self.sheet}!{self.cell}" if self.cell else f"{self.sheet} {t('report.whole_sheet', lang)}"

    def as_dict(self, lang: str = "id") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message(lang),
            "fix": self.fix(lang),
        }

    def render(self, lang: str = "id") -> str:
        head = t(f"severity.{self.severity}", lang)
        where = self.location(lang)
        return f"{head} [{self.code}] {where}: {self.message(lang)} {t('report.fix', lang)}: {self.fix(lang)}"


class ProblemLog:
    """An ordered collection of problems.

    At most `per_kind` problems of one code on one sheet are kept one by one; the rest are
    counted and summed up by `finish()` in one "more_problems" entry, so a sheet with 100,000
    bad answers yields a readable report.
    """

    def __init__(self, per_kind: int = 50) -> None:
        self.items: list[Problem] = []
        self.per_kind = per_kind
        self._kept: Counter[tuple[str, str | None]] = Counter()
        self._suppressed: dict[tuple[str, str | None], tuple[Severity, int]] = {}

    def error(self, code: ProblemCode, sheet: str | None = None, cell: str | None = None, /, **params: Any) -> None:
        self.add("error", code, sheet, cell, **params)

    def warning(self, code: ProblemCode, sheet: str | None = None, cell: str | None = None, /, **params: Any) -> None:
        self.add("warning", code, sheet, cell, **params)

    def add(
        self,
        severity: Severity,
        code: ProblemCode,
        sheet: str | None = None,
        cell: str | None = None,
        /,
        **params: Any,
    ) -> None:
        key = (code, sheet)
        if self._kept[key] >= self.per_kind:
            self.suppress(severity, code, sheet, 1)
            return
        self._kept[key] += 1
        self.items.append(Problem(severity, code, sheet, cell, params))

    def suppress(self, severity: Severity, code: ProblemCode, sheet: str | None, count: int) -> None:
        """Count `count` more problems of a kind without listing them."""
        _, before = self._suppressed.get((code, sheet), (severity, 0))
        self._suppressed[(code, sheet)] = (severity, before + count)

    def room(self, code: ProblemCode, sheet: str | None) -> int:
        """How many more problems of this kind would still be listed one by one."""
        return max(self.per_kind - self._kept[(code, sheet)], 0)

    def finish(self) -> list[Problem]:
        """Append one summary per kind of suppressed problems; return all problems."""
        for (code, sheet), (severity, count) in self._suppressed.items():
            self.items.append(Problem(severity, "more_problems", sheet, None, {"count": count, "code": code}))
        self._suppressed.clear()
        return self.items

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)


def column_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row + 1}"


def column_index(letters: str) -> int:
    """Excel letters to a 0-based column index (A -> 0)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1
