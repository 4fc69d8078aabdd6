"""Sign-in, roles and the upload flow through AppTest: viewer, editor and admin, with the refused paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rbdash.access.signin import WIB, shared_checks
from rbdash.messages import t
from rbdash.model import LoadResult
from rbdash.problems import ProblemLog
from rbdash.store import StoreError
from rbdash.store.sqlite import SqliteStore
from rbdash.workbook.loader import load_workbook
from tests import hostile_factory as hf
from tests.conftest import BUNDLED, PASSWORD, ROOT, bundled_with, info_edit

APP = str(ROOT / "app.py")


@pytest.fixture
def store(users_store_root: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(users_store_root))
    return SqliteStore(users_store_root)


def open_app(page: str | None = None) -> AppTest:
    """A visitor's first run of the app, on `page` (opened by its own address) or the default page."""
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    return at.run()


def sign_in(name: str, password: str = PASSWORD, page: str | None = None) -> AppTest:
    """`name` signed in from the sidebar of `page` (opened by its own address) or of the default page."""
    at = open_app(page)
    at.sidebar.text_input(key="login_user").input(name)
    at.sidebar.text_input(key="login_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Masuk").click().run()
    return at


workbook = bundled_with


def comment_box(at: AppTest):
    """The publishing comment field of the uploaded file (one field per file)."""
    return next(box for box in at.text_input if str(box.key).startswith("publish_comment"))


def test_viewer_cannot_reach_publishing(store: SqliteStore) -> None:
    at = sign_in("vera", page="app_pages/data.py")
    assert not at.exception
    assert any(c.value.replace("\\", "") == "Masuk sebagai vera (viewer)" for c in at.sidebar.caption)
    assert "memerlukan peran editor" in at.warning[0].value
    # Seen by the review: a signed-in viewer was told to sign in; they are told the role they hold.
    assert "akun vera berperan viewer" in at.warning[0].value and "Masuk dengan" not in at.warning[0].value
    assert len(at.get("file_uploader")) == 0


