"""Metrics the dashboard shows, as pure functions over the loaded model (no Streamlit, no Plotly).

"As-of month" (posisi data per) is the last month whose data counts: months after it are future.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rbdash.analysis.selection import MISSING_KEY, group_key, programme_keys
from rbdash.ikm import combine_units, counted_by, survey_indicator_values
from rbdash.model import ActionPlan
from rbdash.workbook.parse import split_numbered_items

# Status of a scheduled row-month, in legend order.
DONE, PARTIAL, NOT_DONE, LATE, CANCELLED, PLANNED = "done", "partial", "not_done", "late", "cancelled", "planned"
MONTH_STATUSES = (DONE, PARTIAL, NOT_DONE, LATE, CANCELLED, PLANNED)

# Status of an indicator at the as-of month.
ACHIEVED, ON_TRACK, BEHIND, NO_DATA, NO_TARGET = "achieved", "on_track", "behind", "no_data", "no_target"
INDICATOR_STATES = (ACHIEVED, ON_TRACK, BEHIND, NO_DATA, NO_TARGET)


def finite(value: object) -> float | None:
    """A model cell as a number: a finite int or float as float; None for anything else (empty, NaN, text,
    True/False)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def default_as_of_month(model: ActionPlan) -> int:
    """The workbook's "posisi data per" month, else the last month with realisation, else December."""
    as_of = model.info.get("as_of")
    if isinstance(as_of, dt.date) and as_of.year == model.info.get("year"):
        return as_of.month
    if not model.realisation.empty:
        return int(model.realisation["month"].max())
    return 12


#: Realisasi's recorded statuses as MONTH_STATUSES (an empty STATUS in a month on record reads as not done).
RECORDED_STATUS = {"selesai": DONE, "sebagian": PARTIAL, "batal": CANCELLED, "belum": NOT_DONE}
#: The recorded statuses that settle a scheduled month; "belum" leaves it late or not done by the as-of month.
_CLOSING_STATUS = {recorded: state for recorded, state in RECORDED_STATUS.items() if state != NOT_DONE}


