"""Programme progress and indicator attainment: the overview bars and one indicator's trend."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.ikm import is_ikm_indicator
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.charts.style import (
    ROW_HEIGHT,
    STATE_STYLE,
    STATUS_STYLE,
    as_of_text,
    boxed,
    escape,
    hatched,
    label,
    layout,
    month_axis,
    no_data,
    part_note,
    percent_axis,
    plain,
)


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
    spans = selection.code_spans(model, "program")
    full = [fmt.group_label(key, lang, spans.get(key)) for key in progress["program"]]
    names = [label(name, 40, 2) for name in full]  # two lines at most; the hover box has the whole name
    positions = list(range(len(names)))  # by position: two names cut alike stay two bars
    parts = [
        (m.DONE, progress[m.DONE]),
        (m.PARTIAL, progress[m.PARTIAL]),
        (m.LATE, progress[m.LATE] + progress[m.NOT_DONE]),
        (m.CANCELLED, progress[m.CANCELLED]),
    ]
    scheduled = progress["scheduled"].where(progress["scheduled"] > 0)
    start = pd.Series(0.0, index=progress.index)
    notes = []
    for state, counts in parts:
        style = STATUS_STYLE[state]
        share = (counts / scheduled * 100).fillna(0)
        state_name = t("status.open", lang) if state == m.LATE else t(f"status.{state}", lang)
        fig.add_trace(
            go.Bar(
                name=escape(state_name),
                orientation="h",
                y=positions,
                x=share,
                marker=hatched(style["color"], style["pattern"]),
                hovertext=[
                    f"{plain(name)}<br>{escape(state_name)}: {int(c)} / {int(n)}"
                    for name, c, n in zip(full, counts, progress["scheduled"], strict=True)
                ],
                hoverinfo="text",
            )
        )
        # The share on a white box in the middle of its part (dark text on a hatched fill could not be read).
        notes += [
            boxed(begin + value / 2, position, f"{fmt.number(value, lang)}%")
            for position, begin, value in zip(positions, start, share, strict=True)
            if value >= 8
        ]
        start = start + share
    fig.update_layout(barmode="stack", annotations=notes, legend={"traceorder": "normal"})
    percent_axis(fig)
    fig.update_yaxes(tickvals=positions, ticktext=names, range=[max(len(names), 1) - 0.5, -0.5], automargin=True)
    if progress.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.programmes.rows", first, len(progress), total, lang)
    return layout(fig, t("chart.programmes.title", lang), subtitle, 160 + 60 * max(len(progress), 1), lang)


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
    program_spans, activity_spans = selection.code_spans(model, "program"), selection.activity_spans(model)
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
        program_key = selection.group_key(plan["program"].get(row.plan_code))
        activity_key = selection.group_key(plan["activity"].get(row.plan_code))
        program = fmt.group_label(program_key, lang, program_spans.get(program_key))
        activity = fmt.group_label(activity_key, lang, activity_spans.get((program_key, activity_key)))
        if program != last_program:
            heading(f"<b>{label(program, bold=True)}</b>", f"<b>{plain(program)}</b>")
            last_program, last_activity = program, None
        if activity != last_activity:
            heading(f"<i>{label(activity)}</i>", f"<i>{plain(activity)}</i>")
            last_activity = activity
        style = STATE_STYLE[row.state]
        labels.append(f"{label(row.indicator_code, 24)}  {label(row.text, 45)}")
        share = 0.0 if pd.isna(row.completion) else row.completion * 100
        values.append(share if row.state not in (m.NO_TARGET, m.NO_DATA) else 0.0)
        colors.append(style["color"])
        patterns.append(style["pattern"])
        state_label = escape(t(f"state.{row.state}", lang))
        texts.append(
            state_label if row.state in (m.NO_TARGET, m.NO_DATA) else f"{fmt.number(share, lang)}% · {state_label}"
        )
        hovers.append(
            f"<b>{plain(row.indicator_code)}</b><br>{plain(row.text)}<br>"
            f"{escape(t('col.value', lang))}: {fmt.number(row.value, lang, 2)} · "
            f"{escape(t('col.target', lang))}: {fmt.number(row.target, lang, 2)}"
        )
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=list(range(len(labels))),
            x=values,
            text=texts,
            # Beside the bar, never on its colour or hatching; full size (Plotly would shrink it to fit).
            textposition="outside",
            outsidetextfont={"color": "#000000"},
            constraintext="none",
            marker=hatched(colors, patterns),
            hovertext=hovers,
            hoverinfo="text",
            cliponaxis=False,
            showlegend=False,
        )
    )
    percent_axis(fig, top=135)  # room beside a full bar for its "100% · Tercapai"
    fig.update_yaxes(
        tickvals=list(range(len(labels))), ticktext=labels, range=[max(len(labels), 1) - 0.5, -0.5], automargin=True
    )
    if states.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.indicators.rows", first, len(states), total, lang)
    return layout(fig, t("chart.indicators.title", lang), subtitle, 140 + ROW_HEIGHT * max(len(labels), 1), lang)


def _value_text(value: float, lang: str) -> str:
    """A value as the trend labels it: two decimals at most, no trailing zeros (100; 87,9)."""
    return fmt.number(value, lang, 2).rstrip("0").rstrip(",.")


def _trend_range(values: list[float], target: float | None, percent: bool) -> tuple[list[float], list[float] | None]:
    """The value axis of a trend: a percentage from 0 to at least 100 with its 100 tick; otherwise the
    values and target with room around them (one value equal to its target gets a span, not 99-101),
    from 0 when they are all positive and near it. Room above the highest point for its label."""
    points = [v for v in [*values, target] if v is not None and not pd.isna(v)]
    if percent:
        top = max([100.0, *points])
        ticks = [float(v) for v in range(0, int(top) + 1, 20 if top <= 100 else 25)]
        return [min([0.0, *points]), top * 1.15], ticks
    if not points:
        return [0.0, 1.0], None
    low, high = min(points), max(points)
    span = high - low or max(abs(high), 1.0)
    bottom = 0.0 if 0 <= low <= span else low - 0.2 * span
    return [bottom, high + 0.3 * span], None


def indicator_trend(model: ActionPlan, indicator_code: str, as_of_month: int, lang: str) -> go.Figure:
    """The values of one indicator by month, with its target (when set) as a dashed line.

    The target is named in the legend, not on the plot, where the values' labels could cover it."""
    row = model.indicators.set_index("indicator_code").loc[indicator_code]
    values = m.indicator_trend(model, indicator_code, as_of_month)
    # An IKM indicator's values are IKM scores: two decimals, as on the IKM card ("86,20", not "86,2").
    ikm_scores = is_ikm_indicator(row["unit"], row["text"])

    def shown(value: float) -> str:
        return fmt.number(value, lang, 2) if ikm_scores else _value_text(value, lang)

    target = None if pd.isna(row["target"]) else float(row["target"])
    fig = go.Figure(
        go.Scatter(
            x=values["month"],
            y=values["value"],
            mode="lines+markers+text",
            name=escape(t("col.value", lang)),
            text=[shown(v) for v in values["value"]],
            textposition="top center",
            textfont={"color": "#000000"},
            marker={"size": 10, "symbol": "circle", "color": "#0072B2"},
            line={"color": "#0072B2", "width": 3},
        )
    )
    if target is not None:
        fig.add_trace(
            go.Scatter(
                x=[0.5, 12.5],
                y=[target, target],
                mode="lines",
                name=escape(f"{t('col.target', lang)} {_value_text(target, lang)}"),
                line={"dash": "dash", "color": "#000000", "width": 2},
                hoverinfo="name",
            )
        )
    fig.add_vline(x=as_of_month + 0.5, line={"color": "#777777", "dash": "dot"})
    month_axis(fig, lang)
    fig.update_xaxes(side="bottom")
    unit = str(row.get("unit", "")).casefold()
    percent = "persen" in unit or "%" in unit
    axis, ticks = _trend_range(list(values["value"]), target, percent)
    fig.update_yaxes(range=axis)
    if ticks:
        fig.update_yaxes(tickvals=ticks, ticktext=[f"{_value_text(v, lang)}%" for v in ticks])
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += " · " + fmt.short_text(" ".join(str(row["text"]).split()), 90)
    if target is None:
        subtitle += " · " + t("state.no_target", lang)
    title = t("chart.indicator_trend.title", lang, code=fmt.short_text(indicator_code, 40))
    fig = layout(fig, title, subtitle, 380, lang)
    fig.update_layout(showlegend=True)
    return fig


