"""What every chart shares: status colours, symbols and patterns (Okabe-Ito, colour-blind safe,
readable in grayscale), escaped and shortened labels, titles with "posisi data per", file names."""

from __future__ import annotations

import datetime as dt
import functools
import textwrap
import unicodedata

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from reportlab.pdfbase.pdfmetrics import stringWidth

from rbdash.analysis import metrics as m
from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.fitting import register_fonts
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
HOVER_CHARS = 70  # a line of a hover box
# A label line of `width` characters is also at most `width * CHAR_EM` ems wide, measured with the charts'
# font (DejaVu Sans): an average character of workbook text is 0.53 em, a "W" 0.99 em and a CJK one 1 em,
# so a line of wide characters is cut sooner and no label can squeeze the plot.
CHAR_EM = 0.55
ELLIPSIS = "…"


def escape(text: str) -> str:
    """`text` for Plotly's HTML-like labels, shown exactly as typed. Plotly reads the entities &amp; &lt;
    &gt; and numeric ones, but not &quot; (which would show as such): quotes stay as they are. A "$" is
    written as its entity, so no "$...$" is ever read as TeX (where a page has MathJax)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("$", "&#36;")


def _text(text: object) -> str:
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else literal(text)


def plain(text: object, width: int | None = HOVER_CHARS) -> str:
    """Workbook text made safe for Plotly's HTML-like labels, wrapped with <br> every `width` characters
    (a long word too) unless `width` is None: the whole text, for hover boxes."""
    value = _text(text)
    if width:
        return "<br>".join(escape(line) for line in textwrap.wrap(value, width) or [""])
    return escape(value)


@functools.lru_cache(maxsize=8192)
def char_em(char: str, bold: bool = False) -> float:
    """The width of `char` in ems in the charts' font; East Asian wide characters at least 1 em (the
    fallback font a browser uses for them)."""
    regular, heavy = register_fonts()
    width = stringWidth(char, heavy if bold else regular, 1)
    return max(width, 1.0) if unicodedata.east_asian_width(char) in ("W", "F") else width


def text_em(text: str, bold: bool = False) -> float:
    """The width of `text` in ems in the charts' font (see `char_em`)."""
    return sum(char_em(char, bold) for char in text)


def _lines(value: str, chars: int, ems: float, bold: bool, most: int) -> tuple[list[str], bool]:
    """Greedy lines of one-line `value`, each at most `chars` characters and `ems` wide; a word wider
    than a line is broken between characters. The first `most` lines, and whether text was left over."""
    lines: list[str] = []
    line, used = "", 0.0
    space = char_em(" ", bold)
    for word in value.split(" "):
        if not word:
            continue
        width = text_em(word, bold)
        if line and len(line) + 1 + len(word) <= chars and used + space + width <= ems:
            line, used = f"{line} {word}", used + space + width
            continue
        if line:
            lines.append(line)
            if len(lines) == most:
                return lines, True
        while len(word) > chars or width > ems:  # a long token: as much of it as fits on each line
            taken, taken_em = 0, 0.0
            while taken < min(len(word), chars) and taken_em + char_em(word[taken], bold) <= ems:
                taken_em += char_em(word[taken], bold)
                taken += 1
            taken = max(taken, 1)
            lines.append(word[:taken])
            if len(lines) == most:
                return lines, True
            word = word[taken:]
            width = text_em(word, bold)
        line, used = word, width
    if line:
        lines.append(line)
    return lines, False


def _with_ellipsis(line: str, chars: int, ems: float, bold: bool) -> str:
    """`line` ending in " …" (or "…" right after its last character when that does not fit)."""
    spaced = f"{line} {ELLIPSIS}"
    if len(spaced) <= chars and text_em(spaced, bold) <= ems:
        return spaced
    while line and (len(line) + 1 > chars or text_em(line + ELLIPSIS, bold) > ems):
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def label(text: object, width: int = LABEL_CHARS, lines: int = 1, bold: bool = False) -> str:
    """Workbook text for an axis tick, a legend entry or a title: at most `lines` lines, each at most
    `width` characters and `width * CHAR_EM` ems wide (in bold when `bold`), a word longer than a line
    broken, the last line cut with "…" when the text is longer; escaped. Hover boxes and tables show the
    whole text (`plain`)."""
    value = " ".join(_text(text).split())
    # Only the start can show: wrapping a 32,767-character cell whole would be wasted work.
    start = value[: width * (lines + 1)]
    ems = width * CHAR_EM
    wrapped, more = _lines(start, width, ems, bold, lines)
    if not wrapped:
        return ""
    if more or len(start) < len(value):
        wrapped[-1] = _with_ellipsis(wrapped[-1], width, ems, bold)
    return "<br>".join(escape(line) for line in wrapped)


