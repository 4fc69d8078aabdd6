"""Command line: `python -m rbdash validate|summary|diff|template|build-data` (store commands: cli.store)."""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rbdash.analysis.summary import summarise
from rbdash.cli.demo import add_parser as add_demo_parser
from rbdash.cli.diff import cmd_diff
from rbdash.cli.reading import load_named
from rbdash.cli.rollup import add_parser as add_rollup_parser
from rbdash.cli.store import (
    EXIT_INVALID,
    EXIT_UNREADABLE,
    EXIT_VALID,
    chosen_plan,
    cmd_history,
    cmd_publish,
    cmd_restore,
    cmd_store,
    cmd_users,
    refusal_exit,
    say_store_error,
    store_or_say,
)
from rbdash.config import BUNDLED_WORKBOOK, ROLES, SettingsError, settings
from rbdash.exports import images
from rbdash.messages import DEFAULT_LANGUAGE, LANGUAGES, t
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import formatting as fmt
from rbdash.store import StoreError, Version, VersionStore
from rbdash.workbook.content import WorkbookContent, office_template_content, template_content
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.schema import PLAN_YEARS
from rbdash.workbook.writer import build_bundled_workbook, write_workbook

if TYPE_CHECKING:
    from rbdash.analysis.since import Since
    from rbdash.present.since import Reference

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe


def _exit_code(result: LoadResult) -> int:
    if result.unreadable:
        return EXIT_UNREADABLE
    return EXIT_INVALID if result.errors else EXIT_VALID


