"""Tables the app shows, built from the model as plain DataFrames (no Streamlit here)."""

from __future__ import annotations

import pandas as pd

from rbdash.analysis import metrics
from rbdash.analysis.metrics import indicator_items
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt


def example_sheet_names(model: ActionPlan) -> list[str]:
    """Names of the workbook sheets that hold example (CONTOH) values."""
    sheets = model.info.get("sheets", {})
    names = []
    for key, flag in model.info.get("examples", {}).items():
        if not flag:
            continue
        if key == "survey":
            sources = set(model.survey["source"]) if "source" in model.survey else set()
            found = [sheets[k] for k in ("survey_responses", "survey_nrr") if sheets.get(k) in sources]
            names.extend(found)
            continue
        if key in sheets:  # a flagged sheet that was removed holds no example values any more
            names.append(sheets[key])
    return names


def _shown(value: object, missing: bool, lang: str) -> str:
    if missing:
        return fmt.missing_in_copy(lang)
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def _follow_up(model: ActionPlan, as_of_month: int, lang: str) -> dict[str, dict[str, str]]:
    """Per plan code, its last Realisasi record up to the as-of month as the table's four cells."""
    status = metrics.month_status(model, as_of_month)
    derived = dict(zip(zip(status["code"], status["month"], strict=True), status["status"], strict=True))
    recorded = {"selesai": metrics.DONE, "sebagian": metrics.PARTIAL, "batal": metrics.CANCELLED}
    cells: dict[str, dict[str, str]] = {}
    for code, row in metrics.latest_realisation(model, as_of_month).iterrows():
        # A scheduled month's status as every page counts it (late, not done...); else as recorded.
        state = derived.get((code, int(row["month"]))) or recorded.get(row["status"])
        cells[str(code)] = {
            t("col.latest", lang): f"{fmt.month_short(int(row['month']), lang)}: {t(f'status.{state}', lang)}"
            if state
            else fmt.month_short(int(row["month"]), lang),
            t("col.progress", lang): fmt.progress(row["progress"], lang),
            t("col.note", lang): "" if _blank(row["note"]) else str(row["note"]),
            t("col.evidence", lang): "" if _blank(row["evidence"]) else str(row["evidence"]),
        }
    return cells


def plan_table(model: ActionPlan, lang: str, as_of_month: int | None = None) -> pd.DataFrame:
    """One row per plan row: code, hierarchy, texts and scheduled months, with translated headers; with
    `as_of_month`, also its last realisation up to that month (month and status, progress, note, evidence)."""
    items = indicator_items(model)
    named = bool(metrics.responsible_keys(model))  # the column only when some row names one
    follow_up = _follow_up(model, as_of_month, lang) if as_of_month is not None else None
    follow_columns = [t(f"col.{name}", lang) for name in ("latest", "progress", "note", "evidence")]
    rows = []
    for row in model.plan.itertuples(index=False):
        missing = set(row.missing_in_copy)
        indicators = items.get(row.code) or []
        rows.append(
            {
                t("col.code", lang): row.code,
                **({t("col.responsible", lang): _shown(row.responsible, False, lang)} if named else {}),
                t("col.program", lang): _shown(row.program, "program" in missing, lang),
                t("col.activity", lang): _shown(row.activity, "activity" in missing, lang),
                t("col.sub_activity", lang): _shown(row.sub_activity, "sub_activity" in missing, lang),
                t("col.indicators_text", lang): "\n".join(indicators)
                if indicators
                else _shown(None, "indicators_text" in missing, lang),
                t("col.months", lang): ", ".join(fmt.month_short(m, lang) for m in row.months),
            }
        )
        if follow_up is not None:
            rows[-1].update(follow_up.get(row.code) or dict.fromkeys(follow_columns, ""))
    return pd.DataFrame(rows)


