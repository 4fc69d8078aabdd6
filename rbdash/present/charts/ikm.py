"""The service-satisfaction index (IKM): its trend over the mutu bands, NRR per element, respondents."""

from __future__ import annotations

import textwrap

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
    label,
    layout,
    no_data,
    plain,
)
from rbdash.workbook.schema import UNSUR_NAMES_ID


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
    return layout(fig, t("chart.ikm.title", lang), subtitle, 430, lang)


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
    return layout(fig, title, subtitle, 420, lang)


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
    return layout(fig, t("chart.respondents.title", lang), subtitle, 360, lang)
