"""The Streamlit side of RB Dash: the only module (with app.py and pages/) that imports streamlit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from .loader import LoadResult, load_workbook
from .messages import DEFAULT_LANGUAGE, LANGUAGES, t

BUNDLED_WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "rencana_aksi_2022.xlsx"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def workbook_path() -> Path:
    """The workbook to show: $RBDASH_WORKBOOK if set, else the bundled 2022 workbook."""
    return Path(os.environ.get("RBDASH_WORKBOOK", BUNDLED_WORKBOOK))


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_by_hash(digest: str, data: bytes) -> LoadResult:
    return load_workbook(data)


def load_current() -> LoadResult:
    """Load the current workbook, parsed once per distinct content (keyed by SHA-256)."""
    data = workbook_path().read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    result = _load_by_hash(digest, data)
    result.source_name = workbook_path().name
    return result


def language() -> str:
    """The language chosen in the sidebar (Indonesian by default)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = DEFAULT_LANGUAGE
    st.sidebar.radio(t("app.language", st.session_state["lang"]), LANGUAGES, key="lang",
                     format_func=LANGUAGE_NAMES.get, horizontal=True)
    return st.session_state["lang"]


def problems_frame(result: LoadResult, lang: str) -> pd.DataFrame:
    """The problems as a table with translated headers."""
    rows = [p.as_dict(lang) for p in result.problems]
    frame = pd.DataFrame(rows, columns=["severity", "sheet", "cell", "message", "fix"])
    frame["severity"] = frame["severity"].map(lambda s: t(f"severity.{s}", lang))
    return frame.rename(columns={c: t(f"col.{c}", lang) for c in frame.columns})
