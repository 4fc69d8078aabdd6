"""What a workbook in the RB Dash layout holds: the bundled 2022 workbook and the blank template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.workbook import annex2022


@dataclass
class WorkbookContent:
    """What goes into a workbook; empty lists give empty sheets with headers only."""

    info: dict
    plan_rows: Sequence[annex2022.AnnexRow]
    indicators: Sequence[annex2022.IndicatorRow]
    notes: Sequence[str] = ()
    realisation: Sequence[annex2022.RealisationRow] = ()
    indicator_values: Sequence[tuple[str, int, float, str | None]] = ()  # code, month, value, note
    responses: Sequence[tuple[str, str, int, tuple[int, ...]]] = ()
    nrr_rows: Sequence[tuple] = ()
    examples: dict[str, bool] = field(default_factory=dict)
    guide: bool = False
    lang: str = "id"
    #: The plan sheet's lines above its header: the annex's own for the 2022 plan (a "CONTOH" there marks the
    #: plan rows as example data, as above any sheet's header).
    title_lines: tuple[str, ...] = annex2022.TITLE_LINES
    source_line: str = annex2022.SOURCE_LINE


def bundled_content() -> WorkbookContent:
    """The shipped 2022 workbook: the annex, plus example (CONTOH) progress data."""
    indicators = []
    for row in annex2022.indicator_rows():
        target, baseline = annex2022.EXAMPLE_TARGETS.get(row.code, (None, None))
        indicators.append(
            annex2022.IndicatorRow(
                row.code,
                row.plan_code,
                row.item_no,
                row.text,
                row.unit,
                row.direction,
                target,
                baseline,
                target is not None,
            )
        )
    values = [
        (code, month, value, "CONTOH")
        for code, series in annex2022.EXAMPLE_INDICATOR_VALUES.items()
        for month, value in series.items()
    ]
    info = dict(annex2022.INFO, as_of=annex2022.EXAMPLE_AS_OF, prepared_by="Tim RB Dash (penyusunan buku kerja)")
    return WorkbookContent(
        info=info,
        plan_rows=annex2022.ROWS,
        indicators=indicators,
        notes=annex2022.READING_NOTES,
        realisation=annex2022.example_realisation(),
        indicator_values=values,
        responses=annex2022.example_responses(),
        examples={"realisation": True, "indicator_values": True, "indicators": True, "survey": True},
    )


def template_content(lang: str = "id") -> WorkbookContent:
    """A blank template: the 2022 plan rows and indicators, empty progress sheets, a guide."""
    info = dict(annex2022.INFO, as_of=None, prepared_by=None)
    return WorkbookContent(
        info=info,
        plan_rows=annex2022.ROWS,
        indicators=annex2022.indicator_rows(),
        notes=annex2022.READING_NOTES,
        guide=True,
        lang=lang,
    )


def office_title_lines(satker: str, year: int) -> tuple[str, ...]:
    """The plan sheet's title for an office and year, as the annex writes its own (upper case)."""
    return (annex2022.TITLE_LINES[0], f"DI LINGKUNGAN {satker.upper()}", f"TAHUN {year}")


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def carried_plan_rows(model: ActionPlan) -> list[annex2022.AnnexRow]:
    """A model's plan rows as a new year's workbook carries them: code, numbering, texts and ticked months (a
    cell the copy did not show stays marked so); remarks and PENANGGUNG JAWAB are the new year's to write."""
    return [
        annex2022.AnnexRow(
            str(row.code),
            _text(row.no),
            _text(row.program),
            _text(row.activity),
            _text(row.sub_activity),
            _text(row.indicators_text),
            tuple(int(month) for month in row.months),
        )
        for row in model.plan.itertuples(index=False)
    ]


def carried_indicators(model: ActionPlan) -> list[annex2022.IndicatorRow]:
    """A model's indicators as a new year's workbook carries them: without targets or baselines (a year's own)."""
    return [
        annex2022.IndicatorRow(
            str(row.indicator_code),
            str(row.plan_code),
            int(row.item_no) if _text(row.item_no) is not None else 0,
            str(_text(row.text) or ""),
            str(_text(row.unit) or ""),
            str(_text(row.direction) or ""),
        )
        for row in model.indicators.itertuples(index=False)
    ]


def office_template_content(
    satker: str, year: int, lang: str = "id", carried: ActionPlan | None = None, carried_from: str = ""
) -> WorkbookContent:
    """A blank workbook for `satker` and `year`: the plan rows and indicators of `carried` (a model of an earlier
    year, named by `carried_from`: "KPU Provinsi Banten 2022 versi 3"), or none; empty progress sheets; the guide.
    The decree's number, date and title are the new plan's own: left blank, never invented."""
    info = {"satker": satker, "year": year, "title": None, "decree_number": None, "decree_date": None}
    source = (
        t("template.source_carried", lang, source=carried_from, year=year)
        if carried is not None
        else t("template.source_blank", lang)
    )
    return WorkbookContent(
        info=info,
        plan_rows=carried_plan_rows(carried) if carried is not None else [],
        indicators=carried_indicators(carried) if carried is not None else [],
        guide=True,
        lang=lang,
        title_lines=office_title_lines(satker, year),
        source_line=source,
    )
