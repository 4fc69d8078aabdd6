"""The meeting deck: a 16:9 PowerPoint with the key figures as editable text and one slide per chart.

Charts are static PNGs from `rbdash.exports.images` (Kaleido with the system Chromium). Every slide that
shows example values says CONTOH. Without a browser the chart slides say why they have no image.
Every text stays inside its box: set a few points smaller when that is enough, else cut with "…"
and given whole in the slide's notes; chart labels are cut (`fitting.chart_model`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from rbdash.analysis import metrics
from rbdash.analysis.since import Since
from rbdash.exports import images, native_charts
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.fitting import CODE_CHARS, chart_model, clip, fit, fits, one_line, register_fonts
from rbdash.present.since import Reference, change_tables, figure_rows, figure_values, summary_lines
from rbdash.present.text import literal
from rbdash.present.views import example_sheet_names, quarter_heading, quarter_label, quarter_table

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
INSET, INSET_TOP = Inches(0.1), Inches(0.05)  # python-pptx's default insets of a text box: sides, top and bottom
EMU_PER_POINT = 12700
LINE_SPACING = 1.2  # a line of single-spaced text, in font sizes
FOOTER_PART_CHARS = 60  # satker, decree number and version in the footer, each
GANTT_ROWS = 18  # plan rows on the Gantt slide (its subtitle says "rows 1-18 of N" when there are more)
PROGRAMME_BARS = 12  # programmes on the progress slide, likewise
INDICATOR_BARS = 30  # indicators on the indicator slide, likewise
QUARTER_ROWS = 12  # programmes in the quarter slide's table (all, with their kegiatan, in its notes)


#: Draws a native chart on a slide in a box (left, top, width, height).
NativeChart = Callable[[Any, tuple[int, int, int, int]], Any]


@dataclass(frozen=True)
class ChartSlide:
    """One chart for a slide: its title, whether it is the office's whole (the IKM), which no programme filter
    reaches, and either a PowerPoint chart drawn by `native` (editable) or a picture of `figure`."""

    title: str
    office_wide: bool = False
    native: NativeChart | None = None
    figure: go.Figure | None = None
    empty: bool = False  # nothing to chart (a workbook without indicators): the slide says so
    part: str = ""  # " · indikator 1–30 dari 5.877" when the chart shows the first items only


def deck_charts(model: ActionPlan, as_of_month: int, lang: str) -> list[ChartSlide]:
    """The charts of the deck, in meeting order: the programme progress, the Gantt (a picture: PowerPoint has
    no Gantt chart), the indicators, the IKM trend and the last period's NRR, the others PowerPoint's own
    editable charts (`native_charts`). A large plan's charts show its first rows, so a slide stays readable."""
    model = chart_model(model)
    all_states = metrics.indicator_status(model, as_of_month)
    all_progress = metrics.programme_progress(model, as_of_month)
    states, progress = all_states.head(INDICATOR_BARS), all_progress.head(PROGRAMME_BARS)
    # the slide's header is its title (seen: twice); its subtitle says which rows
    gantt = charts.gantt(model, as_of_month, lang, per_page=GANTT_ROWS, titled=False)
    slides = [
        ChartSlide(
            t("chart.programmes.title", lang),
            native=lambda slide, box: native_charts.programme_chart(slide, progress, model, lang, box),
            empty=progress.empty,
            part=charts.part_note("chart.programmes.rows", 1, len(progress), len(all_progress), lang),
        ),
        ChartSlide(t("chart.gantt.title", lang, year=model.info.get("year")), figure=gantt),
        ChartSlide(
            t("chart.indicators.title", lang),
            native=lambda slide, box: native_charts.indicator_chart(slide, states, lang, box),
            empty=states.empty,
            part=charts.part_note("chart.indicators.rows", 1, len(states), len(all_states), lang),
        ),
    ]
    table = metrics.ikm_table(model, t("ikm.overall", lang), as_of_month)
    if not table.empty:
        last = table.iloc[-1]
        slides += [
            ChartSlide(
                t("chart.ikm.title", lang),
                office_wide=True,
                native=lambda slide, box: native_charts.ikm_chart(slide, table, lang, box),
            ),
            ChartSlide(
                t("chart.nrr.title", lang, period=last["period"], unit=last["unit"]),
                office_wide=True,
                native=lambda slide, box: native_charts.nrr_chart(slide, last, lang, box),
            ),
        ]
    return slides


