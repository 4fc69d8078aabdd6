"""The service-satisfaction index (IKM): its trend over the mutu bands, NRR per element, respondents."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.ikm import MUTU_BANDS, UNSUR
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.charts.style import (
    BAND_FILLS,
    LEGEND_CHARS,
    UNIT_DASHES,
    as_of_text,
    boxed,
    escape,
    hatched,
    label,
    layout,
    no_data,
    plain,
    text_em,
)
from rbdash.workbook.schema import UNSUR_NAMES_ID


def ikm_trend(table: pd.DataFrame, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """IKM (25-100) per period for each service unit and overall, over the mutu bands A-D."""
    fig = go.Figure()
    low = min([60.0, *(table["ikm_converted"].dropna() - 5)]) if not table.empty else 60.0
    low = max(low, 25.0)
    # The band names stand in the right margin, beside the plot: no line, marker or value label can reach them.
    band_notes = []
    for band in MUTU_BANDS:
        # Edges halfway between two-decimal values: 76,60 lies in C and 76,61 in B, as in the regulation.
        y0 = 25.0 if band.grade == "D" else float(band.low) - 0.005
        y1 = 100.0 if band.grade == "A" else float(band.high) + 0.005
        fig.add_hrect(y0=y0, y1=y1, fillcolor=BAND_FILLS[band.grade], line_width=0, layer="below")
        if y1 > low:
            name = f"{band.grade} · {band.label_id if lang == 'id' else band.label_en}"
            band_notes.append((name, (max(y0, low) + y1) / 2))
    for name, middle in band_notes:
        fig.add_annotation(
            text=escape(name),
            xref="paper",
            x=1,
            xanchor="left",
            xshift=6,
            y=middle,
            showarrow=False,
            font={"size": 11},
        )
    if not table.empty:
        periods = [escape(str(period)) for period in dict.fromkeys(table["period"])]
        units = table[~table["overall"]]
        for index, (unit, rows) in enumerate(units.groupby("unit", sort=False)):
            fig.add_trace(
                go.Scatter(
                    x=[escape(str(period)) for period in rows["period"]],
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
                x=[escape(str(period)) for period in overall["period"]],
                y=overall["ikm_converted"],
                name=escape(t("ikm.overall", lang)),
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
    fig.update_yaxes(range=[low, 100], title=escape(t("ikm.axis", lang)))
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    fig = layout(fig, t("chart.ikm.title", lang), subtitle, 430, lang)
    widest = max((text_em(name) for name, _ in band_notes), default=0.0)
    fig.update_layout(margin={"r": int(widest * 11) + 16})  # 11 px band names, and the gap before them
    return fig


def nrr_bars(row: pd.Series, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """NRR per unsur for one period and unit; the weakest unsur stands out (what to improve).

    Its note stands above the plot, not over the bars: a note on the weakest bar, wider than it,
    covered its neighbours' values."""
    weakest = m.weakest_unsur(row)
    values = [row[u] for u in UNSUR]
    names = [f"{u} {UNSUR_NAMES_ID[i] if lang == 'id' else t(f'unsur.{u}', lang)}" for i, u in enumerate(UNSUR)]
    ticks = [f"<b>{plain(n, 18)}</b>" if u == weakest else plain(n, 18) for u, n in zip(UNSUR, names, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=ticks,
            y=values,
            text=[fmt.number(v, lang, 2) for v in values],
            textposition="outside",
            outsidetextfont={"color": "#000000"},
            constraintext="none",
            marker=hatched(
                ["#D55E00" if u == weakest else "#9DB9D3" for u in UNSUR], ["x" if u == weakest else "" for u in UNSUR]
            ),
            showlegend=False,
        )
    )
    fig.update_yaxes(range=[1, 4.3], title="NRR")
    if weakest:
        fig.add_annotation(
            text=f"<b>{escape(names[UNSUR.index(weakest)])}</b> — {escape(t('ikm.weakest', lang))}",
            xref="paper",
            x=0,
            xanchor="left",
            yref="paper",
            y=1,
            yanchor="bottom",
            yshift=8,
            showarrow=False,
        )
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    # Plain text, cut to one legend line: `layout` escapes the title.
    period, unit = (fmt.short_text(" ".join(str(row[key]).split()), LEGEND_CHARS) for key in ("period", "unit"))
    title = t("chart.nrr.title", lang, period=period, unit=unit)
    fig = layout(fig, title, subtitle, 440, lang)
    fig.update_layout(margin={"t": 110})  # the title, its subtitle, then the note
    return fig


def respondents_bars(table: pd.DataFrame, model: ActionPlan, as_of_month: int, lang: str) -> go.Figure:
    """Respondents per period, stacked by service unit; each count on a white box (`boxed`), not on the
    bar's colour or hatching, when its part is tall enough to hold it (the hover box has every count)."""
    fig = go.Figure()
    units = table[~table["overall"]] if not table.empty else table
    notes = []
    totals = units.groupby("period", sort=False)["respondents"].sum() if not units.empty else pd.Series(dtype=float)
    tallest = float(totals.max()) if len(totals) else 0.0
    base = dict.fromkeys(totals.index, 0.0)  # where each period's next part starts
    for index, (unit, rows) in enumerate(units.groupby("unit", sort=False)):
        periods = [escape(str(period)) for period in rows["period"]]
        fig.add_trace(
            go.Bar(
                x=periods,
                y=rows["respondents"],
                name=label(unit, LEGEND_CHARS),
                hovertext=[
                    f"{plain(unit)}<br>{plain(period)}: {fmt.number(value, lang)}"
                    for period, value in zip(rows["period"], rows["respondents"], strict=True)
                ],
                hoverinfo="text",
                marker=hatched(("#9DB9D3", "#E69F00", "#009E73", "#CC79A7")[index % 4], ("", "/", ".", "x")[index % 4]),
            )
        )
        for period, shown, value in zip(rows["period"], periods, rows["respondents"], strict=True):
            if pd.isna(value):
                continue
            if value >= 0.08 * tallest:
                notes.append(boxed(shown, base[period] + value / 2, fmt.number(value, lang)))
            base[period] += value
    fig.update_layout(barmode="stack", annotations=notes, legend={"traceorder": "normal"})
    fig.update_xaxes(type="category")
    if units.empty:
        no_data(fig, lang)
    subtitle = as_of_text(model.info.get("as_of"), model.info.get("year"), as_of_month, lang)
    return layout(fig, t("chart.respondents.title", lang), subtitle, 360, lang)
