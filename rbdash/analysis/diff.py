"""What one workbook changes against another: every sheet and every Info field, compared both ways.

`compare(before, after)` lists each row added, changed (one entry per changed field) and removed,
for the plan, indicators, realisation, indicator values, the IKM sheet and the survey answers, and
each Info field; and each sheet that held data before but is missing from `after` (a renamed sheet
is missing: its rows would silently go). Values are kept as the model holds them (numbers, months,
dates, status keys); `rbdash.present.changes` words them in a language.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from rbdash.ikm import UNSUR
from rbdash.model import ActionPlan
from rbdash.workbook import schema

Kind = Literal["added", "changed", "removed"]
KINDS: tuple[Kind, ...] = ("added", "changed", "removed")


@dataclass(frozen=True)
class Part:
    """One compared sheet: the model frame of its rows, the columns that identify a row, the compared fields."""

    sheet: str  # schema sheet key
    keys: tuple[str, ...]
    fields: tuple[str, ...]
    rows: Callable[[ActionPlan], pd.DataFrame]


def _survey_sheet_rows(plan: ActionPlan) -> pd.DataFrame:
    """The IKM sheet's own rows (not the ones computed from the answers)."""
    name = (plan.info.get("sheets") or {}).get("survey_nrr")
    survey = plan.survey
    if name is None or survey.empty or "source" not in survey:
        return survey.iloc[0:0]
    return survey[survey["source"] == name]


def _answer_rows(plan: ActionPlan) -> pd.DataFrame:
    """The answers, each identified by period, unit, respondent and its place among rows with the same three."""
    responses = plan.responses
    if responses.empty:
        return pd.DataFrame(columns=["period", "unit", "respondent", "occurrence", *UNSUR])
    identity = responses[["period", "unit", "respondent"]].astype("object")
    keys = identity.where(identity.notna(), "")
    return responses.assign(occurrence=keys.groupby(list(keys.columns), sort=False).cumcount() + 1)


PARTS: tuple[Part, ...] = (
    Part(
        "plan",
        ("code",),
        ("no", "program", "activity", "sub_activity", "indicators_text", "remarks", "responsible", "months"),
        lambda plan: plan.plan,
    ),
    Part(
        "indicators",
        ("indicator_code",),
        ("plan_code", "item_no", "text", "unit", "direction", "target", "baseline", "note"),
        lambda plan: plan.indicators,
    ),
    Part("realisation", ("code", "month"), ("status", "progress", "evidence", "note"), lambda plan: plan.realisation),
    Part("indicator_values", ("indicator_code", "month"), ("value", "note"), lambda plan: plan.indicator_values),
    Part("survey_nrr", ("period", "unit"), ("respondents", *UNSUR), _survey_sheet_rows),
    Part("survey_responses", ("period", "unit", "respondent", "occurrence"), UNSUR, _answer_rows),
)
#: The Info fields compared (the sheet's own rows; what the loader derives from them is not).
INFO_FIELDS = tuple(field.key for field in schema.INFO_FIELDS)


@dataclass(frozen=True)
class Change:
    """One row added or removed (`field` None; `before`/`after` the row's fields), or one field changed."""

    sheet: str
    kind: Kind
    key: tuple[Any, ...]
    field: str | None
    before: Any
    after: Any


@dataclass(frozen=True)
class MissingSheet:
    """A sheet that held rows in the earlier version and is not in the new file."""

    sheet: str  # schema sheet key
    name: str  # its name in the schema ("Realisasi")
    rows: int  # rows it held before
    found: tuple[str, ...]  # the new file's sheets that match no sheet of the schema
    closest: str | None  # the one of them most like `name`, if any is close


