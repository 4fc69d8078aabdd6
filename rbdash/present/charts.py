"""Chart builders: model or frame in, Plotly figure out (no Streamlit).

Every figure says what it shows and "posisi data per" in its title; status is told by symbol,
pattern and label as well as by colour (Okabe-Ito, colour-blind safe), so prints in grayscale
stay readable. Workbook text is HTML-escaped before it reaches a label or a hover box.
"""

from __future__ import annotations

import datetime as dt
import html
import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.ikm import MUTU_BANDS, UNSUR
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.workbook.schema import UNSUR_NAMES_ID

# Okabe-Ito colours, the same on every page.
STATUS_STYLE = {
    m.DONE: {"color": "#009E73", "symbol": "circle", "pattern": ""},
    m.PARTIAL: {"color": "#E69F00", "symbol": "diamond", "pattern": "/"},
    m.NOT_DONE: {"color": "#56B4E9", "symbol": "circle-open", "pattern": "."},
    m.LATE: {"color": "#D55E00", "symbol": "x", "pattern": "x"},
    m.CANCELLED: {"color": "#666666", "symbol": "line-ew-open", "pattern": "-"},
}
STATE_STYLE = {
    m.ACHIEVED: {"color": "#009E73", "pattern": ""},
    m.ON_TRACK: {"color": "#56B4E9", "pattern": "."},
    m.BEHIND: {"color": "#D55E00", "pattern": "x"},
    m.NO_DATA: {"color": "#BBBBBB", "pattern": "/"},
    m.NO_TARGET: {"color": "#FFFFFF", "pattern": "-"},
}
PLAN_FILL = "#DCE9F5"
PLAN_LINE = "#0072B2"
BAND_FILLS = {"A": "#F2F2F2", "B": "#E0E0E0", "C": "#CCCCCC", "D": "#B8B8B8"}
UNIT_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
ROW_HEIGHT = 26
LABEL_CHARS = 60  # a line of an axis label (a programme, an activity or a plan row)
LEGEND_CHARS = 40  # a legend entry (a service unit)
GANTT_PAGE_ROWS = 80  # plan rows on one Gantt chart; more rows are shown page by page
ELLIPSIS = "…"


def plain(text: object, width: int | None = None) -> str:
    """Workbook text made safe for Plotly's HTML-like labels, optionally wrapped with <br>."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    if width:
        return "<br>".join(html.escape(line) for line in textwrap.wrap(value, width) or [""])
    return html.escape(value)


def label(text: object, width: int = LABEL_CHARS, lines: int = 1) -> str:
    """Workbook text for an axis tick, a legend entry or a title: at most `lines` lines of `width`
    characters, the last cut with "…" when the text is longer; escaped. Hover boxes and tables
    show the whole text (`plain`)."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else " ".join(str(text).split())
    # Only the start can show: wrapping a 32,767-character cell whole would be wasted work.
    wrapped = textwrap.wrap(value[: width * (lines + 1)], width) or [""]
    if len(wrapped) > lines or len(value) > width * (lines + 1):
        wrapped = wrapped[:lines]
        wrapped[-1] = fmt.short_text(wrapped[-1] + " " + ELLIPSIS, width)
    return "<br>".join(html.escape(line) for line in wrapped)


def no_data(fig: go.Figure, lang: str, key: str = "chart.no_data") -> go.Figure:
    """A "tidak ada data" note in the middle of an empty chart."""
    fig.add_annotation(
        text=html.escape(t(key, lang)),
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 14},
        bgcolor="#FFFFFF",
    )
    return fig


def part_note(key: str, first: int, shown: int, total: int | None, lang: str) -> str:
    """' · program 81–160 dari 3.000' when a chart shows `shown` of `total` items from the `first`; else ''."""
    if total is None or total <= shown:
        return ""
    return " · " + t(key, lang, first=first, last=first + shown - 1, total=total)


def as_of_text(as_of: dt.date | None, year: int | None, as_of_month: int, lang: str) -> str:
    """'Posisi data per 30 September 2022' (the workbook's date, or the month chosen)."""
    if isinstance(as_of, dt.date) and as_of.month == as_of_month and as_of.year == year:
        when = fmt.date(as_of, lang)
    else:
        when = fmt.month_year(year or 0, as_of_month, lang)
    return t("app.as_of", lang, date=when)


