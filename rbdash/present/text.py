"""Helpers to show workbook and user text literally, whatever it contains.

`literal` is the one rule for every place text is shown (pages, tables, charts, the PDF and the deck):
the characters as typed, except that bidirectional controls, which would reorder what follows them
("exe.txt" shown as "txt.exe"), are shown as their code point instead. Each output then escapes
for its own markup: `escape_markdown` for Streamlit, `charts.style` for Plotly, the report for PDF.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import pandas as pd

# Unicode's explicit bidirectional formatting characters (UAX #9): embeddings, overrides, isolates and
# marks; and the C0/C1 control characters but tab and line breaks (a terminal runs ESC sequences: seen,
# a comment that moved the cursor up and overwrote `rbdash history` lines).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def literal(text: object) -> str:
    """`text` as typed, with each bidirectional or other control character shown as its code point
    ("[U+202E]", "[U+001B]"), so it cannot reorder the text or drive a terminal."""
    return _BIDI_CONTROLS.sub(_code_point, str(text))


def _code_point(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def literal_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell passed through `literal` (a copy; only when some cell needs it)."""
    texts = [
        column
        for column in frame.columns
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype)
    ]
    needs = [c for c in texts if frame[c].astype(str).str.contains(_BIDI_CONTROLS.pattern, regex=True).any()]
    if not needs:
        return frame
    shown = frame.copy()
    for column in needs:
        shown[column] = shown[column].map(lambda v: literal(v) if isinstance(v, str) else v)
    return shown


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")

# Streamlit's Markdown turns bare addresses into links (GitHub's "autolink literal": http://,
# https://, www., user@host) after escapes are decoded, so a backslash cannot stop it. An
# invisible WORD JOINER inside each trigger breaks the pattern and leaves the text as it reads.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=https)(?=\\:)|(?<=http)(?=\\:)|(?<=www)(?=\\\.)|(?=@)")


#: Streamlit reads ":material/home:", ":smile:" and the like in Markdown as icons and emoji, after the escapes
#: are undone (seen by the review: a SUB KEGIATAN drawn as a house icon in a heading).
_SHORTCODE_START = re.compile(r"(?:^|(?<=[^A-Za-z0-9]))\\:(?=[A-Za-z0-9_/+-])")


def escape_markdown(text: object) -> str:
    """Escape Markdown/HTML-significant characters and break bare links and icon or emoji codes, so the text
    renders as written."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", literal(text))
    escaped = _SHORTCODE_START.sub("\\:" + WORD_JOINER, escaped)
    return _AUTOLINK_TRIGGER.sub(WORD_JOINER, escaped)


def markdown_message(key: str, lang: str, **params: object) -> str:
    """A catalogue message for a Markdown-rendering widget: its own emphasis kept, every value shown literally."""
    from rbdash.messages import t

    # Text is escaped; dates and numbers keep their type, for the catalogue's format specs ({until:%H:%M}).
    return t(
        key,
        lang,
        **{name: escape_markdown(value) if isinstance(value, str) else value for name, value in params.items()},
    )


#: Characters an address never holds as typed (RFC 3986 has them percent-encoded). A browser reads some
#: otherwise than Python's urlsplit ("\\" as "/": https://evil.example\\@good.go.id opens evil.example), and
#: Streamlit's HTML sanitiser drops an href holding "</script" or "-->" (seen by the review): text, not links.
_UNSAFE_IN_ADDRESS = frozenset('<>"`{}|\\^')


def _not_in_address(char: str) -> bool:
    """Spaces, controls, invisible format characters (zero-width, bidirectional) and _UNSAFE_IN_ADDRESS."""
    return char.isspace() or char in _UNSAFE_IN_ADDRESS or unicodedata.category(char) in ("Cc", "Cf")


#: Longest evidence text taken as a link (a longer one is shown as text).
LINK_MAX_CHARS = 2048


def evidence_href(value: object) -> str | None:
    """The address a BUKTI (evidence) cell links to: the cell itself when it is exactly one http or https
    URL with a host, without spaces or control characters; else None, and the cell is shown as text
    (`javascript:`, `data:`, `file:` and the like are never links)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > LINK_MAX_CHARS or any(_not_in_address(c) for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text
