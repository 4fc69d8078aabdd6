"""`python -m rbdash demo`: example (CONTOH) plans of the eight kab/kota for 2022 and of all nine offices for
2023 (of every configured office, with an `offices` setting), published into the data directory in force beside
the bundled workbook (the province's 2022 version)."""

from __future__ import annotations

import argparse
import sys

from rbdash.cli.store import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID, say_store_error, store_or_say
from rbdash.config import BUNDLED_WORKBOOK, settings
from rbdash.messages import DEFAULT_LANGUAGE, t
from rbdash.store import StoreError
from rbdash.workbook.demo import demo_content
from rbdash.workbook.writer import workbook_bytes

#: Who publishes the example versions (the audit log and Riwayat name it).
DEMO_USER = "contoh"
#: The years the example offices get: the province's 2022 is the bundled workbook.
DEMO_YEARS = (2022, 2023)


def demo_plans(offices: tuple[str, ...], held: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """The office-years `demo` publishes: every configured office (by default the province and its eight kab/kota)
    for each demo year, but those the store holds (the bundled workbook: the province's 2022)."""
    return [(office, year) for year in DEMO_YEARS for office in offices if (office, year) not in held]


def cmd_demo(args: argparse.Namespace) -> int:
    """Publish the example versions; refused when anyone but the first start's seeding has published."""
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        store.seed(BUNDLED_WORKBOOK, t("store.seed_comment", DEFAULT_LANGUAGE))
        versions = store.history()
        if len(versions) > 1 or any(version.user != "system" for version in versions):  # someone published
            print(t("cli.demo_refused", args.lang, count=len(versions)), file=sys.stderr)
            return EXIT_INVALID
        plans = demo_plans(settings().offices, set(store.plans()))
        for satker, year in plans:
            data = workbook_bytes(demo_content(satker, year))
            version = store.publish(data, DEMO_USER, t("cli.demo_comment", DEFAULT_LANGUAGE), trusted=True).version
            if version is None:  # a generated workbook that does not load is this program's bug: said, not hidden
                print(t("cli.demo_invalid", args.lang, satker=satker, year=year), file=sys.stderr)
                return EXIT_UNREADABLE
            print(t("cli.demo_published", args.lang, satker=satker, year=year, number=version.number))
    except StoreError as exc:
        say_store_error(exc, args.lang)
        return EXIT_UNREADABLE
    print(t("cli.demo_done", args.lang, count=len(plans), path=settings().data_dir))
    return EXIT_VALID


def add_parser(sub: argparse._SubParsersAction, lang: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo", parents=[lang], help="publish example (CONTOH) plans of the eight kab/kota and of 2023 (a fresh store)"
    )
    p.set_defaults(func=cmd_demo)