def hatched(colour: object, pattern: object) -> dict:
    """A bar's marker: its fill `colour` and hatch `pattern` (each one value or one per bar), black hatching and a
    dark outline, so bars stay told apart in a grayscale print."""
    return {
        "color": colour,
        "pattern": {"shape": pattern, "fgcolor": "#000000"},
        "line": {"color": "#222222", "width": 1},
    }


def boxed(x: object, y: object, text: str, **extra: object) -> dict:
    """An annotation: `text` (escaped already) in black on a white box, readable over any fill or
    pattern, in grayscale too. Numbers on a bar go here, never straight on its colour or hatching."""
    return {
        "x": x,
        "y": y,
        "text": text,
        "showarrow": False,
        "font": {"size": 11, "color": "#000000"},
        "bgcolor": "#FFFFFF",
        "borderpad": 1,
        **extra,
    }


def no_data(fig: go.Figure, lang: str, key: str = "chart.no_data") -> go.Figure:
    """A "tidak ada data" note in the middle of an empty chart."""
    fig.add_annotation(
        text=escape(t(key, lang)),
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


def chart_filename(kind: str, year: int | None, as_of_month: int, satker: object = None) -> str:
    """'jadwal_kpu_provinsi_banten_2022_posisi_2022-09': what, whose (the office, when known), which plan year, as
    of when (seen by the review: every office's downloads had one name, and a file could be taken for another's)."""
    office = fmt.name_part(satker)
    return f"{kind}_{office + '_' if office else ''}{year}_posisi_{year}-{as_of_month:02d}"


def download_config(kind: str, year: int | None, as_of_month: int, satker: object = None) -> dict:
    """Plotly config: the camera button saves a 3x PNG under a meaningful name (`chart_filename`)."""
    filename = chart_filename(kind, year, as_of_month, satker)
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 3}}


#: Every chart's look (grid, background, colours): Plotly's plotly_white template.
CHART_TEMPLATE = "plotly_white"


def _use_template(fig: go.Figure) -> None:
    """Give `fig` the shared template without Plotly validating all of it again: naming it in update_layout
    did, about 15 ms of each chart's build. Plotly assigns its default template the same way (validation
    off: a registered template is valid). Not by making it Plotly's default: importing Streamlit sets that
    default to its own template, so which one won would depend on import order."""
    figure_layout = fig.layout
    validating, figure_layout._validate = figure_layout._validate, False
    try:
        figure_layout.template = pio.templates[CHART_TEMPLATE]
    finally:
        figure_layout._validate = validating


def layout(fig: go.Figure, title: str, subtitle: str, height: int, lang: str) -> go.Figure:
    """The shared look; `title` and `subtitle` are plain text (escaped here, once).

    The legend sits at the bottom of the figure (measured from the figure, not from the plot, whose
    height varies with its rows): Plotly makes room for it below the axis, never over the axis labels.
    The right margin leaves room for half the last tick label ("100%") at the plot's right edge."""
    _use_template(fig)
    fig.update_layout(
        separators=",." if lang == "id" else ".,",  # decimal and thousands marks on axes: 3,5 and 1.234 in id
        height=height,
        margin={"l": 10, "r": 30, "t": 80, "b": 40},
        title={"text": escape(title), "subtitle": {"text": escape(subtitle)}, "x": 0, "xanchor": "left"},
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
    )
    return fig


def percent_axis(fig: go.Figure, axis: str = "x", top: float = 100.0, step: int = 25) -> None:
    """A 0-`top` % axis ticked every `step` up to 100 %, which is always shown (Plotly's own ticks may stop
    at 80 %); above 100 is room for labels. The tick texts are given: Plotly drops `ticksuffix` from ticks
    set by value."""
    ticks = list(range(0, 101, step))
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(range=[0, top], tickvals=ticks, ticktext=[f"{value}%" for value in ticks])


def month_axis(fig: go.Figure, lang: str, first: int = 1, last: int = 12) -> None:
    fig.update_xaxes(
        range=[first - 0.5, last + 0.5],
        tickvals=list(range(first, last + 1)),
        ticktext=[fmt.month_short(mo, lang) for mo in range(first, last + 1)],
        showgrid=True,
        gridcolor="#E5E5E5",
        side="top",
    )