@pytest.mark.parametrize("forged", ["vera", "mallory"])
def test_a_forged_session_cannot_publish(store: SqliteStore, forged: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = forged
    at.switch_page("app_pages/data.py").run()
    assert "memerlukan peran editor" in at.warning[0].value and len(at.get("file_uploader")) == 0


def test_editor_uploads_previews_and_publishes(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from rbdash.ui import loading
    from rbdash.workbook import worker

    reads: list[bytes] = []

    def counted(data: bytes, *args: Any, **kwargs: Any) -> Any:
        reads.append(data)
        return worker_read(data, *args, **kwargs)

    worker_read = worker.load_untrusted
    monkeypatch.setattr(worker, "load_untrusted", counted)  # the store's read at publishing
    monkeypatch.setattr(loading, "load_untrusted", counted)  # the page's read for the preview
    at = sign_in("edi", page="app_pages/data.py")
    changed = workbook(
        lambda wb: wb["Rencana Aksi"].cell(row=18, column=4, value="2. Pelibatan masyarakat (diubah oleh uji)")
    )
    at.get("file_uploader")[0].set_value(("rencana.xlsx", changed, "application/octet-stream")).run()
    assert not at.exception
    assert at.success[0].value.startswith("Tidak ada galat")
    assert reads == [changed]
    preview = at.dataframe[-1].value
    assert preview.iloc[0]["Sesudah"] == "2. Pelibatan masyarakat (diubah oleh uji)"
    comment_box(at).input("ubah RA-10").run()
    at.button(key="publish").click().run()
    assert not at.exception
    assert "Versi 2 diterbitkan" in at.success[-1].value
    assert reads == [changed]  # publishing took the preview's read: the file was not read a second time
    assert store.current().number == 2 and store.current().user == "edi"
    at.switch_page("app_pages/jadwal.py").run()
    assert "2. Pelibatan masyarakat (diubah oleh uji)" in at.dataframe[0].value["Sub Kegiatan"].tolist()


def test_a_workbook_of_a_misspelt_satker_is_refused_at_the_preview(store: SqliteStore) -> None:
    """Seen by the attacker review: another Satker text became another 'Versi 1' and the dashboard switched."""
    at = sign_in("edi", page="app_pages/data.py")
    misspelt = workbook(info_edit(Satker="KPU Provinsi Bantn"))
    at.get("file_uploader")[0].set_value(("rencana.xlsx", misspelt, "application/octet-stream")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Tidak ada galat di berkas ini (0 peringatan), tetapi berkas ini tidak dapat")
    assert at.error[1].value.startswith("Berkas ini untuk satker 'KPU Provinsi Bantn' (Info!B")
    assert "Nama terdekat yang dikenal: 'KPU Provinsi Banten'" in at.error[1].value
    assert not [b for b in at.button if b.key == "publish"]
    assert [v.number for v in store.history()] == [1]


def test_a_publish_after_someone_elses_asks_to_check_the_preview_again(store: SqliteStore) -> None:
    """Seen by the attacker review: a preview against v1 was published as v9 after other publishes."""
    at = sign_in("edi", page="app_pages/data.py")
    mine = workbook(lambda wb: wb["Rencana Aksi"].cell(row=18, column=4, value="2. Pelibatan (punya edi)"))
    at.get("file_uploader")[0].set_value(("rencana.xlsx", mine, "application/octet-stream")).run()
    assert any(h.value.endswith("(v1)") for h in at.subheader)
    comment_box(at).input("versi edi").run()
    other = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="oleh orang lain"))
    assert store.publish(other, "ada", "lebih dulu").version.number == 2  # another editor, meanwhile
    at.button(key="publish").click().run()
    assert not at.exception
    assert any(w.value.startswith("Versi terkini berubah sejak pratinjau") for w in at.warning)
    assert store.current().number == 2 and store.current().user == "ada"  # nothing published
    at.button(key="publish").click().run()  # the editor has now seen the preview against version 2
    assert "Versi 3 diterbitkan" in at.success[-1].value
    assert store.current().user == "edi"


def test_a_click_on_publish_for_a_file_replaced_meanwhile_says_the_file_changed(store: SqliteStore) -> None:
    """Seen by the review: a click for the previewed file, reaching the server with another file chosen, said
    'the current version changed' (it had not: the file had)."""
    at = sign_in("edi", page="app_pages/data.py")
    first = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="berkas pertama"))
    second = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="berkas kedua"))
    at.get("file_uploader")[0].set_value(("pertama.xlsx", first, "application/octet-stream")).run()
    comment_box(at).input("yang pertama").run()
    at.session_state["publish_request"] = (hashlib.sha256(first).hexdigest(), 1)  # the click, for the first file
    at.get("file_uploader")[0].set_value(("kedua.xlsx", second, "application/octet-stream")).run()
    assert not at.exception
    assert [w.value for w in at.warning if "berubah sejak pratinjau" in w.value] == [
        t("data.file_changed_since_preview", "id")
    ]
    assert store.current().number == 1  # nothing published


def test_a_click_that_reaches_a_run_stopped_early_is_dropped_not_kept_for_later(store: SqliteStore) -> None:
    """Seen by the review: a click arriving with an invalid file chosen stayed pending (the run stopped before
    taking it), and choosing the previewed file again published it with no click."""
    at = sign_in("edi", page="app_pages/data.py")
    previewed = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="dipratinjau"))
    invalid = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=3, value="Hampir"))
    at.get("file_uploader")[0].set_value(("a.xlsx", previewed, "application/octet-stream")).run()
    comment_box(at).input("komentar").run()
    at.session_state["publish_request"] = (hashlib.sha256(previewed).hexdigest(), 1)  # the click
    at.get("file_uploader")[0].set_value(("salah.xlsx", invalid, "application/octet-stream")).run()
    assert at.error  # the invalid file's errors: the run stops there
    at.get("file_uploader")[0].set_value(("a.xlsx", previewed, "application/octet-stream")).run()
    assert not at.exception
    assert store.current().number == 1 and not [s for s in at.success if "diterbitkan" in s.value]


def test_the_store_refuses_a_publish_whose_preview_is_stale(store: SqliteStore) -> None:
    first = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="pertama"))
    second = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="kedua"))
    assert store.publish(first, "edi", "satu", expected_current=1).version.number == 2
    with pytest.raises(StoreError) as caught:
        store.publish(second, "ada", "dua", expected_current=1)
    assert caught.value.key == "store.changed_since_preview" and caught.value.params == {"number": 2, "previewed": 1}
    assert [v.number for v in store.history()] == [2, 1]


