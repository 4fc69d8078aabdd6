"""The PDF report for meetings: A4 landscape, cover, key figures, the Gantt split across pages with
its month header on each, indicator completion, IKM, lists of what needs attention, page numbers
and a footer with the data version. Fonts (DejaVu Sans, else ReportLab's Vera) are embedded.

Any cell text lays out: a table cell shows at most `CELL_LINES` lines, the cover title three,
headings two and the footer one; longer workbook text is cut with "…" and a pointer to the
appendix (Lampiran), where it follows in full as ordinary paragraphs. Chart labels are cut
(`fitting.chart_model`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rbdash.access.signin import WIB
from rbdash.analysis import metrics
from rbdash.config import ReportLayout, settings
from rbdash.exports import images, official
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import charts
from rbdash.present import formatting as fmt
from rbdash.present.fitting import CODE_CHARS, chart_model, clip, fit, fits, one_line, register_fonts
from rbdash.present.text import evidence_href, literal
from rbdash.present.views import QUARTER_NUMERALS, example_sheet_names, quarter_label, quarter_table

PAGE = landscape(A4)
MARGIN = 12 * mm
GANTT_ROWS_PER_PAGE = 18
GANTT_PAGES = 4  # Gantt pages at most (72 rows); a larger plan is listed whole in a table after them
PROGRAMME_BARS = 40  # programmes on the progress chart at most (the subtitle says which it shows)
INDICATOR_BARS = 40  # indicators on the indicator chart at most; those behind target are all in a table
CELL_LINES = 8  # a table cell shows at most this many lines (a row always fits on a page)
CELL_PADDING = 6  # ReportLab's default left and right padding of a table cell
FOOTER_PART_CHARS = 60  # satker, decree number and version in the footer, each
APPENDIX_ENTRY_CHARS = 40_000  # a text longer than one Excel cell is not repeated in the appendix
APPENDIX_CHARS = 400_000  # the appendix holds at most this much text (some 60 pages)

# Binary (zlib-only) PDF streams instead of ReportLab's default ASCII85 on top: the charts' image data was
# encoded by a pure-Python loop (about 1 s of a report's 3 s here) into streams a quarter larger.
rl_config.useA85 = 0


def escape(text: object) -> str:
    """Workbook or user text for a ReportLab paragraph: shown literally (`literal`), markup escaped."""
    return xml_escape(literal(text))


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=24, leading=30, spaceAfter=8),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3),
        "body": ParagraphStyle("body", fontName=regular, fontSize=11, leading=15),
        "small": ParagraphStyle("small", fontName=regular, fontSize=9, leading=11),
        "example": ParagraphStyle(
            "example", fontName=bold, fontSize=11, leading=14, textColor=colors.HexColor("#993300")
        ),
    }


def _image(
    png: bytes | None, width_px: int, height_px: int, max_w: float, max_h: float, note: str, style: ParagraphStyle
):
    if png is None:
        return Paragraph(escape(note), style)
    scale = min(max_w / width_px, max_h / height_px)
    return Image(io.BytesIO(png), width=width_px * scale, height=height_px * scale)


class Appendix:
    """Full texts the report had to cut, numbered by first mention (one number per distinct text)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries: list[tuple[str, str]] = []  # (what the text is, the text)
        self._numbers: dict[str, int] = {}
        self._chars = 0

    def pointer(self, text: str, what: str) -> str:
        """The pointer after a cut text, " (lihat Lampiran 3)"; to the workbook once the appendix is full."""
        number = self._numbers.get(text)
        if number is None:
            if len(text) > APPENDIX_ENTRY_CHARS or self._chars + len(text) > APPENDIX_CHARS:
                return f" ({t('report.see_workbook', self.lang)})"
            self.entries.append((what, text))
            number = self._numbers[text] = len(self.entries)
            self._chars += len(text)
        return f" ({t('report.see_appendix', self.lang, number=number)})"

    def fitted(self, text: object, width: float, style: ParagraphStyle, lines: int, what: str) -> str:
        """`text` as it fits in `lines` lines of `width` points: whole, or cut with a pointer here."""
        if fits(text, width, style.fontName, style.fontSize, lines):
            return one_line(text)
        return fit(text, width, style.fontName, style.fontSize, lines, self.pointer(str(text), what))

    def story(self, styles: dict[str, ParagraphStyle], width: float) -> list:
        """The appendix pages: each text under its number, as paragraphs that flow across pages."""
        if not self.entries:
            return []
        story: list = [
            PageBreak(),
            Paragraph(escape(t("report.appendix", self.lang)), styles["h1"]),
            Paragraph(escape(t("report.appendix_intro", self.lang)), styles["body"]),
        ]
        for number, (what, text) in enumerate(self.entries, start=1):
            heading = t("report.appendix_entry", self.lang, number=number, what=what)
            story += [
                CondPageBreak(30 * mm),  # a heading never ends a page; the text itself may split anywhere
                Paragraph(escape(fit(heading, width, styles["h2"].fontName, styles["h2"].fontSize, 2)), styles["h2"]),
            ]
            story += [Paragraph(escape(line), styles["small"]) for line in text.splitlines() if line.strip()]
        return story


