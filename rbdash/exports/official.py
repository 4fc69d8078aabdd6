"""The report's official layout, as an Indonesian government report carries it: a letterhead (kop surat) on
its first page and, at the end of its body, a place and date line and a signature block ("Mengetahui,",
the title, the name, NIP), from the [report] settings (`config.ReportLayout`).

Nothing is made up: without settings the letterhead is the workbook's satker in plain text, and the
signature block has dotted lines to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from rbdash.config import ReportLayout
from rbdash.messages import t
from rbdash.present import formatting as fmt
from rbdash.present.fitting import fit
from rbdash.present.text import literal

#: A blank to fill in by hand.
BLANK = "." * 40
#: The logo's height in the letterhead; its width follows the image.
LOGO_HEIGHT = 24 * mm
#: The signature block's width, at the right of the page.
SIGNATURE_WIDTH = 95 * mm


def _markup(text: object) -> str:
    return xml_escape(literal(text)).replace("\n", "<br/>")


def letterhead(layout: ReportLayout, satker: str, width: float, regular: str, bold: str) -> list[Flowable]:
    """The first page's letterhead: the logo beside the office's name and address, over a double rule; the
    workbook's satker alone when neither is set."""
    name_style = ParagraphStyle("kop-name", fontName=bold, fontSize=15, leading=19, alignment=1)
    address_style = ParagraphStyle("kop-address", fontName=regular, fontSize=10, leading=13, alignment=1)
    name = layout.office_name or satker
    texts: list[Flowable] = [Paragraph(_markup(fit(name, width - 40 * mm, bold, 15, 2)), name_style)]
    if layout.office_address:
        texts.append(Paragraph(_markup(layout.office_address), address_style))
    head: Flowable
    if layout.logo is not None:
        logo = Image(str(layout.logo))
        logo.drawWidth = LOGO_HEIGHT * logo.imageWidth / max(logo.imageHeight, 1)
        logo.drawHeight = LOGO_HEIGHT
        logo_width = min(logo.drawWidth, 40 * mm)
        if logo.drawWidth > logo_width:  # a wide image: scaled to the column, its proportions kept
            logo.drawHeight, logo.drawWidth = LOGO_HEIGHT * logo_width / logo.drawWidth, logo_width
        head = Table([[logo, texts]], colWidths=[logo_width + 4 * mm, width - logo_width - 4 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    else:
        head = Table([[texts]], colWidths=[width])
    return [
        head,
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=6 * mm),
    ]


def signature_block(
    layout: ReportLayout, signed_on: dt.date, lang: str, width: float, regular: str, bold: str
) -> list[Flowable]:
    """The place and date line and the signature block at the right, kept together on one page; a dotted
    line for each part the settings leave out."""
    style = ParagraphStyle("sign", fontName=regular, fontSize=11, leading=15)
    name_style = ParagraphStyle("sign-name", fontName=bold, fontSize=11, leading=15)
    place = layout.place or BLANK[:24]
    # Unset, the heading is the report's language's (seen: "Mengetahui," in an English report)
    heading = t("report.signer_heading", lang) if layout.signer_heading is None else layout.signer_heading
    lines: list[Flowable] = [
        Paragraph(_markup(f"{place}, {fmt.date(signed_on, lang)}"), style),
        Paragraph(_markup(heading), style) if heading else Spacer(1, 15),
        Paragraph(_markup(layout.signer_title or BLANK), style),
        Spacer(1, 22 * mm),
        Paragraph(f"<u>{_markup(layout.signer_name)}</u>" if layout.signer_name else f"({BLANK})", name_style),
        Paragraph(_markup(t("report.nip", lang, nip=layout.signer_nip or BLANK)), style),
    ]
    block = Table([["", lines]], colWidths=[width - SIGNATURE_WIDTH, SIGNATURE_WIDTH])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 10 * mm), KeepTogether([block])]