def cmd_validate(args: argparse.Namespace) -> int:
    result = load_named(args.file, args.lang)
    if result is None:
        return EXIT_UNREADABLE
    if args.json:
        print(
            json.dumps(
                {
                    "valid": result.is_valid,
                    "unreadable": result.unreadable,
                    "problems": [p.as_dict(args.lang) for p in result.problems],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return _exit_code(result)
    for problem in result.problems:
        stream = sys.stderr if problem.severity == "error" else sys.stdout
        print(problem.render(args.lang), file=stream)
    if result.unreadable:
        print(t("report.unreadable", args.lang), file=sys.stderr)
    elif result.errors:
        print(t("report.invalid", args.lang, errors=len(result.errors), warnings=len(result.warnings)), file=sys.stderr)
    else:
        print(t("report.valid", args.lang, warnings=len(result.warnings)))
    return _exit_code(result)


def cmd_summary(args: argparse.Namespace) -> int:
    result = load_named(args.file, args.lang)
    if result is None:
        return EXIT_UNREADABLE
    data = summarise(result, args.lang)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for problem in result.problems:
            print(problem.render(args.lang))
        if result.plan is not None:
            info = data["info"]
            totals = data["totals"]
            print(t("app.plan_heading", args.lang, year=info["year"], satker=info["satker"]))
            print(
                t(
                    "app.counts",
                    args.lang,
                    rows=totals["plan_rows"],
                    row_months=totals["scheduled_row_months"],
                    indicators=totals["indicators"],
                )
            )
            for row in data["plan"]:
                months = ",".join(str(m) for m in row["months"])
                label = row["sub_activity"] or row["activity"] or fmt.missing_in_copy(args.lang)
                print(f"  {row['code']:<8} [{months}] {label[:90]}")
    return _exit_code(result)


def cmd_template(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(t("cli.template_needs_xlsx", args.lang, path=args.out), file=sys.stderr)
        return EXIT_INVALID
    if out.exists() and not args.force:  # seen: a staff member's filled workbook replaced by a blank one
        print(t("cli.template_exists", args.lang, path=args.out), file=sys.stderr)
        return EXIT_INVALID
    content = template_content(args.lang)
    if any(value is not None for value in (args.satker, args.year, args.from_year, args.from_satker)):
        office = _office_template(args)
        if isinstance(office, int):
            return office
        content = office
    try:
        write_workbook(args.out, content)
    except OSError as exc:
        print(t("cli.cannot_write", args.lang, path=args.out, reason=exc.strerror or exc), file=sys.stderr)
        return EXIT_UNREADABLE
    print(t("cli.template_written", args.lang, path=args.out))
    return EXIT_VALID


def _office_template(args: argparse.Namespace) -> WorkbookContent | int:
    """The template of `template --satker --year [--from-year [--from-satker]]`, or an exit code after saying why
    there is none: the office must be a known one, the year given, and the carried plan a version in the store."""
    if args.from_satker is not None and args.from_year is None:  # seen: silently a blank template
        print(t("cli.from_satker_needs_from_year", args.lang), file=sys.stderr)
        return EXIT_INVALID
    if args.year is None or args.year not in PLAN_YEARS:
        print(t("cli.template_needs_year", args.lang, first=PLAN_YEARS[0], last=PLAN_YEARS[-1]), file=sys.stderr)
        return EXIT_INVALID
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        satker = chosen_plan(store, args.satker, args.year, args.lang)[0]
        carried, source = None, ""
        if args.from_year is not None:
            from_satker = chosen_plan(store, args.from_satker or satker, args.from_year, args.lang)[0]
            version = store.current(from_satker, args.from_year)
            if version is None:
                print(t("cli.no_versions_of", args.lang, satker=from_satker, year=args.from_year), file=sys.stderr)
                return EXIT_INVALID
            carried = load_workbook(store.read(version)).plan  # a missing or damaged file: said by read()
            source = t("cli.carried_from", args.lang, satker=from_satker, year=args.from_year, number=version.number)
    except StoreError as exc:
        say_store_error(exc, args.lang)
        return EXIT_INVALID
    return office_template_content(satker, args.year, args.lang, carried, source)


def cmd_build_data(args: argparse.Namespace) -> int:
    build_bundled_workbook(args.out)
    print(args.out)
    return EXIT_VALID


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rbdash", description="RB Dash workbook tools")
    sub = parser.add_subparsers(dest="command", required=True)
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="message language (id, en)")

    p = sub.add_parser("validate", parents=[lang], help="check a workbook; exit 0 valid, 1 errors, 2 unreadable")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("summary", parents=[lang], help="print the loaded model")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the model as JSON")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser(
        "template", parents=[lang], help="write a blank workbook: the 2022 plan rows, or another office's or year's"
    )
    p.add_argument("out", help="the new .xlsx (an existing file is kept unless --force)")
    p.add_argument("--force", action="store_true", help="replace OUT when it exists")
    p.add_argument("--satker", help="a blank plan for this office (default: the home office)")
    p.add_argument("--year", type=int, help="a blank plan for this year")
    p.add_argument("--from-year", type=int, help="carry the plan rows over from the store's version of this year")
    p.add_argument("--from-satker", help="... of this office (default: --satker)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("publish", parents=[lang], help="validate a workbook and publish it as the new version")
    p.add_argument("file")
    p.add_argument("--comment", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--allow-removals", action="store_true", help="publish even though rows are removed")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("diff", parents=[lang], help="what NEW changes against OLD; exit 0 same, 1 different")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--json", action="store_true", help="per-sheet counts and every change as JSON")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("store", parents=[lang], help="check the data directory, or repair what can be repaired")
    p.add_argument("action", choices=["check", "repair"])
    p.set_defaults(func=cmd_store)

    p = sub.add_parser("history", parents=[lang], help="published versions, newest first")
    p.add_argument("--satker", help="only this office's versions")
    p.add_argument("--year", type=int, help="only this year's versions")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restore", parents=[lang], help="publish an old version again as a new version")
    p.add_argument("number", type=int)
    p.add_argument("--user", required=True)
    p.add_argument("--satker", help="the office of version N, when several have one (history shows it)")
    p.add_argument("--year", type=int, help="the year of version N, when several have one")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("users", parents=[lang], help="manage users: add, remove, list, passwd, role, scope")
    p.add_argument("action", choices=["add", "remove", "list", "passwd", "role", "scope"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=ROLES, help="the role of a new user (default viewer), or a user's new role")
    p.add_argument(
        "--scope",
        help='the office the user may publish for, or "*" for every office (default: the home office; admins: "*")',
    )
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser(
        "report",
        parents=[lang],
        help="write the PDF report and/or the PowerPoint deck of a workbook or of the store's current version",
    )
    p.add_argument("file", nargs="?", help="workbook; without it, the current version in the store")
    p.add_argument("--satker", help="without FILE: the office (default: the home office)")
    p.add_argument("--year", type=int, help="without FILE: the year (default: the office's latest)")
    p.add_argument("--pdf", help="output .pdf (A4 landscape report)")
    p.add_argument("--pptx", help="output .pptx (16:9 deck)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--as-of", help="YYYY-MM (default: the workbook's posisi data per)")
    when.add_argument(
        "--quarter",
        help="YYYY-TWn: the report of triwulan n (1-4), as of its last month or the posisi data per if earlier",
    )
    p.add_argument(
        "--since",
        metavar="N",
        help="add the page 'changes since version N' (the store's version N of the same office and year)",
    )
    p.set_defaults(func=cmd_report)

    add_rollup_parser(sub, lang)
    add_demo_parser(sub, lang)

    p = sub.add_parser("build-data", help="rewrite the bundled workbook from the annex and example data")
    p.add_argument("out", nargs="?", default=str(BUNDLED_WORKBOOK))
    p.set_defaults(func=cmd_build_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings()  # checked first: a wrong setting is named, with its file and key, before any work
        return args.func(args)
    except SettingsError as exc:
        print(t(exc.key, args.lang, **exc.params), file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:
        # The reader went away (`rbdash history | head`): stop quietly, as other Unix tools do. Python would
        # flush stdout again at exit and complain, so stdout now points at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
