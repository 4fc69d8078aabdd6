"""The Rekap charts: offices by programme (share of scheduled months done), rows not done per office, and
one office's years side by side. Drawn with bar traces only (the dashboard's plotly.js bundle has no
heat-map trace); every cell and bar carries its number, so grayscale prints read as well as colour."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.charts.style import (
    STATUS_STYLE,
    boxed,
    hatched,
    label,
    layout,
    no_data,
    part_note,
    percent_axis,
    plain,
)

#: ColorBrewer's sequential Blues, light (0 % done) to dark (100 %): lightness falls evenly, so the order of the
#: cells survives a grayscale print; the number in each cell says the value.
_BLUES = ((247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107))
#: A cell with nothing scheduled: white, with a dash.
_EMPTY = "#FFFFFF"
#: Height of one office's row in the office charts, in pixels: one line of name, or two.
OFFICE_ROW, OFFICE_ROW_TWO_LINES = 24, 36


def office_row(offices: list[str]) -> int:
    """The row height that lets every office's name (two lines at most) stand apart from the next (seen by the
    review: two-line names in 24 px rows ran into each other)."""
    return OFFICE_ROW_TWO_LINES if any("<br>" in label(office, 34, 2) for office in offices) else OFFICE_ROW


#: The heat map's top margin: title, subtitle and three lines of programme names above the first row.
HEATMAP_TOP = 150


def _office_axis(fig: go.Figure, offices: list[str]) -> None:
    """The offices down the y axis, the first at the top, each name on two lines at most (long names that share
    their start stay told apart)."""
    fig.update_yaxes(
        tickvals=list(range(len(offices))),
        ticktext=[label(office, 34, 2) for office in offices],
        range=[max(len(offices), 1) - 0.5, -0.5],
        automargin=True,
        fixedrange=True,
    )


def share_colour(share: float) -> str:
    """The cell colour of a share done (0..1), interpolated along `_BLUES`."""
    share = min(max(share, 0.0), 1.0) * (len(_BLUES) - 1)
    low = min(int(share), len(_BLUES) - 2)
    part = share - low
    rgb = [round(a + (b - a) * part) for a, b in zip(_BLUES[low], _BLUES[low + 1], strict=True)]
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def programme_heatmap(
    matrix: pd.DataFrame, year: int, lang: str, total: int | None = None, first: int = 1
) -> go.Figure:
    """Offices (rows, in `matrix`'s order) by programme (columns): the share of scheduled row-months done up to
    each office's posisi data month, as a shaded cell with its percentage; "–" where nothing is scheduled.

    `total`: how many offices there are when `matrix` holds only some, from the `first` (1-based)."""
    fig = go.Figure()
    offices = [str(office) for office in matrix.index]
    positions = list(range(len(offices)))
    programmes = [fmt.group_label(str(programme), lang) for programme in matrix.columns]  # "" is "(not in the copy)"
    for column, programme in enumerate(programmes):
        shares = matrix.iloc[:, column].tolist()
        empty = [value is None or (isinstance(value, float) and math.isnan(value)) for value in shares]
        texts = [
            "–" if gone else f"{fmt.number(value * 100, lang)}%" for value, gone in zip(shares, empty, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=positions,
                x=[1] * len(offices),
                base=[column] * len(offices),
                width=0.92,
                marker={
                    "color": [
                        _EMPTY if gone else share_colour(value) for value, gone in zip(shares, empty, strict=True)
                    ],
                    "line": {"color": "#444444", "width": 0.5},
                },
                text=texts,
                textposition="inside",
                insidetextanchor="middle",
                textfont={
                    "color": [
                        "#000000" if gone or value < 0.6 else "#FFFFFF"
                        for value, gone in zip(shares, empty, strict=True)
                    ],
                    "size": 11,
                },
                hovertext=[
                    f"{plain(office)}<br>{plain(programme)}<br>{text}"
                    for office, text in zip(offices, texts, strict=True)
                ],
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.08)
    fig.update_xaxes(
        range=[0, max(len(programmes), 1)],
        tickvals=[index + 0.5 for index in range(len(programmes))],
        ticktext=[label(programme, 18, 3) for programme in programmes],
        side="top",
        showgrid=False,
        fixedrange=True,
    )
    _office_axis(fig, offices)
    if matrix.empty or not programmes:
        no_data(fig, lang)
    subtitle = t("rollup.heatmap_subtitle", lang, year=year)
    subtitle += part_note("rollup.offices_part", first, len(offices), total, lang)
    fig = layout(
        fig,
        t("rollup.heatmap_title", lang),
        subtitle,
        HEATMAP_TOP + 40 + office_row(offices) * max(len(offices), 1),
        lang,
    )
    # The programmes' names (three lines at most) stand between the subtitle and the first office.
    return fig.update_layout(margin={"t": HEATMAP_TOP})


def rows_not_done_bars(
    frame: pd.DataFrame, year: int, lang: str, total: int | None = None, first: int = 1
) -> go.Figure:
    """Per office (in `frame`'s order): its plan rows with a scheduled month not done by its posisi data month,
    out of its rows; the count on a white box beside each bar."""
    offices = [str(office) for office in frame["satker"]]
    positions = list(range(len(offices)))
    late, rows = frame["rows_not_done"].astype(int).tolist(), frame["rows"].astype(int).tolist()
    style = STATUS_STYLE["late"]
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=positions,
            x=late,
            marker=hatched(style["color"], style["pattern"]),
            hovertext=[
                f"{plain(office)}<br>{t('rollup.rows_not_done_hover', lang, late=n, rows=r)}"
                for office, n, r in zip(offices, late, rows, strict=True)
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    top = max([*late, 1])
    fig.update_layout(
        annotations=[
            boxed(n, position, f"{fmt.number(n, lang)} / {fmt.number(r, lang)}", xanchor="left", xshift=4)
            for position, n, r in zip(positions, late, rows, strict=True)
        ]
    )
    fig.update_xaxes(  # whole rows: no 0,2 ticks when every office has none (seen)
        range=[0, top * 1.25],
        title={"text": t("rollup.rows_not_done_axis", lang)},
        fixedrange=True,
        dtick=max(1, round(top / 8)),
        tick0=0,
    )
    _office_axis(fig, offices)
    if frame.empty:
        no_data(fig, lang)
    subtitle = t("rollup.rows_not_done_subtitle", lang, year=year)
    subtitle += part_note("rollup.offices_part", first, len(offices), total, lang)
    return layout(
        fig, t("rollup.rows_not_done_title", lang), subtitle, 170 + office_row(offices) * max(len(offices), 1), lang
    )


def years_bars(frame: pd.DataFrame, satker: str, lang: str) -> go.Figure:
    """One office's years side by side: the share of scheduled row-months done and of indicators achieved
    (each to its own posisi data month), with the latest IKM (converted) and its band under each year."""
    years = [str(year) for year in frame["year"]]
    fig = go.Figure()
    for column, key, colour, pattern in (
        ("done_share", "rollup.done_share", STATUS_STYLE["done"]["color"], ""),
        ("indicator_share", "rollup.indicator_share", "#E69F00", "/"),
    ):
        values = [None if pd.isna(value) else float(value) * 100 for value in frame[column]]
        fig.add_trace(
            go.Bar(
                name=t(key, lang),
                x=years,
                y=[value or 0 for value in values],
                marker=hatched(colour, pattern),
                text=["–" if value is None else f"{fmt.number(value, lang)}%" for value in values],
                textposition="outside",
                cliponaxis=False,
                hoverinfo="x+name+text",
            )
        )
    ikm_lines = [
        t("rollup.ikm_line", lang, ikm=fmt.number(float(value), lang, 2), mutu=mutu or "-")
        if not pd.isna(value)
        else t("rollup.no_ikm", lang)
        for value, mutu in zip(frame["ikm_converted"], frame["mutu"], strict=True)
    ]
    fig.update_layout(barmode="group")
    fig.update_xaxes(
        type="category",
        tickvals=years,
        ticktext=[f"<b>{year}</b><br>{line}" for year, line in zip(years, ikm_lines, strict=True)],
        fixedrange=True,
    )
    percent_axis(fig, "y", top=115)
    fig.update_yaxes(fixedrange=True)
    if frame.empty:
        no_data(fig, lang)
    return layout(fig, t("rollup.years_title", lang, satker=satker), t("rollup.years_subtitle", lang), 420, lang)