#: Plotly hatches of the quarter chart's programmes, in turn (grayscale prints tell them apart).
QUARTER_PATTERNS = ("", "/", ".", "x", "-", "\\", "|", "+")
QUARTER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


def quarter_bars(progress: pd.DataFrame, model: ActionPlan, as_of_month: int, lang: str, limit: int = 8) -> go.Figure:
    """Per triwulan, each programme's share of the row-months due that were done (`quarters.quarter_progress`,
    programme rows), labelled "done/due"; a quarter after the as-of month has no bar yet. At most `limit`
    programmes (the subtitle says so when there are more)."""
    fig = go.Figure()
    programmes = progress[progress["level"] == "program"]
    total = len(programmes)
    programmes = programmes.head(limit)
    spans = selection.code_spans(model, "program")
    quarters = [t(key, lang) for key in ("quarter.1", "quarter.2", "quarter.3", "quarter.4")]
    upright = len(programmes) > 4
    for index, row in enumerate(programmes.to_dict("records")):
        name = fmt.group_label(row["program"], lang, spans.get(row["program"]))
        shares = [row[f"done_{q}"] / row[f"due_{q}"] * 100 if row[f"due_{q}"] else None for q in range(1, 5)]
        fig.add_trace(
            go.Bar(
                name=label(name, 40),
                x=quarters,
                y=shares,
                offsetgroup=index,
                marker=hatched(
                    QUARTER_COLOURS[index % len(QUARTER_COLOURS)], QUARTER_PATTERNS[index % len(QUARTER_PATTERNS)]
                ),
                text=[f"{row[f'done_{q}']}/{row[f'due_{q}']}" if row[f"due_{q}"] else "" for q in range(1, 5)],
                textposition="outside",
                # Side by side, five or more bars a quarter leave no room for level labels (seen: they ran
                # into each other): upright, they keep to their bars.
                textangle=-90 if upright else 0,
                constraintext="none" if upright else "both",  # upright: at the font's size, not the bar's width
                hovertext=[
                    f"{plain(name)}<br>{escape(quarter)}: {row[f'done_{q}']} / {row[f'due_{q}']}"
                    for q, quarter in zip(range(1, 5), quarters, strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    percent_axis(fig, "y", top=115)
    if programmes.empty or not (programmes[[f"due_{q}" for q in range(1, 5)]].to_numpy().sum()):
        no_data(fig, lang)  # seen by the review: empty axes, nothing due yet, no word why
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    subtitle += part_note("chart.programmes.rows", 1, len(programmes), total, lang)
    return layout(fig, t("chart.quarters.title", lang), subtitle, 460, lang)