@dataclass(frozen=True)
class Comparison:
    """Every difference between two workbooks, and the sheets that went missing."""

    changes: tuple[Change, ...]
    missing_sheets: tuple[MissingSheet, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the two hold the same content (however the files differ byte by byte)."""
        return not self.changes and not self.missing_sheets

    def counts(self) -> dict[str, dict[Kind, int]]:
        """Rows added, changed and removed per sheet key (a row with several changed fields counts once),
        for every sheet with any change, in the schema's order."""
        rows = {(c.sheet, c.kind, c.key) for c in self.changes}
        tally = Counter((sheet, kind) for sheet, kind, _ in rows)
        order = [spec.key for spec in schema.SHEETS]
        sheets = sorted({sheet for sheet, _ in tally}, key=order.index)
        return {sheet: {kind: tally[(sheet, kind)] for kind in KINDS} for sheet in sheets}

    @property
    def removed(self) -> int:
        """Rows (and Info fields) removed, over all sheets."""
        return sum(counts["removed"] for counts in self.counts().values())

    def of(self, sheet: str) -> list[Change]:
        return [c for c in self.changes if c.sheet == sheet]


def value(raw: Any) -> Any:
    """A model value made comparable and plain: missing -> None, NumPy scalars -> Python, lists -> tuples,
    timestamps -> dates."""
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return None
    if isinstance(raw, (list, tuple, np.ndarray)):
        return tuple(value(item) for item in raw)
    if isinstance(raw, np.generic):
        raw = raw.item()
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if isinstance(raw, pd.Timestamp):
        return raw.date()
    if isinstance(raw, dt.datetime):
        return raw.date()
    return raw


def _records(frame: pd.DataFrame, part: Part) -> dict[tuple[Any, ...], dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    present = [name for name in part.fields if name in frame.columns]
    records: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in frame[[*part.keys, *present]].itertuples(index=False, name=None):
        key = tuple(value(item) for item in row[: len(part.keys)])
        fields = dict(zip(present, (value(item) for item in row[len(part.keys) :]), strict=True))
        records.setdefault(key, fields)  # a repeated key was reported by the loader; the first row counts
    return records


def _compare_part(part: Part, before: ActionPlan | None, after: ActionPlan) -> list[Change]:
    old = _records(part.rows(before), part) if before is not None else {}
    new = _records(part.rows(after), part)
    changes: list[Change] = []
    for key, fields in new.items():
        if key not in old:
            changes.append(Change(part.sheet, "added", key, None, None, fields))
            continue
        was = old[key]
        for name in part.fields:
            if was.get(name) != fields.get(name):
                changes.append(Change(part.sheet, "changed", key, name, was.get(name), fields.get(name)))
    changes += [Change(part.sheet, "removed", key, None, fields, None) for key, fields in old.items() if key not in new]
    return changes


def _compare_info(before: ActionPlan | None, after: ActionPlan) -> list[Change]:
    old = {name: value(before.info.get(name)) for name in INFO_FIELDS} if before is not None else {}
    new = {name: value(after.info.get(name)) for name in INFO_FIELDS}
    changes = []
    for name in INFO_FIELDS:
        was, now = old.get(name), new[name]
        if was == now:
            continue
        kind: Kind = "added" if was is None else "removed" if now is None else "changed"
        changes.append(Change("info", kind, (name,), name, was, now))
    return changes


def missing_sheets(before: ActionPlan | None, after: ActionPlan) -> list[MissingSheet]:
    """Sheets whose rows `before` holds and that `after` does not have at all."""
    if before is None:
        return []
    matched = after.info.get("sheets") or {}
    unmatched = tuple(name for name in after.info.get("workbook_sheets") or () if name not in matched.values())
    missing = []
    for part in PARTS:
        rows = len(part.rows(before))
        if rows and part.sheet not in matched:
            spec = schema.sheet_spec(part.sheet)
            missing.append(
                MissingSheet(part.sheet, spec.name, rows, unmatched, schema.closest_sheet_name(unmatched, spec))
            )
    return missing


def compare(before: ActionPlan | None, after: ActionPlan) -> Comparison:
    """Everything `after` changes against `before` (everything is added when there is no `before`)."""
    changes = _compare_info(before, after)
    for part in PARTS:
        changes += _compare_part(part, before, after)
    return Comparison(tuple(changes), tuple(missing_sheets(before, after)))
