"""The message catalogue is complete in both languages and covers every problem the code reports."""

from __future__ import annotations

import re
import string
from pathlib import Path

from rbdash.messages import CATALOGUE, LANGUAGES

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


def test_every_reported_problem_has_a_message_and_a_fix() -> None:
    code = "\n".join(path.read_text() for path in SOURCES.glob("*.py"))
    reported = set(re.findall(r'log\.(?:error|warning)\(\s*"(\w+)"', code))
    reported |= set(re.findall(r'log\.add\(\s*"(?:error|warning)",\s*"(\w+)"', code))
    reported |= set(re.findall(r'_report_cells\(\s*log,\s*"(?:error|warning)",\s*"(\w+)"', code))
    reported |= set(re.findall(r'log\.add\([^,]+,\s*"(\w+)"', code))
    assert len(reported) > 30
    for problem in reported | {"more_problems"}:
        assert f"problem.{problem}.message" in CATALOGUE, problem
        assert f"problem.{problem}.fix" in CATALOGUE, problem


# Families looked up with an f-string, e.g. t(f"status.{state}", lang).
DYNAMIC = ("severity.", "status.", "state.", "unsur.", "direction.", "col.")


def test_every_catalogue_key_is_used() -> None:
    files = [p for p in SOURCES.glob("*.py") if p.name != "messages.py"]
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
