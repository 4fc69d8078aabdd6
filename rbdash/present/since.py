"""What changed since a reference version (`analysis.since.Since`) in words, for Ringkasan, the report's
since-page and the deck's since-slide: the key figures then and now with their changes, one summary line per
kind of change, and the full lists as table rows."""

from __future__ import annotations

from dataclasses import dataclass

from rbdash.analysis import metrics
from rbdash.analysis.since import Since
from rbdash.messages import t
from rbdash.model import ActionPlan
from rbdash.present import formatting as fmt

#: How a figure's rise reads: "normal" (a rise is good), "inverse" (a fall is good), "off" (neither).
Better = str


@dataclass(frozen=True)
class Change:
    """One key figure's change: its text ("+2,5 poin", "±0") and how to colour it (`Better`)."""

    text: str
    better: Better
    unchanged: bool


@dataclass(frozen=True)
class Reference:
    """The version compared with: its number and when it was published (ISO, UTC)."""

    number: int
    created_at: str

    def heading(self, lang: str) -> str:
        """ "Perubahan sejak versi 3 (05-09-2022 10:00 WIB)"."""
        return t("since.heading", lang, number=self.number, when=fmt.timestamp(self.created_at, lang))


def _signed(value: float, text: str) -> str:
    return f"{'+' if value >= 0 else '−'}{text}"


def _change(value: float, text: str, better: Better) -> Change:
    if value == 0:
        return Change("±" + text.lstrip("+−-"), "off", True)
    return Change(text, better, False)


def share_change(after: float | None, before: float | None, lang: str) -> Change | None:
    """A share's change in percentage points ("+2,5 poin"); None when either has none."""
    if after is None or before is None:
        return None
    points = round((after - before) * 100, 1)
    value = _signed(points, fmt.number(abs(points), lang, 1))
    return _change(points, t("since.points", lang, value=value), "normal")


def count_change(after: int, before: int, lang: str, better: Better = "off") -> Change:
    """A count's change ("+2"), good when it moves the `better` way."""
    change = after - before
    return _change(change, _signed(change, fmt.number(abs(change), lang)), better)


def ikm_change(change: float | None, lang: str) -> Change | None:
    """The latest IKM's change in points ("+1,25"); None without an IKM in both versions."""
    if change is None:
        return None
    return _change(change, _signed(change, fmt.number(abs(change), lang, 2)), "normal")


def figure_changes(changes: Since, lang: str) -> dict[str, Change | None]:
    """Each key figure's change, by the catalogue key of its name (the overview's cards, in their order)."""
    now, then = changes.figures_after, changes.figures_before
    return {
        "overview.rows": count_change(now.plan_rows, then.plan_rows, lang),
        "overview.done": share_change(now.done_share, then.done_share, lang),
        "overview.indicators": share_change(now.indicator_completion, then.indicator_completion, lang),
        # fewer rows overdue is better
        "overview.overdue": count_change(len(now.overdue_rows), len(then.overdue_rows), lang, "inverse"),
        "overview.due_next": count_change(len(now.due_next_month), len(then.due_next_month), lang),
        "overview.ikm": ikm_change(changes.ikm_change, lang),
    }


def figure_values(figures: metrics.Overview, lang: str) -> dict[str, str]:
    """The key figures as the overview's cards show them, by the catalogue key of their names."""
    ikm = figures.latest_ikm
    return {
        "overview.rows": fmt.number(figures.plan_rows, lang),
        "overview.done": fmt.percent(figures.done_share, lang, 1),
        "overview.indicators": fmt.percent(figures.indicator_completion, lang, 1),
        "overview.overdue": fmt.number(len(figures.overdue_rows), lang),
        "overview.due_next": fmt.number(len(figures.due_next_month), lang),
        "overview.ikm": f"{fmt.number(ikm['ikm_converted'], lang, 2)} ({ikm['mutu']})" if ikm else "–",
    }


def figure_rows(changes: Since, reference: Reference, lang: str, office_wide: bool = False) -> list[list[str]]:
    """The key figures as a table: a header, then the figure, its value in the reference (at the month it was
    read at), now, and the change. `office_wide`: a filter narrows the rows, and the IKM row says it is the
    whole office's (the survey is not a programme's)."""
    then_head = t("since.then", lang, number=reference.number, month=fmt.month_short(changes.before_month, lang))
    now_head = t("since.now", lang, month=fmt.month_short(changes.after_month, lang))
    rows = [[t("report.figure", lang), then_head, now_head, t("since.change", lang)]]
    then, now = figure_values(changes.figures_before, lang), figure_values(changes.figures_after, lang)
    for key, change in figure_changes(changes, lang).items():
        rows.append([t(key, lang), then[key], now[key], change.text if change else "–"])
    if office_wide:
        rows[-1][0] = f"{rows[-1][0]} ({t('filter.office_wide', lang)})"
    return rows


