"""The offices (satker) the dashboard knows by name: KPU Provinsi Banten and its eight kab/kota.

Used to suggest the closest known name when a workbook names an office the store does not hold.
"""

from __future__ import annotations

import difflib

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


def office_key(name: str) -> str:
    """The name as compared: runs of white space as one space, case ignored ("KPU  provinsi Banten")."""
    return " ".join(name.split()).casefold()


#: Short forms offices write ("KPU Kab. Serang"), spelled out before names are compared for closeness.
_SHORT_FORMS = {
    "kab": "kabupaten",
    "kab.": "kabupaten",
    "prov": "provinsi",
    "prov.": "provinsi",
    "tangsel": "tangerang selatan",
}


def _spelled_out(name: str) -> str:
    return " ".join(_SHORT_FORMS.get(word, word) for word in office_key(name).split())


def closest_office(name: str, also: tuple[str, ...] = ()) -> str | None:
    """The known office name (or one of `also`) closest to `name`, if any is reasonably close."""
    candidates = {_spelled_out(known): known for known in (*also, *BANTEN_SATKER)}
    found = difflib.get_close_matches(_spelled_out(name), list(candidates), n=1, cutoff=0.6)
    return candidates[found[0]] if found else None
