"""Helpers to show workbook text literally, whatever it contains."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def escape_markdown(text: object) -> str:
    """Backslash-escape every Markdown/HTML-significant character so the text renders as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