def test_upload_preview_shows_row_codes_literally(store: SqliteStore) -> None:
    code = "![X](HTTP://EVIL.EXAMPLE/A.PNG)"

    def recode(wb: openpyxl.Workbook) -> None:
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value == "RA-01":
                        cell.value = code

    at = sign_in("edi", page="app_pages/data.py")
    at.get("file_uploader")[0].set_value(("rencana.xlsx", workbook(recode), "application/octet-stream")).run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value  # the changes, in a table: text shown as typed
    assert code in table["Baris"].tolist() and "RA-01" in table["Baris"].tolist()
    assert not any("EVIL.EXAMPLE" in m.value and "\\." not in m.value for m in at.markdown)  # never as Markdown


def test_editor_upload_with_errors_changes_nothing(store: SqliteStore) -> None:
    before = [v.number for v in store.history()]
    at = sign_in("edi", page="app_pages/data.py")
    bad = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=3, value="Hampir"))
    at.get("file_uploader")[0].set_value(("salah.xlsx", bad, "application/octet-stream")).run()
    assert "1 galat harus diperbaiki" in at.error[0].value
    assert [b for b in at.button if b.key == "publish"] == []
    assert [v.number for v in store.history()] == before
    assert store.audit_log()[0]["action"] == "upload_rejected"


def _busy(data: bytes, **_ignored: object) -> LoadResult:
    log = ProblemLog()
    log.error("worker_busy", seconds=60)
    return LoadResult(None, log.finish(), "0" * 64, "rencana.xlsx")


