"""The PDF report for meetings: A4 landscape, cover, key figures, the Gantt split across pages with
its month header on each, indicator completion, IKM, lists of what needs attention, page numbers
and a footer with the data version. Fonts (DejaVu Sans, else ReportLab's Vera) are embedded.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import charts, images, metrics
from . import formatting as fmt
from .loader import ActionPlan
from .messages import t
from .views import example_sheet_names

PAGE = landscape(A4)
MARGIN = 12 * mm
GANTT_ROWS_PER_PAGE = 18
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def _register_fonts() -> tuple[str, str]:
    """Regular and bold embedded fonts: DejaVu Sans when installed (full Indonesian and symbols), else Vera."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("RBDash", str(regular)))
            pdfmetrics.registerFont(TTFont("RBDash-Bold", str(bold)))
            return "RBDash", "RBDash-Bold"
    pdfmetrics.registerFont(TTFont("RBDash", "Vera.ttf"))
    pdfmetrics.registerFont(TTFont("RBDash-Bold", "VeraBd.ttf"))
    return "RBDash", "RBDash-Bold"


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=24, leading=30, spaceAfter=8),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=regular, fontSize=11, leading=15),
        "small": ParagraphStyle("small", fontName=regular, fontSize=9, leading=11),
        "example": ParagraphStyle("example", fontName=bold, fontSize=11, leading=14, textColor=colors.HexColor("#993300")),
    }


def _image(png: bytes | None, width_px: int, height_px: int, max_w: float, max_h: float, note: str,
           style: ParagraphStyle):
    if png is None:
        return Paragraph(escape(note), style)
    scale = min(max_w / width_px, max_h / height_px)
    return Image(io.BytesIO(png), width=width_px * scale, height=height_px * scale)


