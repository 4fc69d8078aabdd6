"""The one formatting module: numbers, percentages, dates and month names in Indonesian or English.

Numbers use the CLDR locale data shipped with Babel: Indonesian writes 88,31 and 1.234.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

from babel.dates import format_date

from rbdash.access.signin import WIB
from rbdash.analysis.metrics import finite
from rbdash.messages import LANGUAGES, LOCALES, decimal_text, t
from rbdash.present.text import literal
from rbdash.workbook.schema import MONTH_LONG_ID, MONTH_SHORT_ID

MONTH_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_LONG_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def number(value: float | int | None, lang: str = "id", decimals: int = 0) -> str:
    """A number with the language's separators: number(1234.5, 'id', 2) -> '1.234,50'; None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return decimal_text(value, pattern, LOCALES[lang])


def percent(value: float | None, lang: str = "id", decimals: int = 0) -> str:
    """A share 0..1 as a percentage: percent(0.565, 'id', 1) -> '56,5%' (id) / '56.5%' (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value * 100, lang, decimals)}%"


def progress(value: object, lang: str = "id") -> str:
    """A PROGRES cell (0-100) as read: progress(60) -> "60", progress(62.5, 'id') -> "62,5"; "" when empty."""
    number = finite(value)
    return "" if number is None else _progress(number, lang)


@functools.lru_cache(maxsize=4096)
def _progress(share: float, lang: str) -> str:
    # A plan's cells repeat a few values (100, 50, 0): Babel's formatting once per value, not per cell.
    return number(share, lang, 0 if share.is_integer() else 1)


def month_short(month: int, lang: str = "id") -> str:
    return (MONTH_SHORT_ID if lang == "id" else MONTH_SHORT_EN)[month - 1]


def month_long(month: int, lang: str = "id") -> str:
    return (MONTH_LONG_ID if lang == "id" else MONTH_LONG_EN)[month - 1]


def month_year(year: int, month: int, lang: str = "id") -> str:
    """'September 2022'."""
    return f"{month_long(month, lang)} {year}"


def date(value: dt.date | None, lang: str = "id") -> str:
    """'30 September 2022' in either language; None -> '–'."""
    if value is None:
        return "–"
    return format_date(value, format="d MMMM y", locale=LOCALES[lang])


def timestamp(iso: str | None, lang: str = "id") -> str:
    """A stored UTC time ('2026-11-28T11:40:59+00:00') as the reader's clock in WIB:
    '28-11-2026 18.40.59 WIB' (id), '2026-11-28 18:40:59 WIB' (en); None or unreadable -> as given or '–'."""
    if not iso:
        return "–"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # the store writes UTC
    local = moment.astimezone(WIB)
    return local.strftime("%d-%m-%Y %H.%M.%S WIB" if lang == "id" else "%Y-%m-%d %H:%M:%S WIB")


def missing_in_copy(lang: str = "id") -> str:
    """The label of a field the copy of the decree does not show: "(tidak ada dalam salinan)"."""
    return f"({t('app.missing_in_copy', lang)})"


def copy_text(value: object, lang: str = "id") -> str:
    """A workbook text as shown: the text, or "(tidak ada dalam salinan)" when the copy lacks it."""
    return value if isinstance(value, str) else missing_in_copy(lang)


def group_label(key: str, lang: str = "id", codes: str | None = None) -> str:
    """A programme or activity key (analysis.selection.group_key) as shown (literally: `literal`). A group
    the copy of the decree leaves unnamed is named by its rows' `codes` (selection.code_spans), marked as such."""
    if key:
        return literal(key)
    return t("app.unnamed_group", lang, codes=literal(codes)) if codes else missing_in_copy(lang)


def programmes_text(programmes: list[str], lang: str, spans: dict[str, str] | None = None) -> str:
    """Which programmes the figures of a page reflect: "Filter: semua program" or the chosen ones."""
    if not programmes:
        return t("filter.all_programmes", lang)
    names = "; ".join(short_text(group_label(key, lang, (spans or {}).get(key)), 60) for key in programmes)
    return t("filter.programmes", lang, names=names)


def responsible_label(key: str, lang: str = "id") -> str:
    """A PENANGGUNG JAWAB filter option: the name as written, or "(belum ditetapkan)" for rows naming none; a
    name written like that option (in either language) is quoted, so the two options differ."""
    if not key:
        return t("filter.responsible_none", lang)
    if key.casefold() in {t("filter.responsible_none", other).casefold() for other in LANGUAGES}:
        return f"“{key}”"
    return key


def filters_text(programmes: list[str], responsible: list[str], lang: str, spans: dict[str, str] | None = None) -> str:
    """What a page's figures reflect: `programmes_text`, then the PENANGGUNG JAWAB chosen, if any."""
    text = programmes_text(programmes, lang, spans)
    if responsible:
        names = "; ".join(short_text(responsible_label(key, lang), 60) for key in responsible)
        text += " · " + t("filter.responsible", lang, names=names)
    return text


def short_text(text: object, limit: int = 40) -> str:
    """`text` cut to `limit` characters with an ellipsis (captions; the tables below show it in full), literally."""
    value = literal(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def short_list(items: list[str], lang: str = "id", shown: int = 8, limit: int = 40) -> str:
    """The first `shown` items, each cut to `limit` characters, then "dan N lainnya" for the rest; one item
    more is shown rather than counted ("dan 1 lainnya" took the room of the item it hid)."""
    if len(items) == shown + 1:
        shown += 1
    head = ", ".join(short_text(item, limit) for item in items[:shown])
    rest = len(items) - shown
    return head + (t("list.more", lang, count=number(rest, lang)) if rest > 0 else "")


def name_part(text: object, limit: int = 40) -> str:
    """Text as a part of a file name: ASCII letters and digits in lower case, other runs as "_"
    ("KPU Kabupaten Lebak" -> "kpu_kabupaten_lebak"), at most `limit` characters; "" when nothing is left."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.casefold()).strip("_")[:limit].strip("_")
