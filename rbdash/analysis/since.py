"""What changed since a reference version (the last meeting's): rows newly done and newly late, rows
rescheduled, indicator values changed, and the key figures then and now.

Each version is read at its own as-of month (the reference as it stood when it was current, or at the month
shown when that is earlier; the version shown at the month chosen), so "newly late" means late now and not
late then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rbdash.access.signin import WIB
from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.model import ActionPlan


@dataclass(frozen=True)
class Since:
    """The changes from `before` (at `before_month`) to `after` (at `after_month`)."""

    before_month: int
    after_month: int
    newly_done: list[tuple[str, int]]  # (code, month) done now, not done then
    newly_late: list[tuple[str, int]]  # (code, month) late now, not late then
    rescheduled: list[tuple[str, list[int], list[int]]]  # code, months then, months now
    indicator_values: list[tuple[str, int, float | None, float | None]]  # code, month, value then, now
    figures_before: m.Overview
    figures_after: m.Overview
    added: list[tuple[str, object]] = field(default_factory=list)  # (code, sub-activity) of rows new since then
    removed: list[tuple[str, object]] = field(default_factory=list)  # (code, sub-activity) of rows gone since then
    no_longer_done: list[tuple[str, int]] = field(default_factory=list)  # (code, month) done then, not now

    @property
    def ikm_change(self) -> float | None:
        """Points of the latest converted IKM, now minus then (None when either has none)."""
        before, after = self.figures_before.latest_ikm, self.figures_after.latest_ikm
        if not before or not after:
            return None
        return round(float(after["ikm_converted"]) - float(before["ikm_converted"]), 2)

    @property
    def empty(self) -> bool:
        return not (
            self.newly_done
            or self.newly_late
            or self.rescheduled
            or self.indicator_values
            or self.ikm_change
            or self.added
            or self.removed
            or self.no_longer_done
        )


def compare(before: ActionPlan, after: ActionPlan, after_month: int) -> Since:
    """What changed from the reference `before` to `after` at `after_month`. The reference is read at its own
    as-of month, or at `after_month` when that is earlier (seen: a reference dated October set against a
    September report compared October's "due next month" with September's)."""
    before_month = min(m.default_as_of_month(before), after_month)
    then = _states(before, before_month)
    now = _states(after, after_month)
    months_then = dict(zip(before.plan["code"], before.plan["months"], strict=True))
    codes_now = set(after.plan["code"])
    # A row added since is named once, as added: its done months are not "newly done" (seen: 16 of 19 were).
    kept = {key: state for key, state in now.items() if key[0] in months_then}
    newly_done = [key for key, state in kept.items() if state == m.DONE and then.get(key) != m.DONE]
    newly_late = [key for key, state in kept.items() if state == m.LATE and then.get(key) != m.LATE]
    # Done then and scheduled now but not done (seen: three reversals behind "+3 rows not done", named nowhere)
    undone = [key for key, state in kept.items() if state != m.DONE and then.get(key) == m.DONE]
    rescheduled = [
        (code, list(months_then[code]), list(months))
        for code, months in zip(after.plan["code"], after.plan["months"], strict=True)
        if code in months_then and list(months_then[code]) != list(months)
    ]
    return Since(
        before_month,
        after_month,
        _in_plan_order(after, newly_done),
        _in_plan_order(after, newly_late),
        rescheduled,
        _value_changes(before, before_month, after, after_month),
        m.overview(before, before_month),
        m.overview(after, after_month),
        added=[
            (c, text)
            for c, text in zip(after.plan["code"], after.plan["sub_activity"], strict=True)
            if c not in months_then
        ],
        removed=[
            (c, text)
            for c, text in zip(before.plan["code"], before.plan["sub_activity"], strict=True)
            if c not in codes_now
        ],
        no_longer_done=_in_plan_order(after, undone),
    )


def restricted_like(
    reference: ActionPlan, shown: ActionPlan, whole: ActionPlan, programmes: Sequence[str], responsible: Sequence[str]
) -> ActionPlan:
    """The reference restricted like `shown` (the version shown, `whole`, restricted to the `programmes` and
    `responsible` chosen; the whole reference when none is): to the rows `shown` holds, whatever programme or
    PENANGGUNG JAWAB a row had then (seen: a filter by a PENANGGUNG JAWAB the reference did not name counted
    every done month as newly done), and to the rows since removed that the filter selects in the reference
    (seen: gone from the comparison)."""
    if not programmes and not responsible:
        return reference
    gone = set(selection.for_programmes(reference, programmes, responsible).plan["code"]) - set(whole.plan["code"])
    return selection.for_codes(reference, set(shown.plan["code"]) | gone)


def _states(model: ActionPlan, month: int) -> dict[tuple[str, int], str]:
    status = m.month_status(model, month)
    status = status[status["month"] <= month]
    return dict(zip(zip(status["code"], status["month"].astype(int), strict=True), status["status"], strict=True))


def _in_plan_order(model: ActionPlan, keys: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    order = {code: index for index, code in enumerate(model.plan["code"])}
    return sorted(keys, key=lambda key: (order.get(key[0], len(order)), key[1]))


def _value_changes(
    before: ActionPlan, before_month: int, after: ActionPlan, after_month: int
) -> list[tuple[str, int, float | None, float | None]]:
    """Indicator values added, changed or removed (by indicator code and month), in code order: the values the
    pages show (`metrics.indicator_values`: an IKM indicator's from the survey; seen missing when only the
    typed ones were compared), each version at its month."""

    def values(model: ActionPlan, month: int) -> dict[tuple[str, str], tuple[int, float | None]]:
        """(code, typed month or survey period) -> (month shown, value). A survey value is dated at its period's
        end or the version's month if earlier, so it is matched by its period (seen: TW3 at August then and at
        September now listed as removed and added, unchanged)."""
        frame = m.indicator_values(model, month)
        found = {}
        for code, at, value, survey, note in zip(
            frame["indicator_code"], frame["month"], frame["value"], frame["from_survey"], frame["note"], strict=True
        ):
            if pd.isna(at) or int(at) > month:  # a value typed for a later month is not yet counted (seen listed)
                continue
            found[(str(code), str(note) if survey else f"{int(at):02d}")] = (int(at), m.finite(value))
        return found

    then, now = values(before, before_month), values(after, after_month)
    changed = []
    for key in sorted(set(then) | set(now)):
        old, new = then.get(key, (0, None)), now.get(key, (0, None))
        if old[1] != new[1]:
            changed.append((key[0], new[0] or old[0], old[1], new[1]))
    return sorted(changed, key=lambda change: (change[0], change[1]))


def default_reference(versions: Sequence[Any], today: dt.date) -> Any | None:
    """The version current at the start of the previous month (the last monthly meeting's): the newest one
    published before that day (WIB dates, `created_at` ISO in UTC), among `versions` (newest first).
    None when every version is newer, or when that one is the newest (nothing to compare)."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=WIB)
    for version in versions:
        created = dt.datetime.fromisoformat(str(version.created_at).replace("Z", "+00:00"))
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        if created < start:
            return None if version is versions[0] else version
    return None
