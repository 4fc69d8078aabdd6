"""Which plan rows a page, a list or a report shows: stable filter keys for programmes, kegiatan and PENANGGUNG
JAWAB (never translated labels), the model restricted to the rows chosen, and the code spans that name an
unnamed programme or kegiatan. Pure functions over the loaded model."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from rbdash.model import ActionPlan

#: The key of a programme or activity the copy of the decree does not show (its label: fmt.missing_in_copy).
MISSING_KEY = ""


def group_key(value: object) -> str:
    """A programme or activity as a stable filter key: its text, or MISSING_KEY when the copy lacks it.

    Filters keep keys, never translated labels, so a choice survives a change of language.
    """
    return value if isinstance(value, str) else MISSING_KEY


def programme_keys(model: ActionPlan) -> list[str]:
    """The programmes' keys in plan order."""
    return list(dict.fromkeys(group_key(p) for p in model.plan["program"]))


def for_programmes(model: ActionPlan, programmes: Sequence[str], responsible: Sequence[str] = ()) -> ActionPlan:
    """`model` restricted to the chosen programmes' keys and PENANGGUNG JAWAB keys (either, when none is
    chosen, not narrowing): their plan rows, schedule, realisation, indicators and indicator values. The
    IKM survey is the office's, not a programme's, and is kept whole (pages say so)."""
    if not programmes and not responsible:
        return model
    keep = pd.Series(True, index=model.plan.index)
    if programmes:
        keep &= model.plan["program"].map(group_key).isin(list(programmes))
    if responsible:
        keep &= model.plan["responsible"].map(group_key).isin(list(responsible))
    return for_codes(model, set(model.plan.loc[keep, "code"]))


def for_codes(model: ActionPlan, codes: set[str]) -> ActionPlan:
    """`model` restricted to the plan rows of `codes`: their schedule, realisation, indicators and indicator
    values (the survey kept whole, as `for_programmes` keeps it)."""
    plan = model.plan[model.plan["code"].isin(codes)]
    indicators = model.indicators[model.indicators["plan_code"].isin(codes)]
    return dataclasses.replace(
        model,
        plan=plan.reset_index(drop=True),
        schedule=model.schedule[model.schedule["code"].isin(codes)].reset_index(drop=True),
        realisation=model.realisation[model.realisation["code"].isin(codes)].reset_index(drop=True),
        indicators=indicators.reset_index(drop=True),
        indicator_values=model.indicator_values[
            model.indicator_values["indicator_code"].isin(set(indicators["indicator_code"]))
        ].reset_index(drop=True),
    )


def responsible_keys(model: ActionPlan) -> list[str]:
    """The PENANGGUNG JAWAB keys in plan order, MISSING_KEY (rows naming none) last; [] when no row names one."""
    named = [value for value in dict.fromkeys(model.plan["responsible"].map(group_key)) if value != MISSING_KEY]
    if not named:
        return []
    unnamed = bool((model.plan["responsible"].map(group_key) == MISSING_KEY).any())
    return [*named, MISSING_KEY] if unnamed else named


def responsible_rank(model: ActionPlan) -> dict[str, int]:
    """Per plan code, the place of its PENANGGUNG JAWAB in `responsible_keys` (rows naming none last): the
    order in which lists and the report group rows; {} when no row names one."""
    keys = responsible_keys(model)
    if not keys:
        return {}
    place = {key: rank for rank, key in enumerate(keys)}
    return {
        code: place[group_key(name)] for code, name in zip(model.plan["code"], model.plan["responsible"], strict=True)
    }


def code_spans(model: ActionPlan, column: str) -> dict[str, str]:
    """Per programme or activity key (`column`: "program" or "activity"), the plan codes of its rows as
    runs in plan order ("RA-01–RA-03, RA-08"): what names a group the copy of the decree left unnamed."""
    return {key: spans for (key,), spans in _spans(model, [column]).items()}


def activity_spans(model: ActionPlan) -> dict[tuple[str, str], str]:
    """Per (programme key, activity key), the codes of that activity's rows within that programme: the
    name of an unnamed activity under its programme's heading (seen: "RA-01–RA-03, RA-08" under both)."""
    return {(program, activity): spans for (program, activity), spans in _spans(model, ["program", "activity"]).items()}


def _spans(model: ActionPlan, columns: list[str]) -> dict[tuple[str, ...], str]:
    """Per key of `columns`, its rows' codes as runs of adjacent plan rows ("RA-01–RA-03, RA-08")."""
    plan = model.plan
    if plan.empty:
        return {}
    keys = pd.DataFrame({column: plan[column].map(group_key) for column in columns})
    changed = (keys != keys.shift()).any(axis=1)  # a run starts where the key differs from the row above
    runs = pd.DataFrame({"run": changed.cumsum(), "code": plan["code"].astype(str)}).groupby("run")["code"]
    firsts, lasts = runs.first(), runs.last()
    starts = keys[changed.to_numpy()]
    spans: dict[tuple[str, ...], list[str]] = {}
    for key, first, last in zip(starts.itertuples(index=False, name=None), firsts, lasts, strict=True):
        spans.setdefault(key, []).append(first if first == last else f"{first}–{last}")
    return {key: ", ".join(found) for key, found in spans.items()}


#: Joins a programme key and an activity key into the activity's filter key: an activity is one of its
#: programme's (seen: the two unnamed activities of two programmes were one filter choice).
ACTIVITY_SEPARATOR = "\x1f"


def activity_key(program: object, activity: object) -> str:
    """The filter key of an activity within its programme (`split_activity_key` undoes it)."""
    return f"{group_key(program)}{ACTIVITY_SEPARATOR}{group_key(activity)}"


def split_activity_key(key: str) -> tuple[str, str]:
    """(programme key, activity key) of an activity's filter key."""
    program, _, activity = key.partition(ACTIVITY_SEPARATOR)
    return program, activity


def activity_keys(model: ActionPlan, programmes: list[str]) -> list[str]:
    """The activities' filter keys (`activity_key`) in plan order, of the given programmes (all when empty)."""
    plan = model.plan
    keep = plan["program"].map(group_key).isin(programmes) if programmes else pd.Series(True, index=plan.index)
    return list(
        dict.fromkeys(
            activity_key(p, a) for p, a in zip(plan.loc[keep, "program"], plan.loc[keep, "activity"], strict=True)
        )
    )
