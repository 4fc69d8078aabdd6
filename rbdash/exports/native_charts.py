"""The deck's editable charts: PowerPoint's own chart objects (python-pptx), which staff can restyle, relabel
and re-colour in PowerPoint, for the programme progress, the indicator completion, the IKM trend and the
NRR per unsur. The same figures as the dashboard's Plotly charts (same metrics, colours, and patterns so a
grayscale print tells the parts apart); the Gantt stays a picture (PowerPoint has no Gantt chart).

Workbook text goes in literally (`text.literal`); python-pptx escapes it for the XML.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.dml.fill import FillFormat
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_PATTERN
from pptx.slide import Slide
from pptx.util import Emu, Pt

from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.ikm import UNSUR
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.present.charts.ikm import UNSUR_NAMES_ID
from rbdash.present.charts.style import STATE_STYLE, STATUS_STYLE
from rbdash.present.fitting import clip
from rbdash.present.text import literal

#: Characters of a category label (a programme, an indicator): PowerPoint wraps them; the slide stays readable.
CATEGORY_CHARS = 60
#: Plotly's hatch shapes as PowerPoint's patterns ("" is a plain fill).
_PATTERNS = {
    "/": MSO_PATTERN.WIDE_UPWARD_DIAGONAL,
    "x": MSO_PATTERN.WIDE_UPWARD_DIAGONAL,
    ".": MSO_PATTERN.PERCENT_20,
    "-": MSO_PATTERN.LIGHT_HORIZONTAL,
}
_BLACK, _WHITE = RGBColor(0, 0, 0), RGBColor(0xFF, 0xFF, 0xFF)
_BOX = tuple[int, int, int, int]  # left, top, width, height (EMU)


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


def _fill(fill: FillFormat, color: str, pattern: str) -> None:
    """A series' or point's fill: the colour, hatched in black when the Plotly chart hatches it."""
    if pattern in _PATTERNS and color.upper() != "#FFFFFF":
        fill.patterned()
        fill.pattern = _PATTERNS[pattern]
        fill.fore_color.rgb = _BLACK
        fill.back_color.rgb = _rgb(color)
    else:
        fill.solid()
        fill.fore_color.rgb = _rgb(color)


def _label(text: object, limit: int = CATEGORY_CHARS) -> str:
    return clip(" ".join(literal(text).split()), limit)


def _add(slide: Slide, kind: XL_CHART_TYPE, box: _BOX, data: CategoryChartData) -> Chart:
    """A chart of `kind` over `data` in `box` on `slide`."""
    left, top, width, height = (Emu(value) for value in box)
    frame: Any = slide.shapes.add_chart(kind, left, top, width, height, data)  # type: ignore[arg-type]
    return frame.chart  # python-pptx's annotations call the frame a Chart


def _base(chart: Chart, legend: bool) -> None:
    chart.has_title = False  # the slide's header is its title (seen: the title twice on a slide)
    chart.font.size = Pt(12)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False


def programme_chart(slide: Slide, progress: pd.DataFrame, model: ActionPlan, lang: str, box: _BOX) -> Chart:
    """Per programme: the share (%) of scheduled row-months to date done, partial, open and cancelled."""
    spans = selection.code_spans(model, "program")
    data = CategoryChartData(number_format='0"%"')
    data.categories = [_label(fmt.group_label(key, lang, spans.get(key))) for key in progress["program"]]
    scheduled = progress["scheduled"].where(progress["scheduled"] > 0)
    parts = [
        (m.DONE, progress[m.DONE], t(f"status.{m.DONE}", lang)),
        (m.PARTIAL, progress[m.PARTIAL], t(f"status.{m.PARTIAL}", lang)),
        (m.LATE, progress[m.LATE] + progress[m.NOT_DONE], t("status.open", lang)),
        (m.CANCELLED, progress[m.CANCELLED], t(f"status.{m.CANCELLED}", lang)),
    ]
    for _state, counts, name in parts:
        shares = (counts / scheduled * 100).round(1)
        data.add_series(name, [None if pd.isna(v) or v == 0 else float(v) for v in shares])  # no empty labels
    chart = _add(slide, XL_CHART_TYPE.BAR_STACKED, box, data)
    _base(chart, legend=True)
    chart.category_axis.reverse_order = True  # plan order from the top, as on the dashboard
    value_axis = chart.value_axis
    value_axis.minimum_scale, value_axis.maximum_scale, value_axis.major_unit = 0, 100, 20
    value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = '0"%"', False
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, 100
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = '0"%"', False
    labels.position = XL_LABEL_POSITION.CENTER
    for series, (state, _counts, _name) in zip(plot.series, parts, strict=True):
        style = STATUS_STYLE[state]
        _fill(series.format.fill, style["color"], style["pattern"])
        series.format.line.color.rgb = _BLACK
    return chart


def indicator_chart(slide: Slide, states: pd.DataFrame, lang: str, box: _BOX) -> Chart:
    """Per indicator: completion (%) toward its target, each bar in its state's colour (hatched when behind);
    the share and the state lead each row's label, so they read on any fill and in grayscale. An indicator
    without a target or a value has no bar, only its state."""
    shares = [
        None if row.state in (m.NO_TARGET, m.NO_DATA) or pd.isna(row.completion) else round(row.completion * 100, 1)
        for row in states.itertuples()
    ]
    data = CategoryChartData(number_format='0"%"')
    data.categories = [
        " · ".join(
            [
                literal(row.indicator_code),
                t(f"state.{row.state}", lang)
                if share is None
                else f"{fmt.number(share, lang)}% {t(f'state.{row.state}', lang)}",
                _label(row.text, 36),
            ]
        )
        for row, share in zip(states.itertuples(), shares, strict=True)
    ]
    data.add_series(t("col.completion", lang), [0.0 if share is None else share for share in shares])
    chart = _add(slide, XL_CHART_TYPE.BAR_CLUSTERED, box, data)
    _base(chart, legend=False)
    chart.category_axis.reverse_order = True
    chart.category_axis.tick_labels.font.size = Pt(9)  # up to INDICATOR_BARS rows on a slide
    value_axis = chart.value_axis
    value_axis.minimum_scale, value_axis.maximum_scale, value_axis.major_unit = 0, 100, 25
    value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = '0"%"', False
    plot = chart.plots[0]
    plot.gap_width = 40
    series = plot.series[0]
    for index, row in enumerate(states.itertuples()):
        style = STATE_STYLE[row.state]
        point = series.points[index]
        _fill(point.format.fill, style["color"], style["pattern"])
        point.format.line.color.rgb = _BLACK
    return chart


def ikm_chart(slide: Slide, table: pd.DataFrame, lang: str, box: _BOX) -> Chart:
    """IKM (converted, 25-100) per period: one line per service unit and one for all units, values labelled."""
    periods = list(dict.fromkeys(table["period"]))
    data = CategoryChartData(number_format="0.00")
    data.categories = [literal(period) for period in periods]
    order = [*dict.fromkeys(table.loc[~table["overall"], "unit"]), *dict.fromkeys(table.loc[table["overall"], "unit"])]
    for unit in order:
        values = table[table["unit"] == unit].set_index("period")["ikm_converted"]
        data.add_series(_label(unit, 50), [m.finite(values.get(period)) for period in periods])
    chart = _add(slide, XL_CHART_TYPE.LINE_MARKERS, box, data)
    _base(chart, legend=True)
    low = min([60.0, *(table["ikm_converted"].dropna() - 5)])
    value_axis = chart.value_axis
    value_axis.minimum_scale, value_axis.maximum_scale = max(25.0, math.floor(low / 5) * 5), 100
    value_axis.has_major_gridlines = True
    plot = chart.plots[0]
    for index, series in enumerate(plot.series):
        overall = index == len(plot.series) - 1 and bool(table["overall"].any())
        series.format.line.width = Pt(3.5 if overall else 2)
        series.format.line.color.rgb = _BLACK if overall else _rgb(_UNIT_COLOURS[index % len(_UNIT_COLOURS)])
        series.smooth = False
        if overall or len(plot.series) == 1:  # the units' values are in the IKM table: one line labelled
            labels = series.data_labels
            labels.show_value = True
            labels.number_format, labels.number_format_is_linked = "0.00", False
            labels.position = XL_LABEL_POSITION.ABOVE
            labels.font.size, labels.font.bold = Pt(12), True
    return chart


_UNIT_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def nrr_chart(slide: Slide, row: pd.Series, lang: str, box: _BOX) -> Chart:
    """NRR (1-4) per unsur for one period and unit, the weakest unsur hatched in orange (what to improve)."""
    values = [m.finite(row[u]) for u in UNSUR]
    names = [f"{u} {UNSUR_NAMES_ID[i] if lang == 'id' else t(f'unsur.{u}', lang)}" for i, u in enumerate(UNSUR)]
    data = CategoryChartData(number_format="0.00")
    data.categories = names
    data.add_series(t("col.nrr", lang), [0.0 if v is None else v for v in values])
    chart = _add(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, box, data)
    _base(chart, legend=False)
    value_axis = chart.value_axis
    value_axis.minimum_scale, value_axis.maximum_scale, value_axis.major_unit = 1, 4, 0.5
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = "0.00", False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    known = [v for v in values if v is not None]
    weakest = values.index(min(known)) if known else -1
    for index in range(len(UNSUR)):
        point = plot.series[0].points[index]
        _fill(point.format.fill, "#D55E00" if index == weakest else "#9DB9D3", "x" if index == weakest else "")
        point.format.line.color.rgb = _BLACK
    return chart
