"""Commands on the store: `publish`, `migrate`, `store check|repair|copy`, `history`, `restore`, `users`; --satker
and --year."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from rbdash.analysis.diff import compare
from rbdash.config import ROLES, role_at_least, settings
from rbdash.messages import t
from rbdash.offices import closest_office, listed, matching_office, same_office
from rbdash.present import formatting as fmt
from rbdash.present.changes import counts_text
from rbdash.present.text import literal
from rbdash.problems import ProblemLog
from rbdash.store import StoreError, Version, VersionStore, checked_user_name, open_store
from rbdash.workbook.limits import DEFAULT_LIMITS
from rbdash.workbook.loader import read_workbook_file
from rbdash.workbook.schema import PLAN_YEARS

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


#: Refusals of what the file holds (exit 1, as a file with errors), not of the store's state (exit 2).
CONTENT_REFUSALS = ("store.removals_unconfirmed", "store.sheet_missing", "store.sheet_missing_close")


def say_store_error(exc: StoreError, lang: str) -> None:
    print(t(exc.key, lang, **exc.params), file=sys.stderr)


def said_unchanged(exc: StoreError, lang: str) -> bool:
    """The same content as the current version: said on standard output, and not a failure (a script
    that publishes or restores monthly has nothing to do)."""
    if exc.key != "store.unchanged":
        return False
    print(t(exc.key, lang, **exc.params))
    return True


def store_or_say(lang: str) -> VersionStore | None:
    try:
        return open_store()
    except StoreError as exc:
        say_store_error(exc, lang)
        return None


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input, or typed twice at the terminal (a typo is caught)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(t("cli.password_prompt", args.lang))
    if getpass.getpass(t("cli.password_again", args.lang)) != first:
        raise StoreError("cli.password_mismatch")
    return first


def _acting_editor(store: VersionStore, user: str) -> tuple[str, str]:
    """`user` (trimmed) and the office they may publish for, when it names an existing editor or admin;
    `StoreError` otherwise.

    Seen by the attacker review: the command line published as "nobody-not-a-user" and restored as "".
    """
    name = user.strip()
    scope = store.scope_of(name) if name else None
    if not name or scope is None or not role_at_least(store.role_of(name), "editor"):
        raise StoreError("cli.not_an_editor", name=name)
    return name, scope


#: Refusals of what was typed on the command line (exit 1), not of the store's state (exit 2).
ARGUMENT_REFUSALS = ("cli.unknown_satker", "cli.unknown_satker_close", "cli.bad_year")


def chosen_plan(store: VersionStore, satker: str | None, year: int | None, lang: str = "id") -> tuple[str, int | None]:
    """The office and year of --satker and --year: the known office named (its known spelling; the home office
    when unset) and the year given, else that office's latest year with a version (None when it has none).
    `StoreError` for an office the store does not know (the closest known one named) or a year no plan can have
    (`ARGUMENT_REFUSALS`)."""
    known = store.offices()
    office = settings().home_office if satker is None else matching_office(satker, known)
    if office is None:
        closest = closest_office(str(satker), known)
        key = "cli.unknown_satker_close" if closest else "cli.unknown_satker"
        raise StoreError(key, satker=satker, closest=closest or "", offices=listed(known))
    if year is not None and year not in PLAN_YEARS:
        raise StoreError("cli.bad_year", year=year, first=PLAN_YEARS[0], last=PLAN_YEARS[-1])
    if year is None:
        years = [held for name, held in store.plans() if same_office(name, office)]
        year = max(years) if years else None
    return office, year


def chosen_filter(
    store: VersionStore, satker: str | None, year: int | None, lang: str = "id"
) -> tuple[str | None, int | None]:
    """--satker and --year as filters (None: any): the known office named and the year, refused as
    `chosen_plan` refuses them."""
    if year is not None and year not in PLAN_YEARS:
        raise StoreError("cli.bad_year", year=year, first=PLAN_YEARS[0], last=PLAN_YEARS[-1])
    return (chosen_plan(store, satker, year, lang)[0] if satker is not None else None), year


def refusal_exit(exc: StoreError, lang: str) -> int:
    """Say `exc`; exit 1 when it refuses what was typed (`ARGUMENT_REFUSALS`), 2 when the store failed."""
    say_store_error(exc, lang)
    return EXIT_INVALID if exc.key in ARGUMENT_REFUSALS else EXIT_UNREADABLE


def cmd_publish(args: argparse.Namespace) -> int:
    store = store_or_say(args.lang)
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
        user, scope = _acting_editor(store, args.user)
        result = store.publish(data, user, args.comment.strip(), allow_removals=args.allow_removals, scope=scope)
    except StoreError as exc:
        if said_unchanged(exc, args.lang):
            return EXIT_VALID
        say_store_error(exc, args.lang)
        return EXIT_INVALID if exc.key in CONTENT_REFUSALS else EXIT_UNREADABLE
    for problem in result.validation.problems:
        print(problem.render(args.lang), file=sys.stderr if problem.severity == "error" else sys.stdout)
    if result.version is None:
        print(t("cli.rejected", args.lang, errors=len(result.validation.errors)), file=sys.stderr)
        return EXIT_UNREADABLE if result.validation.unreadable else EXIT_INVALID
    version = result.version
    print(t("cli.published", args.lang, number=version.number, satker=version.satker, year=version.year))
    return EXIT_VALID


def cmd_migrate(args: argparse.Namespace) -> int:
    """`migrate`: bring the configured store's schema up to date (servers also do it at start-up)."""
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    applied = ", ".join(str(number) for number in store.migrations_applied)
    key = "cli.migrated" if applied else "cli.migrate_current"
    print(t(key, args.lang, location=store.location, version=store.schema_version(), applied=applied))
    return EXIT_VALID


