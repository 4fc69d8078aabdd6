"""The sidebar's office (satker) and year: which plan every page, export and version list is about."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rbdash.config import settings
from rbdash.messages import t
from rbdash.offices import ALL, matching_office, same_office
from rbdash.present.text import literal
from rbdash.ui.loading import store
from rbdash.ui.widgets import relabelled

#: Session keys of the two choices, and of a choice asked for by another page (Rekap's drill-down, a publish)
#: to be taken before the widgets are drawn on the next run.
OFFICE_KEY, YEAR_KEY, ASKED_KEY = "satker", "year", "office_asked"
#: Whose default the office choice holds: the signed-in user's name ("" signed out).
_DEFAULT_FOR = "satker_default_for"


@dataclass(frozen=True)
class OfficeChoice:
    """The office and year chosen (`year` None: the office has no version yet) and the years it has."""

    satker: str
    year: int | None
    years: tuple[int, ...] = ()


def ask_for(satker: str, year: int | None) -> None:
    """Show `satker` and `year` from the next run on (the widgets take it before they are drawn)."""
    st.session_state[ASKED_KEY] = (satker, year)


def default_office(scope: str | None, offices: list[str]) -> str:
    """The office a user sees first: the one their scope names, else the home office."""
    if scope is not None and scope != ALL:
        found = matching_office(scope, offices)
        if found is not None:
            return found
    return settings().home_office if settings().home_office in offices else offices[0]


def office_choice(lang: str, user: str | None, scope: str | None) -> OfficeChoice:
    """The sidebar's office and year selectors and what they hold.

    The office defaults to the signed-in user's (`scope`), else the home office, and follows each new sign-in;
    the year to the office's latest with a version, and stays when another office has it too."""
    offices = store().offices()
    plans = store().plans()
    state = st.session_state
    asked = state.pop(ASKED_KEY, None)
    if isinstance(asked, tuple) and len(asked) == 2 and asked[0] in offices:
        state[OFFICE_KEY], state[YEAR_KEY] = asked
    elif state.get(_DEFAULT_FOR) != (user or "") or state.get(OFFICE_KEY) not in offices:
        state[OFFICE_KEY] = default_office(scope, offices)
    state[_DEFAULT_FOR] = user or ""
    relabelled(lang, OFFICE_KEY, YEAR_KEY)
    satker = st.sidebar.selectbox(t("control.satker", lang), offices, key=OFFICE_KEY, format_func=literal)
    years = tuple(sorted((year for name, year in plans if same_office(name, satker)), reverse=True))
    if not years:
        st.sidebar.caption(t("control.no_year", lang))
        return OfficeChoice(satker, None)
    if state.get(YEAR_KEY) not in years:
        state[YEAR_KEY] = years[0]
    year = st.sidebar.selectbox(t("control.year", lang), years, key=YEAR_KEY)
    return OfficeChoice(satker, int(year), years)
