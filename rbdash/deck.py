"""The meeting deck: a 16:9 PowerPoint with the key figures as editable text and one slide per chart.

Charts are static PNGs from `rbdash.images` (Kaleido with the system Chromium). Every slide that
shows example values says CONTOH. Without a browser the chart slides say why they have no image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from . import charts, images, metrics
from . import formatting as fmt
from .loader import ActionPlan
from .messages import t
from .views import example_sheet_names

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9


@dataclass(frozen=True)
class ChartSlide:
    """One chart for a slide: its figure and the catalogue key of its title."""

    figure: go.Figure
    title: str


def deck_charts(model: ActionPlan, as_of_month: int, lang: str) -> list[ChartSlide]:
    """The charts of the deck, in meeting order."""
    slides = [
        ChartSlide(charts.programme_bars(metrics.programme_progress(model, as_of_month,
                                                                    f"({t('app.missing_in_copy', lang)})"),
                                         model, as_of_month, lang), t("chart.programmes.title", lang)),
        ChartSlide(charts.gantt(model, as_of_month, lang), t("chart.gantt.title", lang, year=model.info.get("year"))),
        ChartSlide(charts.indicator_bars(metrics.indicator_status(model, as_of_month), model, as_of_month, lang),
                   t("chart.indicators.title", lang)),
    ]
    table = metrics.ikm_table(model, t("ikm.overall", lang))
    if not table.empty:
        slides.append(ChartSlide(charts.ikm_trend(table, model, as_of_month, lang), t("chart.ikm.title", lang)))
        last = table.iloc[-1]
        slides.append(ChartSlide(charts.nrr_bars(last, model, as_of_month, lang),
                                 t("chart.nrr.title", lang, period=last["period"], unit=last["unit"])))
    return slides


def _text(slide, left, top, width, height, text: str, size: int, bold: bool = False,
          color: RGBColor | None = None) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _header(slide, title: str, subtitle: str, example_note: str | None) -> None:
    _text(slide, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), title, 26, bold=True)
    _text(slide, Inches(0.5), Inches(1.0), Inches(12.3), Inches(0.4), subtitle, 14)
    if example_note:
        _text(slide, Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.4), example_note, 12, bold=True,
              color=RGBColor(0x99, 0x33, 0x00))


def build_deck(model: ActionPlan, as_of_month: int, lang: str, version_label: str) -> bytes:
    """The deck as .pptx bytes."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    blank = presentation.slide_layouts[6]
    info = model.info
    as_of = charts.as_of_text(info.get("as_of"), info.get("year"), as_of_month, lang)
    examples = example_sheet_names(model)
    note = t("app.example_banner", lang, sheets=", ".join(examples)) if examples else None
    footer = f"{info.get('satker')} · {info.get('decree_number') or ''} · {version_label}"

    figures = metrics.overview(model, as_of_month)
    slide = presentation.slides.add_slide(blank)
    _header(slide, t("deck.key_figures", lang, year=info.get("year"), satker=info.get("satker")), as_of, note)
    ikm = figures.latest_ikm
    lines = [
        (t("overview.rows", lang), fmt.number(figures.plan_rows, lang)),
        (t("overview.done", lang), fmt.percent(figures.done_share, lang, 1)),
        (t("overview.indicators", lang), fmt.percent(figures.indicator_completion, lang, 1)),
        (t("overview.overdue", lang), f"{len(figures.overdue_rows)}: {', '.join(figures.overdue_rows) or '–'}"),
        (t("overview.due_next", lang), f"{len(figures.due_next_month)}: {', '.join(figures.due_next_month) or '–'}"),
        (t("overview.ikm", lang), f"{fmt.number(ikm['ikm_converted'], lang, 2)} ({ikm['mutu']}), {ikm['period']}"
         if ikm else "–"),
    ]
    for row, (label, value) in enumerate(lines):
        top = Inches(1.7 + 0.82 * row)
        _text(slide, Inches(0.7), top, Inches(6.0), Inches(0.7), label, 20)
        _text(slide, Inches(6.8), top, Inches(6.0), Inches(0.7), value, 24, bold=True)
    _text(slide, Inches(0.5), Inches(6.6), Inches(12.3), Inches(0.3), footer, 10)

    chart_slides = deck_charts(model, as_of_month, lang)
    try:
        pngs: list[bytes | None] = list(images.figures_png([c.figure for c in chart_slides], scale=2, width=1400))
        missing = None
    except images.ExportUnavailable as exc:
        pngs, missing = [None] * len(chart_slides), t(exc.key, lang)
    for chart, png in zip(chart_slides, pngs, strict=True):
        slide = presentation.slides.add_slide(blank)
        _header(slide, chart.title, as_of, note)
        if png is None:
            _text(slide, Inches(0.7), Inches(3.0), Inches(12.0), Inches(1.0), missing or "", 18)
        else:
            width_px = 1400
            height_px = int(chart.figure.layout.height or 500)
            box_w, box_h = WIDTH - Inches(1.0), HEIGHT - Inches(2.4)
            scale = min(box_w / width_px, box_h / height_px)
            picture_w, picture_h = Emu(int(width_px * scale)), Emu(int(height_px * scale))
            slide.shapes.add_picture(io.BytesIO(png), int((WIDTH - picture_w) / 2), Inches(1.5), picture_w, picture_h)
        _text(slide, Inches(0.5), Inches(6.6), Inches(12.3), Inches(0.3), footer, 10)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()
