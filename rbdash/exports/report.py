"""The PDF report for meetings: A4 landscape, cover, key figures, the Gantt split across pages with
its month header on each, indicator completion, IKM, lists of what needs attention, page numbers
and a footer with the data version. Fonts (DejaVu Sans, else ReportLab's Vera) are embedded.

Any cell text lays out: a table cell shows at most `pdf_parts.CELL_LINES` lines, the cover title three,
headings two and the footer one; longer workbook text is cut with "…" and a pointer to the
appendix (Lampiran), where it follows in full as ordinary paragraphs. Chart labels are cut
(`fitting.chart_model`).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from rbdash.access.signin import WIB
from rbdash.analysis import metrics, selection
from rbdash.analysis.since import Since
from rbdash.config import ReportLayout, settings
from rbdash.exports import images, official
from rbdash.exports.pdf_parts import Appendix, Sheet, chart_picture, escape, paragraph_styles
from rbdash.exports.report_pages import quarter_page, rows_table, since_page
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.fitting import CODE_CHARS, chart_model, clip, fit, one_line, register_fonts
from rbdash.present.since import Reference
from rbdash.present.views import example_sheet_names, quarter_heading

PAGE = landscape(A4)
MARGIN = 12 * mm
GANTT_ROWS_PER_PAGE = 18
GANTT_PAGES = 4  # Gantt pages at most (72 rows); a larger plan is listed whole in a table after them
PROGRAMME_BARS = 40  # programmes on the progress chart at most (the subtitle says which it shows)
INDICATOR_BARS = 40  # indicators on the indicator chart at most; those behind target are all in a table
FOOTER_PART_CHARS = 60  # satker, decree number and version in the footer, each

# Binary (zlib-only) PDF streams instead of ReportLab's default ASCII85 on top: the charts' image data was
# encoded by a pure-Python loop (about 1 s of a report's 3 s here) into streams a quarter larger.
rl_config.useA85 = 0


def build_pdf(
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    version_label: str,
    generated_at: dt.datetime | None = None,
    filters: str | None = None,
    layout: ReportLayout | None = None,
    quarter: int | None = None,
    since: tuple[Since, Reference] | None = None,
) -> bytes:
    """The report as PDF bytes; `filters` names the programmes `model` was restricted to (None: the whole plan).
    `layout`: the letterhead and signature block (default: the [report] settings for the home office's plan,
    `Settings.report_layout`). `quarter` (1-4):
    a report for that triwulan, whose page after the key figures gives each programme's and kegiatan's figures
    for the quarter beside the cumulative ones. `since`: the changes from a reference version to `model` (restricted
    alike), the report's first page after the cover."""
    layout = layout if layout is not None else settings().report_layout(model.info.get("satker"))
    regular, bold = register_fonts()
    styles = paragraph_styles(regular, bold)
    appendix = Appendix(lang)
    info = model.info
    as_of = charts.as_of_text(info.get("as_of"), info.get("year"), as_of_month, lang)
    examples = example_sheet_names(model)
    example_note = t("app.example_banner", lang, sheets=", ".join(examples)) if examples else None
    generated_wib = (generated_at or dt.datetime.now(dt.UTC)).astimezone(WIB)
    generated = fmt.timestamp(generated_wib.isoformat(), lang)  # as every time the dashboard shows
    footer = " · ".join(  # a blank part (a plan without a decree number yet) leaves no empty " · · "
        clip(one_line(part), FOOTER_PART_CHARS)
        for part in (info.get("satker"), info.get("decree_number"), version_label, as_of)
        if part
    )
    width, height = PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN - 14 * mm

    sheet = Sheet(width, regular, bold, appendix, styles)
    heading = sheet.heading
    labelled = chart_model(model)  # the charts' labels: codes, names and units cut to label length
    # The report's size is bounded: a few Gantt pages and one indicator chart, whatever the plan's size
    # (each chart is one Chromium render); a larger plan is listed whole in tables, which flow across pages.
    gantt_rows = charts.gantt_rows(labelled, as_of_month, charts.GanttFilter(), lang)
    gantt_pages = min(charts.gantt_pages(len(gantt_rows), GANTT_ROWS_PER_PAGE), GANTT_PAGES)
    gantt_cut = len(gantt_rows) > gantt_pages * GANTT_ROWS_PER_PAGE
    # The Gantt's title is the page's heading, not the picture's: the deck's Gantt is then the same picture as
    # the first page's, rendered once for both (the renderer keeps its images by figure)
    figures = [
        charts.gantt(
            labelled, as_of_month, lang, page=page, per_page=GANTT_ROWS_PER_PAGE, rows=gantt_rows, titled=False
        )
        for page in range(1, gantt_pages + 1)
    ]
    gantt_title = t("chart.gantt.title", lang, year=info.get("year"))
    states_shown = metrics.indicator_status(labelled, as_of_month)
    figures.append(
        charts.indicator_bars(states_shown.head(INDICATOR_BARS), labelled, as_of_month, lang, total=len(states_shown))
    )
    chart_table = metrics.ikm_table(labelled, t("ikm.overall", lang), as_of_month)
    if not chart_table.empty:
        figures.append(charts.ikm_trend(chart_table, labelled, as_of_month, lang))
        figures.append(charts.nrr_bars(chart_table.iloc[-1], labelled, as_of_month, lang))
    progress = metrics.programme_progress(labelled, as_of_month)
    figures.insert(
        0,
        charts.programme_bars(progress.head(PROGRAMME_BARS), labelled, as_of_month, lang, total=len(progress)),
    )
    try:
        pngs: list[bytes | None] = list(images.figures_png(figures, scale=2, width=1400))
        no_image = ""
    except images.ExportUnavailable as exc:
        pngs, no_image = [None] * len(figures), t(exc.key, lang)

    def picture(index: int, max_h: float = height - 10 * mm):
        figure = figures[index]
        return chart_picture(
            pngs[index], 1400, int(figure.layout.height or 500), width, max_h, no_image, styles["body"]
        )

    title, h1 = styles["title"], styles["h1"]
    cover_title = appendix.fitted(info.get("title") or t("app.title", lang), width, title, 3, t("report.title", lang))
    satker = appendix.fitted(info.get("satker") or "", width, h1, 1, t("col.satker", lang))
    decree = appendix.fitted(info.get("decree_number") or "–", width, h1, 1, t("report.decree", lang))
    story: list = official.letterhead(layout, satker, width, regular, bold)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape(cover_title), title),
        *([Paragraph(escape(quarter_heading(model, quarter, as_of_month, lang)), h1)] if quarter else []),
        Paragraph(escape(f"{satker} · {t('report.decree', lang)} {decree}"), h1),
        Spacer(1, 6 * mm),
        Paragraph(escape(as_of), h1),
        Paragraph(escape(fit(filters or t("filter.all_programmes", lang), width, regular, 11, 3)), styles["body"]),
        Paragraph(escape(fit(t("report.version", lang, version=version_label), width, regular, 11, 2)), styles["body"]),
        Paragraph(escape(t("report.generated", lang, when=generated)), styles["body"]),
    ]
    if example_note:
        story += [Spacer(1, 6 * mm), Paragraph(escape(example_note), styles["example"])]
    story.append(PageBreak())
    if since is not None:
        story += since_page(*since, model, lang, sheet, filtered=bool(filters))

    figures_now = metrics.overview(model, as_of_month)
    ikm = figures_now.latest_ikm

    def codes(found: list[str]) -> str:
        return ", ".join(clip(one_line(code), CODE_CHARS) for code in found) or "–"

    rows = [
        [t("report.figure", lang), t("col.value", lang)],
        [
            t("overview.rows", lang),
            f"{figures_now.plan_rows} ({figures_now.indicators} {t('report.indicators_word', lang)})",
        ],
        [
            t("overview.done", lang),
            f"{fmt.percent(figures_now.done_share, lang, 1)} — "
            + t(
                "overview.done_help",
                lang,
                done=figures_now.done_to_date,
                scheduled=figures_now.scheduled_to_date,
                month=fmt.month_long(as_of_month, lang),
                partial=figures_now.partial_to_date,
            ),
        ],
        [
            t("overview.indicators", lang),
            f"{fmt.percent(figures_now.indicator_completion, lang, 1)} — "
            + t(
                "overview.indicators_help",
                lang,
                achieved=figures_now.indicators_achieved,
                with_target=figures_now.indicators_with_target,
            ),
        ],
        [t("overview.overdue", lang), codes(figures_now.overdue_rows)],
        [t("overview.due_next", lang), codes(figures_now.due_next_month)],
        [
            t("overview.ikm", lang),
            f"{fmt.number(ikm['ikm_converted'], lang, 2)} ({ikm['mutu']}), {ikm['period']}" if ikm else "–",
        ],
    ]
    story += [
        *heading(t("page.overview", lang)),
        sheet.table(rows, [70 * mm, width - 70 * mm]),
        Spacer(1, 4 * mm),
        picture(0, height - 80 * mm),
        PageBreak(),
    ]
    if quarter is not None:
        story += quarter_page(model, as_of_month, quarter, lang, sheet)
    rows_heading = t("report.rows_heading", lang)
    for index in range(1, 1 + gantt_pages):
        story += [
            Paragraph(escape(fit(gantt_title, width, bold, styles["h2"].fontSize, 1)), styles["h2"]),
            picture(index, height - (32 * mm if gantt_cut else 20 * mm)),
            PageBreak(),
        ]
        if gantt_cut and index == gantt_pages:
            last = gantt_pages * GANTT_ROWS_PER_PAGE
            note = t(
                "report.gantt_cut",
                lang,
                last=last,
                total=len(gantt_rows),
                heading=rows_heading,
            )
            story.insert(len(story) - 1, Paragraph(escape(note), styles["body"]))
    indicator_note = []
    if len(states_shown) > INDICATOR_BARS:
        note = t(
            "report.indicators_cut",
            lang,
            last=INDICATOR_BARS,
            total=len(states_shown),
            heading=t("report.behind", lang),
        )
        indicator_note = [Paragraph(escape(note), styles["body"])]
    indicator_note.append(Paragraph(escape(t("indicators.formula", lang)), styles["small"]))
    story += [picture(1 + gantt_pages, height - 32 * mm), *indicator_note, PageBreak()]
    if not chart_table.empty:
        if filters:  # the survey is the office's: say that the programme filter does not reach it
            story.append(Paragraph(escape(t("filter.ikm_whole", lang)), styles["body"]))
        story += [
            picture(2 + gantt_pages, height / 2 - 5 * mm),
            picture(3 + gantt_pages, height / 2 - 5 * mm),
            PageBreak(),
        ]

    open_rows = overdue_frame(model, as_of_month)
    sub = model.plan.set_index("code")["sub_activity"]
    rank = selection.responsible_rank(model)  # grouped by PENANGGUNG JAWAB when rows name one
    named = bool(rank)
    responsible = model.plan.set_index("code")["responsible"].map(selection.group_key)
    if named:
        open_rows = open_rows.iloc[open_rows["code"].map(rank).argsort(kind="stable")]
    attention = [
        [
            *([t("col.responsible", lang)] if named else []),
            t("col.code", lang),
            t("col.sub_activity", lang),
            t("col.month", lang),
            t("col.state", lang),
            t("col.progress", lang),
            t("col.note", lang),
            t("col.evidence", lang),
        ]
    ]
    for row in open_rows.itertuples(index=False):
        text = sub.get(row.code)
        attention.append(
            [
                *([fmt.responsible_label(responsible.get(row.code, ""), lang)] if named else []),
                row.code,
                fmt.copy_text(text, lang),
                fmt.month_long(row.month, lang),
                t(f"status.{row.status}", lang),
                fmt.progress(row.progress, lang),
                row.note if isinstance(row.note, str) else "",
                row.evidence if isinstance(row.evidence, str) else "",
            ]
        )
    # (who), code, sub-activity, month, state, progress, then the note and the evidence share what is left
    widths = [25 * mm, 70 * mm, 25 * mm, 30 * mm, 20 * mm]
    if named:
        widths = [30 * mm, 25 * mm, 55 * mm, *widths[2:]]
    rest = width - sum(widths)
    widths += [rest * 0.55, rest * 0.45]
    story += [
        *heading(t("overview.overdue_list", lang, month=fmt.month_long(as_of_month, lang))),
        sheet.table(attention, widths, linked=frozenset({len(widths) - 1})),
    ]
    states = metrics.indicator_status(model, as_of_month)
    behind = states[states["state"] == metrics.BEHIND]
    rows = [[t("col.code", lang), t("col.indicators_text", lang), t("col.value", lang), t("col.target", lang)]]
    rows += [
        [r.indicator_code, r.text, fmt.number(r.value, lang, 2), fmt.number(r.target, lang, 2)]
        for r in behind.itertuples(index=False)
    ]
    story += [
        Spacer(1, 6 * mm),
        *heading(t("report.behind", lang)),
        sheet.table(rows, [25 * mm, width - 85 * mm, 30 * mm, 30 * mm]),
    ]
    if gantt_cut:
        story += [Spacer(1, 6 * mm), *heading(rows_heading), rows_table(model, as_of_month, lang, sheet)]
    story += official.signature_block(layout, generated_wib.date(), lang, width, regular, bold)
    story += appendix.story(styles, width)

    def decorate(canvas, document) -> None:
        page = t("report.page", lang, page=document.page)
        room = PAGE[0] - 2 * MARGIN - stringWidth(page, regular, 8) - 10 * mm
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(MARGIN, 8 * mm, fit(footer, room, regular, 8))
        canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, page)
        if example_note:
            canvas.setFont(bold, 8)
            canvas.setFillColor(colors.HexColor("#993300"))
            canvas.drawString(MARGIN, PAGE[1] - 8 * mm, fit(example_note, PAGE[0] - 2 * MARGIN, bold, 8))
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=clip(one_line(info.get("title") or "RB Dash"), 200),
        author="RB Dash",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def overdue_frame(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Rows not done up to the as-of month, one line per row-month (for tests and tables)."""
    status = metrics.month_status(model, as_of_month)
    return status[
        (status["month"] <= as_of_month) & status["status"].isin([metrics.PARTIAL, metrics.NOT_DONE, metrics.LATE])
    ]
