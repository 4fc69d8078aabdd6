"""Tables the app shows, built from the model as plain DataFrames (no Streamlit here)."""

from __future__ import annotations

import pandas as pd

from rbdash.analysis.metrics import indicator_items
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt


def example_sheet_names(model: ActionPlan) -> list[str]:
    """Names of the workbook sheets that hold example (CONTOH) values."""
    sheets = model.info.get("sheets", {})
    names = []
    for key, flag in model.info.get("examples", {}).items():
        if not flag:
            continue
        if key == "survey":
            sources = set(model.survey["source"]) if "source" in model.survey else set()
            found = [sheets[k] for k in ("survey_responses", "survey_nrr") if sheets.get(k) in sources]
            names.extend(found)
            continue
        if key in sheets:  # a flagged sheet that was removed holds no example values any more
            names.append(sheets[key])
    return names


def _shown(value: object, missing: bool, lang: str) -> str:
    if missing:
        return fmt.missing_in_copy(lang)
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def plan_table(model: ActionPlan, lang: str) -> pd.DataFrame:
    """One row per plan row: code, hierarchy, texts and scheduled months, with translated headers."""
    items = indicator_items(model)
    rows = []
    for row in model.plan.itertuples(index=False):
        missing = set(row.missing_in_copy)
        indicators = items.get(row.code) or []
        rows.append(
            {
                t("col.code", lang): row.code,
                t("col.program", lang): _shown(row.program, "program" in missing, lang),
                t("col.activity", lang): _shown(row.activity, "activity" in missing, lang),
                t("col.sub_activity", lang): _shown(row.sub_activity, "sub_activity" in missing, lang),
                t("col.indicators_text", lang): "\n".join(indicators)
                if indicators
                else _shown(None, "indicators_text" in missing, lang),
                t("col.months", lang): ", ".join(fmt.month_short(m, lang) for m in row.months),
            }
        )
    return pd.DataFrame(rows)


def plan_rows_table(model: ActionPlan, codes: list[str], lang: str) -> pd.DataFrame:
    """The plan table limited to `codes`, in plan order."""
    table = plan_table(model, lang)
    return table[table[t("col.code", lang)].isin(codes)].reset_index(drop=True)