def test_a_busy_checker_is_not_reported_as_an_error_in_the_file(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by the attacker review: 'server busy' came headed '1 galat harus diperbaiki'."""
    import rbdash.ui.loading

    free = rbdash.ui.loading.load_untrusted
    rbdash.ui.loading._load_by_hash.clear()  # an earlier test in this process may have read the same bytes
    monkeypatch.setattr(rbdash.ui.loading, "load_untrusted", _busy)
    at = sign_in("edi", page="app_pages/data.py")
    at.get("file_uploader")[0].set_value(("rencana.xlsx", BUNDLED.read_bytes(), "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert at.warning[0].value.replace("\\", "").startswith("Berkas belum diperiksa: ini bukan galat pada berkas Anda.")
    assert "Coba lagi sebentar" in at.warning[0].value
    assert [b for b in at.button if b.key == "publish"] == []
    assert not [entry for entry in store.audit_log() if entry["action"] == "upload_rejected"]
    monkeypatch.setattr(rbdash.ui.loading, "load_untrusted", free)  # free again: "Periksa lagi" reads the file again
    at.button(key="check_again").click().run()
    assert not at.warning and at.success[0].value.startswith("Tidak ada galat")


@pytest.mark.parametrize("answer", ["busy", "errors"])
def test_a_refusal_at_publishing_is_shown_not_a_traceback(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    """Seen by the attacker review: the page crashed on `published.version.number` when publish said no.

    Publishing takes the preview's read of the file; a workbook with macros is read once more at publishing,
    without them (what is stored must load as the upload did): that read is the one refused here."""
    import rbdash.workbook.worker

    at = sign_in("edi", page="app_pages/data.py")
    changed = hf.xlsm(workbook=workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="diperiksa dua kali")))
    at.get("file_uploader")[0].set_value(("rencana.xlsm", changed, "application/octet-stream")).run()
    assert at.success[0].value.startswith("Tidak ada galat")
    comment_box(at).input("dua kali diperiksa").run()
    invalid = load_workbook(workbook(lambda wb: wb["Realisasi"].cell(row=4, column=3, value="Hampir")))
    monkeypatch.setattr(rbdash.workbook.worker, "load_untrusted", _busy if answer == "busy" else lambda _: invalid)
    at.button(key="publish").click().run()
    assert not at.exception
    if answer == "busy":
        assert at.warning[0].value.startswith("Berkas belum diperiksa")
    else:
        assert (
            at.error[0].value
            == "Tidak diterbitkan: pemeriksaan saat menerbitkan menemukan 1 galat. Tidak ada versi baru."
        )
        assert "setelah makronya dibuang berkas tidak terbaca sama" in at.error[1].value
    assert store.current().number == 1
    # The audit log names the uploaded file (not its copy without macros), and a busy server rejected nothing.
    rejected = [entry for entry in store.audit_log() if entry["action"] == "upload_rejected"]
    if answer == "busy":
        assert rejected == []
    else:
        assert [entry["detail"]["sha256"] for entry in rejected] == [hashlib.sha256(changed).hexdigest()]


def test_role_is_checked_again_when_acting(store: SqliteStore) -> None:
    at = sign_in("edi", page="app_pages/data.py")
    changed = workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="sebelum dicabut"))
    at.get("file_uploader")[0].set_value(("rencana.xlsx", changed, "application/octet-stream")).run()
    comment_box(at).input("setelah dicabut").run()
    store.remove_user("edi")  # the right is withdrawn while the page is open
    at.button(key="publish").click().run()
    assert "memerlukan peran editor" in (at.error[0].value if at.error else at.warning[0].value)
    assert store.current().number == 1


def test_admin_manages_users_and_reads_the_audit_log(store: SqliteStore) -> None:
    at = sign_in("ada", page="app_pages/admin.py")
    assert not at.exception
    assert sorted(at.dataframe[0].value["Pengguna"]) == ["ada", "edi", "vera"]
    at.text_input(key="new_user").input("dewi")
    at.selectbox(key="new_role").set_value("editor")
    at.text_input(key="new_password").input("kopi-jendela-sungai-merah")
    next(b for b in at.button if b.label == "Tambah pengguna").click().run()
    assert store.role_of("dewi") == "editor"
    audit = at.dataframe[-1].value
    assert "login" in audit["Tindakan"].tolist()
    editor = sign_in("edi", page="app_pages/admin.py")
    assert "memerlukan peran admin" in editor.warning[0].value


def test_an_admin_removes_exactly_the_user_confirmed_while_another_admin_changes_the_list(store: SqliteStore) -> None:
    """Seen by the attacker review: when a second admin removed the chosen user first, the selection fell back
    to the first name of the list and the first admin's click removed that user instead."""
    store.add_user("bima", "admin", PASSWORD)
    at = sign_in("ada", page="app_pages/admin.py")
    at.selectbox(key="remove_user").set_value("vera")
    at.text_input(key="remove_confirm").input("vera")
    store.remove_user("vera", actor="bima")  # the other admin, between this admin's two runs
    next(b for b in at.button if b.label == "Hapus pengguna").click().run()
    assert not at.exception and at.error[0].value == "Pengguna 'vera' tidak ada."
    assert store.users() == [("ada", "admin"), ("bima", "admin"), ("edi", "editor")]
    at.selectbox(key="remove_user").set_value("edi")
    at.text_input(key="remove_confirm").input("edi")
    store.add_user("cici", "viewer", PASSWORD, actor="bima")  # the list grows under the selection
    next(b for b in at.button if b.label == "Hapus pengguna").click().run()
    assert at.success[0].value == "Pengguna edi dihapus."
    assert store.users() == [("ada", "admin"), ("bima", "admin"), ("cici", "viewer")]
    assert sorted(at.dataframe[0].value["Pengguna"]) == ["ada", "bima", "cici"]  # the table shows the list after it


def test_an_admin_changes_a_role_and_the_user_s_open_session_follows(store: SqliteStore) -> None:
    viewer = sign_in("vera", page="app_pages/data.py")
    assert "memerlukan peran editor" in viewer.warning[0].value
    at = sign_in("ada", page="app_pages/admin.py")
    at.selectbox(key="role_user").set_value("vera")
    at.selectbox(key="role_new").set_value("editor")
    next(b for b in at.button if b.label == "Ubah peran").click().run()
    assert (
        not at.exception
        and at.success[0].value == "Peran vera: viewer -> editor (boleh menerbitkan untuk: KPU Provinsi Banten)."
    )
    assert store.role_of("vera") == "editor"
    assert next(e for e in store.audit_log() if e["action"] == "role_changed")["user"] == "ada"
    viewer.run()  # vera's open session, on its next rerun
    assert not viewer.warning or "memerlukan peran" not in viewer.warning[0].value
    assert viewer.get("file_uploader")
    at.selectbox(key="role_user").set_value("ada")
    at.selectbox(key="role_new").set_value("viewer")
    next(b for b in at.button if b.label == "Ubah peran").click().run()
    assert at.error[0].value == "'ada' adalah admin terakhir dan tetap admin; tambahkan admin lain lebih dulu."
    assert store.role_of("ada") == "admin"


def test_removing_a_user_needs_the_name_typed_and_never_the_last_admin(store: SqliteStore) -> None:
    at = sign_in("ada", page="app_pages/admin.py")
    at.selectbox(key="remove_user").set_value("edi")
    at.text_input(key="remove_confirm").input("vera")
    next(b for b in at.button if b.label == "Hapus pengguna").click().run()
    assert at.error[0].value.startswith("Nama yang diketik")
    assert store.role_of("edi") == "editor" and store.role_of("vera") == "viewer"
    at.selectbox(key="remove_user").set_value("ada")
    at.text_input(key="remove_confirm").input("ada")
    next(b for b in at.button if b.label == "Hapus pengguna").click().run()
    assert "admin terakhir" in at.error[0].value and store.role_of("ada") == "admin"


@pytest.mark.parametrize("name", ["", "   "])
def test_an_admin_cannot_add_a_user_without_a_name(store: SqliteStore, name: str) -> None:
    at = sign_in("ada", page="app_pages/admin.py")
    at.text_input(key="new_user").input(name)
    at.text_input(key="new_password").input("sandi-tanpa-nama")
    next(b for b in at.button if b.label == "Tambah pengguna").click().run()
    assert at.error[0].value.startswith("Nama pengguna harus diisi")
    assert sorted(user for user, _ in store.users()) == ["ada", "edi", "vera"]


def _tree(node, out: list[str]) -> list[str]:
    """The element types of an AppTest block, in page order."""
    for child in getattr(node, "children", {}).values():
        out.append(f"{child.type}:{getattr(child, 'key', '') or ''}")
        _tree(child, out)
    return out


def test_a_failed_sign_in_is_said_above_the_fields(store: SqliteStore) -> None:
    """Seen by the user review: at 1366x768 the wrong-password message was below the fold of the sidebar."""
    at = sign_in("edi", password="salah-sekali")
    order = _tree(at.sidebar, [])
    assert order.index("error:") < order.index("text_input:login_user")
    assert at.sidebar.error[0].value == "Nama pengguna atau kata sandi salah."


def test_failed_logins_are_refused_and_throttled(store: SqliteStore) -> None:
    at = sign_in("edi", "salah")
    assert at.sidebar.error[0].value == "Nama pengguna atau kata sandi salah."
    for _ in range(4):
        sign_in("edi", "salah")
    locked = sign_in("edi")
    assert "Terlalu banyak percobaan" in locked.sidebar.error[0].value
    assert "login_failed" in [e["action"] for e in store.audit_log()]


def test_sign_in_says_when_the_server_is_busy_checking_passwords(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBDASH_LOGIN_WAIT_SECONDS", "1")
    checks = shared_checks()
    with ExitStack() as held:
        for _ in range(checks.slots):
            held.enter_context(checks.slot(5))
        at = sign_in("edi")
    assert at.sidebar.error[0].value == "Server sedang sibuk memeriksa kata sandi; coba lagi sebentar."
    assert "user" not in at.session_state
    assert store.audit_log()[0]["action"] == "login_busy"
    assert "login_failed" not in [e["action"] for e in store.audit_log()]


def test_sign_in_says_until_when_a_throttled_address_must_wait(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBDASH_LOGIN_FAILURES_PER_ADDRESS", "2")
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda _self: "203.0.113.7"))
    for name in ("tamu1", "tamu2"):
        assert sign_in(name, "salah").sidebar.error[0].value == "Nama pengguna atau kata sandi salah."
    with sqlite3.connect(store.database) as connection:
        first = connection.execute("SELECT MIN(at) FROM login_failures WHERE address = '203.0.113.7'").fetchone()[0]
    at = sign_in("edi")  # the right password, refused all the same
    until = dt.datetime.fromtimestamp(first, WIB) + dt.timedelta(minutes=15)
    assert at.sidebar.error[0].value == t("auth.throttled", "id", until=until)
    assert " WIB." in at.sidebar.error[0].value and "user" not in at.session_state
    assert store.audit_log()[0]["action"] == "login_throttled"
    assert store.audit_log()[0]["detail"]["address"] == "203.0.113.7"


def test_logout(store: SqliteStore) -> None:
    at = sign_in("edi")
    at.sidebar.button(key="logout").click().run()
    assert "user" not in at.session_state
    assert store.audit_log()[0]["action"] == "logout"


def _signed_in_caption(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption if "Masuk sebagai" in c.value)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda store: store.remove_user("vera"), id="removed"),
        pytest.param(
            lambda store: (store.remove_user("vera"), store.add_user("vera", "admin", PASSWORD)), id="re-created"
        ),
        pytest.param(lambda store: store.set_password("vera", "sandi-baru-yang-panjang"), id="re-passworded"),
    ],
)
def test_an_open_session_ends_when_its_account_changes(store: SqliteStore, change) -> None:
    """Seen by the attacker review: after `users remove vi` the open session kept browsing as 'vi (-)'."""
    at = sign_in("vera", page="app_pages/riwayat.py")
    assert "vera" in _signed_in_caption(at)
    change(store)
    at.run()
    assert not at.exception
    assert _signed_in_caption(at) == "" and "user" not in at.session_state
    assert any(w.value == t("auth.session_ended", "id") for w in at.sidebar.warning)
    assert at.sidebar.text_input(key="login_user")  # the sign-in form again
    at.run()
    assert not [w for w in at.sidebar.warning if w.value == t("auth.session_ended", "id")]  # said once


