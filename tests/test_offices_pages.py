"""The sidebar's office and year on the pages: what a visitor sees first, a kab/kota editor who publishes only
for their own office, and every page on the office and year chosen (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rbdash.store.sqlite import SqliteStore
from tests.conftest import PASSWORD, ROOT, office_workbook

APP = str(ROOT / "app.py")


@pytest.fixture
def store(users_store_root: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    """The province's 2022 version 1; vera an editor of KPU Kabupaten Lebak, edi the province's, ada admin."""
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(users_store_root))
    store = SqliteStore(users_store_root)
    store.set_role("vera", "editor")
    store.set_scope("vera", "KPU Kabupaten Lebak")
    return store


def sign_in(name: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    at.run()
    at.sidebar.text_input(key="login_user").input(name)
    at.sidebar.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.sidebar.button if b.label == "Masuk").click().run()
    return at


def upload(at: AppTest, data: bytes) -> AppTest:
    return at.get("file_uploader")[0].set_value(("rencana.xlsx", data, "application/octet-stream")).run()


def test_a_visitor_sees_the_province_first_and_can_pick_any_office_and_year(store: SqliteStore) -> None:
    store.publish(office_workbook("KPU Provinsi Banten", 2023), "ada", "2023")
    store.publish(office_workbook("KPU Kota Cilegon"), "ada", "cilegon")
    at = AppTest.from_file(APP, default_timeout=60).run()
    office, year = at.sidebar.selectbox(key="satker"), at.sidebar.selectbox(key="year")
    assert (office.value, year.value) == ("KPU Provinsi Banten", 2023)  # the latest year of the home office
    assert office.options[:2] == ["KPU Provinsi Banten", "KPU Kabupaten Serang"] and len(office.options) == 9
    assert year.options == ["2023", "2022"]
    office.set_value("KPU Kota Cilegon").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="year").options == ["2022"] and at.sidebar.selectbox(key="year").value == 2022
    assert "KPU Kota Cilegon" in at.caption[0].value  # the page is Cilegon's plan
    at.sidebar.selectbox(key="satker").set_value("KPU Kabupaten Lebak").run()
    assert not at.exception
    assert [s.key for s in at.sidebar.selectbox].count("year") == 0  # Lebak has no version: no year to pick
    assert "Belum ada versi rencana aksi KPU Kabupaten Lebak" in at.error[0].value
    for page in ("app_pages/jadwal.py", "app_pages/laporan.py", "app_pages/ikm.py"):
        at.switch_page(page).run()
        assert not at.exception and "KPU Kabupaten Lebak" in at.error[0].value, page


def test_a_kab_kota_editor_publishes_only_for_their_own_office(store: SqliteStore) -> None:
    at = sign_in("vera", page="app_pages/data.py")
    assert at.sidebar.selectbox(key="satker").value == "KPU Kabupaten Lebak"  # the user's own office first
    upload(at, office_workbook("KPU Kota Cilegon"))
    assert not at.exception
    assert "hanya boleh menerbitkan untuk KPU Kabupaten Lebak" in at.error[1].value
    assert not [b for b in at.button if b.key == "publish"]
    upload(at, office_workbook("KPU Kab. Lebak"))
    said = [m.value for m in at.markdown if "Berkas ini untuk" in m.value]
    assert said == [
        "Berkas ini untuk **KPU Kabupaten Lebak** tahun **2022**: bila diterbitkan, menjadi versi 1, versi pertama"
        " satker dan tahun itu."
    ]
    # The first version of an office-year: nothing to compare with (seen: "Perubahan terhadap versi saat ini (v0)").
    assert any(h.value == "Isi berkas (belum ada versi KPU Kabupaten Lebak tahun 2022)" for h in at.subheader)
    next(box for box in at.text_input if str(box.key).startswith("publish_comment")).input("rencana Lebak").run()
    at.button(key="publish").click().run()
    assert not at.exception
    assert at.success[-1].value.startswith("Versi 1 diterbitkan untuk KPU Kabupaten Lebak tahun 2022.")
    lebak = store.current("KPU Kabupaten Lebak", 2022)
    assert lebak is not None and (lebak.number, lebak.user) == (1, "vera")
    assert [v.number for v in store.history("KPU Provinsi Banten", 2022)] == [1]  # the province's untouched
    at.switch_page("app_pages/ringkasan.py").run()
    assert (at.sidebar.selectbox(key="satker").value, at.sidebar.selectbox(key="year").value) == (
        "KPU Kabupaten Lebak",
        2022,
    )
    assert "KPU Kabupaten Lebak" in at.caption[0].value


def test_riwayat_of_an_office_without_a_version_says_so(store: SqliteStore) -> None:
    at = sign_in("vera", page="app_pages/riwayat.py")  # Lebak: no version yet
    assert not at.exception
    assert at.caption[0].value.startswith("Belum ada versi rencana aksi **KPU Kabupaten Lebak**")


def test_a_scope_narrowed_after_the_preview_is_refused_at_the_click(store: SqliteStore) -> None:
    """Checked where the action happens: the store reads the publisher's scope again at the click."""
    store.set_scope("vera", "*", actor="ada")
    at = sign_in("vera", page="app_pages/data.py")
    upload(at, office_workbook("KPU Kota Cilegon"))
    next(box for box in at.text_input if str(box.key).startswith("publish_comment")).input("cilegon").run()
    store.set_scope("vera", "KPU Kabupaten Lebak", actor="ada")  # by an admin, while vera reads the preview
    at.button(key="publish").click().run()
    assert not at.exception
    assert any("hanya boleh menerbitkan untuk KPU Kabupaten Lebak" in e.value for e in at.error)
    assert store.history("KPU Kota Cilegon", 2022) == []


