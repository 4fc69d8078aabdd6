"""Helpers to show workbook text literally, whatever it contains."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")

# Streamlit's Markdown turns bare addresses into links (GitHub's "autolink literal": http://,
# https://, www., user@host) after escapes are decoded, so a backslash cannot stop it. An
# invisible WORD JOINER inside each trigger breaks the pattern and leaves the text as it reads.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=https)(?=\\:)|(?<=http)(?=\\:)|(?<=www)(?=\\\.)|(?=@)")


def escape_markdown(text: object) -> str:
    """Escape Markdown/HTML-significant characters and break bare links, so the text renders as written."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
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