def test_a_session_presented_by_another_browser_is_signed_out(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in is bound to the browser's cookie: the same session from a connection without it ends."""
    import rbdash.ui.session

    monkeypatch.setattr(rbdash.ui.session, "_browser_secret", lambda: "cookie-of-edi")
    at = sign_in("edi", page="app_pages/data.py")
    assert "edi" in _signed_in_caption(at)
    monkeypatch.setattr(rbdash.ui.session, "_browser_secret", lambda: None)  # a raw websocket, no cookie
    at.run()
    assert _signed_in_caption(at) == "" and "user" not in at.session_state
    assert any(w.value == t("auth.session_moved", "id") for w in at.sidebar.warning)
    assert not at.get("file_uploader")


def _masked(token: bytes) -> str:
    """An `_streamlit_xsrf` cookie as Tornado writes it: the token under a fresh 4-byte mask, and a time."""
    mask = os.urandom(4)
    return f"2|{mask.hex()}|{bytes(b ^ mask[i % 4] for i, b in enumerate(token)).hex()}|1700000000"


def test_the_browser_is_known_by_its_token_whatever_mask_its_cookie_wears() -> None:
    """Seen by the deployment review: Streamlit masks the token afresh at every /_stcore/health, which the page
    asks before it reconnects, and comparing whole cookies signed users out after a network drop."""
    from rbdash.ui.session import browser_secret

    token, other = os.urandom(32), os.urandom(32)
    first, again = _masked(token), _masked(token)
    assert first != again and browser_secret(first) == browser_secret(again) == browser_secret(token.hex())
    assert browser_secret(_masked(other)) != browser_secret(first)
    for broken in (None, "", "2|zz|00|1", "2|00", "2||0011|1", "bukan-hex", 42):
        assert browser_secret(broken) is None


def test_a_damaged_old_version_is_said_on_riwayat_and_the_others_still_work(store: SqliteStore) -> None:
    """Seen by the review: choosing a version whose file is missing or damaged crashed Riwayat."""
    store.publish(workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="v2")), "edi", "dua")
    first = store.version(1)
    store.files.path_of(first.sha256).write_bytes(b"rusak")
    at = sign_in("edi", page="app_pages/riwayat.py")
    at.selectbox(key="history_version").set_value(("KPU Provinsi Banten", 2022, 1)).run()
    assert not at.exception
    assert any("tidak cocok" in e.value for e in at.error)
    assert not [b for b in at.get("download_button") if b.proto.label.endswith("1")]
    assert [b for b in at.button if b.key == "history_restore"] == []  # seen: restore was offered, then failed
    at.selectbox(key="history_version").set_value(("KPU Provinsi Banten", 2022, 2)).run()
    assert not at.exception and at.get("download_button")
    assert [b.key for b in at.button if b.key == "history_restore"] == ["history_restore"]


