"""The model every layer shares: a loaded action plan (`ActionPlan`, tidy DataFrames) and the outcome
of loading a workbook (`LoadResult`, the model and every problem found)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rbdash.ikm import UNSUR
from rbdash.problems import Problem

# ----------------------------------------------------------------------------------------------
# The columns of each frame of the model, declared once: the parsers build every frame, empty or
# not, with `model_frame`, which refuses any other set of columns.

PLAN_COLUMNS = (
    "satker",
    "year",
    "order",
    "code",
    "no",
    "program",
    "activity",
    "sub_activity",
    "indicators_text",
    "remarks",
    "responsible",
    "months",
    "missing_in_copy",
    "excel_row",
)
INDICATOR_COLUMNS = (
    "satker",
    "year",
    "indicator_code",
    "plan_code",
    "item_no",
    "text",
    "unit",
    "direction",
    "target",
    "baseline",
    "target_assumed",
    "note",
    "excel_row",
)
REALISATION_COLUMNS = (
    "satker",
    "year",
    "code",
    "month",
    "status",
    "progress",
    "evidence",
    "note",
    "scheduled",
    "excel_row",
)
INDICATOR_VALUE_COLUMNS = ("satker", "year", "indicator_code", "month", "value", "note", "excel_row")
#: One row per period and unit: NRR per unsur (with the answer sums and counts it came from, when it
#: came from answers), then the IKM score.
SURVEY_COLUMNS = (
    "satker",
    "year",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "unit",
    "respondents",
    *UNSUR,
    *(f"{unsur}_{part}" for unsur in UNSUR for part in ("sum", "n")),
    "source",
    "ikm",
    "ikm_converted",
    "mutu",
    "mutu_label",
)


def model_frame(columns: tuple[str, ...], data: dict[str, Any] | None = None) -> pd.DataFrame:
    """A frame of the model with exactly `columns`: empty, or from `data`, whose keys must be those columns."""
    if data is None:
        return pd.DataFrame(columns=list(columns))
    if tuple(data) != columns:
        raise ValueError(f"frame columns {tuple(data)} are not the model's {columns}")
    return pd.DataFrame(data)


# ----------------------------------------------------------------------------------------------
# The model


@dataclass
class ActionPlan:
    """A loaded workbook: one tidy DataFrame per concept, and the Info fields.

    Every frame carries `satker` and `year`, so several offices and years can be stacked.
    """

    info: dict[str, Any]
    plan: pd.DataFrame
    schedule: pd.DataFrame
    realisation: pd.DataFrame
    indicators: pd.DataFrame
    indicator_values: pd.DataFrame
    survey: pd.DataFrame
    responses: pd.DataFrame


@dataclass
class LoadResult:
    """The outcome of loading: the model (None when unreadable) and every problem found."""

    plan: ActionPlan | None
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    source_name: str = ""
    worker_peak_bytes: int = 0  # peak resident memory of the worker process that loaded it (0: in-process)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def is_valid(self) -> bool:
        return self.plan is not None and not self.errors

    @property
    def unreadable(self) -> bool:
        return self.plan is None

    def named(self, satker: str) -> LoadResult:
        """A copy whose model names its office `satker` (the store's known spelling of what Info!satker says),
        as every page, report and deck of a stored version shows it; the model itself is not changed."""
        if self.plan is None:
            return self
        info = {**self.plan.info, "satker": satker}
        return dataclasses.replace(self, plan=dataclasses.replace(self.plan, info=info))
