"""The Gantt view of the monthly schedule: plan against what was done, page by page."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.charts.style import (
    PLAN_FILL,
    PLAN_LINE,
    ROW_HEIGHT,
    STATUS_STYLE,
    as_of_text,
    escape,
    label,
    layout,
    month_axis,
    part_note,
    plain,
)

GANTT_PAGE_ROWS = 60  # plan rows on one Gantt chart (with their headings about 2,000 px); more go page by page
CHART_PAGE_ROWS = 80  # bars on one chart of one line per item (programmes, indicators, offices)


@dataclass
class GanttFilter:
    """What the Jadwal page narrows the plan to."""

    programmes: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    months: tuple[int, int] = (1, 12)
    text: str = ""
    codes: list[str] = field(default_factory=list)  # only these plan rows (the report's page chunks)


def filter_text(chosen: GanttFilter, lang: str, activity_labels: dict[str, str] | None = None) -> str:
    """The page's own filters in force, for the screen and the printout ("" when none): activities,
    statuses, months and the search text, literally (seen: a printout that did not say it was narrowed)."""
    labels = activity_labels or {}
    parts = []
    if chosen.activities:
        names = "; ".join(
            fmt.short_text(labels.get(key, fmt.group_label(selection.split_activity_key(key)[1], lang)), 50)
            for key in chosen.activities
        )
        parts.append(t("schedule.filter_activities", lang, names=names))
    if chosen.statuses:
        parts.append(
            t("schedule.filter_statuses", lang, names=", ".join(t(f"status.{s}", lang) for s in chosen.statuses))
        )
    if tuple(chosen.months) != (1, 12):
        first, last = chosen.months
        parts.append(
            t("schedule.filter_months", lang, first=fmt.month_short(first, lang), last=fmt.month_short(last, lang))
        )
    if chosen.text.strip():
        parts.append(t("schedule.filter_text", lang, text=fmt.short_text(chosen.text.strip(), 80)))
    return t("schedule.filters", lang, parts="; ".join(parts)) if parts else ""


def segments(months: list[int]) -> list[tuple[int, int]]:
    """Consecutive months merged: [6, 8, 10, 12] -> 4 segments; [1..12] -> one."""
    runs: list[tuple[int, int]] = []
    for month in sorted(months):
        if runs and month == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def gantt_rows(model: ActionPlan, as_of_month: int, chosen: GanttFilter, lang: str) -> pd.DataFrame:
    """The plan rows the filter keeps, in plan order, with programme/activity labels for grouping.

    The filter holds programme and activity keys (`analysis.selection.group_key`), not labels.
    """
    plan = model.plan.copy()
    program_key, activity_key = plan["program"].map(selection.group_key), plan["activity"].map(selection.group_key)
    program_spans, activity_spans = selection.code_spans(model, "program"), selection.activity_spans(model)
    plan["program_label"] = program_key.map(lambda key: fmt.group_label(key, lang, program_spans.get(key)))
    plan["activity_label"] = [
        fmt.group_label(activity, lang, activity_spans.get((program, activity)))
        for program, activity in zip(program_key, activity_key, strict=True)
    ]
    keep = pd.Series(True, index=plan.index)
    if chosen.codes:
        keep &= plan["code"].isin(chosen.codes)
    if chosen.programmes:
        keep &= program_key.isin(chosen.programmes)
    if chosen.activities:
        keep &= (program_key + selection.ACTIVITY_SEPARATOR + activity_key).isin(chosen.activities)
    first, last = chosen.months
    keep &= plan["months"].map(lambda months: any(first <= mo <= last for mo in months))
    if chosen.text.strip():
        needle = chosen.text.strip().casefold()
        haystack = (
            plan["code"].astype(str)
            + " "
            + plan["program_label"]
            + " "
            + plan["activity_label"]
            + " "
            + plan["sub_activity"].fillna("").astype(str)
            + " "
            + plan["indicators_text"].fillna("").astype(str)
        )
        keep &= haystack.str.casefold().str.contains(needle, regex=False)
    if chosen.statuses:
        status = m.month_status(model, as_of_month)
        status = status[(status["month"] >= first) & (status["month"] <= last)]
        codes = set(status[status["status"].isin(chosen.statuses)]["code"])
        keep &= plan["code"].isin(codes)
    return plan[keep]


def row_text(sub_activity: object, indicators_text: object, lang: str) -> str:
    """What names a plan row beside its code: its sub-activity, else (the copy lacks it) the start of its
    indicators' text, else the missing-in-copy mark (seen: rows that all read "(tidak ada dalam salinan)")."""
    if isinstance(sub_activity, str) and sub_activity.strip():
        return sub_activity
    if isinstance(indicators_text, str) and indicators_text.strip():
        return indicators_text.strip().splitlines()[0]
    return fmt.missing_in_copy(lang)