def summary_lines(changes: Since, lang: str, shown: int = 10) -> list[str]:
    """One line per kind of change ("Baru selesai: 3 (RA-01 Jan, …)"), naming at most `shown` rows each."""
    month = {number: fmt.month_short(number, lang) for number in range(1, 13)}

    def named(pairs: list[tuple[str, int]]) -> str:
        return fmt.short_list([f"{code} {month[mo]}" for code, mo in pairs], lang, shown=shown, limit=40)

    lines = []
    if changes.added:
        rows = fmt.short_list([code for code, _ in changes.added], lang, shown=shown)
        lines.append(t("since.added", lang, count=len(changes.added), rows=rows))
    if changes.removed:
        rows = fmt.short_list([code for code, _ in changes.removed], lang, shown=shown)
        lines.append(t("since.removed", lang, count=len(changes.removed), rows=rows))
    if changes.newly_done:
        lines.append(t("since.newly_done", lang, count=len(changes.newly_done), rows=named(changes.newly_done)))
    if changes.newly_late:
        lines.append(t("since.newly_late", lang, count=len(changes.newly_late), rows=named(changes.newly_late)))
    if changes.no_longer_done:
        lines.append(
            t("since.no_longer_done", lang, count=len(changes.no_longer_done), rows=named(changes.no_longer_done))
        )
    if changes.rescheduled:
        rows = fmt.short_list([code for code, _, _ in changes.rescheduled], lang, shown=shown)
        lines.append(t("since.rescheduled", lang, count=len(changes.rescheduled), rows=rows))
    if changes.indicator_values:
        codes = fmt.short_list(list(dict.fromkeys(code for code, *_ in changes.indicator_values)), lang, shown=shown)
        lines.append(t("since.values", lang, count=len(changes.indicator_values), codes=codes))
    before, after = changes.figures_before.latest_ikm, changes.figures_after.latest_ikm
    if changes.ikm_change and before and after:
        lines.append(
            t(
                "since.ikm",
                lang,
                before=fmt.number(before["ikm_converted"], lang, 2),
                after=fmt.number(after["ikm_converted"], lang, 2),
            )
        )
    return lines


@dataclass(frozen=True)
class ChangeTable:
    """One kind of change as a table: its kind ("codes": code, sub-activity; "rows": code, sub-activity, month;
    "rescheduled": code,
    sub-activity, months then and now; "values": indicator code, month, value then and now), its heading (with
    the count) and its rows, the header first."""

    kind: str
    heading: str
    rows: list[list[str]]


def change_tables(changes: Since, model: ActionPlan, lang: str) -> list[ChangeTable]:
    """Every change, listed whole, one table per kind that has any: rows added and removed (code,
    sub-activity), rows newly done and newly late (code,
    sub-activity, month), rows rescheduled (months then and now), indicator values changed (then and now).
    `model` is the version shown (its sub-activity texts)."""
    sub = dict(zip(model.plan["code"], model.plan["sub_activity"], strict=True))

    def text(code: str) -> str:
        return fmt.copy_text(sub.get(code), lang)

    def months(found: list[int]) -> str:
        return ", ".join(fmt.month_short(month, lang) for month in found) or "–"

    code, sub_head, month = t("col.code", lang), t("col.sub_activity", lang), t("col.month", lang)
    tables = []
    for key, named in (("since.list_added", changes.added), ("since.list_removed", changes.removed)):
        if named:  # a removed row's text is the reference's
            listed = [[c, fmt.copy_text(found, lang)] for c, found in named]
            tables.append(ChangeTable("codes", t(key, lang, count=len(listed)), [[code, sub_head], *listed]))
    for key, pairs in (
        ("since.list_done", changes.newly_done),
        ("since.list_late", changes.newly_late),
        ("since.list_undone", changes.no_longer_done),
    ):
        if pairs:
            rows = [[c, text(c), fmt.month_long(m, lang)] for c, m in pairs]
            tables.append(ChangeTable("rows", t(key, lang, count=len(pairs)), [[code, sub_head, month], *rows]))
    if changes.rescheduled:
        head = [code, sub_head, t("since.months_then", lang), t("since.months_now", lang)]
        rows = [[c, text(c), months(then), months(now)] for c, then, now in changes.rescheduled]
        tables.append(ChangeTable("rescheduled", t("since.list_rescheduled", lang, count=len(rows)), [head, *rows]))
    if changes.indicator_values:
        head = [t("col.code", lang), month, t("since.value_then", lang), t("since.value_now", lang)]
        rows = [
            [c, fmt.month_long(m, lang), fmt.number(old, lang, 2), fmt.number(new, lang, 2)]
            for c, m, old, new in changes.indicator_values
        ]
        tables.append(ChangeTable("values", t("since.list_values", lang, count=len(rows)), [head, *rows]))
    return tables
