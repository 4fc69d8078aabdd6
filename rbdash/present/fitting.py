"""Workbook text cut to fit where the report, the deck and their chart images show it.

An Excel cell holds up to 32,767 characters. Table cells, cover lines, footers, slide text boxes
and chart labels show such text cut with "…"; the PDF's appendix (Lampiran) or the slide's notes
carry it whole. Line widths are measured with the font's metrics (ReportLab), so a cut text
wraps into the lines it was given.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from rbdash.model import ActionPlan

ELLIPSIS = "…"
CODE_CHARS = 24  # a plan or indicator code in a chart label or in a list of codes
NAME_CHARS = 120  # a programme or activity name in a chart label (wrapped there into 2-3 lines)
TEXT_CHARS = 1000  # sub-activity and indicator text handed to the charts (their labels shorten it to ~48)
UNIT_CHARS = 60  # a service unit in a legend or a chart title

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)

_WORD = re.compile(r"\S+")
_fonts_lock = threading.Lock()
_fonts: tuple[str, str] | None = None


def register_fonts() -> tuple[str, str]:
    """Names of the regular and bold fonts the report embeds and the deck's text is measured with:
    DejaVu Sans when installed (full Indonesian and symbols), else ReportLab's Vera. Registered once
    per process: a font registered again while another thread builds a PDF would lose that PDF's subset."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            files = ("Vera.ttf", "VeraBd.ttf")
            for folder in FONT_DIRS:
                regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
                if regular.exists() and bold.exists():
                    files = (str(regular), str(bold))
                    break
            pdfmetrics.registerFont(TTFont("RBDash", files[0]))
            pdfmetrics.registerFont(TTFont("RBDash-Bold", files[1]))
            _fonts = ("RBDash", "RBDash-Bold")
        return _fonts


def one_line(text: object) -> str:
    """The text with every run of whitespace (line breaks included) made one space."""
    return " ".join(str(text).split())


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when one is near, ending in "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > 0.7 * len(cut):
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def _wrap(text: str, font: str, size: float, width: float, most: int) -> list[tuple[int, int]]:
    """Greedy line breaks of one-line `text` as (start, end) offsets; a word wider than a line is
    broken between characters. Stops after `most` lines (enough to know the text does not fit)."""
    lines: list[tuple[int, int]] = []
    space = stringWidth(" ", font, size)
    start = end = -1
    used = 0.0
    for match in _WORD.finditer(text):
        word_start, word_end = match.span()
        word = stringWidth(match.group(), font, size)
        if start >= 0 and used + space + word <= width:
            end, used = word_end, used + space + word
            continue
        if word > width:  # an over-long word: it fills the current line, then as many characters as fit on each
            if start < 0:
                start, used = word_start, 0.0
            else:
                used += space
        else:
            if start >= 0:
                lines.append((start, end))
                if len(lines) >= most:
                    return lines
            start, end, used = word_start, word_end, word
            continue
        for index in range(word_start, word_end):
            glyph = stringWidth(text[index], font, size)
            if used + glyph > width and index > start:
                lines.append((start, index))
                if len(lines) >= most:
                    return lines
                start, used = index, 0.0
            used += glyph
        end = word_end
    if start >= 0:
        lines.append((start, end))
    return lines


def fits(text: object, width: float, font: str, size: float, lines: int = 1) -> bool:
    """True when `text` (on one line-run) wraps into at most `lines` lines of `width` points."""
    return len(_wrap(one_line(text), font, size, width, lines + 1)) <= lines


def fit(text: object, width: float, font: str, size: float, lines: int = 1, suffix: str = "") -> str:
    """`text` on one line-run; when it needs more than `lines` lines of `width` points, its longest
    start that fits ending in "…" and `suffix` (e.g. a pointer to the appendix)."""
    flat = one_line(text)
    spans = _wrap(flat, font, size, width, lines + 1)
    if len(spans) <= lines:
        return flat
    start, end = spans[lines - 1]
    tail = ELLIPSIS + suffix
    last = flat[start:end]
    while last and stringWidth(last + tail, font, size) > width:
        last = last[:-1]
    space = last.rfind(" ")
    if space > 0.7 * len(last):
        last = last[:space]
    return flat[:start] + last.rstrip() + tail


def short_names(values: Iterable[object], limit: int) -> dict[str, str]:
    """Each distinct text cut to `limit` characters, still distinct ("… #2" when two cuts meet)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for value in values:
        if not isinstance(value, str) or value in names:
            continue
        name = clip(one_line(value), limit)
        number = 2
        while name in used:
            name = clip(one_line(value), max(limit - 4, 1)) + f" #{number}"
            number += 1
        names[value] = name
        used.add(name)
    return names


def _renamed(frame: pd.DataFrame, columns: dict[str, dict[str, str]]) -> pd.DataFrame:
    changes = {column: names for column, names in columns.items() if column in frame and names}
    if not changes:
        return frame
    frame = frame.copy()
    for column, names in changes.items():
        frame[column] = frame[column].map(lambda value, names=names: names.get(value, value))
    return frame


def _values(frame: pd.DataFrame, column: str) -> list:
    """The column's values, or none when the frame lacks it (a sheet the workbook does not have)."""
    return list(frame[column]) if column in frame else []


def chart_model(model: ActionPlan) -> ActionPlan:
    """The model with the texts chart labels show cut to label length: codes, programme and activity
    names, sub-activity and indicator texts, service units. Distinct names stay distinct, so groups
    and joins are the same as in `model`, which is returned as it is when nothing is too long."""
    plan, indicators = model.plan, model.indicators
    codes = short_names([*_values(plan, "code"), *_values(indicators, "plan_code")], CODE_CHARS)
    indicator_codes = short_names(_values(indicators, "indicator_code"), CODE_CHARS)
    names = short_names([*_values(plan, "program"), *_values(plan, "activity")], NAME_CHARS)
    texts = short_names(
        [*_values(plan, "sub_activity"), *_values(plan, "indicators_text"), *_values(indicators, "text")], TEXT_CHARS
    )
    units = short_names([*_values(model.survey, "unit"), *_values(model.responses, "unit")], UNIT_CHARS)
    mappings = {"codes": codes, "indicator_codes": indicator_codes, "names": names, "texts": texts, "units": units}
    mappings = {kind: {old: new for old, new in found.items() if old != new} for kind, found in mappings.items()}
    if not any(mappings.values()):
        return model
    codes, indicator_codes, names, texts, units = (mappings[kind] for kind in mappings)
    return dataclasses.replace(
        model,
        plan=_renamed(
            model.plan,
            {"code": codes, "program": names, "activity": names, "sub_activity": texts, "indicators_text": texts},
        ),
        schedule=_renamed(model.schedule, {"code": codes}),
        realisation=_renamed(model.realisation, {"code": codes}),
        indicators=_renamed(model.indicators, {"plan_code": codes, "indicator_code": indicator_codes, "text": texts}),
        indicator_values=_renamed(model.indicator_values, {"indicator_code": indicator_codes}),
        survey=_renamed(model.survey, {"unit": units}),
        responses=_renamed(model.responses, {"unit": units}),
    )