def cmd_store_copy(args: argparse.Namespace) -> int:
    """`store copy --from A --to B`: exit 0 when copied, 1 when refused (target not empty, rows to repair first),
    2 when either store cannot be opened."""
    from rbdash.store.copy import copy_store, require_content, store_at

    if not args.source or not args.target:
        print(t("cli.copy_needs_both", args.lang), file=sys.stderr)
        return EXIT_INVALID
    try:
        source = store_at(args.source, source=True)
        require_content(source)  # before the target is opened: a refused copy makes no store
        target = store_at(args.target)
        copied = copy_store(source, target)
    except StoreError as exc:
        say_store_error(exc, args.lang)
        return EXIT_INVALID if exc.key.startswith("store.copy_") else EXIT_UNREADABLE
    print(
        t(
            "cli.store_copied",
            args.lang,
            source=source.location,
            target=target.location,
            versions=copied.versions,
            files=copied.files,
            users=copied.users,
            audit=copied.audit,
        )
    )
    return EXIT_VALID


def cmd_store(args: argparse.Namespace) -> int:
    """`store check`: exit 0 when nothing is wrong, 1 when something is, 2 when the store cannot be read.
    `store repair`: what was put right (then what `check` still finds). `store copy`: `cmd_store_copy`."""
    from rbdash.store import integrity
    from rbdash.store.postgres import PgStore, redacted

    if args.action == "copy":
        return cmd_store_copy(args)
    if args.source or args.target:
        print(t("cli.copy_options_only", args.lang), file=sys.stderr)
        return EXIT_INVALID
    database = settings().database_url
    root = redacted(database) if database else settings().data_dir
    try:
        store = PgStore(database) if database else None
        if args.action == "repair":
            done = integrity.repair_store(store) if store is not None else integrity.repair(Path(root))
            for item in done:
                print(
                    t(item.key, args.lang, **item.params), file=sys.stderr if item.severity == "error" else sys.stdout
                )
            repaired = sum(item.severity != "error" for item in done)
            print(
                t("cli.store_repaired", args.lang, count=repaired)
                if repaired
                else t("cli.store_nothing_to_repair", args.lang)
            )
        findings = integrity.check_store(store) if store is not None else integrity.check(Path(root))
    except StoreError as exc:
        say_store_error(exc, args.lang)
        return EXIT_UNREADABLE
    if any(f.key == "check.no_database" for f in findings):
        print(t("check.no_database", args.lang, path=Path(root) / "rbdash.sqlite3"), file=sys.stderr)
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
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        versions = store.history(*chosen_filter(store, args.satker, args.year, args.lang))
    except StoreError as exc:
        return refusal_exit(exc, args.lang)
    if not versions:
        print(t("cli.no_versions", args.lang))
    for v in versions:
        restored = f" (<- {v.restored_from})" if v.restored_from else ""
        when = fmt.timestamp(v.created_at, args.lang)
        # One line per version, shown literally (a right-to-left control in a comment reordered the line).
        fields = [str(v.number), when, v.satker, str(v.year), v.user, v.sha256[:12], f"{v.comment}{restored}"]
        print("\t".join(" ".join(literal(field).split()) for field in fields))
    return EXIT_VALID


