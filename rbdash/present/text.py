"""Helpers to show workbook text literally, whatever it contains."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def escape_markdown(text: object) -> str:
    """Backslash-escape every Markdown/HTML-significant character so the text renders as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def markdown_message(key: str, lang: str, **params: object) -> str:
    """A catalogue message for a Markdown-rendering widget: its own emphasis kept, every value shown literally."""
    from rbdash.messages import t

    # Text is escaped; dates and numbers keep their type, for the catalogue's format specs ({until:%H:%M}).
    return t(
        key,
        lang,
        **{name: escape_markdown(value) if isinstance(value, str) else value for name, value in params.items()},
    )
