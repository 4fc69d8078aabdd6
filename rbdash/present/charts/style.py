"""What every chart shares: status colours, symbols and patterns (Okabe-Ito, colour-blind safe,
readable in grayscale), escaped and shortened labels, titles with "posisi data per", file names."""

from __future__ import annotations

import datetime as dt
import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from rbdash.analysis import metrics as m
from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.text import literal

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
ELLIPSIS = "…"


def plain(text: object, width: int | None = None) -> str:
    """Workbook text made safe for Plotly's HTML-like labels, optionally wrapped with <br>."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else literal(text)
    if width:
        return "<br>".join(html.escape(line) for line in textwrap.wrap(value, width) or [""])
    return html.escape(value)


def label(text: object, width: int = LABEL_CHARS, lines: int = 1) -> str:
    """Workbook text for an axis tick, a legend entry or a title: at most `lines` lines of `width`
    characters, the last cut with "…" when the text is longer; escaped. Hover boxes and tables
    show the whole text (`plain`)."""
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else " ".join(literal(text).split())
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


def layout(fig: go.Figure, title: str, subtitle: str, height: int, lang: str) -> go.Figure:
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


def month_axis(fig: go.Figure, lang: str, first: int = 1, last: int = 12) -> None:
    fig.update_xaxes(
        range=[first - 0.5, last + 0.5],
        tickvals=list(range(first, last + 1)),
        ticktext=[fmt.month_short(mo, lang) for mo in range(first, last + 1)],
        showgrid=True,
        gridcolor="#E5E5E5",
        side="top",
    )
