"""Command line: `python -m rbdash validate|summary|template|build-data`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from rbdash.analysis.summary import summarise
from rbdash.config import BUNDLED_WORKBOOK, ROLES, SettingsError, role_at_least, settings
from rbdash.exports import images
from rbdash.messages import DEFAULT_LANGUAGE, LANGUAGES, t
from rbdash.model import ActionPlan, LoadResult
from rbdash.present import formatting as fmt
from rbdash.problems import ProblemLog
from rbdash.store import StoreError, VersionStore, checked_user_name, open_store
from rbdash.workbook.content import template_content
from rbdash.workbook.limits import DEFAULT_LIMITS
from rbdash.workbook.loader import load_workbook, read_workbook_file
from rbdash.workbook.worker import load_untrusted
from rbdash.workbook.writer import build_bundled_workbook, write_workbook

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe


def _load(path: str, lang: str) -> LoadResult | None:
    """A workbook named on the command line, read in the bounded worker process; None when unreadable."""
    try:
        return load_untrusted(path)
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


def _store_error(exc: StoreError, lang: str) -> None:
    print(t(exc.key, lang, **exc.params), file=sys.stderr)


def _store(lang: str) -> VersionStore | None:
    try:
        return open_store()
    except StoreError as exc:
        _store_error(exc, lang)
        return None


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input, or typed twice at the terminal (a typo is caught)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("cli.password_prompt", args.lang))
    if getpass.getpass(t("cli.password_again", args.lang)) != first:
        raise StoreError("cli.password_mismatch")
    return first


def _acting_editor(store: VersionStore, user: str) -> str:
    """`user` (trimmed) when it names an existing editor or admin; `StoreError` otherwise.

    Seen by the attacker review: the command line published as "nobody-not-a-user" and restored as "".
    """
    name = user.strip()
    if not name or not role_at_least(store.role_of(name), "editor"):
        raise StoreError("cli.not_an_editor", name=name)
    return name


def cmd_publish(args: argparse.Namespace) -> int:
    store = _store(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    log = ProblemLog()
    try:
        data = read_workbook_file(args.file, DEFAULT_LIMITS, log)
    except OSError as exc:
        print(t("cli.cannot_read", args.lang, path=args.file, reason=exc.strerror or exc), file=sys.stderr)
        return EXIT_UNREADABLE
    if data is None:
        for problem in log.finish():
            print(problem.render(args.lang), file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        result = store.publish(data, _acting_editor(store, args.user), args.comment.strip())
    except StoreError as exc:
        _store_error(exc, args.lang)
        return EXIT_UNREADABLE
    for problem in result.validation.problems:
        print(problem.render(args.lang), file=sys.stderr if problem.severity == "error" else sys.stdout)
    if result.version is None:
        print(t("cli.rejected", args.lang, errors=len(result.validation.errors)), file=sys.stderr)
        return EXIT_UNREADABLE if result.validation.unreadable else EXIT_INVALID
    version = result.version
    print(t("cli.published", args.lang, number=version.number, satker=version.satker, year=version.year))
    return EXIT_VALID


def cmd_store(args: argparse.Namespace) -> int:
    """`store check`: exit 0 when nothing is wrong, 1 when something is, 2 when the store cannot be read.
    `store repair`: what was put right (then what `check` still finds)."""
    from rbdash.store import integrity

    root = settings().data_dir
    try:
        if args.action == "repair":
            done = integrity.repair(root)
            for item in done:
                print(t(item.key, args.lang, **item.params))
            print(
                t("cli.store_repaired", args.lang, count=len(done))
                if done
                else t("cli.store_nothing_to_repair", args.lang)
            )
        findings = integrity.check(root)
    except StoreError as exc:
        _store_error(exc, args.lang)
        return EXIT_UNREADABLE
    if any(f.key == "check.no_database" for f in findings):
        print(t("check.no_database", args.lang, path=root / "rbdash.sqlite3"), file=sys.stderr)
        return EXIT_UNREADABLE
    for finding in findings:
        stream = sys.stdout if finding.severity == "note" else sys.stderr
        print(f"[{finding.severity}] {t(finding.key, args.lang, **finding.params)}", file=stream)
    counted = [f for f in findings if f.severity != "note"]
    if not counted:
        print(t("cli.store_ok", args.lang, path=root))
        return EXIT_VALID
    errors = sum(f.severity == "error" for f in counted)
    print(t("cli.store_findings", args.lang, path=root, errors=errors, repairable=len(counted) - errors))
    return EXIT_INVALID


def cmd_history(args: argparse.Namespace) -> int:
    store = _store(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    versions = store.history()
    if not versions:
        print(t("cli.no_versions", args.lang))
    for v in versions:
        restored = f" (<- {v.restored_from})" if v.restored_from else ""
        when = fmt.timestamp(v.created_at, args.lang)
        print(f"{v.number}\t{when}\t{v.satker}\t{v.year}\t{v.user}\t{v.sha256[:12]}\t{v.comment}{restored}")
    return EXIT_VALID


def cmd_restore(args: argparse.Namespace) -> int:
    store = _store(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        user = _acting_editor(store, args.user)
        version = store.restore(
            args.number, user, t("store.restore_comment", args.lang, number=args.number), args.satker, args.year
        )
    except StoreError as exc:
        _store_error(exc, args.lang)
        return EXIT_INVALID
    print(t("cli.restored", args.lang, old=args.number, number=version.number))
    return EXIT_VALID


def cmd_users(args: argparse.Namespace) -> int:
    store = _store(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        if args.action == "list":
            users = store.users()
            if not users:
                print(t("cli.no_users", args.lang))
            for name, role in users:
                print(f"{name}\t{role}")
        else:
            name = checked_user_name(args.name or "")  # a name is required: none would be "None"
            if args.action == "add":
                role = args.role or "viewer"
                store.add_user(name, role, _password(args))
                print(t("cli.user_added", args.lang, name=name, role=role))
            elif args.action == "role":
                if args.role is None:
                    print(t("cli.role_required", args.lang, roles=", ".join(ROLES)), file=sys.stderr)
                    return EXIT_INVALID
                previous = store.set_role(name, args.role)
                print(t("cli.role_changed", args.lang, name=name, previous=previous, role=args.role))
            elif args.action == "remove":
                store.remove_user(name)
                print(t("cli.user_removed", args.lang, name=name))
            else:
                store.set_password(name, _password(args))
                print(t("cli.password_changed", args.lang, name=name))
    except StoreError as exc:
        _store_error(exc, args.lang)
        return EXIT_INVALID
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


def cmd_report(args: argparse.Namespace) -> int:
    from rbdash.exports.deck import build_deck

    if not args.pdf and not args.pptx:
        print(t("cli.report_needs_output", args.lang), file=sys.stderr)
        return EXIT_INVALID
    if args.file:
        result = _load(args.file, args.lang)
        label = Path(args.file).name
    else:
        store = _store(args.lang)
        if store is None:
            return EXIT_UNREADABLE
        try:
            version = store.current()
            if version is None:
                print(t("cli.no_versions", args.lang), file=sys.stderr)
                return EXIT_UNREADABLE
            result = load_workbook(store.read(version))
        except StoreError as exc:
            _store_error(exc, args.lang)
            return EXIT_UNREADABLE
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
    try:
        month = _as_of(args.as_of, result.plan)
    except ValueError:
        print(t("cli.bad_as_of", args.lang, value=args.as_of, year=result.plan.info.get("year")), file=sys.stderr)
        return EXIT_INVALID
    from rbdash.exports.report import build_pdf

    outputs = [(args.pdf, build_pdf), (args.pptx, build_deck)]
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

    p = sub.add_parser("template", parents=[lang], help="write a blank workbook with the 2022 plan rows")
    p.add_argument("out")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("publish", parents=[lang], help="validate a workbook and publish it as the new version")
    p.add_argument("file")
    p.add_argument("--comment", required=True)
    p.add_argument("--user", required=True)
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("store", parents=[lang], help="check the data directory, or repair what can be repaired")
    p.add_argument("action", choices=["check", "repair"])
    p.set_defaults(func=cmd_store)

    p = sub.add_parser("history", parents=[lang], help="published versions, newest first")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restore", parents=[lang], help="publish an old version again as a new version")
    p.add_argument("number", type=int)
    p.add_argument("--user", required=True)
    p.add_argument("--satker", help="the office of version N, when several have one (history shows it)")
    p.add_argument("--year", type=int, help="the year of version N, when several have one")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("users", parents=[lang], help="manage users: add, remove, list, passwd, role")
    p.add_argument("action", choices=["add", "remove", "list", "passwd", "role"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=ROLES, help="the role of a new user (default viewer), or a user's new role")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser(
        "report",
        parents=[lang],
        help="write the PDF report and/or the PowerPoint deck of a workbook or of the store's current version",
    )
    p.add_argument("file", nargs="?", help="workbook; without it, the current version in the store")
    p.add_argument("--pdf", help="output .pdf (A4 landscape report)")
    p.add_argument("--pptx", help="output .pptx (16:9 deck)")
    p.add_argument("--as-of", help="YYYY-MM (default: the workbook's posisi data per)")
    p.set_defaults(func=cmd_report)

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
