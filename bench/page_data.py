"""Synthetic models for page benchmarks and chart tests: n plan rows shaped like the annex."""

from __future__ import annotations

import random

import pandas as pd

from rbdash.model import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS, SURVEY_COLUMNS, ActionPlan, model_frame


def synthetic_plan(rows: int, seed: int = 7) -> ActionPlan:
    """A model of `rows` plan rows in 8 programmes, with realisation up to September (values invented)."""
    rng = random.Random(seed)
    plan, schedule, realisation = [], [], []
    for index in range(rows):
        code = f"SYN-{index + 1:04d}"
        months = sorted(rng.sample(range(1, 13), rng.randint(1, 12)))
        plan.append(
            {
                "satker": "Satker uji",
                "year": 2022,
                "order": index,
                "code": code,
                "no": f"{index % 8 + 1}.",
                "program": f"Program uji {index % 8 + 1}",
                "activity": f"Kegiatan uji {index // 10 + 1}",
                "sub_activity": f"Sub kegiatan uji nomor {index + 1} " + "x" * rng.randint(20, 120),
                "indicators_text": "1. Indikator uji",
                "remarks": None,
                "months": months,
                "missing_in_copy": [],
                "excel_row": index + 9,
            }
        )
        for month in months:
            schedule.append({"satker": "Satker uji", "year": 2022, "code": code, "month": month})
            if month <= 9:
                status = rng.choice(["selesai", "selesai", "selesai", "sebagian", "belum", "batal"])
                realisation.append(
                    {
                        "code": code,
                        "month": month,
                        "status": status,
                        "progress": 50.0,
                        "evidence": None,
                        "note": None,
                        "scheduled": True,
                    }
                )
    plan_frame = pd.DataFrame(plan).sort_values(["program", "activity", "order"]).reset_index(drop=True)
    info = {"satker": "Satker uji", "year": 2022, "as_of": None, "examples": {}, "sheets": {}}
    return ActionPlan(
        info,
        plan_frame,
        pd.DataFrame(schedule),
        pd.DataFrame(realisation),
        model_frame(INDICATOR_COLUMNS),
        model_frame(INDICATOR_VALUE_COLUMNS),
        model_frame(SURVEY_COLUMNS),
        pd.DataFrame(),
    )
