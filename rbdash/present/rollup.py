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
            t("rollup.col.done", lang): t(
                "rollup.done_cell",
                lang,
                done=fmt.number(record["done_to_date"], lang),
                scheduled=fmt.number(record["scheduled_to_date"], lang),
                share=fmt.percent(record["done_share"], lang, 1),
            ),
            t("overview.overdue", lang): fmt.number(record["rows_not_done"], lang),
            t("rollup.col.indicators", lang): t(
                "rollup.indicators_cell",
                lang,
                achieved=fmt.number(record["indicators_achieved"], lang),
                total=fmt.number(record["indicators_with_target"], lang),
                share=fmt.percent(record["indicator_share"], lang, 1),
            ),
            t("rollup.col.ikm", lang): ikm_text,
            t("rollup.col.examples", lang): t("rollup.example_yes", lang) if record["examples"] else "",
        }
        rows.append(row)
    return pd.DataFrame(rows)
