"""The report's PDF building blocks (ReportLab): paragraph styles, escaped text, chart pictures, tables whose
cells fit a few lines, and the appendix (Lampiran) that holds in full what a cell had to cut."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, PageBreak, Paragraph, Table, TableStyle

from rbdash.messages import t
from rbdash.present.fitting import CODE_CHARS, clip, fit, fits, one_line
from rbdash.present.text import evidence_href, literal

CELL_LINES = 8  # a table cell shows at most this many lines (a row always fits on a page)
CELL_PADDING = 6  # ReportLab's default left and right padding of a table cell
APPENDIX_ENTRY_CHARS = 40_000  # a text longer than one Excel cell is not repeated in the appendix
APPENDIX_CHARS = 400_000  # the appendix holds at most this much text (some 60 pages)


def escape(text: object) -> str:
    """Workbook or user text for a ReportLab paragraph: shown literally (`literal`), markup escaped."""
    return xml_escape(literal(text))


def paragraph_styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
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


def chart_picture(
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


def fitted_table(
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
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")  # a narrow table too (seen: centred)
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


@dataclass(frozen=True)
class Sheet:
    """What a report page is laid out with: the text width (points), the regular and bold font names, their
    paragraph styles (`paragraph_styles`) and the appendix that takes cut texts."""

    width: float
    regular: str
    bold: str
    appendix: Appendix
    styles: dict[str, ParagraphStyle] = field(default_factory=dict)

    def heading(self, text: str) -> list:
        """A page heading (two lines at most), never alone at the foot of a page."""
        style = self.styles["h1"]
        return [
            CondPageBreak(40 * mm),
            Paragraph(escape(fit(text, self.width, style.fontName, style.fontSize, 2)), style),
        ]

    def paragraph(self, text: str, style: str = "body") -> Paragraph:
        """`text` shown literally in one of the sheet's `styles`."""
        return Paragraph(escape(text), self.styles[style])

    def table(self, rows: list[list[str]], widths: list[float], linked: frozenset[int] = frozenset()) -> Table:
        """`fitted_table` in this sheet's fonts and appendix."""
        return fitted_table(rows, widths, self.regular, self.bold, self.appendix, linked)