def _table(rows: list[list[str]], widths: list[float], regular: str, bold: str) -> Table:
    style = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    head = ParagraphStyle("head", fontName=bold, fontSize=9, leading=11)
    data = [[Paragraph(escape(str(c)), head if i == 0 else style) for c in row] for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def build_pdf(model: ActionPlan, as_of_month: int, lang: str, version_label: str,
              generated_at: dt.datetime | None = None) -> bytes:
    """The report as PDF bytes."""
    regular, bold = _register_fonts()
    styles = _styles(regular, bold)
    info = model.info
    as_of = charts.as_of_text(info.get("as_of"), info.get("year"), as_of_month, lang)
    examples = example_sheet_names(model)
    example_note = t("app.example_banner", lang, sheets=", ".join(examples)) if examples else None
    generated = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    footer = f"{info.get('satker')} · {info.get('decree_number') or ''} · {version_label} · {as_of}"
    width, height = PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN - 14 * mm

    missing = f"({t('app.missing_in_copy', lang)})"
    plan_codes = list(model.plan["code"])
    chunks = [plan_codes[i:i + GANTT_ROWS_PER_PAGE] for i in range(0, len(plan_codes), GANTT_ROWS_PER_PAGE)] or [[]]
    figures = [charts.gantt(model, as_of_month, lang, charts.GanttFilter(codes=chunk)) for chunk in chunks]
    states = metrics.indicator_status(model, as_of_month)
    figures.append(charts.indicator_bars(states, model, as_of_month, lang))
    table = metrics.ikm_table(model, t("ikm.overall", lang))
    if not table.empty:
        figures.append(charts.ikm_trend(table, model, as_of_month, lang))
        figures.append(charts.nrr_bars(table.iloc[-1], model, as_of_month, lang))
    figures.insert(0, charts.programme_bars(metrics.programme_progress(model, as_of_month, missing), model,
                                            as_of_month, lang))
    try:
        pngs: list[bytes | None] = list(images.figures_png(figures, scale=2, width=1400))
        no_image = ""
    except images.ExportUnavailable as exc:
        pngs, no_image = [None] * len(figures), t(exc.key, lang)

    def picture(index: int, max_h: float = height - 10 * mm):
        figure = figures[index]
        return _image(pngs[index], 1400, int(figure.layout.height or 500), width, max_h, no_image, styles["body"])

    story: list = []
    story += [Spacer(1, 25 * mm), Paragraph(escape(info.get("title") or t("app.title", lang)), styles["title"]),
              Paragraph(escape(f"{info.get('satker')} · {t('report.decree', lang)} {info.get('decree_number') or '–'}"),
                        styles["h1"]),
              Spacer(1, 6 * mm), Paragraph(escape(as_of), styles["h1"]),
              Paragraph(escape(t("report.version", lang, version=version_label)), styles["body"]),
              Paragraph(escape(t("report.generated", lang, when=generated)), styles["body"])]
    if example_note:
        story += [Spacer(1, 6 * mm), Paragraph(escape(example_note), styles["example"])]
    story.append(PageBreak())

    figures_now = metrics.overview(model, as_of_month)
    ikm = figures_now.latest_ikm
    rows = [[t("report.figure", lang), t("col.value", lang)],
            [t("overview.rows", lang), f"{figures_now.plan_rows} ({figures_now.indicators} "
                                       f"{t('report.indicators_word', lang)})"],
            [t("overview.done", lang), f"{fmt.percent(figures_now.done_share, lang, 1)} — "
             + t("overview.done_help", lang, done=figures_now.done_to_date, scheduled=figures_now.scheduled_to_date,
                 month=fmt.month_long(as_of_month, lang), partial=figures_now.partial_to_date)],
            [t("overview.indicators", lang), f"{fmt.percent(figures_now.indicator_completion, lang, 1)} — "
             + t("overview.indicators_help", lang, achieved=figures_now.indicators_achieved,
                 with_target=figures_now.indicators_with_target)],
            [t("overview.overdue", lang), ", ".join(figures_now.overdue_rows) or "–"],
            [t("overview.due_next", lang), ", ".join(figures_now.due_next_month) or "–"],
            [t("overview.ikm", lang), f"{fmt.number(ikm['ikm_converted'], lang, 2)} ({ikm['mutu']}), {ikm['period']}"
             if ikm else "–"]]
    story += [Paragraph(escape(t("page.overview", lang)), styles["h1"]), _table(rows, [70 * mm, width - 70 * mm],
                                                                               regular, bold),
              Spacer(1, 4 * mm), picture(0, height - 80 * mm), PageBreak()]
    for index in range(1, 1 + len(chunks)):
        story += [picture(index), PageBreak()]
    story += [picture(1 + len(chunks)), PageBreak()]
    if not table.empty:
        story += [picture(2 + len(chunks), height / 2 - 5 * mm), picture(3 + len(chunks), height / 2 - 5 * mm),
                  PageBreak()]

    open_rows = overdue_frame(model, as_of_month)
    sub = model.plan.set_index("code")["sub_activity"]
    attention = [[t("col.code", lang), t("col.sub_activity", lang), t("col.month", lang), t("col.state", lang)]]
    for row in open_rows.itertuples(index=False):
        text = sub.get(row.code)
        attention.append([row.code, text if isinstance(text, str) else missing, fmt.month_long(row.month, lang),
                          t(f"status.{row.status}", lang)])
    story += [Paragraph(escape(t("overview.overdue_list", lang, month=fmt.month_long(as_of_month, lang))),
                        styles["h1"]), _table(attention, [25 * mm, width - 95 * mm, 30 * mm, 40 * mm], regular, bold)]
    behind = states[states["state"] == metrics.BEHIND]
    rows = [[t("col.code", lang), t("col.indicators_text", lang), t("col.value", lang), t("col.target", lang)]]
    rows += [[r.indicator_code, r.text, fmt.number(r.value, lang, 2), fmt.number(r.target, lang, 2)]
             for r in behind.itertuples(index=False)]
    story += [Spacer(1, 6 * mm), Paragraph(escape(t("report.behind", lang)), styles["h1"]),
              _table(rows, [25 * mm, width - 85 * mm, 30 * mm, 30 * mm], regular, bold)]

    def decorate(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(MARGIN, 8 * mm, footer)
        canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, t("report.page", lang, page=document.page))
        if example_note:
            canvas.setFont(bold, 8)
            canvas.setFillColor(colors.HexColor("#993300"))
            canvas.drawString(MARGIN, PAGE[1] - 8 * mm, example_note[:180])
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 4 * mm,
                                 bottomMargin=MARGIN + 4 * mm, title=str(info.get("title") or "RB Dash"),
                                 author="RB Dash")
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def overdue_frame(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Rows not done up to the as-of month, one line per row-month (for tests and tables)."""
    status = metrics.month_status(model, as_of_month)
    return status[(status["month"] <= as_of_month) & status["status"].isin([metrics.PARTIAL, metrics.NOT_DONE,
                                                                            metrics.LATE])]