def test_the_signed_in_user_s_office_follows_each_sign_in_and_a_choice_stays(store: SqliteStore) -> None:
    at = sign_in("vera")
    assert at.sidebar.selectbox(key="satker").value == "KPU Kabupaten Lebak"
    at.sidebar.selectbox(key="satker").set_value("KPU Provinsi Banten").run()
    at.sidebar.select_slider(key="as_of_month").set_value(5).run()  # another run: the choice stays
    assert at.sidebar.selectbox(key="satker").value == "KPU Provinsi Banten"
    at.sidebar.button(key="logout").click().run()
    assert at.sidebar.selectbox(key="satker").value == "KPU Provinsi Banten"  # signed out: the home office


def test_another_office_starts_at_its_own_posisi_data_month(store: SqliteStore) -> None:
    """Seen by the review: December chosen for the province carried over to an office whose data ends in
    September, and Ringkasan no longer agreed with Rekap."""
    store.publish(office_workbook("KPU Kota Cilegon", note="cilegon"), "ada", "cilegon")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.select_slider(key="as_of_month").set_value(12).run()
    assert "Desember 2022" in at.caption[0].value
    at.sidebar.selectbox(key="satker").set_value("KPU Kota Cilegon").run()
    assert at.sidebar.select_slider(key="as_of_month").value == 9  # the bundled workbook's 30 September
    assert at.caption[0].value.startswith("Posisi data per 30 September 2022")


def test_a_user_added_on_the_admin_page_publishes_for_the_home_office_unless_another_is_chosen(
    store: SqliteStore,
) -> None:
    """Seen by the review: the admin page offered "every office" first, so a new editor could publish everywhere."""
    at = sign_in("ada", page="app_pages/admin.py")
    assert at.selectbox(key="new_scope").value == "KPU Provinsi Banten"
    at.text_input(key="new_user").input("eka.baru")
    at.selectbox(key="new_role").set_value("editor")
    at.text_input(key="new_password").input(PASSWORD + "-baru")
    next(b for b in at.button if b.label == "Tambah pengguna").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Pengguna eka\\.baru ditambahkan (boleh menerbitkan untuk: KPU Provinsi Banten)."
    assert store.scope_of("eka.baru") == "KPU Provinsi Banten"