def test_history_restore_and_download(store: SqliteStore) -> None:
    store.publish(workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="v2")), "edi", "dua")
    viewer = open_app("app_pages/riwayat.py")
    assert viewer.dataframe[0].value["Versi"].tolist() == [2, 1]
    assert [b for b in viewer.button if b.key == "history_restore"] == []
    at = sign_in("edi", page="app_pages/riwayat.py")
    picker = at.selectbox(key="history_version")
    assert picker.options[0].startswith("2 · ") and picker.options[0].endswith(" WIB · edi · dua")
    picker.set_value(("KPU Provinsi Banten", 2022, 1)).run()
    at.button(key="history_restore").click().run()
    # Asked first: what the restore does, nothing published yet (seen by the user review: one click restored).
    asked = at.warning[0].value.replace("\\", "")
    assert "versi 1" in asked and "sebagai versi baru" in asked and "(v2)" in asked
    assert any("Realisasi: 0 ditambah, 1 diubah, 0 dihapus" in m.value.replace("\\", "") for m in at.markdown)
    assert store.current().number == 2
    at.button(key="restore_no").click().run()
    assert not at.warning and store.current().number == 2
    at.button(key="history_restore").click().run()
    at.button(key="restore_yes").click().run()
    assert "Versi 1 diterbitkan ulang sebagai versi 3" in at.success[0].value
    assert store.current().restored_from == 1
    assert at.dataframe[0].value["Versi"].tolist() == [3, 2, 1]  # the history shows it at once
    at.selectbox(key="history_version").set_value(("KPU Provinsi Banten", 2022, 3)).run()
    at.button(key="history_restore").click().run()
    # Version 3 is the current content: said before the click, which is not offered.
    assert "sama dengan versi saat ini (v3)" in at.info[0].value and at.button(key="restore_yes").disabled
    assert store.current().number == 3


