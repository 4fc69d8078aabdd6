"""The model every layer shares: a loaded action plan (`ActionPlan`, tidy DataFrames) and the outcome
of loading a workbook (`LoadResult`, the model and every problem found)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rbdash.problems import Problem

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
