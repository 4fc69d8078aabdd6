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
    "prov": "provinsi",
    "prov.": "provinsi",
    "tangsel": "tangerang selatan",
}


@functools.lru_cache(maxsize=8192)
def _spelled_out(name: str) -> str:
    return " ".join(_SHORT_FORMS.get(word, word) for word in office_key(name).split())


def matching_office(name: str, known: Iterable[str]) -> str | None:
    """The known office `name` names (spacing, case and short forms aside), in its known spelling, or None."""
    wanted = _spelled_out(name)
    if not wanted:
        return None
    return next((office for office in known if _spelled_out(office) == wanted), None)


def closest_office(name: str, known: Sequence[str] = BANTEN_SATKER) -> str | None:
    """The known office name closest to `name`, if any is reasonably close."""
    candidates = {_spelled_out(office): office for office in known}
    found = difflib.get_close_matches(_spelled_out(name), list(candidates), n=1, cutoff=0.6)
    return candidates[found[0]] if found else None


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
    return _spelled_out(one) == _spelled_out(other)
