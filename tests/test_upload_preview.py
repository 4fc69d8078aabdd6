"""Staff never lose data unknowingly: the upload preview and the publish checks against the current version
(removals need a confirmation, a missing or renamed sheet is refused, the same content makes no version)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from rbdash.store import StoreError
from rbdash.store.sqlite import SqliteStore
from tests.conftest import BUNDLED, CliRun, bundled_with
from tests.test_access import comment_box, sign_in


@pytest.fixture
def store(users_store_root: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    monkeypatch.delenv("RBDASH_WORKBOOK", raising=False)
    monkeypatch.setenv("RBDASH_DATA_DIR", str(users_store_root))
    return SqliteStore(users_store_root)


def _renamed(wb: openpyxl.Workbook) -> None:
    wb["Realisasi"].title = "Realisasi Sep"


def _three_fewer(wb: openpyxl.Workbook) -> None:
    wb["Realisasi"].delete_rows(4, 3)


def upload(data: bytes, comment: str | None = None):
    at = sign_in("edi", page="app_pages/data.py")
    at.get("file_uploader")[0].set_value(("rencana.xlsx", data, "application/octet-stream")).run()
    assert not at.exception
    if comment is not None:
        comment_box(at).input(comment).run()
    return at


def test_a_renamed_sheet_cannot_be_published_and_its_closest_name_is_given(store: SqliteStore) -> None:
    """Seen by the user review: 'Realisasi Sep' previewed as 'no change'; publishing it showed 0 % done."""
    at = upload(bundled_with(_renamed), "bulan September")
    # The headline says it cannot be published, not a green "no errors" (seen by the review).
    assert not at.success and "belum dapat diterbitkan" in at.error[0].value
    error = at.error[1].value.replace("\\", "")  # as the reader sees the Markdown
    assert "Lembar 'Realisasi' tidak ada (sebelumnya memuat 47 baris)" in error
    assert "ditemukan 'Realisasi Sep': ganti namanya menjadi 'Realisasi'" in error
    assert at.button(key="publish").disabled
    with pytest.raises(StoreError) as caught:  # and the store refuses it whoever asks
        store.publish(bundled_with(_renamed), "edi", "lewat store")
    assert caught.value.key == "store.sheet_missing_close" and caught.value.params["closest"] == "Realisasi Sep"
    assert store.current().number == 1


def test_removals_are_counted_and_need_a_confirmation(store: SqliteStore) -> None:
    at = upload(bundled_with(_three_fewer), "tiga baris dihapus")
    counts = next(m.value for m in at.markdown if "Ringkasan perubahan per lembar" in m.value).replace("\\", "")
    assert "Realisasi: 0 ditambah, 0 diubah, 3 dihapus" in counts
    assert "**menghapus 3 baris**" in at.warning[0].value
    assert at.button(key="publish").disabled  # not before the confirmation
    table = at.dataframe[-1].value
    assert table["Perubahan"].tolist() == ["Dihapus"] * 3 and "RA-01 · Januari" in table["Baris"].tolist()
    at.checkbox[0].check().run()
    assert not at.button(key="publish").disabled
    at.button(key="publish").click().run()
    assert "Versi 2 diterbitkan" in at.success[-1].value
    assert store.current().number == 2
    # Drawn disabled after publishing: a second click cannot publish the same file again.
    assert at.button(key="publish").disabled
    # A second click that was already on its way (a fast double click) is told the file was published,
    # not that someone else published first (seen by the review).
    at.session_state["publish_request"] = (hashlib.sha256(bundled_with(_three_fewer)).hexdigest(), 1)
    at.run()
    assert "Versi 2 diterbitkan" in at.success[-1].value and not at.warning[1:]
    assert store.current().number == 2
    # A new file starts with an empty comment (seen: the last comment went with the next file).
    at.get("file_uploader")[0].set_value(("lain.xlsx", bundled_with(_renamed), "application/octet-stream")).run()
    assert comment_box(at).value == ""


def test_the_same_content_makes_no_version_and_says_so(store: SqliteStore) -> None:
    at = upload(BUNDLED.read_bytes(), "sama saja")
    assert "sama dengan versi saat ini (v1)" in at.info[0].value
    assert at.button(key="publish").disabled
    changed = bundled_with(lambda wb: wb["Realisasi"].cell(row=4, column=6, value="catatan baru"))
    assert store.publish(changed, "edi", "pertama").version.number == 2
    with pytest.raises(StoreError) as caught:  # a second publish of the same content (a double click)
        store.publish(changed, "edi", "kedua")
    assert caught.value.key == "store.unchanged" and caught.value.params == {"number": 2}
    with pytest.raises(StoreError):  # restoring the current content makes no version either
        store.restore(2, "edi", "pulihkan")
    assert [v.number for v in store.history()] == [2, 1]


def test_a_publish_that_removes_rows_is_refused_without_the_confirmation(store: SqliteStore) -> None:
    with pytest.raises(StoreError) as caught:
        store.publish(bundled_with(_three_fewer), "edi", "tanpa konfirmasi")
    assert caught.value.key == "store.removals_unconfirmed"
    assert caught.value.params == {"removed": 3, "number": 1, "detail": "Realisasi 3"}
    assert store.publish(bundled_with(_three_fewer), "edi", "dengan konfirmasi", allow_removals=True).version
    assert store.current().number == 2


def test_cli_publish_needs_allow_removals(store: SqliteStore, cli: Callable[..., CliRun], tmp_path: Path) -> None:
    fewer = tmp_path / "kurang.xlsx"
    fewer.write_bytes(bundled_with(_three_fewer))
    refused = cli("publish", str(fewer), "--comment", "kurang", "--user", "edi", "--lang", "en")
    assert refused.returncode == 1 and "removes 3 rows from version 1 (Realisasi 3)" in refused.stderr
    assert store.current().number == 1
    allowed = cli("publish", str(fewer), "--comment", "kurang", "--user", "edi", "--allow-removals")
    assert allowed.returncode == 0 and store.current().number == 2
    restored = cli("restore", "1", "--user", "edi")  # a restore says what it changes (here: adds back)
    assert restored.returncode == 0 and "Realisasi: 3 ditambah, 0 diubah, 0 dihapus" in restored.stdout
    assert store.current().number == 3
    again = cli("publish", str(fewer), "--comment", "lagi", "--user", "edi", "--allow-removals")
    assert again.returncode == 0 and store.current().number == 4
    same = cli("publish", str(fewer), "--comment", "lagi", "--user", "edi")
    assert same.returncode == 0 and "tidak ada versi baru" in same.stdout and store.current().number == 4


def test_the_problem_table_names_whole_file_problems_and_wraps_long_text(store: SqliteStore) -> None:
    """Seen by the user review: whole-file problems showed "None" in Lembar and Sel, and the Perbaikan
    column was cut at 1366 px."""
    import json

    from tests import hostile_factory as hf

    at = upload(hf.xlsm())  # valid, with one whole-file warning (macros ignored)
    problems = at.dataframe[0]
    frame = problems.value
    assert frame["Lembar"].tolist() == ["(seluruh berkas)"] and frame["Sel"].tolist() == [""]
    assert "None" not in frame.to_string()
    assert problems.proto.row_height > 64  # Streamlit wraps text only in rows taller than 4 rem
    widths = {name: c.get("width") for name, c in json.loads(problems.proto.columns).items() if name != "_index"}
    assert widths == {"Pesan": 300, "Perbaikan": 300}


def test_the_page_says_it_is_the_checker(store: SqliteStore) -> None:
    """Seen by the user review: staff were pointed at `python -m rbdash validate`, which they cannot run."""
    at = sign_in("edi", page="app_pages/data.py")
    assert any("pemeriksa berkas" in c.value and "Tidak ada yang diterbitkan" in c.value for c in at.caption)
    assert not any("rbdash validate" in element.value for element in [*at.caption, *at.markdown, *at.info])
    from rbdash.messages import t

    for lang, page in (("id", "Unggah Data"), ("en", "Upload page")):  # nor does the template's Petunjuk sheet
        assert "rbdash validate" not in t("guide.intro", lang) and page in t("guide.intro", lang)
