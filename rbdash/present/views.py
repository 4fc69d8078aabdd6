"""Tables the app shows, built from the model as plain DataFrames (no Streamlit here)."""

from __future__ import annotations

import pandas as pd

from rbdash.analysis import metrics, quarters, selection
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


def status_text(status: str, scheduled: bool, lang: str) -> str:
    """A row-month's status (MONTH_STATUSES) as read; a month recorded but not scheduled says so, its status
    as recorded ("Belum", not "Belum (bulan ini)")."""
    if scheduled:
        return t(f"status.{status}", lang)
    said = t("status.recorded_not_done", lang) if status == metrics.NOT_DONE else t(f"status.{status}", lang)
    return t("detail.unscheduled", lang, status=said)


def _follow_up(model: ActionPlan, as_of_month: int, lang: str) -> pd.DataFrame:
    """Per plan code (the index), its last Realisasi record up to the as-of month as the table's four columns:
    month and status (a scheduled month's status as every page counts it, late included; a month not
    scheduled as recorded, so marked), progress, note, evidence."""
    last = metrics.latest_realisation(model, as_of_month)
    status = metrics.month_status(model, as_of_month)
    derived = status.set_index(["code", "month"])["status"]
    keys = pd.MultiIndex.from_arrays([last.index, last["month"].astype("int64")])
    state = pd.Series(derived.reindex(keys).to_numpy(), index=last.index)
    recorded = last["status"].map(metrics.RECORDED_STATUS).fillna(metrics.NOT_DONE)
    state = state.where(state.notna(), recorded)
    months = {month: fmt.month_short(month, lang) for month in range(1, 13)}
    latest = [
        f"{months[int(month)]}: {status_text(str(key), bool(scheduled), lang)}"
        for month, key, scheduled in zip(last["month"], state, last["scheduled"], strict=True)
    ]
    return pd.DataFrame(
        {
            t("col.latest", lang): latest,
            t("col.progress", lang): [fmt.progress(value, lang) for value in last["progress"]],
            t("col.note", lang): last["note"].where(last["note"].notna(), "").astype(str).to_numpy(),
            t("col.evidence", lang): last["evidence"].where(last["evidence"].notna(), "").astype(str).to_numpy(),
        },
        index=last.index,
    )


def plan_table(
    model: ActionPlan, lang: str, as_of_month: int | None = None, codes: list[str] | None = None
) -> pd.DataFrame:
    """One row per plan row: code, hierarchy, texts and scheduled months, with translated headers; with
    `as_of_month`, also its last realisation up to that month (month and status, progress, note, evidence)."""
    items = indicator_items(model)
    named = bool(selection.responsible_keys(model))  # the column only when some row of the workbook names one
    follow_up = _follow_up(model, as_of_month, lang) if as_of_month is not None else None
    follow_columns = [t(f"col.{name}", lang) for name in ("latest", "progress", "note", "evidence")]
    plan = model.plan if codes is None else model.plan[model.plan["code"].isin(set(codes))]
    rows = []
    for row in plan.itertuples(index=False):
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
    keys = ["code", *(["responsible"] if named else []), "program", "activity", "sub_activity", "indicators_text"]
    table = pd.DataFrame(rows, columns=[t(f"col.{key}", lang) for key in [*keys, "months"]])  # none: no rows
    if follow_up is not None:
        shown = table[t("col.code", lang)]
        for column in follow_columns:
            table[column] = shown.map(follow_up[column]).astype(object).fillna("").to_numpy()
    return table


def plan_rows_table(model: ActionPlan, codes: list[str], lang: str, as_of_month: int | None = None) -> pd.DataFrame:
    """The plan table limited to `codes`, in plan order (with the last realisation, given `as_of_month`);
    grouped by PENANGGUNG JAWAB when rows name one (in the order they first appear, rows naming none last)."""
    table = plan_table(model, lang, as_of_month, codes)
    rank = selection.responsible_rank(model)
    if rank:
        table = table.iloc[table[t("col.code", lang)].map(rank).argsort(kind="stable")]
    return table.reset_index(drop=True)


#: Jadwal's table begins with what a reader follows a row by (its Gantt already groups by programme and activity).
SCHEDULE_FIRST_COLUMNS = ("code", "sub_activity", "months", "latest", "progress", "note", "evidence")