def plan_rows_table(model: ActionPlan, codes: list[str], lang: str, as_of_month: int | None = None) -> pd.DataFrame:
    """The plan table limited to `codes`, in plan order (with the last realisation, given `as_of_month`);
    grouped by PENANGGUNG JAWAB when rows name one (in the order they first appear, rows naming none last)."""
    table = plan_table(model, lang, as_of_month)
    table = table[table[t("col.code", lang)].isin(codes)]
    responsible = t("col.responsible", lang)
    if responsible in table:
        order = {key: rank for rank, key in enumerate(metrics.responsible_keys(model))}
        rank = table[responsible].map(lambda name: order.get(name, len(order)))
        table = table.iloc[rank.argsort(kind="stable")]
    return table.reset_index(drop=True)


#: Jadwal's table begins with what a reader follows a row by (its Gantt already groups by programme and activity).
SCHEDULE_FIRST_COLUMNS = ("code", "sub_activity", "months", "latest", "progress", "note", "evidence")


def schedule_table(model: ActionPlan, codes: list[str], lang: str, as_of_month: int) -> pd.DataFrame:
    """Jadwal's table: the plan rows `codes` in plan order (as its Gantt), with their last realisation,
    those columns first."""
    table = plan_table(model, lang, as_of_month)
    table = table[table[t("col.code", lang)].isin(codes)].reset_index(drop=True)
    first = [t(f"col.{name}", lang) for name in SCHEDULE_FIRST_COLUMNS]
    if t("col.responsible", lang) in table:
        first.insert(1, t("col.responsible", lang))
    return table[first + [column for column in table.columns if column not in first]]


def row_detail_table(model: ActionPlan, code: str, as_of_month: int, lang: str) -> pd.DataFrame:
    """One plan row month by month (`metrics.row_months`): month, status, progress, note, evidence; a month
    recorded but not scheduled says so."""
    rows = []
    for row in metrics.row_months(model, code, as_of_month).itertuples(index=False):
        state = t(f"status.{row.status}", lang) if isinstance(row.status, str) else ""
        rows.append(
            {
                t("col.month", lang): fmt.month_long(int(row.month), lang),
                t("col.status", lang): state if row.scheduled else t("detail.unscheduled", lang, status=state),
                t("col.progress", lang): fmt.progress(row.progress, lang),
                t("col.note", lang): "" if _blank(row.note) else str(row.note),
                t("col.evidence", lang): "" if _blank(row.evidence) else str(row.evidence),
            }
        )
    columns = [t(f"col.{name}", lang) for name in ("month", "status", "progress", "note", "evidence")]
    return pd.DataFrame(rows, columns=columns)


QUARTER_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarter_cell(done: int, due: int, planned: int, lang: str) -> str:
    """One quarter of one group: "8/10 · 80%" (done of the row-months due), "rencana 6" (none due yet:
    the quarter is after the as-of month), "–" (nothing scheduled)."""
    if due:
        return f"{done}/{due} · {fmt.percent(done / due, lang)}"
    return t("quarter.planned_only", lang, planned=planned) if planned else "–"


def quarter_table(model: ActionPlan, as_of_month: int, lang: str) -> pd.DataFrame:
    """Plan against realisation per triwulan (`metrics.quarter_progress`): a row per programme, its kegiatan
    under it; a column per quarter and one to date."""
    progress = metrics.quarter_progress(model, as_of_month)
    program_spans, activity_spans = metrics.code_spans(model, "program"), metrics.activity_spans(model)
    to_date = t("quarter.to_date", lang, month=fmt.month_short(as_of_month, lang))
    rows = []
    for row in progress.to_dict("records"):
        if row["level"] == "program":
            name = fmt.group_label(row["program"], lang, program_spans.get(row["program"]))
        else:
            name = "· " + fmt.group_label(row["activity"], lang, activity_spans.get((row["program"], row["activity"])))
        record = {t("quarter.group", lang): name}
        for quarter, numeral in QUARTER_NUMERALS.items():
            record[t("quarter.column", lang, quarter=numeral)] = quarter_cell(
                row[f"done_{quarter}"], row[f"due_{quarter}"], row[f"planned_{quarter}"], lang
            )
        record[to_date] = quarter_cell(row["done"], row["due"], 0, lang)
        rows.append(record)
    return pd.DataFrame(rows)