#: Characters of a note or an evidence shown in a hover box (the row's detail and the tables have it whole).
HOVER_NOTE_CHARS = 200


def follow_up_hover(progress: object, note: object, evidence: object, lang: str) -> str:
    """A status marker's hover lines for what Realisasi records: progress, note and evidence ("" if none)."""
    lines = []
    if shown := fmt.progress(progress, lang):
        lines.append(f"{escape(t('col.progress', lang))}: {escape(shown)}")
    for key, value in (("col.note", note), ("col.evidence", evidence)):
        if isinstance(value, str) and value.strip():
            lines.append(f"{escape(t(key, lang))}: {plain(fmt.short_text(value, HOVER_NOTE_CHARS))}")
    return "".join(f"<br>{line}" for line in lines)


def gantt_pages(total: int, per_page: int = GANTT_PAGE_ROWS) -> int:
    """How many Gantt pages `total` plan rows fill (at least one)."""
    return max(-(-total // per_page), 1)


def page_span(page: int, total: int, per_page: int = GANTT_PAGE_ROWS) -> tuple[int, int]:
    """The 1-based first and last row of `page` (clamped to the pages there are): (81, 160)."""
    page = min(max(page, 1), gantt_pages(total, per_page))
    return (page - 1) * per_page + 1, min(page * per_page, total)


def gantt(
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    chosen: GanttFilter | None = None,
    page: int = 1,
    per_page: int = GANTT_PAGE_ROWS,
    rows: pd.DataFrame | None = None,
    titled: bool = True,
) -> go.Figure:
    """Schedule against realisation: one line per plan row under programme and activity headings. Not `titled`:
    the title is the page's or the slide's (the report and the deck share the picture).

    A chart shows at most `per_page` plan rows (page `page` of the rows the filter keeps, or of
    `rows` when the caller has them already), so its size is bounded whatever the plan's; the
    subtitle says which rows it shows. The figure has a fixed number of traces: plan bars, one
    marker trace per status and one for the headings' hover boxes.
    """
    chosen = chosen or GanttFilter()
    if rows is None:
        rows = gantt_rows(model, as_of_month, chosen, lang)
    total = len(rows)
    first_row, last_row = page_span(page, total, per_page)
    rows = rows.iloc[first_row - 1 : last_row]
    status = m.month_status(model, as_of_month)
    status = status[status["code"].isin(set(rows["code"]))]
    status_of = dict(zip(zip(status["code"], status["month"], strict=True), status["status"], strict=True))
    follow_up = {
        (code, month): (progress, note, evidence)
        for code, month, progress, note, evidence in zip(
            status["code"], status["month"], status["progress"], status["note"], status["evidence"], strict=True
        )
    }
    labels: list[str] = []
    heading_y: list[int] = []
    heading_hover: list[str] = []
    positions: dict[str, int] = {}
    last_program = last_activity = None
    for row in rows.itertuples(index=False):
        if row.program_label != last_program:
            heading_y.append(len(labels))
            heading_hover.append(f"<b>{plain(row.program_label)}</b>")
            labels.append(f"<b>{label(row.program_label, bold=True)}</b>")
            last_program, last_activity = row.program_label, None
        if row.activity_label != last_activity:
            heading_y.append(len(labels))
            heading_hover.append(f"<i>{plain(row.activity_label)}</i>")
            labels.append(f"<i>{label(row.activity_label)}</i>")
            last_activity = row.activity_label
        positions[row.code] = len(labels)
        short = row_text(row.sub_activity, row.indicators_text, lang)
        labels.append(f"{label(row.code, 24)}  {label(short, 48)}")

    fig = go.Figure()
    bar_y, bar_base, bar_len, bar_hover = [], [], [], []
    for row in rows.itertuples(index=False):
        hover = (
            f"<b>{plain(row.code)}</b><br>"
            f"{plain(fmt.copy_text(row.sub_activity, lang))}<br><br>"
            f"<i>{escape(t('col.indicators_text', lang))}</i>:<br>{plain(row.indicators_text)}"
        )
        for start, end in segments(list(row.months)):
            bar_y.append(positions[row.code])
            bar_base.append(start - 0.45)
            bar_len.append(end - start + 0.9)
            bar_hover.append(hover)
    fig.add_trace(
        go.Bar(
            name=escape(t("status.planned", lang)),
            orientation="h",
            y=bar_y,
            base=bar_base,
            x=bar_len,
            width=0.6,
            marker={"color": PLAN_FILL, "line": {"color": PLAN_LINE, "width": 1}},
            hovertext=bar_hover,
            hoverinfo="text",
            legendrank=1,
        )
    )
    points_of: dict[str, list[tuple[str, int]]] = {state: [] for state in STATUS_STYLE}
    for code, months in zip(rows["code"], rows["months"], strict=True):
        for month in months:
            state = status_of.get((code, month))
            if state in points_of:
                points_of[state].append((code, month))
    for state, style in STATUS_STYLE.items():
        points = points_of[state]
        fig.add_trace(
            go.Scatter(
                name=escape(t(f"status.{state}", lang)),
                mode="markers",
                x=[month for _, month in points],
                y=[positions[code] for code, _ in points],
                marker={
                    "symbol": style["symbol"],
                    "color": style["color"],
                    "size": 13,
                    "line": {"width": 2, "color": style["color"] if "open" in style["symbol"] else "#222222"},
                },
                hovertext=[
                    f"{plain(code)} · {fmt.month_long(month, lang)}: {escape(t(f'status.{state}', lang))}"
                    + follow_up_hover(*follow_up.get((code, month), (None, None, None)), lang)
                    for code, month in points
                ],
                hoverinfo="text",
                legendrank=2,
            )
        )
    first, last = chosen.months
    # The headings' full names: an invisible marker at the start of each heading line.
    fig.add_trace(
        go.Scatter(
            x=[first - 0.4] * len(heading_y),
            y=heading_y,
            mode="markers",
            marker={"size": 14, "opacity": 0},
            hovertext=heading_hover,
            hoverinfo="text",
            showlegend=False,
        )
    )
    month_axis(fig, lang, first, last)
    count = max(len(labels), 1)
    fig.update_yaxes(
        tickvals=list(range(len(labels))), ticktext=labels, range=[count - 0.5, -0.5], showgrid=False, automargin=True
    )
    if first - 0.5 <= as_of_month + 0.5 <= last + 0.5:
        fig.add_vline(x=as_of_month + 0.5, line={"color": "#000000", "width": 2, "dash": "dash"})
        fig.add_annotation(
            x=as_of_month + 0.5,
            y=0,
            yref="paper",
            text=escape(t("chart.as_of_marker", lang, month=fmt.month_short(as_of_month, lang))),
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font={"size": 11},
            bgcolor="#FFFFFF",
        )
    if not positions:
        fig.add_annotation(text=escape(t("chart.no_rows", lang)), x=(first + last) / 2, y=0, showarrow=False)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.gantt.rows", first_row, last_row - first_row + 1, total, lang)
    title = t("chart.gantt.title", lang, year=model.info.get("year")) if titled else ""
    return layout(fig, title, subtitle, 140 + ROW_HEIGHT * count, lang)