class Notes:
    """The full texts of one slide that its boxes had to cut; they go into the slide's notes."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def write(self, slide, lang: str) -> None:
        """Put the cut texts, whole, into `slide`'s notes (nothing when nothing was cut)."""
        if self.texts:
            slide.notes_slide.notes_text_frame.text = literal("\n\n".join([t("deck.full_text", lang), *self.texts]))


def box_lines(height: int, points: int) -> int:
    """How many lines of `points`-point text a box of `height` EMU holds."""
    return int((height - 2 * INSET_TOP) / EMU_PER_POINT // (LINE_SPACING * points))


def _text(
    slide,
    left,
    top,
    width,
    height,
    text: str,
    size: int,
    bold: bool = False,
    color: RGBColor | None = None,
    notes: Notes | None = None,
    whole: str | None = None,
    smallest: int | None = None,
) -> None:
    """A text box showing `text` inside the box: at `size` points or smaller down to `smallest`, in as
    many lines as the box holds at that size; else cut with "…". When cut, `whole` (by default `text`)
    goes to `notes`, as it does whenever `whole` differs from `text`. Text is measured with DejaVu Sans,
    wider than the theme's Calibri and than what LibreOffice puts in its place, so it fits in either."""
    font = register_fonts()[1 if bold else 0]
    room = (width - 2 * INSET) / EMU_PER_POINT
    sizes = list(range(size, (smallest or size) - 1, -2))
    chosen = next(
        (points for points in sizes if fits(text, room, font, points, max(box_lines(height, points), 1))), None
    )
    points = chosen or sizes[-1]
    shown = one_line(text) if chosen else fit(text, room, font, points, max(box_lines(height, points), 1))
    if notes is not None and (chosen is None or (whole is not None and whole != text)):
        notes.texts.append(whole if whole is not None else text)
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = literal(shown)
    run.font.size = Pt(points)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _header(slide, title: str, subtitle: str, example_note: str | None, notes: Notes) -> None:
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), title, 26, bold=True, notes=notes, smallest=20)
    _text(slide, Inches(0.5), Inches(1.0), Inches(12.3), Inches(0.4), subtitle, 14, notes=notes, smallest=12)
    if example_note:
        _text(
            slide,
            Inches(0.5),
            Inches(6.95),
            Inches(12.3),
            Inches(0.4),
            example_note,
            12,
            bold=True,
            color=RGBColor(0x99, 0x33, 0x00),
            notes=notes,
            smallest=10,
        )


def _footer(slide, parts: list[str], notes: Notes) -> None:
    """Satker, decree number and version on one line, each cut to a share of it (whole in `notes`)."""
    shown = [clip(one_line(part), FOOTER_PART_CHARS) for part in parts]
    if shown != [one_line(part) for part in parts]:
        notes.texts.append(" · ".join(parts))
    _text(slide, Inches(0.5), Inches(6.6), Inches(12.3), Inches(0.3), " · ".join(shown), 10, notes=notes, smallest=8)


def _codes(found: list[str], limit: int | None = CODE_CHARS) -> str:
    shown = [clip(one_line(code), limit) if limit else code for code in found]
    return f"{len(found)}: {', '.join(shown) or '–'}"


def _table(slide, rows: list[list[str]], widths: list[int], chars: int = 60) -> None:
    """An editable table under the slide's header: a bold header row, then `rows`, each cell cut to `chars`
    characters (whole in the slide's notes where the caller puts them)."""
    shape = slide.shapes.add_table(
        len(rows), len(widths), Inches(0.5), Inches(1.5), sum(widths), Inches(0.34) * len(rows)
    )
    for c, width in enumerate(widths):
        shape.table.columns[c].width = width
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = literal(clip(one_line(value), chars))
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(14)
                    run.font.bold = r == 0


