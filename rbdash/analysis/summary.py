"""The model as plain JSON-ready data (for `python -m rbdash summary --json` and exports)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from rbdash.analysis.metrics import indicator_items
from rbdash.ikm import UNSUR
from rbdash.model import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS, REALISATION_COLUMNS, ActionPlan, LoadResult


def json_ready(value: Any) -> Any:
    """A JSON-safe version of a cell value: NaN/NA -> None, dates -> ISO text, numpy -> Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        return json_ready(value.item())
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    return value


def _fields(columns: tuple[str, ...]) -> list[str]:
    """A model frame's columns without the bookkeeping the JSON carries once (office, year, Excel row)."""
    return [column for column in columns if column not in ("satker", "year", "excel_row")]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [
        {c: json_ready(v) for c, v in zip(present, row, strict=True)}
        for row in frame[present].itertuples(index=False, name=None)
    ]


def sheet_counts(model: ActionPlan) -> dict[str, int]:
    """How many rows each concept of the model holds (the summary's totals, a version row's counts)."""
    return {
        "plan_rows": len(model.plan),
        "scheduled_row_months": len(model.schedule),
        "indicators": len(model.indicators),
        "realisation_rows": len(model.realisation),
        "indicator_values": len(model.indicator_values),
        "survey_periods": len(model.survey),
        "survey_responses": len(model.responses),
    }


def summarise(result: LoadResult, lang: str = "id") -> dict[str, Any]:
    """Everything a report or another tool needs from a loaded workbook, as plain data."""
    out: dict[str, Any] = {
        "source": {"name": result.source_name, "sha256": result.sha256},
        "valid": result.is_valid,
        "problems": [p.as_dict(lang) for p in result.problems],
    }
    model = result.plan
    if model is None:
        return out
    items = indicator_items(model)
    info = {k: v for k, v in model.info.items() if k not in ("sheets", "cells")}
    out["info"] = json_ready(info)
    plan = []
    for row in model.plan.itertuples(index=False):
        plan.append(
            {
                "code": row.code,
                "no": json_ready(row.no),
                "program": json_ready(row.program),
                "activity": json_ready(row.activity),
                "sub_activity": json_ready(row.sub_activity),
                "indicators": items.get(row.code, []),
                "indicators_text": json_ready(row.indicators_text),
                "months": [int(m) for m in row.months],
                "remarks": json_ready(row.remarks),
                "responsible": json_ready(row.responsible),
                "missing_in_copy": list(row.missing_in_copy),
            }
        )
    out["plan"] = plan
    out["totals"] = sheet_counts(model)
    out["indicators"] = _records(model.indicators, _fields(INDICATOR_COLUMNS))
    out["realisation"] = _records(model.realisation, _fields(REALISATION_COLUMNS))
    out["indicator_values"] = _records(model.indicator_values, _fields(INDICATOR_VALUE_COLUMNS))
    ikm = []
    for record in _records(
        model.survey,
        [
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "unit",
            "respondents",
            *UNSUR,
            "ikm",
            "ikm_converted",
            "mutu",
            "mutu_label",
            "source",
        ],
    ):
        record["nrr"] = {u: record.pop(u) for u in UNSUR}
        ikm.append(record)
    out["ikm"] = ikm
    return out