def test_a_restore_confirmed_against_a_version_no_longer_current_is_refused(store: SqliteStore) -> None:
    """Seen by the #14 review: a restore confirmed against v17 replaced a v18 published meanwhile on another
    server, without a word."""
    store.publish(workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="v2")), "edi", "dua")
    at = sign_in("edi", page="app_pages/riwayat.py")
    at.selectbox(key="history_version").set_value(("KPU Provinsi Banten", 2022, 1)).run()
    at.button(key="history_restore").click().run()
    assert "(v2)" in at.warning[0].value.replace("\\", "")  # confirmed against version 2 ...
    store.publish(workbook(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="v3")), "ani", "tiga")  # ... then 3
    at.button(key="restore_yes").click().run()
    assert "Versi 3 diterbitkan setelah Anda membuka konfirmasi ini" in at.error[0].value
    assert store.current().number == 3 and store.current().comment == "tiga"  # nothing restored
    at.button(key="history_restore").click().run()  # asked again: against version 3 now
    at.button(key="restore_yes").click().run()
    assert "Versi 1 diterbitkan ulang sebagai versi 4" in at.success[0].value


def test_riwayat_lists_the_chosen_office_s_versions_when_numbers_repeat(store: SqliteStore) -> None:
    """Seen by the attacker review: the picker showed ['1', '1', '1'] and the third downloaded the newest file."""

    def serang(wb: openpyxl.Workbook) -> None:
        for label, value in wb["Info"].iter_rows(min_col=1, max_col=2):
            if label.value == "Satker":
                value.value = "KPU Kota Serang"

    data = workbook(serang)
    sha256 = hashlib.sha256(data).hexdigest()
    store.files.write(data, sha256, lambda _step: None)
    with sqlite3.connect(store.database) as connection:  # a store written before one satker-year per store
        connection.execute(
            "INSERT INTO versions (id, satker, year, number, created_at, user, comment, sha256, summary)"
            " VALUES (0, 'KPU Kota Serang', 2022, 1, '2022-01-01T00:00:00+00:00', 'lama', 'lama', ?, '{}')",
            (sha256,),
        )
    at = sign_in("edi", page="app_pages/riwayat.py")
    picker = at.selectbox(key="history_version")
    assert [option.split(" · ")[0] for option in picker.options] == ["1"]  # the province's, shown first
    assert "KPU Provinsi Banten" in at.caption[0].value
    at.sidebar.selectbox(key="satker").set_value("KPU Kota Serang").run()
    picker = at.selectbox(key="history_version")
    assert not at.exception and "KPU Kota Serang" in at.caption[0].value
    assert picker.options == ["1 · 01-01-2022 07.00.00 WIB · lama · lama"]  # number, when, who, why
    assert [b.proto.label for b in at.get("download_button") if b.key == "history_download"] == ["Unduh versi 1"]
    assert not at.error  # Kota Serang's own file is read (its SHA-256 checked), not the province's
    # edi may publish for the province only: no restore is offered for Kota Serang, and the reason is said.
    assert not [b for b in at.button if b.key == "history_restore"]
    assert "hanya boleh menerbitkan untuk KPU Provinsi Banten" in at.info[-1].value


