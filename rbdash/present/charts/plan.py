"""Programme progress and indicator attainment: the overview bars and one indicator's trend."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.charts.style import (
    ROW_HEIGHT,
    STATE_STYLE,
    STATUS_STYLE,
    as_of_text,
    label,
    layout,
    month_axis,
    no_data,
    part_note,
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
    return layout(fig, t("chart.indicators.title", lang), subtitle, 140 + ROW_HEIGHT * max(len(labels), 1), lang)


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
    month_axis(fig, lang)
    fig.update_xaxes(side="bottom")
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    title = t("chart.indicator_trend.title", lang, code=indicator_code)
    fig = layout(fig, title, subtitle + " · " + textwrap.shorten(str(row["text"]), 90, placeholder="…"), 380, lang)
    return fig