def _quarter_slide(slide, model: ActionPlan, quarter: int, as_of_month: int, lang: str, notes: Notes) -> None:
    """The quarter slide's body: each programme's triwulan and cumulative figures as an editable table (the first
    QUARTER_ROWS; every programme and kegiatan in the notes)."""
    table = quarter_table(model, as_of_month, lang, activities=False)
    columns = [table.columns[0], quarter_label(quarter, lang), table.columns[-1]]
    rows = [list(columns), *table[columns].astype(str).values.tolist()]
    shown = rows[: QUARTER_ROWS + 1]
    _table(slide, shown, [Inches(7.3), Inches(2.5), Inches(2.5)], chars=90)
    if len(rows) > len(shown):
        top = Inches(1.6) + Inches(0.34) * len(shown)
        more = t("deck.quarter_more", lang, shown=len(shown) - 1, total=len(rows) - 1)
        _text(slide, Inches(0.5), top, Inches(12.3), Inches(0.4), more, 14, notes=notes, smallest=11)
    whole = quarter_table(model, as_of_month, lang)
    notes.texts.append("\n".join(" · ".join(map(str, row)) for row in whole[columns].values.tolist()))


def _since_slide(
    slide, changes: Since, reference: Reference, model: ActionPlan, lang: str, notes: Notes, office_wide: bool
) -> None:
    """The since-slide's body: the key figures then, now and their change as an editable table, and one line
    per kind of change below it (a few rows named; every change, listed whole, in the notes)."""
    rows = figure_rows(changes, reference, lang, office_wide)
    _table(slide, rows, [Inches(3.6), Inches(2.9), Inches(2.9), Inches(2.9)])
    lines = summary_lines(changes, lang, shown=5)
    lines = [*lines, t("since.more_in_report", lang)] if lines else [t("since.nothing", lang)]
    top = Inches(1.6) + Inches(0.34) * len(rows)
    for index, line in enumerate(lines):  # at most six lines of 0.4 inch under the seven rows of the table
        _text(
            slide, Inches(0.5), top + Inches(0.4) * index, Inches(12.3), Inches(0.4), line, 16, notes=notes, smallest=11
        )
    for found in change_tables(changes, model, lang):
        notes.texts.append("\n".join([found.heading, *(" · ".join(row) for row in found.rows[1:])]))


