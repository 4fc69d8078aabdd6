"""The roll-up across offices and years (Rekap, `rbdash rollup`): one record of key figures per version.

A version's figures are computed once, when it is published (`plan_figures`, kept in the version's summary
beside the sheet counts), at the workbook's own posisi data month, with the same functions as Ringkasan: the
roll-up reads 1,659 versions' summaries, never their workbooks. A summary written before these figures existed
is computed again from the version's file (`needs_figures`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from rbdash.analysis.metrics import DONE, default_as_of_month, finite, overview, programme_progress
from rbdash.analysis.selection import MISSING_KEY
from rbdash.model import ActionPlan

#: Bump when `plan_figures` changes what it computes: summaries of an older kind are computed again.
FIGURES_VERSION = 1
#: The key of the figures in a version's summary.
FIGURES_KEY = "rollup"


def plan_figures(model: ActionPlan) -> dict[str, Any]:
    """The key figures of one plan at its posisi data month, as JSON-ready data.

    rows, scheduled and done row-months up to the month, rows not done by then (Ringkasan's "Baris belum
    selesai"), indicators achieved of those with a target, the latest overall IKM with its mutu band, and per
    programme (in plan order) its scheduled and done row-months."""
    month = default_as_of_month(model)
    figures = overview(model, month)
    progress = programme_progress(model, month)
    ikm = figures.latest_ikm or {}
    as_of = model.info.get("as_of")
    return {
        "kind": FIGURES_VERSION,
        "as_of_month": month,
        # the date only when it is the month the figures are at (a date of another year is set aside, as there)
        "as_of": as_of.isoformat() if isinstance(as_of, dt.date) and as_of.year == model.info.get("year") else None,
        "rows": figures.plan_rows,
        "scheduled_to_date": figures.scheduled_to_date,
        "done_to_date": figures.done_to_date,
        "rows_not_done": len(figures.overdue_rows),
        "indicators_with_target": figures.indicators_with_target,
        "indicators_achieved": figures.indicators_achieved,
        "ikm": finite(ikm.get("ikm")),
        "ikm_converted": finite(ikm.get("ikm_converted")),
        "mutu": ikm.get("mutu") if isinstance(ikm.get("mutu"), str) else None,
        "ikm_period": ikm.get("period") if isinstance(ikm.get("period"), str) else None,
        "examples": sorted(key for key, flag in model.info.get("examples", {}).items() if flag),
        "programmes": [
            {"programme": str(row.program), "scheduled": int(row.scheduled), "done": int(getattr(row, DONE))}
            for row in progress.itertuples(index=False)
        ],
    }


def needs_figures(summary: Mapping[str, Any]) -> bool:
    """Whether a version's summary lacks this release's figures (written earlier, or damaged)."""
    figures = summary.get(FIGURES_KEY)
    return not isinstance(figures, dict) or figures.get("kind") != FIGURES_VERSION


#: The roll-up's columns, in order: office, year and version, then the figures.
COLUMNS = (
    "satker",
    "year",
    "version",
    "as_of",
    "as_of_month",
    "rows",
    "scheduled_to_date",
    "done_to_date",
    "done_share",
    "rows_not_done",
    "indicators_achieved",
    "indicators_with_target",
    "indicator_share",
    "ikm",
    "ikm_converted",
    "mutu",
    "ikm_period",
    "examples",
)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def rollup_frame(records: Iterable[tuple[str, int, int, Mapping[str, Any]]]) -> pd.DataFrame:
    """One row per (satker, year, version number, figures), with the shares computed: done of scheduled
    row-months, achieved of indicators with a target (None where there is nothing to divide)."""
    rows = []
    for satker, year, number, figures in records:
        rows.append(
            {
                "satker": satker,
                "year": year,
                "version": number,
                "as_of": figures.get("as_of"),
                "as_of_month": figures.get("as_of_month"),
                "rows": figures.get("rows", 0),
                "scheduled_to_date": figures.get("scheduled_to_date", 0),
                "done_to_date": figures.get("done_to_date", 0),
                "done_share": _share(figures.get("done_to_date", 0), figures.get("scheduled_to_date", 0)),
                "rows_not_done": figures.get("rows_not_done", 0),
                "indicators_achieved": figures.get("indicators_achieved", 0),
                "indicators_with_target": figures.get("indicators_with_target", 0),
                "indicator_share": _share(
                    figures.get("indicators_achieved", 0), figures.get("indicators_with_target", 0)
                ),
                "ikm": figures.get("ikm"),
                "ikm_converted": figures.get("ikm_converted"),
                "mutu": figures.get("mutu"),
                "ikm_period": figures.get("ikm_period"),
                "examples": list(figures.get("examples", [])),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def ranked_by_lateness(frame: pd.DataFrame) -> pd.DataFrame:
    """The roll-up ranked for attention: most rows not done first, then the lowest share done, then by name."""
    order = frame.assign(_share=frame["done_share"].astype(float).fillna(1.0))
    order = order.sort_values(["rows_not_done", "_share", "satker"], ascending=[False, True, True], kind="stable")
    return order.drop(columns="_share").reset_index(drop=True)


def programme_matrix(records: Iterable[tuple[str, Mapping[str, Any]]]) -> pd.DataFrame:
    """Share of scheduled row-months done per office (rows, in the order given) and programme (columns, in order
    of first appearance); NaN where an office schedules nothing of a programme up to its posisi data month."""
    cells: dict[str, dict[str, float]] = {}
    programmes: list[str] = []
    offices: list[str] = []
    for satker, figures in records:
        offices.append(satker)
        cells[satker] = {}
        for item in figures.get("programmes", []):
            programme = str(item.get("programme") or MISSING_KEY)
            if programme not in programmes:
                programmes.append(programme)
            scheduled = int(item.get("scheduled") or 0)
            if scheduled:
                cells[satker][programme] = int(item.get("done") or 0) / scheduled
    return pd.DataFrame(
        [[cells[office].get(programme, float("nan")) for programme in programmes] for office in offices],
        index=offices,
        columns=programmes,
        dtype=float,
    )