def _table(
    rows: list[list[str]],
    widths: list[float],
    regular: str,
    bold: str,
    appendix: Appendix,
    linked: frozenset[int] = frozenset(),
) -> Table:
    """A table whose every cell fits in `CELL_LINES` lines; the first cell of a row names cut texts. The
    cells of the `linked` columns that hold an http(s) address (`text.evidence_href`) link to it."""
    style = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    head = ParagraphStyle("head", fontName=bold, fontSize=9, leading=11)
    data = []
    for index, row in enumerate(rows):
        cells = []
        for column, cell in enumerate(row):
            what = f"{rows[0][column]}, {clip(one_line(row[0]), CODE_CHARS)}" if column else str(rows[0][0])
            text = appendix.fitted(
                str(cell), widths[column] - 2 * CELL_PADDING, head if index == 0 else style, CELL_LINES, what
            )
            href = evidence_href(cell) if index and column in linked else None
            markup = escape(text)
            if href is not None:
                markup = f'<a href="{xml_escape(href, {chr(34): "&quot;"})}" color="#1F4E9A"><u>{markup}</u></a>'
            cells.append(Paragraph(markup, head if index == 0 else style))
        data.append(cells)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def build_pdf(
    model: ActionPlan,
    as_of_month: int,
    lang: str,
    version_label: str,
    generated_at: dt.datetime | None = None,
    filters: str | None = None,
    layout: ReportLayout | None = None,
    quarter: int | None = None,
) -> bytes:
    """The report as PDF bytes; `filters` names the programmes `model` was restricted to (None: the whole plan).
    `layout`: the letterhead and signature block (default: the [report] settings in force). `quarter` (1-4):
    a report for that triwulan, whose page after the key figures gives each programme's and kegiatan's figures
    for the quarter beside the cumulative ones."""
    layout = layout if layout is not None else settings().report
    regular, bold = register_fonts()
    styles = _styles(regular, bold)
    appendix = Appendix(lang)
    info = model.info
    as_of = charts.as_of_text(info.get("as_of"), info.get("year"), as_of_month, lang)
    examples = example_sheet_names(model)
    example_note = t("app.example_banner", lang, sheets=", ".join(examples)) if examples else None
    generated_wib = (generated_at or dt.datetime.now(dt.UTC)).astimezone(WIB)
    generated = generated_wib.strftime("%Y-%m-%d %H:%M WIB")
    footer = " · ".join(
        clip(one_line(part), FOOTER_PART_CHARS)
        for part in (info.get("satker"), info.get("decree_number") or "", version_label, as_of)
    )
    width, height = PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN - 14 * mm

    def heading(text: str) -> list:
        style = styles["h1"]  # never alone at the foot of a page
        return [CondPageBreak(40 * mm), Paragraph(escape(fit(text, width, style.fontName, style.fontSize, 2)), style)]

    labelled = chart_model(model)  # the charts' labels: codes, names and units cut to label length
    # The report's size is bounded: a few Gantt pages and one indicator chart, whatever the plan's size
    # (each chart is one Chromium render); a larger plan is listed whole in tables, which flow across pages.
    gantt_rows = charts.gantt_rows(labelled, as_of_month, charts.GanttFilter(), lang)
    gantt_pages = min(charts.gantt_pages(len(gantt_rows), GANTT_ROWS_PER_PAGE), GANTT_PAGES)
    gantt_cut = len(gantt_rows) > gantt_pages * GANTT_ROWS_PER_PAGE
    figures = [
        charts.gantt(labelled, as_of_month, lang, page=page, per_page=GANTT_ROWS_PER_PAGE, rows=gantt_rows)
        for page in range(1, gantt_pages + 1)
    ]
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
        return _image(pngs[index], 1400, int(figure.layout.height or 500), width, max_h, no_image, styles["body"])

    title, h1 = styles["title"], styles["h1"]
    cover_title = appendix.fitted(info.get("title") or t("app.title", lang), width, title, 3, t("report.title", lang))
    satker = appendix.fitted(info.get("satker") or "", width, h1, 1, t("col.satker", lang))
    decree = appendix.fitted(info.get("decree_number") or "–", width, h1, 1, t("report.decree", lang))
    story: list = official.letterhead(layout, satker, width, regular, bold)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape(cover_title), title),
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
        _table(rows, [70 * mm, width - 70 * mm], regular, bold, appendix),
        Spacer(1, 4 * mm),
        picture(0, height - 80 * mm),
        PageBreak(),
    ]
    if quarter is not None:
        story += _quarter_page(model, as_of_month, quarter, lang, width, regular, bold, appendix, heading)
    rows_heading = t("report.rows_heading", lang)
    for index in range(1, 1 + gantt_pages):
        story += [picture(index, height - (22 * mm if gantt_cut else 10 * mm)), PageBreak()]
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
    rank = metrics.responsible_rank(model)  # grouped by PENANGGUNG JAWAB when rows name one
    named = bool(rank)
    responsible = model.plan.set_index("code")["responsible"].map(metrics.group_key)
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
                text if isinstance(text, str) else fmt.missing_in_copy(lang),
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
        _table(attention, widths, regular, bold, appendix, linked=frozenset({len(widths) - 1})),
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
        _table(rows, [25 * mm, width - 85 * mm, 30 * mm, 30 * mm], regular, bold, appendix),
    ]
    if gantt_cut:
        story += [Spacer(1, 6 * mm), *heading(rows_heading), _rows_table(model, as_of_month, lang, width, appendix)]
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