def build_deck(
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    version_label: str,
    filters: str | None = None,
    since: tuple[Since, Reference] | None = None,
    quarter: int | None = None,
) -> bytes:
    """The deck as .pptx bytes; `filters` names the programmes `model` was restricted to (None: the whole plan).
    `since`: the changes from a reference version to `model` (restricted alike), a slide after the key figures.
    `quarter` (1-4): a triwulan's deck, whose key-figures slide names it and whose next slide gives each
    programme's figures for the quarter beside the cumulative ones."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    blank = presentation.slide_layouts[6]
    info = model.info
    plain_as_of = charts.as_of_text(info.get("as_of"), info.get("year"), as_of_month, lang)
    as_of = f"{plain_as_of} · {filters}" if filters else plain_as_of
    # The survey is the office's: its slides say the programme filter does not reach it (seen: "Filter: …").
    office_as_of = f"{plain_as_of} · {t('filter.ikm_whole', lang)}" if filters else plain_as_of
    examples = example_sheet_names(model)
    note = t("app.example_banner", lang, sheets=", ".join(examples)) if examples else None
    footer = [str(part) for part in (info.get("satker"), info.get("decree_number"), version_label) if part]

    @contextmanager
    def new_slide(title: str, subtitle: str) -> Iterator[tuple[Any, Notes]]:
        """A slide with its header; its footer and its notes (the texts it cut) when the body is drawn."""
        slide, notes = presentation.slides.add_slide(blank), Notes()
        _header(slide, title, subtitle, note, notes)
        yield slide, notes
        _footer(slide, footer, notes)
        notes.write(slide, lang)

    figures = metrics.overview(model, as_of_month)
    subtitle = f"{as_of} · {quarter_heading(model, quarter, as_of_month, lang)}" if quarter else as_of
    with new_slide(t("deck.key_figures", lang, year=info.get("year"), satker=info.get("satker")), subtitle) as (
        slide,
        notes,
    ):
        _key_figures(slide, figures, lang, bool(filters), notes)
    if quarter is not None:
        with new_slide(quarter_heading(model, quarter, as_of_month, lang), as_of) as (slide, notes):
            _quarter_slide(slide, model, quarter, as_of_month, lang, notes)
    if since is not None:
        with new_slide(since[1].heading(lang), as_of) as (slide, notes):
            _since_slide(slide, *since, model, lang, notes, bool(filters))

    chart_slides = deck_charts(model, as_of_month, lang)
    pictured = [chart.figure for chart in chart_slides if chart.figure is not None]
    rendered: Iterator[bytes | None]
    try:
        rendered, missing = iter(images.figures_png(pictured, scale=2, width=1400)), None
    except images.ExportUnavailable as exc:
        rendered, missing = iter([None] * len(pictured)), t(exc.key, lang)
    box_w, box_h = WIDTH - Inches(1.0), HEIGHT - Inches(2.4)
    for chart in chart_slides:
        with new_slide(chart.title, (office_as_of if chart.office_wide else as_of) + chart.part) as (slide, notes):
            if chart.native is not None and chart.empty:
                _text(slide, Inches(0.7), Inches(3.0), Inches(12.0), Inches(1.0), t("chart.no_data", lang), 18)
            elif chart.native is not None:
                chart.native(slide, (Inches(0.5), Inches(1.5), box_w, box_h))
            else:
                assert chart.figure is not None
                png = next(rendered)
                if png is None:
                    _text(slide, Inches(0.7), Inches(3.0), Inches(12.0), Inches(1.0), missing or "", 18, smallest=14)
                else:
                    _picture(slide, png, int(chart.figure.layout.height or 500), box_w, box_h)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _picture(slide, png: bytes, height_px: int, box_w: int, box_h: int, width_px: int = 1400) -> None:
    """A chart image, centred, as large as the box allows."""
    scale = min(box_w / width_px, box_h / height_px)
    picture_w, picture_h = Emu(int(width_px * scale)), Emu(int(height_px * scale))
    slide.shapes.add_picture(io.BytesIO(png), int((WIDTH - picture_w) / 2), Inches(1.5), picture_w, picture_h)


def _key_figures(slide, figures: metrics.Overview, lang: str, filtered: bool, notes: Notes) -> None:
    """The key-figures slide's body: a label and a value a line; lists of codes cut, whole in the notes."""
    ikm, values = figures.latest_ikm, figure_values(figures, lang)
    lines = [
        *((t(key, lang), values[key]) for key in ("overview.rows", "overview.done", "overview.indicators")),
        (t("overview.overdue", lang), _codes(figures.overdue_rows), _codes(figures.overdue_rows, None)),
        (t("overview.due_next", lang), _codes(figures.due_next_month), _codes(figures.due_next_month, None)),
        (
            # The office's, whatever programme the slide's header names (seen: under "Filter: program …").
            f"{t('overview.ikm', lang)} ({t('filter.office_wide', lang)})" if filtered else t("overview.ikm", lang),
            f"{fmt.number(ikm['ikm_converted'], lang, 2)} ({ikm['mutu']}), {ikm['period']}" if ikm else "–",
        ),
    ]
    for row, (label, value, *whole) in enumerate(lines):
        top = Inches(1.7 + 0.82 * row)
        _text(slide, Inches(0.7), top, Inches(6.0), Inches(0.7), label, 20, notes=notes, smallest=16)
        _text(
            slide,
            Inches(6.8),
            top,
            Inches(6.0),
            Inches(0.7),
            value,
            24,
            bold=True,
            notes=notes,
            whole=f"{label}: {whole[0]}" if whole else None,
            smallest=18,
        )
