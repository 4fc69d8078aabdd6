"""The Rekap tables: the roll-up (`analysis.rollup.rollup_frame`) with translated headers and figures written
as Ringkasan writes them (83,0% · 6 / 21 · 86,20 (B))."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from rbdash.messages import t
from rbdash.present import formatting as fmt


def _as_of(value: object, month: object, year: int, lang: str) -> str:
    if isinstance(value, str):
        try:
            return fmt.date(dt.date.fromisoformat(value), lang)
        except ValueError:
            pass
    return fmt.month_year(year, int(month), lang) if isinstance(month, int) else "–"


def _part_of_whole(part: int, whole: int, share: float | None, lang: str) -> str:
    """'39 / 47 (83,0%)'."""
    return t(
        "rollup.part_of_whole",
        lang,
        part=fmt.number(part, lang),
        whole=fmt.number(whole, lang),
        share=fmt.percent(share, lang, 1),
    )


def rollup_table(frame: pd.DataFrame, lang: str, with_year: bool = False) -> pd.DataFrame:
    """One row per office (and year, `with_year`) in `frame`'s order: version, posisi data, rows, scheduled and
    done row-months with the share done, rows not done, indicators achieved of those with a target, the
    latest IKM (converted) with its band, and whether the version holds example (CONTOH) data."""
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {t("col.satker", lang): record["satker"]}
        if with_year:
            row[t("col.year", lang)] = record["year"]
        ikm = record["ikm_converted"]
        ikm_text = (
            "–" if ikm is None or pd.isna(ikm) else f"{fmt.number(float(ikm), lang, 2)} ({record['mutu'] or '-'})"
        )
        row |= {
            t("col.number", lang): record["version"],
            t("col.as_of", lang): _as_of(record["as_of"], record["as_of_month"], int(record["year"]), lang),
            t("col.rows", lang): fmt.number(record["rows"], lang),
            t("rollup.col.done", lang): _part_of_whole(
                record["done_to_date"], record["scheduled_to_date"], record["done_share"], lang
            ),
            t("overview.overdue", lang): fmt.number(record["rows_not_done"], lang),
            t("rollup.col.indicators", lang): _part_of_whole(
                record["indicators_achieved"], record["indicators_with_target"], record["indicator_share"], lang
            ),
            t("rollup.col.ikm", lang): ikm_text,
            t("rollup.col.examples", lang): t("rollup.example_yes", lang) if record["examples"] else "",
        }
        rows.append(row)
    return pd.DataFrame(rows)