def chart_filename(kind: str, year: int | None, as_of_month: int) -> str:
    """'jadwal_2022_posisi_2022-09': what, which plan year, as of when."""
    return f"{kind}_{year}_posisi_{year}-{as_of_month:02d}"


def download_config(kind: str, year: int | None, as_of_month: int) -> dict:
    """Plotly config: the camera button saves a 3x PNG under a meaningful name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": chart_filename(kind, year, as_of_month), "scale": 3},
    }


def _layout(fig: go.Figure, title: str, subtitle: str, height: int, lang: str) -> go.Figure:
    fig.update_layout(
        separators=",." if lang == "id" else ".,",  # decimal and thousands marks on axes: 3,5 and 1.234 in id
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 80, "b": 40},
        title={"text": html.escape(title), "subtitle": {"text": html.escape(subtitle)}, "x": 0, "xanchor": "left"},
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
        legend={"orientation": "h", "y": -0.08},
    )
    return fig


def _month_axis(fig: go.Figure, lang: str, first: int = 1, last: int = 12) -> None:
    fig.update_xaxes(
        range=[first - 0.5, last + 0.5],
        tickvals=list(range(first, last + 1)),
        ticktext=[fmt.month_short(mo, lang) for mo in range(first, last + 1)],
        showgrid=True,
        gridcolor="#E5E5E5",
        side="top",
    )


# ----------------------------------------------------------------------------------------------
# Gantt


@dataclass
class GanttFilter:
    """What the Jadwal page narrows the plan to."""

    programmes: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    months: tuple[int, int] = (1, 12)
    text: str = ""
    codes: list[str] = field(default_factory=list)  # only these plan rows (the report's page chunks)


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

    The filter holds programme and activity keys (`analysis.metrics.group_key`), not labels.
    """
    plan = model.plan.copy()
    program_key, activity_key = plan["program"].map(m.group_key), plan["activity"].map(m.group_key)
    plan["program_label"] = program_key.map(lambda key: fmt.group_label(key, lang))
    plan["activity_label"] = activity_key.map(lambda key: fmt.group_label(key, lang))
    keep = pd.Series(True, index=plan.index)
    if chosen.codes:
        keep &= plan["code"].isin(chosen.codes)
    if chosen.programmes:
        keep &= program_key.isin(chosen.programmes)
    if chosen.activities:
        keep &= activity_key.isin(chosen.activities)
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
) -> go.Figure:
    """Schedule against realisation: one line per plan row under programme and activity headings.

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
    labels: list[str] = []
    heading_y: list[int] = []
    heading_hover: list[str] = []
    positions: dict[str, int] = {}
    last_program = last_activity = None
    for row in rows.itertuples(index=False):
        if row.program_label != last_program:
            heading_y.append(len(labels))
            heading_hover.append(f"<b>{plain(row.program_label, 70)}</b>")
            labels.append(f"<b>{label(row.program_label)}</b>")
            last_program, last_activity = row.program_label, None
        if row.activity_label != last_activity:
            heading_y.append(len(labels))
            heading_hover.append(f"<i>{plain(row.activity_label, 70)}</i>")
            labels.append(f"<i>{label(row.activity_label)}</i>")
            last_activity = row.activity_label
        positions[row.code] = len(labels)
        short = row.sub_activity if isinstance(row.sub_activity, str) else fmt.missing_in_copy(lang)
        labels.append(f"{label(row.code, 24)}  {label(short, 48)}")

    fig = go.Figure()
    bar_y, bar_base, bar_len, bar_hover = [], [], [], []
    for row in rows.itertuples(index=False):
        hover = (
            f"<b>{plain(row.code)}</b><br>{plain(row.sub_activity, 70)}<br><br>"
            f"<i>{t('col.indicators_text', lang)}</i>:<br>{plain(row.indicators_text, 70)}"
        )
        for start, end in segments(list(row.months)):
            bar_y.append(positions[row.code])
            bar_base.append(start - 0.45)
            bar_len.append(end - start + 0.9)
            bar_hover.append(hover)
    fig.add_trace(
        go.Bar(
            name=t("status.planned", lang),
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
                name=t(f"status.{state}", lang),
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
                    f"{plain(code)} · {fmt.month_long(month, lang)}: {t(f'status.{state}', lang)}"
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
    _month_axis(fig, lang, first, last)
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
            text=html.escape(t("chart.as_of_marker", lang, month=fmt.month_short(as_of_month, lang))),
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font={"size": 11},
            bgcolor="#FFFFFF",
        )
    if not positions:
        fig.add_annotation(text=t("chart.no_rows", lang), x=(first + last) / 2, y=0, showarrow=False)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.gantt.rows", first_row, last_row - first_row + 1, total, lang)
    return _layout(
        fig, t("chart.gantt.title", lang, year=model.info.get("year")), subtitle, 140 + ROW_HEIGHT * count, lang
    )


# ----------------------------------------------------------------------------------------------
# Overview


def programme_bars(
    progress: pd.DataFrame,
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    total: int | None = None,
    first: int = 1,
) -> go.Figure:
    """Per programme: the share of scheduled row-months done, partial, open and cancelled to date.

    `total`: how many programmes there are when `progress` holds only some of them, from the `first`
    (1-based); the subtitle then says which it shows."""
    fig = go.Figure()
    full = [fmt.group_label(key, lang) for key in progress["program"]]
    names = [label(name, 40, 2) for name in full]  # two lines at most; the hover box has the whole name
    positions = list(range(len(names)))  # by position: two names cut alike stay two bars
    parts = [
        (m.DONE, progress[m.DONE]),
        (m.PARTIAL, progress[m.PARTIAL]),
        (m.LATE, progress[m.LATE] + progress[m.NOT_DONE]),
        (m.CANCELLED, progress[m.CANCELLED]),
    ]
    scheduled = progress["scheduled"].where(progress["scheduled"] > 0)
    for state, counts in parts:
        style = STATUS_STYLE[state]
        share = (counts / scheduled * 100).fillna(0)
        state_name = t("status.open", lang) if state == m.LATE else t(f"status.{state}", lang)
        fig.add_trace(
            go.Bar(
                name=state_name,
                orientation="h",
                y=positions,
                x=share,
                marker={
                    "color": style["color"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#000000"},
                    "line": {"color": "#222222", "width": 1},
                },
                text=[f"{fmt.number(v, lang)}%" if v >= 8 else "" for v in share],
                textposition="inside",
                hovertext=[
                    f"{plain(name, 70)}<br>{state_name}: {int(c)} / {int(n)}"
                    for name, c, n in zip(full, counts, progress["scheduled"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(tickvals=positions, ticktext=names, range=[max(len(names), 1) - 0.5, -0.5], automargin=True)
    if progress.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.programmes.rows", first, len(progress), total, lang)
    return _layout(fig, t("chart.programmes.title", lang), subtitle, 160 + 60 * max(len(progress), 1), lang)


# ----------------------------------------------------------------------------------------------
# Indicators


def indicator_bars(
    states: pd.DataFrame,
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    total: int | None = None,
    first: int = 1,
) -> go.Figure:
    """Completion per indicator against its target, in plan order; no target and no data are labelled.

    `total`: how many indicators there are when `states` holds only some of them, from the `first`
    (1-based); the subtitle then says which it shows."""
    plan = model.plan.set_index("code")
    missing = fmt.missing_in_copy(lang)
    labels: list[str] = []
    values: list[float] = []
    colors, patterns, texts, hovers = [], [], [], []
    last_program = last_activity = None

    def heading(shown: str, hover: str) -> None:
        labels.append(shown)
        values.append(0)
        colors.append("rgba(0,0,0,0)")
        patterns.append("")
        texts.append("")
        hovers.append(hover)

    for row in states.itertuples(index=False):
        program, activity = plan["program"].get(row.plan_code), plan["activity"].get(row.plan_code)
        program = program if isinstance(program, str) else missing
        activity = activity if isinstance(activity, str) else missing
        if program != last_program:
            heading(f"<b>{label(program)}</b>", f"<b>{plain(program, 70)}</b>")
            last_program, last_activity = program, None
        if activity != last_activity:
            heading(f"<i>{label(activity)}</i>", f"<i>{plain(activity, 70)}</i>")
            last_activity = activity
        style = STATE_STYLE[row.state]
        labels.append(f"{label(row.indicator_code, 24)}  {label(row.text, 45)}")
        share = 0.0 if pd.isna(row.completion) else row.completion * 100
        values.append(share if row.state not in (m.NO_TARGET, m.NO_DATA) else 0.0)
        colors.append(style["color"])
        patterns.append(style["pattern"])
        state_label = t(f"state.{row.state}", lang)
        texts.append(
            state_label if row.state in (m.NO_TARGET, m.NO_DATA) else f"{fmt.number(share, lang)}% · {state_label}"
        )
        hovers.append(
            f"<b>{plain(row.indicator_code)}</b><br>{plain(row.text, 70)}<br>"
            f"{t('col.value', lang)}: {fmt.number(row.value, lang, 2)} · "
            f"{t('col.target', lang)}: {fmt.number(row.target, lang, 2)}"
        )
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=list(range(len(labels))),
            x=values,
            text=texts,
            textposition="outside",
            marker={
                "color": colors,
                "pattern": {"shape": patterns, "fgcolor": "#000000"},
                "line": {"color": "#222222", "width": 1},
            },
            hovertext=hovers,
            hoverinfo="text",
            cliponaxis=False,
            showlegend=False,
        )
    )
    fig.update_xaxes(range=[0, 135], tickvals=[0, 25, 50, 75, 100], ticksuffix="%")
    fig.update_yaxes(
        tickvals=list(range(len(labels))), ticktext=labels, range=[max(len(labels), 1) - 0.5, -0.5], automargin=True
    )
    if states.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.indicators.rows", first, len(states), total, lang)
    return _layout(fig, t("chart.indicators.title", lang), subtitle, 140 + ROW_HEIGHT * max(len(labels), 1), lang)


def indicator_trend(model: ActionPlan, indicator_code: str, as_of_month: int, lang: str) -> go.Figure:
    """The values of one indicator by month, with its target (when set) as a dashed line."""
    row = model.indicators.set_index("indicator_code").loc[indicator_code]
    values = m.indicator_trend(model, indicator_code)
    fig = go.Figure(
        go.Scatter(
            x=values["month"],
            y=values["value"],
            mode="lines+markers+text",
            name=t("col.value", lang),
            text=[fmt.number(v, lang, 2).rstrip("0").rstrip(",.") for v in values["value"]],
            textposition="top center",
            marker={"size": 10, "symbol": "circle", "color": "#0072B2"},
            line={"color": "#0072B2", "width": 3},
        )
    )
    if not pd.isna(row["target"]):
        fig.add_hline(
            y=row["target"],
            line={"dash": "dash", "color": "#000000"},
            annotation_text=html.escape(f"{t('col.target', lang)} {fmt.number(row['target'], lang, 2)}"),
            annotation_position="top left",
        )
    else:
        fig.add_annotation(
            text=t("state.no_target", lang), xref="paper", yref="paper", x=0, y=1.05, showarrow=False, xanchor="left"
        )
    fig.add_vline(x=as_of_month + 0.5, line={"color": "#777777", "dash": "dot"})
    _month_axis(fig, lang)
    fig.update_xaxes(side="bottom")
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    title = t("chart.indicator_trend.title", lang, code=indicator_code)
    fig = _layout(fig, title, subtitle + " · " + textwrap.shorten(str(row["text"]), 90, placeholder="…"), 380, lang)
    return fig


# ----------------------------------------------------------------------------------------------
# IKM


def ikm_trend(table: pd.DataFrame, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """IKM (25-100) per period for each service unit and overall, over the mutu bands A-D."""
    fig = go.Figure()
    for band in MUTU_BANDS:
        # Edges halfway between two-decimal values: 76,60 lies in C and 76,61 in B, as in the regulation.
        y0 = 25.0 if band.grade == "D" else float(band.low) - 0.005
        y1 = 100.0 if band.grade == "A" else float(band.high) + 0.005
        fig.add_hrect(
            y0=y0,
            y1=y1,
            fillcolor=BAND_FILLS[band.grade],
            line_width=0,
            layer="below",
            annotation_text=f"{band.grade} · {band.label_id if lang == 'id' else band.label_en}",
            annotation_position="right",
            annotation_font_size=11,
        )
    if not table.empty:
        periods = list(dict.fromkeys(table["period"]))
        units = table[~table["overall"]]
        for index, (unit, rows) in enumerate(units.groupby("unit", sort=False)):
            fig.add_trace(
                go.Scatter(
                    x=rows["period"],
                    y=rows["ikm_converted"],
                    name=label(unit, LEGEND_CHARS),  # the legend line; the hover box has the whole name
                    hovertext=[
                        f"{plain(unit, 70)}<br>{plain(period)}: {fmt.number(value, lang, 2)}"
                        for period, value in zip(rows["period"], rows["ikm_converted"], strict=True)
                    ],
                    hoverinfo="text",
                    mode="lines+markers",
                    line={"dash": UNIT_DASHES[index % len(UNIT_DASHES)], "width": 2, "color": "#555555"},
                    marker={"symbol": ("square", "triangle-up", "diamond", "cross", "star")[index % 5], "size": 9},
                )
            )
        overall = table[table["overall"]]
        fig.add_trace(
            go.Scatter(
                x=overall["period"],
                y=overall["ikm_converted"],
                name=t("ikm.overall", lang),
                mode="lines+markers+text",
                text=[
                    f"{fmt.number(v, lang, 2)} ({g})"
                    for v, g in zip(overall["ikm_converted"], overall["mutu"], strict=True)
                ],
                textposition="bottom center",
                line={"color": "#000000", "width": 4},
                marker={"size": 11},
            )
        )
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=periods)
    else:
        no_data(fig, lang)
    low = min([60.0, *(table["ikm_converted"].dropna() - 5)]) if not table.empty else 60.0
    fig.update_yaxes(range=[max(low, 25.0), 100], title=t("ikm.axis", lang))
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    return _layout(fig, t("chart.ikm.title", lang), subtitle, 430, lang)


def nrr_bars(row: pd.Series, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """NRR per unsur for one period and unit; the weakest unsur stands out (what to improve)."""
    weakest = m.weakest_unsur(row)
    values = [row[u] for u in UNSUR]
    names = [f"{u} {UNSUR_NAMES_ID[i] if lang == 'id' else t(f'unsur.{u}', lang)}" for i, u in enumerate(UNSUR)]
    fig = go.Figure(
        go.Bar(
            x=[textwrap.fill(n, 18).replace("\n", "<br>") for n in names],
            y=values,
            text=[fmt.number(v, lang, 2) for v in values],
            textposition="outside",
            marker={
                "color": ["#D55E00" if u == weakest else "#9DB9D3" for u in UNSUR],
                "pattern": {"shape": ["x" if u == weakest else "" for u in UNSUR], "fgcolor": "#000000"},
                "line": {"color": "#222222", "width": 1},
            },
            showlegend=False,
        )
    )
    fig.update_yaxes(range=[1, 4.3], title="NRR")
    if weakest:
        fig.add_annotation(
            x=UNSUR.index(weakest), y=row[weakest], yshift=40, showarrow=False, text=f"<b>{t('ikm.weakest', lang)}</b>"
        )
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    # Plain text, cut to one legend line: _layout escapes the title.
    period, unit = (fmt.short_text(" ".join(str(row[key]).split()), LEGEND_CHARS) for key in ("period", "unit"))
    title = t("chart.nrr.title", lang, period=period, unit=unit)
    return _layout(fig, title, subtitle, 420, lang)


def respondents_bars(table: pd.DataFrame, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """Respondents per period, stacked by service unit."""
    fig = go.Figure()
    units = table[~table["overall"]] if not table.empty else table
    for index, (unit, rows) in enumerate(units.groupby("unit", sort=False)):
        fig.add_trace(
            go.Bar(
                x=rows["period"],
                y=rows["respondents"],
                name=label(unit, LEGEND_CHARS),
                hovertext=[
                    f"{plain(unit, 70)}<br>{plain(period)}: {fmt.number(value, lang)}"
                    for period, value in zip(rows["period"], rows["respondents"], strict=True)
                ],
                hoverinfo="text",
                text=[fmt.number(v, lang) for v in rows["respondents"]],
                textposition="inside",
                marker={
                    "color": ("#9DB9D3", "#E69F00", "#009E73", "#CC79A7")[index % 4],
                    "pattern": {"shape": ("", "/", ".", "x")[index % 4], "fgcolor": "#000000"},
                    "line": {"color": "#222222", "width": 1},
                },
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    if units.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    return _layout(fig, t("chart.respondents.title", lang), subtitle, 360, lang)