def cmd_restore(args: argparse.Namespace) -> int:
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        user, scope = _acting_editor(store, args.user)
        old = store.version(args.number, *chosen_filter(store, args.satker, args.year, args.lang))
        previous = store.current(old.satker, old.year)
        comment = t("store.restore_comment", args.lang, number=args.number)
        # Against the version read above, so that the changes said below are those this restore made.
        version = store.restore(
            args.number,
            user,
            comment,
            old.satker,
            old.year,
            scope=scope,
            expected_current=previous.number if previous else 0,
        )
    except StoreError as exc:
        if said_unchanged(exc, args.lang):
            return EXIT_VALID
        if exc.key == "store.changed_since_confirm":  # the command asked for no confirmation: said as what it read
            exc = StoreError("cli.restore_changed", **exc.params)
        say_store_error(exc, args.lang)
        return EXIT_INVALID
    print(t("cli.restored", args.lang, old=args.number, number=version.number))
    _say_what_changed(store, previous, version, args.lang)  # a restore may remove rows: never silently
    return EXIT_VALID


def _say_what_changed(store: VersionStore, before: Version | None, after: Version, lang: str) -> None:
    """The counts per sheet of what `after` changed against `before` (nothing when either cannot be read)."""
    if before is None:
        return
    old, new = store.content(before), store.content(after)  # compared at publishing: kept by the store
    if old is not None and new is not None:
        for line in counts_text(compare(old, new), lang):
            print(line)


def cmd_users(args: argparse.Namespace) -> int:
    store = store_or_say(args.lang)
    if store is None:
        return EXIT_UNREADABLE
    try:
        if args.action == "list":
            users = store.users()
            if not users:
                print(t("cli.no_users", args.lang))
            for name, role in users:
                print(f"{name}\t{role}\t{store.scope_of(name)}")
        else:
            name = checked_user_name(args.name or "")  # a name is required: none would be "None"
            if args.action == "add":
                role = args.role or "viewer"
                store.add_user(name, role, _password(args), scope=args.scope)
                print(t("cli.user_added", args.lang, name=name, role=role, scope=store.scope_of(name)))
            elif args.action == "scope":
                if args.scope is None:
                    print(t("cli.scope_required", args.lang), file=sys.stderr)
                    return EXIT_INVALID
                previous = store.set_scope(name, args.scope)
                print(t("cli.scope_changed", args.lang, name=name, previous=previous, scope=store.scope_of(name)))
            elif args.action == "role":
                if args.role is None:
                    print(t("cli.role_required", args.lang, roles=", ".join(ROLES)), file=sys.stderr)
                    return EXIT_INVALID
                previous = store.set_role(name, args.role)
                scope = store.scope_of(name)  # said: a demoted admin keeps the scope they were given (seen: silent)
                print(t("cli.role_changed", args.lang, name=name, previous=previous, role=args.role, scope=scope))
            elif args.action == "remove":
                store.remove_user(name)
                print(t("cli.user_removed", args.lang, name=name))
            else:
                store.set_password(name, _password(args))
                print(t("cli.password_changed", args.lang, name=name))
    except StoreError as exc:
        say_store_error(exc, args.lang)
        return EXIT_INVALID
    return EXIT_VALID
