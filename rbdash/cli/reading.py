"""A workbook named on the command line: read in the bounded worker, a failure to open it said."""

from __future__ import annotations

import sys

from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.workbook.worker import load_untrusted


def load_named(path: str, lang: str) -> LoadResult | None:
    """The workbook at `path`, read in the bounded worker process; None (said) when it cannot be opened."""
    try:
        return load_untrusted(path)
    except FileNotFoundError:
        print(t("cli.file_not_found", lang, path=path), file=sys.stderr)
    except OSError as exc:  # a folder, no permission, ...
        print(t("cli.cannot_read", lang, path=path, reason=exc.strerror or exc), file=sys.stderr)
    return None
