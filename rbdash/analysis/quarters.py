"""Plan against realisation per quarter (triwulan, the KemenPANRB reporting rhythm): which quarters a report
may be made for, as of when, and each programme's and kegiatan's row-months planned, due, done and partial
per quarter. Pure functions over the loaded model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rbdash.analysis.metrics import DONE, PARTIAL, default_as_of_month, month_status
from rbdash.analysis.selection import group_key
from rbdash.model import ActionPlan

#: The quarters (triwulan) of a year: number -> its months.
QUARTERS = {1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9), 4: (10, 11, 12)}


def quarters_begun(model: ActionPlan, as_of_month: int) -> list[int]:
    """The quarters a report may be made for: begun by `as_of_month` and by the workbook's own as-of month
    (a later one has no data yet)."""
    begun = min(as_of_month, default_as_of_month(model))
    return [quarter for quarter, months in QUARTERS.items() if months[0] <= begun]


def quarter_as_of(quarter: int, as_of_month: int) -> int:
    """A quarter's report is as of its last month, or of `as_of_month` when that is earlier."""
    return min(QUARTERS[quarter][-1], as_of_month)


def quarter_progress(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Plan against realisation per triwulan, for each programme and, under it, each kegiatan (plan order).

    One row per group: `level` ("program" or "activity"), `program` and `activity` keys, then per quarter q:
    `planned_q` (scheduled row-months in it), `due_q` (of those, up to the as-of month), `done_q` and
    `partial_q` (of the due ones); and the same to date (`due`, `done`, `partial`). A quarter after the
    as-of month has nothing due yet."""
    status = month_status(model, as_of_month)
    plan = model.plan.set_index("code")
    status["program"] = status["code"].map(plan["program"].map(group_key))
    status["activity"] = status["code"].map(plan["activity"].map(group_key))
    status["quarter"] = (status["month"] - 1) // 3 + 1
    status["due"] = status["month"] <= as_of_month
    status["is_done"] = status["due"] & (status["status"] == DONE)
    status["is_partial"] = status["due"] & (status["status"] == PARTIAL)
    groups = [("program", ["program"]), ("activity", ["program", "activity"])]
    order = {key: rank for rank, key in enumerate(dict.fromkeys(model.plan["program"].map(group_key)))}
    activity_order = {
        key: rank
        for rank, key in enumerate(
            dict.fromkeys(zip(model.plan["program"].map(group_key), model.plan["activity"].map(group_key), strict=True))
        )
    }
    rows: list[dict[str, Any]] = []
    for level, keys in groups:
        for key, part in status.groupby(keys, sort=False):
            program, activity = (key[0], "") if level == "program" else key
            row: dict[str, Any] = {"level": level, "program": program, "activity": activity}
            for quarter in QUARTERS:
                in_quarter = part[part["quarter"] == quarter]
                row[f"planned_{quarter}"] = len(in_quarter)
                row[f"due_{quarter}"] = int(in_quarter["due"].sum())
                row[f"done_{quarter}"] = int(in_quarter["is_done"].sum())
                row[f"partial_{quarter}"] = int(in_quarter["is_partial"].sum())
            row["due"], row["done"] = int(part["due"].sum()), int(part["is_done"].sum())
            row["partial"] = int(part["is_partial"].sum())
            row["rank"] = (
                order.get(program, 0),
                -1 if level == "program" else activity_order.get((program, activity), 0),
            )
            rows.append(row)
    rows.sort(key=lambda row: row["rank"])
    columns = ["level", "program", "activity"]
    columns += [f"{part}_{q}" for q in QUARTERS for part in ("planned", "due", "done", "partial")]
    columns += ["due", "done", "partial"]
    return pd.DataFrame(rows, columns=columns)
