"""The offices (satker) the dashboard keeps plans of, and who may publish for which.

The offices in force are the configured ones (`offices` in the config file; by default KPU Provinsi Banten
and its eight kab/kota, the province first) and any the store already holds. The first configured office
is the home office: the one a visitor sees first and the one the report's letterhead ([report]) is for.
A workbook names its office in Info!satker; it is matched to a known office whatever its spacing, case or
short forms ("KPU Kab. Serang"), and stored under the known spelling.

A user's scope is the office they may publish for, or `ALL` (the province team, and every admin).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence

#: As KPU writes them (the province first, then its four kabupaten and four kota).
BANTEN_SATKER: tuple[str, ...] = (
    "KPU Provinsi Banten",
    "KPU Kabupaten Serang",
    "KPU Kabupaten Tangerang",
    "KPU Kabupaten Lebak",
    "KPU Kabupaten Pandeglang",
    "KPU Kota Serang",
    "KPU Kota Tangerang",
    "KPU Kota Tangerang Selatan",
    "KPU Kota Cilegon",
)
#: The scope of a user who may publish for every office.
ALL = "*"
#: The longest office name kept (a name is one line of a heading, a menu entry and a table cell).
MAX_OFFICE_CHARS = 120


def office_key(name: str) -> str:
    """The name as compared: runs of white space as one space, case ignored ("KPU  provinsi Banten")."""
    return " ".join(name.split()).casefold()


#: Short forms offices write ("KPU Kab. Serang"), spelled out before names are compared.
_SHORT_FORMS = {
    "kab": "kabupaten",
    "kab.": "kabupaten",
    "kota.": "kota",
    "prov": "provinsi",
    "prov.": "provinsi",
    "tangsel": "tangerang selatan",
}


@functools.lru_cache(maxsize=8192)
def _spelled_out(name: str) -> str:
    # "Kab.Lebak" is "Kab. Lebak": a short form glued to the next word is split off first.
    spaced = re.sub(r"\.(?=\S)", ". ", office_key(name))
    return " ".join(_SHORT_FORMS.get(word, word) for word in spaced.split())


def matching_office(name: str, known: Iterable[str]) -> str | None:
    """The known office `name` names (spacing, case and short forms aside), in its known spelling, or None."""
    wanted = _spelled_out(name)
    if not wanted:
        return None
    return next((office for office in known if _spelled_out(office) == wanted), None)


#: Words every office name shares or that only say which kind of office it is: a suggestion is made on the rest,
#: the place (seen by the review: "KPU Kabupaten Cilegon" was offered "KPU Kabupaten Lebak", the shared
#: "KPU Kabupaten" outweighing the place).
_KIND_WORDS = frozenset({"kpu", "komisi", "pemilihan", "umum", "kabupaten", "kota", "provinsi"})


def _place(spelled: str) -> str:
    return " ".join(word for word in spelled.split() if word not in _KIND_WORDS)


def closest_office(name: str, known: Sequence[str] = BANTEN_SATKER) -> str | None:
    """The known office `name` most likely means, if any: the one whose place (the name without "KPU",
    "Kabupaten", "Kota", "Provinsi") is close to the place written, preferring the same kind of office when two
    share a place (KPU Kabupaten Serang and KPU Kota Serang); None when no place is close."""
    spelled = _spelled_out(name)
    place = _place(spelled)
    if not place:
        return None
    by_place: dict[str, list[str]] = {}
    for office in known:
        by_place.setdefault(_place(_spelled_out(office)), []).append(office)
    found = difflib.get_close_matches(place, [key for key in by_place if key], n=1, cutoff=0.75)
    if not found:
        return None
    candidates = by_place[found[0]]
    kinds = set(spelled.split()) & _KIND_WORDS
    same_kind = [office for office in candidates if kinds <= set(_spelled_out(office).split())]
    return (same_kind or candidates)[0]


def known_offices(configured: Sequence[str], stored: Iterable[str]) -> list[str]:
    """The configured offices in their order, then the store's others by name: one spelling of each office."""
    known: list[str] = []
    keys: set[str] = set()
    for office in [*configured, *sorted(set(stored), key=office_key)]:
        if _spelled_out(office) not in keys:
            keys.add(_spelled_out(office))
            known.append(office)
    return known


def scope_allows(scope: str | None, satker: str) -> bool:
    """Whether a user of `scope` may publish for `satker`."""
    if scope is None:
        return False
    return scope == ALL or same_office(scope, satker)


def same_office(one: str, other: str) -> bool:
    """Whether two names name one office (spacing, case and short forms aside)."""
    return office_identity(one) == office_identity(other)


def office_identity(name: str) -> str:
    """What names one office whatever its spacing, case and short forms: equal for two names of one office (a key
    for grouping names by office)."""
    return _spelled_out(name)


def listed(offices: Sequence[str], most: int = 9) -> str:
    """Offices for a message: the first `most`, then how many more ("…, KPU Kota Cilegon (+544)"): a list of 553
    names was 13.5 KB on one line (seen by the review)."""
    shown = ", ".join(offices[:most])
    return shown + (f" (+{len(offices) - most})" if len(offices) > most else "")