def test_viewing_can_require_sign_in(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBDASH_VIEW_REQUIRES_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.info[0].value == "Masuk terlebih dahulu untuk melihat dasbor." and not at.metric
    at = sign_in("vera")
    assert not at.exception and at.title[0].value == "Ringkasan"


def test_single_sign_on_mode(store: SqliteStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text('auth = "oidc"\n[oidc_roles]\n"tim.rb@contoh" = "editor"\n')
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.button(key="sso_login").label == "Masuk dengan akun kantor (SSO)"
    at.sidebar.button(key="sso_login").click().run()
    assert not at.exception and "belum dikonfigurasi" in at.sidebar.error[0].value
    at.switch_page("app_pages/data.py").run()
    assert "memerlukan peran editor" in at.warning[0].value


# ----------------------------------------------------------------------------------------------
# Damage: the pages needed to put it right keep working (seen by the attacker review)


def test_a_damaged_current_file_shows_the_newest_intact_version_and_tells_editors(store: SqliteStore) -> None:
    """One byte changed in the current file took Riwayat down and, after a restart, every page."""
    note = "versi dua yang nanti rusak"
    store.publish(workbook(lambda wb: wb["Rencana Aksi"].cell(row=18, column=4, value=note)), "edi", "dua")
    damaged = store.files.path_of(store.current().sha256)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed
    damaged.write_bytes(bytes(data))
    visitor = AppTest.from_file(APP, default_timeout=60).run()
    assert not visitor.exception and visitor.metric  # version 1 is shown
    assert not visitor.warning or all("rusak" not in w.value for w in visitor.warning)
    editor = sign_in("edi", page="app_pages/jadwal.py")
    assert not editor.exception
    assert t("store.passed_over", "id", number=2, shown=1) in [w.value for w in editor.warning]
    assert note not in editor.dataframe[0].value["Sub Kegiatan"].tolist()
    for page in ("app_pages/riwayat.py", "app_pages/data.py"):
        editor.switch_page(page).run()
        assert not editor.exception, page
    assert editor.get("file_uploader")  # the editor can publish a good file from here


def test_missing_files_are_one_warning_for_editors(store: SqliteStore) -> None:
    """Seen by the second review: with files/ gone, one near-identical warning per version on every page.
    (A version already read and verified by this server stays shown from its cache.)"""
    for note in ("dua-hilang", "tiga-hilang"):  # contents no other test caches
        store.publish(workbook(lambda wb, note=note: wb["Realisasi"].cell(row=4, column=6, value=note)), "edi", note)
    for version in store.history()[:2]:
        store.files.path_of(version.sha256).unlink()
    editor = sign_in("edi", page="app_pages/riwayat.py")
    assert not editor.exception
    assert [w.value for w in editor.warning] == [t("store.passed_over", "id", number="3, 2", shown=1)]


def test_with_every_version_row_deleted_the_pages_say_so_and_the_example_data_does_not_come_back(
    store: SqliteStore,
) -> None:
    """Deleting all version rows gave an AttributeError on every page."""
    with sqlite3.connect(store.database) as connection:
        connection.execute("DELETE FROM versions")
    visitor = AppTest.from_file(APP, default_timeout=60).run()
    assert not visitor.exception
    assert visitor.error[0].value == t("store.no_versions", "id")
    assert store.history() == []  # not seeded again
    editor = sign_in("edi", page="app_pages/data.py")
    assert not editor.exception and editor.get("file_uploader")
    changed = workbook(lambda wb: wb["Rencana Aksi"].cell(row=18, column=4, value="2. Pelibatan (setelah hapus)"))
    editor.get("file_uploader")[0].set_value(("rencana.xlsx", changed, "application/octet-stream")).run()
    comment_box(editor).input("terbit ulang").run()
    editor.button(key="publish").click().run()
    assert not editor.exception
    assert store.current().number == 2  # version 1 is in the audit log: its number is not given out again


def test_a_damaged_database_is_a_message_with_the_path_for_admins_only(store: SqliteStore) -> None:
    """A damaged database page gave a traceback, and the server's path reached anonymous visitors."""
    admin = sign_in("ada", page="app_pages/riwayat.py")
    assert not admin.exception
    with sqlite3.connect(store.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(store.database.read_bytes())
    data[page_size:] = b"\xff" * (len(data) - page_size)  # every page after the header page
    store.database.write_bytes(bytes(data))
    visitor = AppTest.from_file(APP, default_timeout=60).run()
    assert not visitor.exception
    assert visitor.error[0].value == t("store.unavailable_public", "id")
    # The admin's open session, on its next rerun: the store cannot say who is an admin, so nobody sees the
    # path; `store check` (tests/test_store_check.py) names it and the damage.
    admin.run()
    assert not admin.exception
    assert [e.value for e in admin.error] == [t("store.unavailable_public", "id")]
