"""Dashboard metrics on the bundled example data (as of September 2022), values worked by hand from
the example realisation in rbdash/annex2022.py, plus synthetic cases for direction and states."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from rbdash.analysis import metrics as m
from rbdash.analysis import selection
from rbdash.model import ActionPlan, LoadResult


@pytest.fixture(scope="module")
def model(bundled: LoadResult) -> ActionPlan:
    return bundled.plan


def test_default_as_of_month_is_the_workbooks(model: ActionPlan) -> None:
    assert m.default_as_of_month(model) == 9


def test_month_status_counts(model: ActionPlan) -> None:
    status = m.month_status(model, 9)
    # 47 scheduled row-months up to September: 39 done, partial RA-02/9 RA-05/8 RA-09/9 RA-11/8,
    # cancelled RA-10/8, late RA-08/5 (before September), not done RA-05/9 and RA-06/9.
    to_date = status[status["month"] <= 9]
    assert to_date["status"].value_counts().to_dict() == {
        "done": 39,
        "partial": 4,
        "not_done": 2,
        "late": 1,
        "cancelled": 1,
    }
    assert (status[status["month"] > 9]["status"] == "planned").all()
    row = status.set_index(["code", "month"])
    assert row.loc[("RA-08", 5), "status"] == "late" and row.loc[("RA-10", 8), "status"] == "cancelled"


def test_status_moves_with_the_as_of_month(model: ActionPlan) -> None:
    status = m.month_status(model, 5).set_index(["code", "month"])
    assert status.loc[("RA-08", 5), "status"] == "not_done"  # the as-of month itself: not yet late
    assert status.loc[("RA-05", 9), "status"] == "planned"


def test_overview(model: ActionPlan) -> None:
    figures = m.overview(model, 9)
    assert (figures.plan_rows, figures.indicators, figures.scheduled_to_date, figures.done_to_date) == (11, 25, 47, 39)
    assert figures.done_share == pytest.approx(39 / 47)
    assert figures.overdue_rows == ["RA-02", "RA-05", "RA-06", "RA-08", "RA-09", "RA-11"]
    assert figures.due_next_month == ["RA-02", "RA-04", "RA-05", "RA-06", "RA-09", "RA-10"]
    # RA-05.3 (an IKM indicator) takes the survey's TW3 86.20, short of its target 88.31: 6 of 21 achieved.
    assert (figures.indicators_with_target, figures.indicators_achieved) == (21, 6)
    assert figures.indicator_completion == pytest.approx(6 / 21)
    # TW3 overall: (60 x 3.537037 + 36 x 3.299383) / 96 = 331 / 96 = 3.447917 -> x 25 = 86.20, B.
    assert figures.latest_ikm["period"] == "2022-TW3"
    assert figures.latest_ikm["ikm_converted"] == 86.20 and figures.latest_ikm["mutu"] == "B"


def test_programme_progress(model: ActionPlan) -> None:
    table = m.programme_progress(model, 9).set_index("program")
    assert list(table.index) == selection.programme_keys(model)  # plan order, keys ("" when the copy lacks it)
    assert table.loc[selection.MISSING_KEY, "scheduled"] == 11 and table.loc[selection.MISSING_KEY, "done"] == 10
    assert table.loc["Peningkatan Kualitas Pelayanan Publik", "scheduled"] == 36
    assert table.loc["Peningkatan Kualitas Pelayanan Publik", "done"] == 29


def test_indicator_states_on_the_example(model: ActionPlan) -> None:
    states = m.indicator_status(model, 9).set_index("indicator_code")
    assert states["state"].value_counts().to_dict() == {"no_data": 11, "achieved": 6, "no_target": 4, "behind": 4}
    # RA-05.3, an IKM indicator: the survey's 86.20 from baseline 85.2 to target 88.31, expected by
    # September 85.2 + 3.11 x 9/12 = 87.53: behind, (86.2 - 85.2) / 3.11 complete.
    assert states.loc["RA-05.3", "value"] == 86.2 and states.loc["RA-05.3", "state"] == "behind"
    assert states.loc["RA-05.3", "completion"] == pytest.approx(1.0 / 3.11)
    # RA-01.3: 96 against target 100 from baseline 85: expected by September 85 + 15 x 9/12 = 96.25.
    assert states.loc["RA-01.3", "state"] == "behind"
    assert states.loc["RA-01.3", "completion"] == pytest.approx((96 - 85) / (100 - 85))
    # RA-05.4 is "turun": 1 case against target 0 from baseline 2 -> half way, expected 0.5 by September.
    assert states.loc["RA-05.4", "state"] == "behind" and states.loc["RA-05.4", "completion"] == 0.5
    # RA-06.1 has values but no target: its own state, never 0 %.
    assert states.loc["RA-06.1", "state"] == "no_target" and pd.isna(states.loc["RA-06.1", "completion"])


def _single(
    model: ActionPlan, direction: str, target: float | None, baseline: float | None, values: dict[int, float]
) -> str:
    indicators = model.indicators.iloc[:1].assign(direction=direction, target=target, baseline=baseline)
    code = indicators["indicator_code"].iloc[0]
    frame = pd.DataFrame({"indicator_code": code, "month": list(values), "value": list(values.values())})
    probe = ActionPlan(
        model.info, model.plan, model.schedule, model.realisation, indicators, frame, model.survey, model.responses
    )
    return m.indicator_status(probe, 6).iloc[0]["state"]


@pytest.mark.parametrize(
    ("direction", "target", "baseline", "values", "state"),
    [
        ("naik", 100, 0, {6: 100}, "achieved"),
        ("naik", 100, 0, {6: 50}, "on_track"),  # expected by June: 50
        ("naik", 100, 0, {6: 49}, "behind"),
        ("naik", 100, 0, {7: 100}, "no_data"),  # a value after the as-of month does not count yet
        ("turun", 0, 10, {6: 0}, "achieved"),
        ("turun", 0, 10, {6: 5}, "on_track"),  # expected by June: 5
        ("turun", 0, 10, {6: 6}, "behind"),
        ("turun", 0, None, {6: 1}, "behind"),  # no baseline: only reaching the target counts
        ("naik", None, 0, {6: 100}, "no_target"),
    ],
)
def test_direction_and_states(model: ActionPlan, direction: str, target, baseline, values, state: str) -> None:
    assert _single(model, direction, target, baseline, values) == state


def test_ikm_table_and_weakest_unsur(model: ActionPlan) -> None:
    table = m.ikm_table(model, "Semua unit", 12)
    overall = table[table["overall"]]
    assert overall["period"].tolist() == ["2022-TW1", "2022-TW2", "2022-TW3"]
    assert overall["ikm_converted"].tolist()[-1] == 86.20
    assert m.weakest_unsur(pd.Series({"U1": 3.2, "U2": 2.9, "U3": 3.0, "U8": 2.9})) == "U2"


def test_group_keys_are_the_text_or_the_missing_key(model: ActionPlan) -> None:
    assert selection.group_key("Program A") == "Program A"
    assert selection.group_key(None) == selection.group_key(float("nan")) == selection.MISSING_KEY == ""
    assert selection.programme_keys(model)[
        0
    ] == "" and "Peningkatan Kualitas Pelayanan Publik" in selection.programme_keys(model)
    # An activity's key is its programme's and its own: the unnamed activities of two programmes are two.
    assert selection.activity_keys(model, [""]) == [selection.activity_key("", "")]
    assert (
        selection.activity_keys(model, []).count(selection.activity_key("Peningkatan Kualitas Pelayanan Publik", ""))
        == 1
    )
    assert selection.split_activity_key(selection.activity_key("P", "A")) == ("P", "A")
    assert len(selection.activity_keys(model, [])) >= len(
        selection.activity_keys(model, ["Peningkatan Kualitas Pelayanan Publik"])
    )


def test_the_programme_filter_restricts_every_frame_but_the_survey(model: ActionPlan) -> None:
    # The copy names no programme for RA-01..RA-03 (key ""); the second programme holds RA-04..RA-11.
    chosen = selection.for_programmes(model, [selection.MISSING_KEY])
    assert list(chosen.plan["code"]) == ["RA-01", "RA-02", "RA-03"]
    assert set(chosen.schedule["code"]) == set(chosen.realisation["code"]) == {"RA-01", "RA-02", "RA-03"}
    assert len(chosen.schedule) == 1 + 12 + 1  # RA-01 in Jan, RA-02 every month, RA-03 in Aug
    assert list(chosen.indicators["plan_code"].unique()) == ["RA-01", "RA-02", "RA-03"]
    assert set(chosen.indicator_values["indicator_code"]) <= set(chosen.indicators["indicator_code"])
    assert chosen.survey is model.survey  # the office's, not a programme's
    assert selection.for_programmes(model, []) is model
    # By hand at September: scheduled RA-01/1, RA-02/1-9, RA-03/8 = 11; done all but RA-02/9 (sebagian);
    # targets on 7 of the 8 indicators (RA-03.2 has none), achieved RA-01.1, RA-01.2, RA-01.4, RA-02.1.
    figures = m.overview(chosen, 9)
    assert (figures.plan_rows, figures.indicators) == (3, 8)
    assert (figures.scheduled_to_date, figures.done_to_date, figures.partial_to_date) == (11, 10, 1)
    assert (figures.indicators_with_target, figures.indicators_achieved) == (7, 4)
    assert figures.overdue_rows == figures.due_next_month == ["RA-02"]


def test_code_spans_name_groups_by_runs_of_their_rows(model: ActionPlan) -> None:
    assert selection.code_spans(model, "program") == {
        "": "RA-01–RA-03",
        "Peningkatan Kualitas Pelayanan Publik": "RA-04–RA-11",
    }
    # RA-08's activity is missing from the copy as well: one key, two runs.
    assert selection.code_spans(model, "activity")[""] == "RA-01–RA-03, RA-08"
    spans = selection.activity_spans(model)  # within each programme
    assert spans[("", "")] == "RA-01–RA-03" and spans[("Peningkatan Kualitas Pelayanan Publik", "")] == "RA-08"


def test_an_ikm_indicator_takes_the_surveys_value(model: ActionPlan) -> None:
    """Seen: Capaian Indikator said 86,4 / 87,9 / 89,1 for the IKM while the survey said 79,59 / 82,91 /
    86,20 (89,1 would be band A, the survey says B). The survey's all-units IKM wins for its months."""
    edited = dataclasses.replace(
        model,
        indicator_values=model.indicator_values.assign(
            value=[89.1 if (c, mo) == ("RA-05.3", 9) else v for c, mo, v in zip(*_ivalues(model), strict=True)]
        ),
    )
    trend = m.indicator_trend(edited, "RA-05.3", 9)
    assert trend["value"].tolist() == [79.59, 82.91, 86.20] and trend["note"].tolist()[-1] == "IKM 2022-TW3"
    # At June the TW3 survey is not counted yet (the one rule for periods after the posisi data), and the
    # sheet's own values of an IKM indicator are not used at all.
    assert m.indicator_trend(edited, "RA-05.3", 6)["value"].tolist() == [79.59, 82.91]
    # At August TW3 (July-September) is counted, as on the IKM card: its value stands at August.
    assert m.indicator_trend(edited, "RA-05.3", 8)[["month", "value"]].values.tolist() == [
        [3, 79.59],
        [6, 82.91],
        [8, 86.2],
    ]
    assert m.indicator_status(edited, 8).set_index("indicator_code").loc["RA-05.3", "value"] == 86.2
    other = m.indicator_trend(edited, "RA-01.3", 9)  # not an IKM indicator: the sheet's values
    assert other["value"].tolist() == [30, 60, 90, 96]


def _ivalues(model: ActionPlan) -> tuple[list, list, list]:
    values = model.indicator_values
    return list(values["indicator_code"]), list(values["month"]), list(values["value"])
