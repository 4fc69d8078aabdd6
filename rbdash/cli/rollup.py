"""`python -m rbdash rollup [--year YYYY] [--satker NAME] [--json]`: one record per office and year."""

from __future__ import annotations

import argparse
import json

from rbdash.analysis.rollup import rollup_frame
from rbdash.analysis.summary import json_ready
from rbdash.cli.store import EXIT_UNREADABLE, EXIT_VALID, chosen_filter, refusal_exit, store_or_say
from rbdash.messages import t
from rbdash.present.text import literal
from rbdash.store import StoreError
from rbdash.store.rollup import current_figures

#: The record's fields, in the order the text table prints them.
FIELDS = (
    "satker",
    "year",
    "version",
    "as_of",
    "rows",
    "scheduled_to_date",
    "done_to_date",
    "rows_not_done",
    "indicators_achieved",
    "indicators_with_target",
    "ikm",
    "ikm_converted",
    "mutu",
    "ikm_period",
    "examples",
)
#: Decimals of the text table's IKM columns (the JSON keeps every digit).
_DECIMALS = {"ikm": 4, "ikm_converted": 2}


def cmd_rollup(args: argparse.Namespace) -> int:
    """Each office-year's current version and its key figures (computed at publishing), as JSON or a table."""
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        satker, year = chosen_filter(store, args.satker, args.year, args.lang)
        found = current_figures(store, year, satker)
    except StoreError as exc:
        return refusal_exit(exc, args.lang)
    frame = rollup_frame((version.satker, version.year, version.number, figures) for version, figures in found)
    records = [{field: json_ready(record[field]) for field in FIELDS} for record in frame.to_dict(orient="records")]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return EXIT_VALID
    if not records:
        print(t("cli.no_versions", args.lang))
        return EXIT_VALID
    print("\t".join(FIELDS))
    for record in records:
        print("\t".join(" ".join(literal(_cell(record[field], field)).split()) for field in FIELDS))
    return EXIT_VALID


def _cell(value: object, field: str) -> str:
    """A record's value in the text table: empty for none, examples comma-separated, IKM rounded."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if field in _DECIMALS and isinstance(value, float):
        return f"{value:.{_DECIMALS[field]}f}"
    return str(value)


def add_parser(sub: argparse._SubParsersAction, lang: argparse.ArgumentParser) -> None:
    p = sub.add_parser("rollup", parents=[lang], help="each office and year: its current version's key figures")
    p.add_argument("--year", type=int, help="only this year")
    p.add_argument("--satker", help="only this office")
    p.add_argument("--json", action="store_true", help="one JSON record per office and year")
    p.set_defaults(func=cmd_rollup)
