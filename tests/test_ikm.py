"""IKM per PermenPANRB 14/2017, checked against hand-worked values at the band edges."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from rbdash import ikm
from rbdash.ikm import MUTU_BANDS, band_for, combine_units, compute_ikm, nrr_from_responses, round_converted, score
from rbdash.model import LoadResult


def nine(last: str, first: str) -> list[str]:
    """Eight NRR values `first` and a ninth `last` (as written, exact decimals)."""
    return [first] * 8 + [last]


# Converted = 25 x (sum of NRR) / 9, so a target converted value c needs sum NRR = 9c/25.
@pytest.mark.parametrize(
    ("nrr", "converted", "grade"),
    [
        (nine("3.788", "3.5"), "88.30", "B"),  # sum 31.788   -> 88.3000
        (nine("3.7916", "3.5"), "88.31", "A"),  # sum 31.7916  -> 88.3100
        (nine("3.7898", "3.5"), "88.31", "A"),  # sum 31.7898  -> 88.3050, rounded half up
        (nine("3.7897", "3.5"), "88.30", "B"),  # sum 31.7897  -> 88.30472...
        (nine("3.576", "3"), "76.60", "C"),  # sum 27.576   -> 76.6000
        (nine("3.5796", "3"), "76.61", "B"),  # sum 27.5796  -> 76.6100
        (nine("2.6", "2.6"), "65.00", "C"),  # sum 23.4     -> 65.0000
        (nine("2.5964", "2.6"), "64.99", "D"),  # sum 23.3964  -> 64.9900
        (["4"] * 9, "100.00", "A"),
        (["1"] * 9, "25.00", "D"),
    ],
)
def test_band_edges(nrr: list[str], converted: str, grade: str) -> None:
    result = compute_ikm(nrr)
    assert result.converted == Decimal(converted)
    assert result.mutu == grade


def test_each_step_is_kept_for_auditing() -> None:
    result = compute_ikm(["3.25", "3.25", "3.5", "3.5", "3.5", "3.25", "3.75", "3", "3.5"])
    assert result.weight == Fraction(1, 9)
    assert result.weighted[0] == Fraction(13, 36)  # 3.25 / 9
    assert result.ikm == Fraction(305, 90)  # 30.5 / 9 = 3.3888...
    assert result.converted == Decimal("84.72")  # 84.7222... rounded
    assert result.band.label_id == "Baik"


def test_regulation_weight_gives_the_hand_figure_with_0_111() -> None:
    result = compute_ikm(["4"] * 9, weighting="regulation")
    assert result.ikm == Fraction(3996, 1000)
    assert result.converted == Decimal("99.90")
    assert result.mutu == "A"


def test_bands_are_the_regulations_table() -> None:
    table = [(b.grade, str(b.low), str(b.high)) for b in MUTU_BANDS]
    assert table == [
        ("A", "88.31", "100.00"),
        ("B", "76.61", "88.30"),
        ("C", "65.00", "76.60"),
        ("D", "25.00", "64.99"),
    ]
    assert band_for(Decimal("88.30")).grade == "B"
    assert round_converted(Fraction(176609, 2000)) == Decimal("88.30")  # 88.3045
    assert round_converted(Fraction(17661, 200)) == Decimal("88.31")  # 88.305 exactly


def test_nrr_from_answers_counts_only_given_answers() -> None:
    answers = pd.DataFrame(
        [
            [4, 4, 4, 4, 4, 4, 4, 4, 4],
            [3, 3, 3, 3, 3, 3, 3, 3, 3],
            [4, 3, 4, 3, 4, 3, 4, 3, 4],
            [2, 3, 3, 4, 3, 3, 4, 2, None],
        ],
        columns=[f"U{i}" for i in range(1, 10)],
        dtype="float64",
    )
    answers["period"] = "2022-TW1"
    answers["unit"] = "A"
    nrr = nrr_from_responses(answers).iloc[0]
    assert nrr["respondents"] == 4
    assert nrr["U1"] == 3.25  # (4+3+4+2)/4
    assert nrr["U8"] == 3.0  # (4+3+3+2)/4
    assert nrr["U9"] == pytest.approx(11 / 3)  # (4+3+4)/3: the blank answer is not counted
    scored = score(nrr_from_responses(answers)).iloc[0]
    # sum NRR = 3.25+3.25+3.5+3.5+3.5+3.25+3.75+3+11/3 = 30.666...; x25/9 = 85.185...
    assert scored["ikm_converted"] == 85.19
    assert scored["mutu"] == "B"


def test_missing_unsur_gives_no_score_not_a_partial_one() -> None:
    frame = pd.DataFrame([{**{f"U{i}": 3.0 for i in range(1, 10)}, "U4": float("nan")}])
    scored = score(frame).iloc[0]
    assert pd.isna(scored["ikm"]) and scored["mutu"] is None


def test_combining_units_weights_by_respondents() -> None:
    frame = pd.DataFrame(
        [
            {"period": "2022-TW1", "unit": "A", "respondents": 10, **{f"U{i}": 3.0 for i in range(1, 10)}},
            {"period": "2022-TW1", "unit": "B", "respondents": 30, **{f"U{i}": 4.0 for i in range(1, 10)}},
        ]
    )
    overall = combine_units(frame).iloc[0]
    assert overall["respondents"] == 40
    assert overall["U1"] == 3.75  # (3x10 + 4x30) / 40
    assert overall["ikm_converted"] == 93.75
    assert overall["mutu"] == "A"


def test_units_from_answers_are_pooled_answer_by_answer() -> None:
    """Seen by the user review: "Semua unit" weighted each unit's NRR by respondents, so blank answers
    skewed it, and the float average could round 88,305 down. PermenPANRB 14/2017: NRR per unsur =
    sum of the answers / number of answers given, over all units."""
    rows = [
        ["A", *[4] * 9],
        ["A", *[4] * 9],
        ["B", 1, *[1] * 8],
        ["B", None, *[1] * 8],  # U1 left blank
    ]
    answers = pd.DataFrame(rows, columns=["unit", *[f"U{i}" for i in range(1, 10)]])
    answers = answers.astype({f"U{i}": "float64" for i in range(1, 10)}).assign(period="2022-TW1")
    per_unit = score(nrr_from_responses(answers))
    overall = combine_units(per_unit).iloc[0]
    assert overall["U1"] == 3.0  # (4+4+1) / 3 answers; by respondents it was (4x2 + 1x2) / 4 = 2.5
    assert overall["U2"] == 2.5  # (4+4+1+1) / 4
    assert (overall["U1_sum"], overall["U1_n"]) == (9.0, 3)
    # sum of NRR = 3 + 8 x 2.5 = 23; 23/9 x 25 = 63.888..., scored from the exact sums
    assert overall["ikm_converted"] == 63.89 and overall["mutu"] == "D"


def test_wrong_number_of_unsur_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        compute_ikm(["3"] * 8)


@pytest.mark.parametrize(
    ("unit", "text", "expected"),
    [
        ("indeks", "Indeks Kepuasan layanan yang di dapat melalui survei pelayanan;", True),
        ("Indeks ", "Nilai IKM unit layanan", True),
        ("persen", "Indeks Kepuasan layanan", False),  # not measured as an index
        ("indeks", "Indeks Reformasi Birokrasi", False),  # an index, but not the satisfaction survey's
        ("indeks", "ketidakpuasan", False),
    ],
)
def test_which_indicators_are_the_ikm(unit: str, text: str, expected: bool) -> None:
    assert ikm.is_ikm_indicator(unit, text) is expected


def test_ikm_indicators_get_the_all_units_ikm_of_each_period(bundled: LoadResult) -> None:
    model = bundled.plan
    derived = ikm.survey_indicator_values(model.indicators, model.survey, 2022)
    # RA-05.3 and RA-06.1 are the bundled IKM indicators; the quarters end in March, June and September.
    assert sorted(set(derived["indicator_code"])) == ["RA-05.3", "RA-06.1"]
    got = derived[derived["indicator_code"] == "RA-05.3"][["month", "value", "period"]].values.tolist()
    assert got == [[3, 79.59, "2022-TW1"], [6, 82.91, "2022-TW2"], [9, 86.20, "2022-TW3"]]
    assert ikm.survey_indicator_values(model.indicators, model.survey, 2023).empty  # another year's survey