def schedule_table(model: ActionPlan, codes: list[str], lang: str, as_of_month: int) -> pd.DataFrame:
    """Jadwal's table: the plan rows `codes` in plan order (as its Gantt), with their last realisation,
    those columns first."""
    table = plan_table(model, lang, as_of_month, codes)
    first = [t(f"col.{name}", lang) for name in SCHEDULE_FIRST_COLUMNS]
    if t("col.responsible", lang) in table:
        first.insert(1, t("col.responsible", lang))
    return table[first + [column for column in table.columns if column not in first]]


def row_detail_table(model: ActionPlan, code: str, as_of_month: int, lang: str) -> pd.DataFrame:
    """One plan row month by month (`metrics.row_months`): month, status, progress, note, evidence; a month
    recorded but not scheduled says so."""
    rows = []
    for row in metrics.row_months(model, code, as_of_month).itertuples(index=False):
        rows.append(
            {
                t("col.month", lang): fmt.month_long(int(row.month), lang),
                t("col.status", lang): status_text(str(row.status), bool(row.scheduled), lang),
                t("col.progress", lang): fmt.progress(row.progress, lang),
                t("col.note", lang): _shown(row.note, False, lang),
                t("col.evidence", lang): _shown(row.evidence, False, lang),
            }
        )
    columns = [t(f"col.{name}", lang) for name in ("month", "status", "progress", "note", "evidence")]
    return pd.DataFrame(rows, columns=columns)


QUARTER_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}
#: The catalogue's name of each quarter ("TW III", "Q3").
QUARTER_KEYS = {1: "quarter.1", 2: "quarter.2", 3: "quarter.3", 4: "quarter.4"}


def quarter_label(quarter: int, lang: str) -> str:
    """A quarter's column name: "TW III" (Indonesian, as KemenPANRB reports write it), "Q3" (English)."""
    return t(QUARTER_KEYS[quarter], lang)


def quarter_cell(done: int, due: int, planned: int, lang: str) -> str:
    """One quarter of one group: "8/10 · 80%" (done of the row-months due), "rencana 6" (none due yet:
    the quarter is after the as-of month), "–" (nothing scheduled)."""
    if due:
        return f"{done}/{due} · {fmt.percent(done / due, lang)}"
    return t("quarter.planned_only", lang, planned=planned) if planned else "–"


def quarter_heading(model: ActionPlan, quarter: int, as_of_month: int, lang: str) -> str:
    """A quarter report's title: "Triwulan III 2022 (Jul–Sep) dan kumulatif", and "— data sampai Agustus" when
    the as-of month falls inside the quarter (its later months are not due yet)."""
    months = quarters.QUARTERS[quarter]
    title = t(
        "report.quarter_heading",
        lang,
        quarter=QUARTER_NUMERALS[quarter],
        year=model.info.get("year"),
        first=fmt.month_short(months[0], lang),
        last=fmt.month_short(months[-1], lang),
    )
    if as_of_month < months[-1]:
        title += t("report.quarter_partial", lang, month=fmt.month_long(as_of_month, lang))
    return title


def quarter_table(model: ActionPlan, as_of_month: int, lang: str, activities: bool = True) -> pd.DataFrame:
    """Plan against realisation per triwulan (`quarters.quarter_progress`): a row per programme, its kegiatan
    under it (unless `activities` is False); a column per quarter and one to date."""
    progress = quarters.quarter_progress(model, as_of_month)
    if not activities:
        progress = progress[progress["level"] == "program"]
    program_spans, activity_spans = selection.code_spans(model, "program"), selection.activity_spans(model)
    to_date = t("quarter.to_date", lang, month=fmt.month_short(as_of_month, lang))
    rows = []
    for row in progress.to_dict("records"):
        if row["level"] == "program":
            name = fmt.group_label(row["program"], lang, program_spans.get(row["program"]))
        else:
            name = "· " + fmt.group_label(row["activity"], lang, activity_spans.get((row["program"], row["activity"])))
        record = {t("quarter.group", lang): name}
        for quarter in QUARTER_NUMERALS:
            record[quarter_label(quarter, lang)] = quarter_cell(
                row[f"done_{quarter}"], row[f"due_{quarter}"], row[f"planned_{quarter}"], lang
            )
        record[to_date] = quarter_cell(row["done"], row["due"], 0, lang)
        rows.append(record)
    return pd.DataFrame(rows)
