"""The message catalogue is complete in both languages and covers every problem the code reports."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from rbdash.messages import CATALOGUE, LANGUAGES, t

SOURCES = Path(__file__).resolve().parent.parent / "rbdash"


def test_every_key_has_every_language() -> None:
    for key, entry in CATALOGUE.items():
        for lang in LANGUAGES:
            assert entry.get(lang, "").strip(), f"{key} lacks {lang}"


def test_placeholders_match_between_languages() -> None:
    formatter = string.Formatter()
    for key, entry in CATALOGUE.items():
        fields = {lang: {f for _, f, _, _ in formatter.parse(entry[lang]) if f} for lang in LANGUAGES}
        assert fields["id"] == fields["en"], key


def test_every_problem_code_has_a_message_and_a_fix_and_every_problem_message_a_code() -> None:
    """Problem codes are one Literal type (mypy refuses a code not in it); the catalogue matches it exactly."""
    from typing import get_args

    from rbdash.problems import ProblemCode

    codes = set(get_args(ProblemCode))
    assert len(codes) > 60
    documented = {key.split(".")[1] for key in CATALOGUE if key.startswith("problem.")}
    assert codes == documented
    for code in codes:
        assert f"problem.{code}.message" in CATALOGUE and f"problem.{code}.fix" in CATALOGUE, code


# Families looked up with an f-string, e.g. t(f"status.{state}", lang).
DYNAMIC = ("severity.", "status.", "state.", "unsur.", "direction.", "col.")


def test_every_catalogue_key_is_used() -> None:
    files = [p for p in SOURCES.rglob("*.py") if p.name != "messages.py"]
    files += [SOURCES.parent / "app.py", *(SOURCES.parent / "app_pages").glob("*.py")]
    code = "\n".join(path.read_text() for path in files)
    for key in CATALOGUE:
        if key.startswith("problem."):
            assert f'"{key.split(".")[1]}"' in code, f"{key} is never reported"
        elif key.startswith(DYNAMIC):
            family = key.split(".")[0]
            assert f'"{key}"' in code or f'f"{family}.{{' in code or f"f'{family}.{{" in code, key
        else:
            assert f'"{key}"' in code or f"'{key}'" in code, f"{key} is never used"


def test_markdown_message_escapes_values_and_keeps_the_catalogue_text() -> None:
    from rbdash.present.text import markdown_message

    assert markdown_message("data.removals", "id", removed=3, detail="![x](http://a/b.png)") == (
        "Berkas ini **menghapus 3 baris** dari versi saat ini: \\!\\[x\\]\\(http\u2060\\://a/b\\.png\\)."
        " Periksa tabel di bawah."
    )
    assert markdown_message("data.removals", "en", removed=1200, detail="**RA**").startswith(
        "This file **removes 1,200 rows** from the current version: \\*\\*RA\\*\\*."
    )


def test_bare_addresses_are_not_turned_into_links() -> None:
    """Streamlit's Markdown links http://, https://, www. and user@host even after backslash escapes."""
    from rbdash.present.text import WORD_JOINER, escape_markdown

    text = "lihat https://a.example/x, HTTP://B.EXAMPLE, www.c.example dan admin@d.example"
    escaped = escape_markdown(text)
    assert escaped == (
        "lihat https\u2060\\://a\\.example/x, HTTP\u2060\\://B\\.EXAMPLE, www\u2060\\.c\\.example"
        " dan admin\u2060@d\\.example"
    )
    # What the reader sees (escapes resolved, the joiner invisible) is the text as written.
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == text


def test_icon_and_emoji_codes_are_not_drawn() -> None:
    """Seen by the review: a SUB KEGIATAN ':material/home: ...' drawn as a house icon in a Markdown heading."""
    from rbdash.present.text import WORD_JOINER, escape_markdown

    text = ":material/home: Rapat :smile: pukul 10:30, rasio a:b (:red[x])"
    escaped = escape_markdown(text)
    assert escaped == (
        f"\\:{WORD_JOINER}material/home\\: Rapat \\:{WORD_JOINER}smile\\: pukul 10\\:30, rasio a\\:b "
        f"\\(\\:{WORD_JOINER}red\\[x\\]\\)"
    )
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == text


