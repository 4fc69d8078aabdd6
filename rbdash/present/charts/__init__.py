"""Chart builders: model or frame in, Plotly figure out (no Streamlit).

Every figure says what it shows and "posisi data per" in its title; status is told by symbol,
pattern and label as well as by colour (Okabe-Ito, colour-blind safe), so prints in grayscale
stay readable. Workbook text is escaped once (`style.escape`) before it reaches a label, a legend, a title
or a hover box, so it shows exactly as typed; labels are bounded in characters and in width.

`style` holds what every chart shares; `schedule` the Gantt view; `plan` programme and indicator
charts; `ikm` the satisfaction-index charts. Callers use this package's names.
"""

from rbdash.present.charts.ikm import (
    ikm_trend,
    nrr_bars,
    respondents_bars,
)
from rbdash.present.charts.plan import (
    indicator_bars,
    indicator_trend,
    programme_bars,
    quarter_bars,
)
from rbdash.present.charts.schedule import (
    CHART_PAGE_ROWS,
    GANTT_PAGE_ROWS,
    GanttFilter,
    filter_text,
    gantt,
    gantt_pages,
    gantt_rows,
    page_span,
    segments,
)
from rbdash.present.charts.style import (
    BAND_FILLS,
    CHAR_EM,
    ELLIPSIS,
    HOVER_CHARS,
    LABEL_CHARS,
    LEGEND_CHARS,
    PLAN_FILL,
    PLAN_LINE,
    ROW_HEIGHT,
    STATE_STYLE,
    STATUS_STYLE,
    UNIT_DASHES,
    as_of_text,
    boxed,
    chart_filename,
    download_config,
    escape,
    label,
    layout,
    month_axis,
    no_data,
    part_note,
    percent_axis,
    plain,
    text_em,
)

__all__ = [
    "BAND_FILLS",
    "CHART_PAGE_ROWS",
    "CHAR_EM",
    "ELLIPSIS",
    "GANTT_PAGE_ROWS",
    "HOVER_CHARS",
    "LABEL_CHARS",
    "LEGEND_CHARS",
    "PLAN_FILL",
    "PLAN_LINE",
    "ROW_HEIGHT",
    "STATE_STYLE",
    "STATUS_STYLE",
    "UNIT_DASHES",
    "GanttFilter",
    "as_of_text",
    "boxed",
    "chart_filename",
    "download_config",
    "escape",
    "filter_text",
    "gantt",
    "gantt_pages",
    "gantt_rows",
    "ikm_trend",
    "indicator_bars",
    "indicator_trend",
    "label",
    "layout",
    "month_axis",
    "no_data",
    "nrr_bars",
    "page_span",
    "part_note",
    "percent_axis",
    "plain",
    "programme_bars",
    "quarter_bars",
    "respondents_bars",
    "segments",
    "text_em",
]
