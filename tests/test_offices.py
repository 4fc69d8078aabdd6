"""Office names: what counts as the same satker, and the closest known name to a misspelt one."""

from __future__ import annotations

import pytest

from rbdash.offices import BANTEN_SATKER, closest_office, office_key


def test_spacing_and_case_are_the_same_office() -> None:
    assert office_key("  kpu  Provinsi\u00a0BANTEN ") == office_key("KPU Provinsi Banten") == "kpu provinsi banten"
    assert office_key("KPU Kota Serang") != office_key("KPU Kabupaten Serang")


@pytest.mark.parametrize(
    ("written", "closest"),
    [
        ("KPU Kab. Serang", "KPU Kabupaten Serang"),
        ("KPU Kab Lebak", "KPU Kabupaten Lebak"),
        ("KPU Kota Tangsel", "KPU Kota Tangerang Selatan"),
        ("KPU Prov. Banten", "KPU Provinsi Banten"),
        ("KPU Provinsi Bantn", "KPU Provinsi Banten"),
        ("KPU Kota Cilegon", "KPU Kota Cilegon"),
        ("Dinas Pendidikan Kota Bandung", None),
    ],
)
def test_the_closest_known_name(written: str, closest: str | None) -> None:
    assert closest_office(written) == closest


def test_a_name_only_the_store_knows_is_offered_too() -> None:
    assert closest_office("KPU Kab. Bogorr", (*BANTEN_SATKER, "KPU Kabupaten Bogor")) == "KPU Kabupaten Bogor"
    assert len(BANTEN_SATKER) == 9 and len(set(BANTEN_SATKER)) == 9


@pytest.mark.parametrize(
    ("written", "closest"),
    [
        # Seen by the review: the shared "KPU Kabupaten"/"KPU Kota" outweighed the place.
        ("KPU Kab. Tangerang Selatan", "KPU Kota Tangerang Selatan"),
        ("KPU Kabupaten Cilegon", "KPU Kota Cilegon"),
        ("KPU Kota Lebak", "KPU Kabupaten Lebak"),
        ("KPU Kabupaten Bogor", None),
        ("KPU Kab. Serangg", "KPU Kabupaten Serang"),  # two Serang: the kind written decides
        ("KPU Kota Serangg", "KPU Kota Serang"),
        ("KPU", None),
    ],
)
def test_a_suggestion_is_made_on_the_place_not_on_the_words_every_office_shares(written: str, closest: str) -> None:
    assert closest_office(written) == closest


def test_a_short_form_glued_to_the_place_is_the_same_office() -> None:
    from rbdash.offices import matching_office

    assert matching_office("KPU Kab.Lebak", BANTEN_SATKER) == "KPU Kabupaten Lebak"
    assert matching_office("kpu kota.cilegon", BANTEN_SATKER) == "KPU Kota Cilegon"