def month_status(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """One row per scheduled row-month: code, month, status (see MONTH_STATUSES), progress, note, evidence.

    done/partial/cancelled come from the Realisasi sheet; a scheduled month at or before the as-of
    month without done/partial/cancelled is late (before it) or not done (the as-of month itself);
    later months are planned.
    """
    schedule = model.schedule[["code", "month"]].astype({"month": "int64"})
    real = model.realisation[["code", "month", "status", "progress", "note", "evidence"]].astype({"month": "int64"})
    merged = schedule.merge(real, on=["code", "month"], how="left")
    recorded = merged["status"].map(_CLOSING_STATUS)
    past = merged["month"] < as_of_month
    current = merged["month"] == as_of_month
    status = np.select(
        [merged["month"] > as_of_month, recorded.notna(), past, current],
        [PLANNED, recorded.astype(object), LATE, NOT_DONE],
        default=PLANNED,
    )
    merged["status"] = pd.Series(status, index=merged.index).astype(object)
    return merged


#: Realisation columns a reader follows a row by: how far it is, the note, the evidence (data dukung).
FOLLOW_UP = ("progress", "note", "evidence")


def latest_realisation(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Per plan row (index: code), its last Realisasi row up to the as-of month: month, status (as
    recorded: selesai, sebagian, batal), progress, note, evidence. Rows with none recorded are absent."""
    real = model.realisation
    real = real[real["month"].astype("int64") <= as_of_month]
    last = real.sort_values("month", kind="stable").groupby("code", sort=False).tail(1)
    return last.set_index("code")[["month", "status", *FOLLOW_UP, "scheduled"]]


def row_months(model: ActionPlan, code: str, as_of_month: int) -> pd.DataFrame:
    """One plan row month by month: each scheduled month with its status (MONTH_STATUSES) and what Realisasi
    records for it up to the as-of month, then months up to it recorded but not scheduled (`scheduled` False,
    status as recorded). Nothing recorded after the as-of month shows, as on every other page."""
    status = month_status(model, as_of_month)
    planned = status[status["code"] == code].assign(scheduled=True)
    planned.loc[planned["month"] > as_of_month, list(FOLLOW_UP)] = None  # seen: September's note as of May
    real = model.realisation
    extra = real[
        (real["code"] == code) & ~real["scheduled"].astype(bool) & (real["month"].astype("int64") <= as_of_month)
    ]
    extra = extra.assign(
        month=extra["month"].astype("int64"),
        status=extra["status"].map(RECORDED_STATUS).fillna(NOT_DONE).astype(object),
        scheduled=False,
    )
    columns = ["month", "status", *FOLLOW_UP, "scheduled"]
    both = pd.concat([planned[columns], extra[columns]], ignore_index=True)
    return both.sort_values(["month", "scheduled"], ascending=[True, False], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Overview:
    """The key figures of the overview page."""

    as_of_month: int
    plan_rows: int
    indicators: int
    scheduled_to_date: int
    done_to_date: int
    partial_to_date: int
    overdue_rows: list[str]
    due_next_month: list[str]
    indicators_with_target: int
    indicators_achieved: int
    latest_ikm: dict[str, Any] | None = None
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def done_share(self) -> float | None:
        return self.done_to_date / self.scheduled_to_date if self.scheduled_to_date else None

    @property
    def indicator_completion(self) -> float | None:
        return self.indicators_achieved / self.indicators_with_target if self.indicators_with_target else None


def overview(model: ActionPlan, as_of_month: int) -> Overview:
    """Key figures up to the as-of month."""
    status = month_status(model, as_of_month)
    to_date = status[status["month"] <= as_of_month]
    open_statuses = {PARTIAL, NOT_DONE, LATE}
    overdue = to_date[to_date["status"].isin(open_statuses)]["code"]
    next_month = status[status["month"] == as_of_month + 1]["code"] if as_of_month < 12 else pd.Series(dtype=object)
    states = indicator_status(model, as_of_month)
    with_target = states[states["state"] != NO_TARGET]
    return Overview(
        as_of_month=as_of_month,
        plan_rows=len(model.plan),
        indicators=len(model.indicators),
        scheduled_to_date=len(to_date),
        done_to_date=int((to_date["status"] == DONE).sum()),
        partial_to_date=int((to_date["status"] == PARTIAL).sum()),
        overdue_rows=_in_plan_order(model, overdue),
        due_next_month=_in_plan_order(model, next_month),
        indicators_with_target=len(with_target),
        indicators_achieved=int((with_target["state"] == ACHIEVED).sum()),
        latest_ikm=latest_ikm(model, as_of_month),
        by_status={s: int((to_date["status"] == s).sum()) for s in MONTH_STATUSES if s != PLANNED},
    )


def _in_plan_order(model: ActionPlan, codes: pd.Series) -> list[str]:
    wanted = set(codes)
    return [code for code in model.plan["code"] if code in wanted]


def programme_progress(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Per programme key (in plan order): scheduled row-months to date and how many are done/partial/open."""
    status = month_status(model, as_of_month)
    status = status[status["month"] <= as_of_month]
    program = model.plan.set_index("code")["program"].map(group_key)
    status["program"] = status["code"].map(program).fillna(MISSING_KEY)
    order = programme_keys(model)
    table = pd.crosstab(status["program"], status["status"]).reindex(order).fillna(0).astype(int)
    for column in (DONE, PARTIAL, NOT_DONE, LATE, CANCELLED):
        if column not in table:
            table[column] = 0
    table["scheduled"] = table[[DONE, PARTIAL, NOT_DONE, LATE, CANCELLED]].sum(axis=1)
    table["done_share"] = (table[DONE] / table["scheduled"].where(table["scheduled"] > 0)).astype(float)
    return table.reset_index().rename(columns={"index": "program"})


def indicator_status(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Per indicator at the as-of month: latest value, completion (0..1) and state.

    Direction counts: for "turun" indicators lower is better. A missing target is its own state
    (no_target), never 0 %. On track means at or beyond the straight line from the baseline
    (0 when not given, for "naik") in January to the target in December.
    """
    indicators = model.indicators
    values = indicator_values(model, as_of_month)
    values = values[values["month"] <= as_of_month].sort_values("month", kind="stable")
    latest = values.groupby("indicator_code").tail(1).set_index("indicator_code")
    rows = []
    for ind in indicators.itertuples(index=False):
        value = latest["value"].get(ind.indicator_code, np.nan) if not latest.empty else np.nan
        month = latest["month"].get(ind.indicator_code, np.nan) if not latest.empty else np.nan
        target, baseline = ind.target, ind.baseline
        lower_is_better = ind.direction == "turun"
        completion = np.nan
        if pd.isna(target):
            state = NO_TARGET
        elif pd.isna(value):
            state = NO_DATA
        else:
            completion = _completion(value, target, baseline, lower_is_better)
            if (value <= target) if lower_is_better else (value >= target):
                state = ACHIEVED
            else:
                expected = _expected(target, baseline, lower_is_better, as_of_month)
                on_track = expected is not None and ((value <= expected) if lower_is_better else (value >= expected))
                state = ON_TRACK if on_track else BEHIND
        rows.append(
            {
                "indicator_code": ind.indicator_code,
                "plan_code": ind.plan_code,
                "text": ind.text,
                "unit": ind.unit,
                "direction": ind.direction,
                "target": target,
                "baseline": baseline,
                "target_assumed": ind.target_assumed,
                "value": value,
                "value_month": month,
                "completion": completion,
                "state": state,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_code",
            "plan_code",
            "text",
            "unit",
            "direction",
            "target",
            "baseline",
            "target_assumed",
            "value",
            "value_month",
            "completion",
            "state",
        ],
    )


def _completion(value: float, target: float, baseline: float, lower_is_better: bool) -> float:
    if lower_is_better:
        if value <= target:
            return 1.0
        if not pd.isna(baseline) and baseline > target:
            return float(min(max((baseline - value) / (baseline - target), 0.0), 1.0))
        return 0.0
    start = 0.0 if pd.isna(baseline) else baseline
    if target <= start:
        return 1.0 if value >= target else 0.0
    return float(min(max((value - start) / (target - start), 0.0), 1.0))


def _expected(target: float, baseline: float, lower_is_better: bool, as_of_month: int) -> float | None:
    if lower_is_better and pd.isna(baseline):
        return None
    start = 0.0 if pd.isna(baseline) else baseline
    return start + (target - start) * as_of_month / 12


def indicator_values(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """The Capaian Indikator values, except that an IKM indicator takes its values from the survey alone
    when the survey has periods in the plan year (`ikm.survey_indicator_values`, the rule the Petunjuk
    sheet states): the all-units IKM of each period counted at the as-of month, in the period's last
    month or the as-of month if earlier, as the IKM card counts it (seen: the card showed TW3 as of
    August while the indicator showed TW2, or a value typed for August). `from_survey` marks them."""
    values = model.indicator_values.assign(from_survey=False)
    year = model.info.get("year")
    every = survey_indicator_values(model.indicators, model.survey, year)
    if every.empty:
        return values
    counted = set(survey_by_as_of(model, as_of_month)[0]["period"])
    derived = every[every["period"].isin(counted)]
    from_survey = derived.assign(
        satker=model.info.get("satker"),
        year=year,
        month=derived["month"].clip(upper=as_of_month),
        note=derived["period"].map(lambda period: f"IKM {period}"),
        excel_row=pd.NA,
        from_survey=True,
    )[list(values.columns)]
    kept = values[
        ~values["indicator_code"].isin(
            set(survey_indicator_values(model.indicators, model.survey, year)["indicator_code"])
        )
    ]
    combined = pd.concat([kept, from_survey], ignore_index=True) if not kept.empty else from_survey
    return combined.sort_values(["indicator_code", "month"], kind="stable").reset_index(drop=True)


def indicator_trend(model: ActionPlan, indicator_code: str, as_of_month: int = 12) -> pd.DataFrame:
    """The values of one indicator by month (`indicator_values`)."""
    values = indicator_values(model, as_of_month)
    chosen = values[values["indicator_code"] == indicator_code].sort_values("month", kind="stable")
    return chosen[["month", "value", "note"]]


def survey_by_as_of(model: ActionPlan, as_of_month: int) -> tuple[pd.DataFrame, list[str]]:
    """The survey rows of the periods that started by the end of the as-of month, and the names of the
    later periods. The one rule every page, the report and the deck follow (seen: the overview showed
    TW3 while the IKM page, the PDF and the deck showed a TW4 that starts after the posisi data)."""
    survey = model.survey
    year = model.info.get("year")
    if survey.empty or not year:
        return survey, []
    counted = counted_by(survey, int(year), as_of_month)
    return survey[counted], list(dict.fromkeys(survey.loc[~counted, "period"]))


def ikm_table(model: ActionPlan, overall_label: str, as_of_month: int) -> pd.DataFrame:
    """IKM per period and service unit, plus an overall row per period, for the periods that started by
    the end of the as-of month (`survey_by_as_of`)."""
    survey, _ = survey_by_as_of(model, as_of_month)
    if survey.empty:
        return survey
    overall = combine_units(survey, keys=("period",), unit_label=overall_label)
    starts = survey.drop_duplicates("period").set_index("period")["period_start"]
    overall["period_start"] = overall["period"].map(starts)
    overall["overall"] = True
    units = survey.assign(overall=False)
    return (
        pd.concat([units, overall], ignore_index=True)
        .sort_values(["period_start", "overall", "unit"], kind="stable")
        .reset_index(drop=True)
    )


def latest_ikm(model: ActionPlan, as_of_month: int) -> dict[str, Any] | None:
    """The overall IKM of the latest period that started by the end of the as-of month."""
    eligible, _ = survey_by_as_of(model, as_of_month)
    if eligible.empty:
        return None
    last = eligible.sort_values("period_start")["period"].iloc[-1]
    overall = combine_units(eligible[eligible["period"] == last], keys=("period",)).iloc[0]
    return {
        "period": last,
        "ikm": overall["ikm"],
        "ikm_converted": overall["ikm_converted"],
        "mutu": overall["mutu"],
        "respondents": int(overall["respondents"]),
    }


def weakest_unsur(row: pd.Series) -> str | None:
    """The unsur with the lowest NRR in a survey row (the first one on a tie)."""
    values = {f"U{i}": row.get(f"U{i}") for i in range(1, 10)}
    given = {name: float(value) for name, value in values.items() if value is not None and not pd.isna(value)}
    return min(given, key=lambda name: given[name]) if given else None


def indicator_items(model: ActionPlan) -> dict[str, list[str]]:
    """Indicator texts per plan code: from the Indikator sheet, else split from the annex cell."""
    items: dict[str, list[str]] = {}
    if not model.indicators.empty:
        for code, text in zip(model.indicators["plan_code"], model.indicators["text"], strict=False):
            items.setdefault(code, []).append(text)
        return items
    for code, text in zip(model.plan["code"], model.plan["indicators_text"], strict=False):
        items[code] = [item for _, item in split_numbered_items(text)] if isinstance(text, str) else []
    return items
