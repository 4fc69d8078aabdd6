"""Command line: `python -m rbdash validate|summary|template|build-data`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .loader import LoadResult, load_workbook
from .messages import DEFAULT_LANGUAGE, LANGUAGES, t
from .summary import summarise
from .workbook import build_bundled_workbook, template_content, write_workbook

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

BUNDLED_WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "rencana_aksi_2022.xlsx"


def _load(path: str, lang: str) -> LoadResult | None:
    try:
        return load_workbook(path)
    except FileNotFoundError:
        print(t("cli.file_not_found", lang, path=path), file=sys.stderr)
    except (IsADirectoryError, PermissionError, OSError) as exc:
        print(t("cli.cannot_read", lang, path=path, reason=exc.strerror or exc), file=sys.stderr)
    return None


def _exit_code(result: LoadResult) -> int:
    if result.unreadable:
        return EXIT_UNREADABLE
    return EXIT_INVALID if result.errors else EXIT_VALID


def cmd_validate(args: argparse.Namespace) -> int:
    result = _load(args.file, args.lang)
    if result is None:
        return EXIT_UNREADABLE
    if args.json:
        print(json.dumps({"valid": result.is_valid, "unreadable": result.unreadable,
                          "problems": [p.as_dict(args.lang) for p in result.problems]}, ensure_ascii=False, indent=2))
        return _exit_code(result)
    for problem in result.problems:
        stream = sys.stderr if problem.severity == "error" else sys.stdout
        print(problem.render(args.lang), file=stream)
    if result.unreadable:
        print(t("report.unreadable", args.lang), file=sys.stderr)
    elif result.errors:
        print(t("report.invalid", args.lang, errors=len(result.errors), warnings=len(result.warnings)),
              file=sys.stderr)
    else:
        print(t("report.valid", args.lang, warnings=len(result.warnings)))
    return _exit_code(result)


def cmd_summary(args: argparse.Namespace) -> int:
    result = _load(args.file, args.lang)
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
            print(t("app.counts", args.lang, rows=totals["plan_rows"], row_months=totals["scheduled_row_months"],
                    indicators=totals["indicators"]))
            for row in data["plan"]:
                months = ",".join(str(m) for m in row["months"])
                label = row["sub_activity"] or row["activity"] or f"({t('app.missing_in_copy', args.lang)})"
                print(f"  {row['code']:<8} [{months}] {label[:90]}")
    return _exit_code(result)


def cmd_template(args: argparse.Namespace) -> int:
    try:
        write_workbook(args.out, template_content(args.lang))
    except OSError as exc:
        print(t("cli.cannot_write", args.lang, path=args.out, reason=exc.strerror or exc), file=sys.stderr)
        return EXIT_UNREADABLE
    print(t("cli.template_written", args.lang, path=args.out))
    return EXIT_VALID


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

    p = sub.add_parser("template", parents=[lang], help="write a blank workbook with the 2022 plan rows")
    p.add_argument("out")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("build-data", help="rewrite the bundled workbook from the annex and example data")
    p.add_argument("out", nargs="?", default=str(BUNDLED_WORKBOOK))
    p.set_defaults(func=cmd_build_data)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