def _rows_table(model: ActionPlan, as_of_month: int, lang: str, width: float, appendix: Appendix) -> Table:
    """Every plan row in plan order: code, sub-activity, scheduled months and the realisation to date
    ("Selesai 5 · Terlambat 1"), for a plan too large for the Gantt pages."""
    regular, bold = register_fonts()
    status = metrics.month_status(model, as_of_month)
    status = status[status["month"] <= as_of_month]
    counts: dict[str, dict[str, int]] = {}
    for (code, state), number in status.groupby(["code", "status"]).size().items():
        counts.setdefault(code, {})[state] = int(number)
    order = [metrics.DONE, metrics.PARTIAL, metrics.NOT_DONE, metrics.LATE, metrics.CANCELLED]
    header = [
        t("col.code", lang),
        t("col.sub_activity", lang),
        t("col.months", lang),
        t("report.realisation_to_date", lang, month=fmt.month_long(as_of_month, lang)),
    ]
    rows = [header]
    for row in model.plan.itertuples(index=False):
        found = counts.get(row.code, {})
        done = " · ".join(f"{t(f'status.{state}', lang)} {found[state]}" for state in order if state in found)
        rows.append(
            [
                row.code,
                row.sub_activity if isinstance(row.sub_activity, str) else fmt.missing_in_copy(lang),
                ", ".join(fmt.month_short(month, lang) for month in row.months),
                done or "–",
            ]
        )
    return _table(rows, [25 * mm, width - 135 * mm, 50 * mm, 60 * mm], regular, bold, appendix)


def _quarter_page(
    model: ActionPlan,
    as_of_month: int,
    quarter: int,
    lang: str,
    width: float,
    regular: str,
    bold: str,
    appendix: Appendix,
    heading: Callable[[str], list],
) -> list:
    """A quarter report's own page: each programme and kegiatan in triwulan `quarter` beside the cumulative
    figures to the as-of month (`views.quarter_table`)."""
    table = quarter_table(model, as_of_month, lang)
    numeral = QUARTER_NUMERALS[quarter]
    months = metrics.QUARTERS[quarter]
    title = t(
        "report.quarter_heading",
        lang,
        quarter=numeral,
        year=model.info.get("year"),
        first=fmt.month_short(months[0], lang),
        last=fmt.month_short(months[-1], lang),
    )
    columns = [table.columns[0], quarter_label(quarter, lang), table.columns[-1]]
    rows = [columns, *table[columns].astype(str).values.tolist()]
    return [
        *heading(title),
        Paragraph(escape(t("quarter.intro", lang)), ParagraphStyle("q", fontName=regular, fontSize=9, leading=11)),
        Spacer(1, 3 * mm),
        _table(rows, [width - 90 * mm, 45 * mm, 45 * mm], regular, bold, appendix),
        PageBreak(),
    ]


def overdue_frame(model: ActionPlan, as_of_month: int) -> pd.DataFrame:
    """Rows not done up to the as-of month, one line per row-month (for tests and tables)."""
    status = metrics.month_status(model, as_of_month)
    return status[
        (status["month"] <= as_of_month) & status["status"].isin([metrics.PARTIAL, metrics.NOT_DONE, metrics.LATE])
    ]
