"""The roll-up's records from the store: each office-year's current version and its key figures.

The figures are the version summary's (`analysis.rollup.plan_figures`, computed at publishing); a version
published before they existed has them computed once from its file and written into its summary.
"""

from __future__ import annotations

import logging
from typing import Any

from rbdash.analysis.rollup import FIGURES_KEY, needs_figures
from rbdash.offices import same_office
from rbdash.store.base import StoreError, Version, VersionStore, version_summary
from rbdash.workbook.loader import load_workbook

_LOG = logging.getLogger(__name__)


def current_figures(
    store: VersionStore, year: int | None = None, satker: str | None = None
) -> list[tuple[Version, dict[str, Any]]]:
    """(current version, its figures) of each office-year, of `year` and `satker` when given; a version whose
    figures cannot be computed (its file missing or damaged) is left out, and logged."""
    found = []
    for version in store.current_versions():
        if (year is not None and version.year != year) or (
            satker is not None and not same_office(version.satker, satker)
        ):
            continue
        summary = version.summary
        if needs_figures(summary):
            try:
                summary = {**summary, **version_summary(load_workbook(store.read(version)))}
            except StoreError as exc:
                _LOG.warning(
                    "version %s of %s %s left out of the roll-up: %s",
                    version.number,
                    version.satker,
                    version.year,
                    exc.key,
                )
                continue
            if needs_figures(summary):  # the file no longer loads as a plan
                continue
            if store.read_only is None:
                store.update_summary(version, summary)
        found.append((version, summary[FIGURES_KEY]))
    return found
