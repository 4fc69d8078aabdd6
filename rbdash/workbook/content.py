"""What a workbook in the RB Dash layout holds: the bundled 2022 workbook and the blank template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
