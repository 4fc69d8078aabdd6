"""`python -m rbdash diff OLD NEW [--json]`: what NEW changes against OLD, as the upload page shows it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from rbdash.analysis.diff import Change, Comparison, compare
from rbdash.cli.reading import load_named
from rbdash.cli.store import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID
from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.present.changes import changes_table, counts_text, missing_sheet_text, sheet_name


def _read(path: str, lang: str) -> LoadResult | None:
    """The workbook at `path`; None (said, with its problems) when it cannot be read at all."""
    result = load_named(path, lang)
    if result is not None and result.plan is None:
        for problem in result.problems:
            print(f"{path}: {problem.render(lang)}", file=sys.stderr)
        return None
    return result


def _plain(value: Any) -> Any:
    """A model value as JSON: dates as ISO text, tuples as lists, row dicts field by field."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    return value


def _change_record(change: Change) -> dict[str, Any]:
    return {
        "sheet": sheet_name(change.sheet),
        "kind": change.kind,
        "key": _plain(change.key),
        "field": change.field,
        "before": _plain(change.before),
        "after": _plain(change.after),
    }


def comparison_record(comparison: Comparison) -> dict[str, Any]:
    """Per-sheet counts ({"Realisasi": {"added": 0, "changed": 2, "removed": 45}}), missing sheets, every change."""
    return {
        "counts": {sheet_name(sheet): counts for sheet, counts in comparison.counts().items()},
        "missing_sheets": [
            {"sheet": m.name, "rows": m.rows, "found": list(m.found), "closest": m.closest}
            for m in comparison.missing_sheets
        ],
        "changes": [_change_record(change) for change in comparison.changes],
    }


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 when the two hold the same content, 1 when they differ, 2 when either cannot be read."""
    old, new = _read(args.old, args.lang), _read(args.new, args.lang)
    if old is None or new is None or old.plan is None or new.plan is None:
        return EXIT_UNREADABLE
    for path, result in ((args.old, old), (args.new, new)):
        if result.errors:  # compared as read (the first of repeated rows), but it could not be published
            print(t("cli.diff_has_errors", args.lang, path=path, errors=len(result.errors)), file=sys.stderr)
    comparison = compare(old.plan, new.plan)
    if args.json:
        print(json.dumps(comparison_record(comparison), ensure_ascii=False, indent=2))
        return EXIT_VALID if comparison.empty else EXIT_INVALID
    if comparison.empty:
        print(t("cli.diff_same", args.lang))
        return EXIT_VALID
    for missing in comparison.missing_sheets:
        print(missing_sheet_text(missing, args.lang))
    for line in counts_text(comparison, args.lang):
        print(line)
    table = changes_table(comparison, args.lang)
    print()
    print(table.to_string(index=False, max_colwidth=80))
    return EXIT_INVALID
