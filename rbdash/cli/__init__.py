"""Command line: `python -m rbdash validate|summary|diff|template|build-data` (store commands: cli.store)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rbdash.analysis.summary import summarise
from rbdash.cli.demo import add_parser as add_demo_parser
from rbdash.cli.diff import cmd_diff
from rbdash.cli.reading import load_named
from rbdash.cli.report import cmd_report
from rbdash.cli.rollup import add_parser as add_rollup_parser
from rbdash.cli.store import (
    EXIT_INVALID,
    EXIT_UNREADABLE,
    EXIT_VALID,
    chosen_plan,
    cmd_history,
    cmd_migrate,
    cmd_publish,
    cmd_restore,
    cmd_store,
    cmd_users,
    say_store_error,
    store_or_say,
)
from rbdash.config import BUNDLED_WORKBOOK, ROLES, SettingsError, settings
from rbdash.messages import DEFAULT_LANGUAGE, LANGUAGES, t
from rbdash.model import LoadResult
from rbdash.present import formatting as fmt
from rbdash.store import StoreError
from rbdash.workbook.content import WorkbookContent, office_template_content, template_content
from rbdash.workbook.loader import load_workbook
from rbdash.workbook.schema import PLAN_YEARS
from rbdash.workbook.writer import build_bundled_workbook, write_workbook

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a tool stopped with Ctrl-C
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

    p = sub.add_parser(
        "store",
        parents=[lang],
        help="check the data directory, repair what can be repaired, or copy a whole store to another backend",
    )
    p.add_argument("action", choices=["check", "repair", "copy"])
    p.add_argument("--from", dest="source", help="copy: the store to copy (sqlite:///DATA_DIR or postgresql://...)")
    p.add_argument("--to", dest="target", help="copy: the empty store to fill (postgresql://... or sqlite:///DIR)")
    p.set_defaults(func=cmd_store)

    p = sub.add_parser("migrate", parents=[lang], help="bring the store's schema up to date (also done at start-up)")
    p.set_defaults(func=cmd_migrate)

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
    except KeyboardInterrupt:  # Ctrl-C: said in one line (a copy or publish stopped part-way wrote nothing)
        print(t("cli.interrupted", args.lang), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`rbdash history | head`): stop quietly, as other Unix tools do. Python would
        # flush stdout again at exit and complain, so stdout now points at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
