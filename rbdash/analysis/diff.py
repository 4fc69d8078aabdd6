"""What an uploaded workbook changes against the current version, as plain tables for the preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rbdash.model import ActionPlan

PLAN_FIELDS = ("program", "activity", "sub_activity", "indicators_text", "remarks")


@dataclass
class Changes:
    """The differences, each as a small frame (empty when nothing changed)."""

    plan_added: list[str] = field(default_factory=list)
    plan_removed: list[str] = field(default_factory=list)
    plan_changed: pd.DataFrame = field(default_factory=pd.DataFrame)  # code, field, before, after
    rescheduled: pd.DataFrame = field(default_factory=pd.DataFrame)  # code, before, after (months)
    realisation: pd.DataFrame = field(default_factory=pd.DataFrame)  # code, month, before, after
    indicator_values: pd.DataFrame = field(default_factory=pd.DataFrame)  # indicator_code, month, before, after
    new_periods: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.plan_added or self.plan_removed or self.new_periods) and all(
            frame.empty for frame in (self.plan_changed, self.rescheduled, self.realisation, self.indicator_values)
        )


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def _keyed_changes(
    before: pd.DataFrame, after: pd.DataFrame, keys: list[str], describe: Callable[[Any], str]
) -> pd.DataFrame:
    """Rows whose description differs, or that are new, between two frames keyed by `keys`."""
    old = (
        {
            tuple(k): describe(r)
            for k, r in zip(before[keys].itertuples(index=False), before.itertuples(index=False), strict=True)
        }
        if not before.empty
        else {}
    )
    rows = []
    if not after.empty:
        for k, r in zip(after[keys].itertuples(index=False), after.itertuples(index=False), strict=True):
            now, was = describe(r), old.get(tuple(k), "")
            if now != was:
                rows.append((*k, was, now))
    return pd.DataFrame(rows, columns=[*keys, "before", "after"])


def compare(before: ActionPlan | None, after: ActionPlan) -> Changes:
    """The changes `after` makes to `before` (everything is new when there is no `before`)."""
    changes = Changes()
    old_plan = before.plan.set_index("code") if before is not None else pd.DataFrame(columns=after.plan.columns)
    new_plan = after.plan.set_index("code")
    changes.plan_added = [c for c in new_plan.index if c not in old_plan.index]
    changes.plan_removed = [c for c in old_plan.index if c not in new_plan.index]
    changed, moved = [], []
    for code in new_plan.index.intersection(old_plan.index):
        for name in PLAN_FIELDS:
            was, now = _text(old_plan.at[code, name]), _text(new_plan.at[code, name])
            if was != now:
                changed.append((code, name, was, now))
        was_months, now_months = list(old_plan.at[code, "months"]), list(new_plan.at[code, "months"])
        if was_months != now_months:
            moved.append((code, ", ".join(map(str, was_months)), ", ".join(map(str, now_months))))
    changes.plan_changed = pd.DataFrame(changed, columns=["code", "field", "before", "after"])
    changes.rescheduled = pd.DataFrame(moved, columns=["code", "before", "after"])
    empty_real = after.realisation.iloc[0:0]
    changes.realisation = _keyed_changes(
        before.realisation if before is not None else empty_real,
        after.realisation,
        ["code", "month"],
        lambda r: f"{_text(r.status)} {_text(r.progress)}".strip(),
    )
    empty_values = after.indicator_values.iloc[0:0]
    changes.indicator_values = _keyed_changes(
        before.indicator_values if before is not None else empty_values,
        after.indicator_values,
        ["indicator_code", "month"],
        lambda r: _text(r.value),
    )
    old_periods = (
        set()
        if before is None or before.survey.empty
        else set(zip(before.survey["period"], before.survey["unit"], strict=True))
    )
    if not after.survey.empty:
        changes.new_periods = [
            f"{p} · {u}"
            for p, u in zip(after.survey["period"], after.survey["unit"], strict=True)
            if (p, u) not in old_periods
        ]
    return changes