def test_short_list_cuts_items_and_counts_the_rest() -> None:
    from rbdash.present.formatting import short_list

    assert short_list([], "id") == ""
    assert short_list(["RA-01", "RA-02"], "id") == "RA-01, RA-02"
    codes = [f"RA-{n:02d}" for n in range(1, 1012)]
    assert short_list(codes, "id") == "RA-01, RA-02, RA-03, RA-04, RA-05, RA-06, RA-07, RA-08 dan 1.003 lainnya"
    assert short_list(codes, "en").endswith("RA-08 and 1,003 more")
    assert short_list(["A" * 45], "id", limit=40) == "A" * 39 + "…"
    # one more is shown, not counted (seen by a review: "... dan 1 lainnya")
    assert short_list(codes[:6], "id", shown=5) == "RA-01, RA-02, RA-03, RA-04, RA-05, RA-06"
    assert short_list(codes[:7], "id", shown=5) == "RA-01, RA-02, RA-03, RA-04, RA-05 dan 2 lainnya"


def test_numbers_in_messages_are_written_the_readers_way() -> None:
    from rbdash.messages import t

    assert t("data.invalid", "id", errors=12_003_612) == (
        "12.003.612 galat harus diperbaiki sebelum berkas dapat diterbitkan. Tidak ada yang berubah."
    )
    assert t("data.invalid", "en", errors=12_003_612).startswith("12,003,612 errors must be fixed")
    assert t("data.upload_refused_session", "id", size=49.5, limit=50).startswith("Berkas terakhir (49,5 MB)")
    assert t("schedule.rows", "id", shown="1–100", total=2000) == "1–100 dari 2.000 baris ditampilkan"
    # A year is not a count: it keeps no group mark.
    assert t("chart.gantt.title", "id", year=2022).startswith("Jadwal Rencana Aksi 2022:")


def test_stored_times_are_shown_in_wib() -> None:
    """The store keeps UTC; readers see Jakarta time (seen: the history and audit tables showed raw UTC)."""
    from rbdash.present.formatting import timestamp

    assert timestamp("2026-11-28T20:40:59+00:00", "id") == "29-11-2026 03.40.59 WIB"
    assert timestamp("2026-11-28T20:40:59+00:00", "en") == "2026-11-29 03:40:59 WIB"
    assert timestamp("2026-11-28T20:40:59", "en") == "2026-11-29 03:40:59 WIB"  # no zone: the store's UTC
    assert timestamp(None, "id") == "–" and timestamp("kemarin", "id") == "kemarin"


@pytest.mark.parametrize(
    ("lang", "warnings", "expected"),
    [
        ("en", 1, "File is valid: no errors (1 warning)."),
        ("en", 2, "File is valid: no errors (2 warnings)."),
        ("en", 0, "File is valid: no errors (0 warnings)."),
        ("en", 12003, "File is valid: no errors (12,003 warnings)."),
        ("id", 1, "Berkas valid: tidak ada galat (1 peringatan)."),
    ],
)
def test_english_counts_take_the_word_their_number_asks_for(lang: str, warnings: int, expected: str) -> None:
    """Seen: "1 warnings"."""
    assert t("report.valid", lang, warnings=warnings) == expected


def test_no_english_message_counts_with_a_fixed_plural() -> None:
    import re

    fixed = re.compile(r"\{\w+(?::n)?\} (warnings|errors|rows|problems|indicators|respondents|repairs)\b")
    assert [key for key, entry in CATALOGUE.items() if fixed.search(entry["en"])] == []


def test_numbers_of_any_size_are_written() -> None:
    """Seen (hypothesis, a Capaian value of 1e26 in a problem message): Babel within Python's default decimal
    precision raised InvalidOperation for a large number with decimals."""
    from rbdash.messages import t
    from rbdash.present.formatting import number

    assert number(1e26, "id", 2) == "100.000.000.000.000.000.000.000.000,00"
    assert number(1e300, "en", 2).endswith(".00") and number(float("inf"), "id", 2) == "∞"
    assert t("list.more", "en", count=1e26) == " and 100,000,000,000,000,000,000,000,000 more"
