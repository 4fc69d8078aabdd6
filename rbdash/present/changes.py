"""A `Comparison` (rbdash.analysis.diff) in words: counts per sheet, and one table row per change,
with values written the reader's way (Indonesian numbers, month names, the catalogue's status words)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from rbdash.analysis.diff import Change, Comparison, MissingSheet
from rbdash.ikm import UNSUR
from rbdash.messages import CATALOGUE, t
from rbdash.present import formatting as fmt
from rbdash.workbook import schema

_STATUS_KEYS = {
    "selesai": "status.done",
    "sebagian": "status.partial",
    "belum": "status.open",
    "batal": "status.cancelled",
}
_KIND_KEYS = {"added": "diff.added", "changed": "diff.changed", "removed": "diff.removed"}
_INFO_LABELS = {field.key: field.label for field in schema.INFO_FIELDS}
#: Fields whose numbers are shown with two decimals (NRR, measured values); others as written.
_DECIMAL_FIELDS = {"value", "target", "baseline", "progress", *UNSUR}
_MONTH_FIELDS = {"month"}


def sheet_name(sheet: str) -> str:
    """The sheet's name as the workbook writes it (the same in both languages)."""
    return schema.sheet_spec(sheet).name


def field_label(sheet: str, field: str, lang: str) -> str:
    if sheet == "info":
        return _INFO_LABELS.get(field, field)
    if field in UNSUR:
        return field
    key = f"col.{field}"
    return t(key, lang) if key in CATALOGUE else field


def shown_value(field: str | None, raw: Any, lang: str) -> str:
    """One value as a reader writes it: 60 -> '60', 88.305 -> '88,31' (id), months -> 'Jan, Mar', status words."""
    if raw is None:
        return "–"
    if isinstance(raw, bool):
        return t("word.yes" if raw else "word.no", lang)
    if field == "status" and raw in _STATUS_KEYS:
        return t(_STATUS_KEYS[raw], lang)
    if field == "months" and isinstance(raw, tuple):
        return ", ".join(fmt.month_short(int(month), lang) for month in raw) or "–"
    if field in _MONTH_FIELDS and isinstance(raw, int):
        return fmt.month_long(raw, lang)
    if isinstance(raw, dt.date):
        return fmt.date(raw, lang)
    if field in ("year", "item_no", "no") or (field is None and isinstance(raw, int)):
        return str(raw)
    if isinstance(raw, (int, float)):
        decimals = 2 if field in _DECIMAL_FIELDS and float(raw) != int(raw) else 0
        return fmt.number(raw, lang, decimals)
    if isinstance(raw, tuple):
        return "; ".join(shown_value(None, item, lang) for item in raw)
    return str(raw)


def row_label(change: Change, lang: str) -> str:
    """Which row: 'RA-01', 'RA-01 · September', '2022-TW1 · Loket', or the Info field's label."""
    if change.sheet == "info":
        return field_label("info", str(change.key[0]), lang)
    parts = list(change.key)
    if change.sheet == "survey_responses":
        period, unit, respondent, occurrence = parts
        parts = [period, unit, respondent or t("diff.no_respondent", lang)]
        if occurrence != 1:
            parts.append(f"#{occurrence}")
    elif change.sheet in ("realisation", "indicator_values"):
        parts = [parts[0], shown_value("month", parts[1], lang)]
    return " · ".join(str(part) for part in parts)


def _row_text(sheet: str, fields: dict[str, Any] | None, lang: str) -> str:
    """A whole added or removed row, field by field."""
    if not fields:
        return "–"
    return "; ".join(
        f"{field_label(sheet, name, lang)}: {shown_value(name, raw, lang)}"
        for name, raw in fields.items()
        if raw is not None
    )


def counts_text(comparison: Comparison, lang: str) -> list[str]:
    """'Realisasi: 0 ditambah, 2 diubah, 45 dihapus', one line per sheet with any change."""
    return [t("diff.counts", lang, sheet=sheet_name(sheet), **counts) for sheet, counts in comparison.counts().items()]


def removed_text(comparison: Comparison, lang: str) -> str:
    """'Realisasi 45, Responden SKM 260': rows removed per sheet."""
    return ", ".join(
        f"{sheet_name(sheet)} {fmt.number(counts['removed'], lang)}"
        for sheet, counts in comparison.counts().items()
        if counts["removed"]
    )


def changes_table(comparison: Comparison, lang: str) -> pd.DataFrame:
    """One row per change: sheet, row, kind, field, before, after (text, in `lang`)."""
    rows = []
    for change in comparison.changes:
        if change.field is not None:
            before = shown_value(change.field, change.before, lang)
            after = shown_value(change.field, change.after, lang)
            field = field_label(change.sheet, change.field, lang)
        else:
            before = _row_text(change.sheet, change.before, lang)
            after = _row_text(change.sheet, change.after, lang)
            field = "–"
        rows.append(
            (sheet_name(change.sheet), row_label(change, lang), t(_KIND_KEYS[change.kind], lang), field, before, after)
        )
    columns = [t(key, lang) for key in ("col.sheet", "diff.row", "diff.kind", "col.field", "col.before", "col.after")]
    return pd.DataFrame(rows, columns=columns)


def missing_sheet_text(missing: MissingSheet, lang: str) -> str:
    """'Lembar Realisasi tidak ada (versi saat ini memuat 45 baris); ditemukan Realisasi Sep: ganti namanya.'"""
    found = ", ".join(missing.found) if missing.found else t("diff.no_other_sheets", lang)
    key = "diff.sheet_missing_close" if missing.closest else "diff.sheet_missing"
    return t(key, lang, sheet=missing.name, rows=missing.rows, found=found, closest=missing.closest or "")
