"""The report's pages beyond the key figures and the charts: the since-page (what changed since a reference
version), a quarter's page, and the full row table of a plan too large for the Gantt pages."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Spacer, Table

from rbdash.analysis import metrics
from rbdash.analysis.since import Since
from rbdash.exports.pdf_parts import Sheet
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.since import Reference, change_tables, figure_rows
from rbdash.present.views import quarter_heading, quarter_label, quarter_table


def rows_table(model: ActionPlan, as_of_month: int, lang: str, sheet: Sheet) -> Table:
    """Every plan row in plan order: code, sub-activity, scheduled months and the realisation to date
    ("Selesai 5 · Terlambat 1"), for a plan too large for the Gantt pages."""
    status = metrics.month_status(model, as_of_month)
    status = status[status["month"] <= as_of_month]
    counts: dict[str, dict[str, int]] = {}
    for (code, state), number in status.groupby(["code", "status"]).size().items():
        counts.setdefault(code, {})[state] = int(number)
    order = [metrics.DONE, metrics.PARTIAL, metrics.NOT_DONE, metrics.LATE, metrics.CANCELLED]
    header = [
        t("col.code", lang),
        t("col.sub_activity", lang),
        t("col.months", lang),
        t("report.realisation_to_date", lang, month=fmt.month_long(as_of_month, lang)),
    ]
    rows = [header]
    for row in model.plan.itertuples(index=False):
        found = counts.get(row.code, {})
        done = " · ".join(f"{t(f'status.{state}', lang)} {found[state]}" for state in order if state in found)
        rows.append(
            [
                row.code,
                fmt.copy_text(row.sub_activity, lang),
                ", ".join(fmt.month_short(month, lang) for month in row.months),
                done or "–",
            ]
        )
    return sheet.table(rows, [25 * mm, sheet.width - 135 * mm, 50 * mm, 60 * mm])


def quarter_page(model: ActionPlan, as_of_month: int, quarter: int, lang: str, sheet: Sheet) -> list:
    """A quarter report's own page: each programme and kegiatan in triwulan `quarter` beside the cumulative
    figures to the as-of month (`views.quarter_table`)."""
    table = quarter_table(model, as_of_month, lang)
    title = quarter_heading(model, quarter, as_of_month, lang)
    columns = [table.columns[0], quarter_label(quarter, lang), table.columns[-1]]
    rows = [columns, *table[columns].astype(str).values.tolist()]
    return [
        *sheet.heading(title),
        sheet.paragraph(t("quarter.intro", lang), "small"),
        Spacer(1, 3 * mm),
        sheet.table(rows, [sheet.width - 90 * mm, 45 * mm, 45 * mm]),
        PageBreak(),
    ]


def since_page(
    changes: Since, reference: Reference, model: ActionPlan, lang: str, sheet: Sheet, filtered: bool = False
) -> list:
    """The report's first page after the cover: what changed since `reference` (its heading names the version
    and when it was published, WIB): the key figures then, now and their change, then each kind of change
    listed whole (rows newly done and newly late, rescheduled, indicator values), or "nothing changed"."""
    width = sheet.width
    figures = figure_rows(changes, reference, lang, office_wide=filtered)
    story: list = [
        *sheet.heading(reference.heading(lang)),
        sheet.paragraph(t("since.intro", lang), "small"),
        Spacer(1, 3 * mm),
        sheet.table(figures, [70 * mm, 50 * mm, 50 * mm, width - 170 * mm]),
    ]
    if changes.empty:
        story += [Spacer(1, 4 * mm), sheet.paragraph(t("since.nothing", lang), "small")]
    for found in change_tables(changes, model, lang):
        widths = {
            "codes": [30 * mm, width - 30 * mm],
            "rows": [30 * mm, width - 75 * mm, 45 * mm],
            "rescheduled": [30 * mm, width - 150 * mm, 60 * mm, 60 * mm],
            "values": [40 * mm, 45 * mm, 40 * mm, 40 * mm],
        }[found.kind]
        story += [
            CondPageBreak(30 * mm),
            sheet.paragraph(found.heading, "h2"),
            sheet.table(found.rows, widths),
        ]
    return [*story, PageBreak()]
