"""`python -m rbdash report`: the PDF report and the deck of a workbook or of the store's current version of an
office and year, as of a month or a quarter, with the changes since a version when asked."""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rbdash.cli.reading import load_named
from rbdash.cli.store import (
    EXIT_INVALID,
    EXIT_UNREADABLE,
    EXIT_VALID,
    chosen_plan,
    refusal_exit,
    say_store_error,
    store_or_say,
)
from rbdash.exports import images
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt
from rbdash.store import StoreError, Version, VersionStore
from rbdash.workbook.loader import load_workbook

if TYPE_CHECKING:
    from rbdash.analysis.since import Since
    from rbdash.present.since import Reference


def _as_of(text: str | None, model: ActionPlan) -> int:
    """The month of --as-of YYYY-MM (the workbook's own month when absent).

    ValueError when malformed or of another year.
    """
    from rbdash.analysis import metrics

    if text is None:
        return metrics.default_as_of_month(model)
    year, month = (int(part) for part in text.split("-"))
    if year != model.info.get("year") or not 1 <= month <= 12:
        raise ValueError(text)
    return month


_QUARTER = re.compile(r"(\d{4})-TW([1-4])", re.IGNORECASE)


def _quarter(text: str, model: ActionPlan) -> tuple[int, int]:
    """(quarter, as-of month) of --quarter YYYY-TWn: its last month, or the workbook's own as-of month when
    that is earlier (the months after it have no data yet).

    ValueError when malformed or of another year; LookupError when the quarter begins after the as-of month.
    """
    from rbdash.analysis import metrics, quarters

    match = _QUARTER.fullmatch(text.strip()) if text.strip().isascii() else None  # no other scripts' digits
    if match is None or int(match[1]) != model.info.get("year"):
        raise ValueError(text)
    quarter = int(match[2])
    if quarter not in quarters.quarters_begun(model, 12):
        raise LookupError(text)
    return quarter, quarters.quarter_as_of(quarter, metrics.default_as_of_month(model))


def _since_number(text: str) -> int | None:
    """The version number of --since N (ASCII digits, 1 to 999,999,999), or None."""
    text = str(text).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 and int(text) > 0 else None


def _since(
    lang: str, number: int, store: VersionStore | None, shown: Version | None, model: ActionPlan, month: int
) -> tuple[Since, Reference] | int:
    """The since-page of `report --since N`: the changes from the store's version `number` (of the office and year
    of the workbook reported; older than `shown`, the version reported, when it is the store's) to `model` at
    `month`; an exit code after saying why there is none. `store`: the store already open, if any."""
    from rbdash.analysis.since import compare
    from rbdash.present.since import Reference

    store = store or store_or_say(lang)
    if store is None:
        return EXIT_UNREADABLE
    satker, year = (
        (shown.satker, shown.year) if shown else (str(model.info.get("satker") or ""), model.info.get("year"))
    )
    try:
        reference = store.version(number, satker, year if isinstance(year, int) else None)
    except StoreError as exc:
        say_store_error(exc, lang)
        return EXIT_INVALID
    if shown is not None and number >= shown.number:  # after "no such version" (seen: said of version 99)
        print(t("cli.since_not_older", lang, number=number, shown=shown.number), file=sys.stderr)
        return EXIT_INVALID
    before = store.content(reference)
    if before is None:
        print(t("since.unreadable", lang, number=number), file=sys.stderr)
        return EXIT_UNREADABLE
    return compare(before, model, month), Reference(reference.number, reference.created_at)


def cmd_report(args: argparse.Namespace) -> int:
    from rbdash.exports.deck import build_deck

    if not args.pdf and not args.pptx:
        print(t("cli.report_needs_output", args.lang), file=sys.stderr)
        return EXIT_INVALID
    since_number = None if args.since is None else _since_number(args.since)
    if args.since is not None and since_number is None:  # said before any workbook is read
        print(t("cli.bad_since", args.lang, value=fmt.short_text(args.since, 80)), file=sys.stderr)
        return EXIT_INVALID
    if args.pdf and args.pptx and Path(args.pdf).resolve() == Path(args.pptx).resolve():
        print(t("cli.report_same_output", args.lang, path=args.pdf), file=sys.stderr)  # seen: the deck over the PDF
        return EXIT_INVALID
    version, store = None, None
    if args.file and (args.satker is not None or args.year is not None):  # seen: silently ignored
        print(t("cli.file_or_store", args.lang), file=sys.stderr)
        return EXIT_INVALID
    if args.file:
        result = load_named(args.file, args.lang)
        label = Path(args.file).name
    else:
        store = store_or_say(args.lang)
        if store is None:
            return EXIT_UNREADABLE
        try:
            satker, year_chosen = chosen_plan(store, args.satker, args.year, args.lang)
            version = store.current(satker, year_chosen) if year_chosen is not None else None
            if version is None:
                key = "cli.no_versions_of" if year_chosen is not None else "cli.no_versions_office"
                print(t(key, args.lang, satker=satker, year=year_chosen), file=sys.stderr)
                return EXIT_UNREADABLE
            result = load_workbook(store.read(version)).named(version.satker)  # the office's known spelling
        except StoreError as exc:
            return refusal_exit(exc, args.lang)
        label = t("cli.version_label", args.lang, number=version.number)
    if result is None:
        return EXIT_UNREADABLE
    if not result.is_valid or result.plan is None:
        for problem in result.errors:
            print(problem.render(args.lang), file=sys.stderr)
        print(
            t(
                "report.unreadable" if result.unreadable else "report.invalid",
                args.lang,
                errors=len(result.errors),
                warnings=len(result.warnings),
            ),
            file=sys.stderr,
        )
        return EXIT_UNREADABLE if result.unreadable else EXIT_INVALID
    quarter = None
    year = result.plan.info.get("year")
    try:
        if args.quarter is not None:  # seen: --quarter "" wrote an ordinary report
            quarter, month = _quarter(args.quarter, result.plan)
        else:
            month = _as_of(args.as_of, result.plan)
    except ValueError:
        key, value = ("cli.bad_quarter", args.quarter) if args.quarter is not None else ("cli.bad_as_of", args.as_of)
        print(t(key, args.lang, value=fmt.short_text(value, 80), year=year), file=sys.stderr)
        return EXIT_INVALID
    except LookupError:  # a quarter that begins after the workbook's posisi data per
        from rbdash.analysis import metrics

        as_of = fmt.month_year(year or 0, metrics.default_as_of_month(result.plan), args.lang)
        print(
            t("cli.quarter_after_as_of", args.lang, value=fmt.short_text(args.quarter, 80), as_of=as_of),
            file=sys.stderr,
        )
        return EXIT_INVALID
    since = None
    if since_number is not None:
        found = _since(args.lang, since_number, store, version, result.plan, month)
        if isinstance(found, int):
            return found
        since = found
    from rbdash.exports.report import build_pdf

    outputs: list[tuple[str | None, Callable[[ActionPlan, int, str, str], bytes]]] = [
        (args.pdf, functools.partial(build_pdf, quarter=quarter, since=since)),
        (args.pptx, functools.partial(build_deck, since=since, quarter=quarter)),
    ]
    for path, build in outputs:
        if not path:
            continue
        try:
            data = build(result.plan, month, args.lang, label)
        except images.ExportFailed:
            print(t("export.failed", args.lang), file=sys.stderr)
            return EXIT_UNREADABLE
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            print(t("cli.cannot_write", args.lang, path=path, reason=exc.strerror or exc), file=sys.stderr)
            return EXIT_UNREADABLE
        print(t("cli.report_written", args.lang, path=path))
    return EXIT_VALID
