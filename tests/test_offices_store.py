"""Many offices and years in one store: each office-year its own history and numbers, known offices only,
and users who publish only for the office their scope names (checked by the store itself)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from rbdash.config import SettingsError, settings
from rbdash.messages import t
from rbdash.offices import ALL
from rbdash.store import StoreError
from rbdash.store.sql_store import SqlStore
from rbdash.store.sqlite import SqliteStore
from tests.conftest import BUNDLED, PASSWORD, CliRun, edit_workbook, info_edit, office_workbook, quick_password_checks
from tests.store_backends import StoreAt, point_at


@pytest.fixture
def store(users_store: StoreAt) -> SqlStore:
    """Version 1 of KPU Provinsi Banten 2022 (the bundled workbook) and the users vera, edi and ada, on each
    backend in turn."""
    return users_store.open(checks=quick_password_checks())


def test_each_office_and_year_has_its_own_numbers_history_and_current(store: SqlStore) -> None:
    serang = store.publish(office_workbook("KPU Kabupaten Serang"), "edi", "serang 1").version
    province_2023 = store.publish(office_workbook("KPU Provinsi Banten", 2023), "edi", "2023").version
    serang_2 = store.publish(office_workbook("KPU Kab. Serang", note="kedua"), "edi", "serang 2").version
    assert serang is not None and province_2023 is not None and serang_2 is not None
    assert [(v.satker, v.year, v.number) for v in (serang, province_2023, serang_2)] == [
        ("KPU Kabupaten Serang", 2022, 1),
        ("KPU Provinsi Banten", 2023, 1),
        ("KPU Kabupaten Serang", 2022, 2),
    ]
    assert [v.number for v in store.history("KPU Kabupaten Serang", 2022)] == [2, 1]
    assert [v.number for v in store.history("KPU Provinsi Banten", 2022)] == [1]
    assert [v.comment for v in store.history("kpu provinsi banten", 2023)] == ["2023"]
    current = store.current("KPU Provinsi Banten", 2022)
    assert current is not None and current.number == 1  # another office's publish is not this one's version
    # The configured offices in their order (the province first), each with its years.
    assert store.plans() == [
        ("KPU Provinsi Banten", 2022),
        ("KPU Provinsi Banten", 2023),
        ("KPU Kabupaten Serang", 2022),
    ]
    assert store.offices()[:2] == ["KPU Provinsi Banten", "KPU Kabupaten Serang"] and len(store.offices()) == 9


def test_the_same_content_is_compared_within_its_own_office_and_year(store: SqlStore) -> None:
    """A kab/kota's first version is never 'the same as' the province's, and removals are counted against
    its own previous version."""
    lebak = office_workbook("KPU Kabupaten Lebak")
    assert store.publish(lebak, "edi", "lebak").version is not None
    with pytest.raises(StoreError) as same:
        store.publish(lebak, "edi", "lagi")
    assert (same.value.key, same.value.params["number"]) == ("store.unchanged", 1)
    with pytest.raises(StoreError) as stale:  # previewed against the province's version 1: Lebak has 1 too
        store.publish(office_workbook("KPU Kabupaten Lebak", note="dua"), "edi", "dua", expected_current=0)
    assert (stale.value.key, stale.value.params["number"]) == ("store.changed_since_preview", 1)


def test_an_editor_publishes_and_restores_only_for_their_own_office(store: SqlStore, users_store: StoreAt) -> None:
    files_before = users_store.files()
    with pytest.raises(StoreError) as refused:
        store.publish(office_workbook("KPU Kota Cilegon"), "edi", "bukan milik", scope="KPU Kota Serang")
    assert refused.value.key == "store.out_of_scope"
    assert refused.value.params == {"satker": "KPU Kota Cilegon", "year": 2022, "scope": "KPU Kota Serang"}
    assert users_store.files() == files_before  # nothing written for a refusal
    own = store.publish(office_workbook("KPU Kota Serang"), "edi", "milik", scope="kpu kota  serang").version
    assert own is not None and own.satker == "KPU Kota Serang"
    cilegon = store.publish(office_workbook("KPU Kota Cilegon"), "ada", "tim provinsi", scope=ALL).version
    assert cilegon is not None
    store.publish(office_workbook("KPU Kota Cilegon", note="dua"), "ada", "dua", scope=ALL)
    with pytest.raises(StoreError) as restore:
        store.restore(1, "edi", "pulihkan", "KPU Kota Cilegon", 2022, scope="KPU Kota Serang")
    assert restore.value.key == "store.out_of_scope"
    assert [v.number for v in store.history("KPU Kota Cilegon", 2022)] == [2, 1]


def test_user_scopes_default_checked_and_audited(store: SqlStore) -> None:
    assert (store.scope_of("edi"), store.scope_of("vera"), store.scope_of("ada")) == (
        "KPU Provinsi Banten",
        "KPU Provinsi Banten",
        ALL,
    )
    assert store.scope_of("nobody") is None
    store.add_user("kasubag.serang", "editor", PASSWORD + "-x", actor="ada", scope="KPU Kab. Serang")
    assert store.scope_of("kasubag.serang") == "KPU Kabupaten Serang"  # the known spelling is kept
    assert store.set_scope("kasubag.serang", "*", actor="ada") == "KPU Kabupaten Serang"
    assert store.scope_of("kasubag.serang") == ALL
    with pytest.raises(StoreError) as bad:
        store.set_scope("edi", "KPU Kota Bandung", actor="ada")
    assert bad.value.key == "store.bad_scope" and "KPU Kota Cilegon" in bad.value.params["offices"]
    with pytest.raises(StoreError) as missing:
        store.set_scope("nobody", "*")
    assert missing.value.key == "store.no_such_user"
    changes = [e for e in store.audit_log() if e["action"] == "scope_changed"]
    assert [(e["user"], e["detail"]) for e in changes] == [
        ("ada", {"name": "kasubag.serang", "scope": ALL, "previous": "KPU Kabupaten Serang"})
    ]
    store.set_role("edi", "admin", actor="ada")  # an admin may publish for every office, whatever was set
    assert store.scope_of("edi") == ALL


def test_a_store_from_before_scopes_gives_its_users_the_office_they_had(tmp_path: Path) -> None:
    """Fail closed: a store held one office's plan, so its editors could publish only for that office."""
    root = tmp_path / "data"
    root.mkdir()
    with sqlite3.connect(root / "rbdash.sqlite3") as connection:
        connection.executescript(
            """
            CREATE TABLE versions (id INTEGER PRIMARY KEY AUTOINCREMENT, satker TEXT NOT NULL, year INTEGER NOT NULL,
                number INTEGER NOT NULL, created_at TEXT NOT NULL, user TEXT NOT NULL, comment TEXT NOT NULL,
                sha256 TEXT NOT NULL, summary TEXT NOT NULL, restored_from INTEGER, UNIQUE (satker, year, number));
            CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL, session_key TEXT NOT NULL DEFAULT '');
            INSERT INTO versions (satker, year, number, created_at, user, comment, sha256, summary)
                VALUES ('KPU Kota Serang', 2022, 1, '2022-05-01T00:00:00+00:00', 'eko', 'awal', 'x', '{}');
            INSERT INTO users VALUES ('eko', 'editor', 'h', '2022-01-01', 'k'),
                ('adi', 'admin', 'h', '2022-01-01', 'k');
            """
        )
    store = SqliteStore(root, checks=quick_password_checks())
    assert (store.scope_of("eko"), store.scope_of("adi")) == ("KPU Kota Serang", ALL)
    SqliteStore(root, checks=quick_password_checks())  # opening again changes nothing
    assert store.scope_of("eko") == "KPU Kota Serang"


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))


def test_the_configured_offices_are_the_ones_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, 'offices = ["KPU Kota Bogor", "KPU  Kabupaten Bogor"]\n')
    assert settings().offices == ("KPU Kota Bogor", "KPU Kabupaten Bogor")
    assert settings().home_office == "KPU Kota Bogor"
    store = SqliteStore(tmp_path / "data", checks=quick_password_checks())
    version = store.publish(office_workbook("kpu kota bogor"), "system", "bogor", trusted=True).version
    assert version is not None and version.satker == "KPU Kota Bogor"
    with pytest.raises(StoreError) as refused:
        store.publish(office_workbook("KPU Kab. Bogorr"), "system", "typo", trusted=True)
    assert (refused.value.key, refused.value.params["closest"]) == ("store.unknown_satker", "KPU Kabupaten Bogor")
    with pytest.raises(StoreError) as banten:  # not configured here, and not held by this store
        store.publish(office_workbook("KPU Provinsi Banten"), "system", "banten", trusted=True)
    assert banten.value.key.startswith("store.unknown_satker")
    store.add_user("tim", "editor", PASSWORD)
    assert store.scope_of("tim") == "KPU Kota Bogor"  # the home office


@pytest.mark.parametrize(
    "text",
    [
        "offices = []\n",
        'offices = "KPU Kota Bogor"\n',
        'offices = ["KPU Kota Bogor", "kpu kota  BOGOR"]\n',
        'offices = ["KPU Kota Bogor", 7]\n',
        'offices = ["   "]\n',
        'offices = ["KPU\\u0000Kota"]\n',
        f'offices = ["{"K" * 121}"]\n',
        'offices = ["KPU Kota Bogor"]\n[oidc_scopes]\n"a@b" = "KPU Kota Bandung"\n',
    ],
)
def test_a_wrong_offices_setting_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    write_config(tmp_path, monkeypatch, text)
    with pytest.raises(SettingsError) as wrong:
        settings()
    assert wrong.value.key == "settings.bad_value"
    assert str(wrong.value.params["name"]).startswith(("offices", "oidc_scopes"))


def test_single_sign_on_users_get_their_configured_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        tmp_path,
        monkeypatch,
        'auth = "oidc"\n[oidc_roles]\n"tim@contoh" = "editor"\n"lebak@contoh" = "editor"\n"ketua@contoh" = "admin"\n'
        '[oidc_scopes]\n"Tim@Contoh" = "*"\n"lebak@contoh" = "KPU Kab. Lebak"\n"ketua@contoh" = "KPU Kota Serang"\n',
    )
    cfg = settings()
    assert cfg.oidc_scope("tim@contoh") == ALL
    assert cfg.oidc_scope("lebak@contoh") == "KPU Kabupaten Lebak"
    assert cfg.oidc_scope("ketua@contoh") == ALL  # an admin: every office
    assert cfg.oidc_scope("tamu@contoh") is None  # no role, no scope


def test_the_command_line_knows_offices_years_and_scopes(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_at(store, monkeypatch)
    added = cli(
        "users",
        "add",
        "eka",
        "--role",
        "editor",
        "--scope",
        "KPU Kab. Lebak",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0 and "KPU Kabupaten Lebak" in added.stdout
    lebak, cilegon = tmp_path / "lebak.xlsx", tmp_path / "cilegon.xlsx"
    lebak.write_bytes(office_workbook("KPU Kabupaten Lebak"))
    cilegon.write_bytes(office_workbook("KPU Kota Cilegon"))
    refused = cli("publish", str(cilegon), "--comment", "x", "--user", "eka", "--lang", "en")
    assert refused.returncode == 2 and "may publish only for KPU Kabupaten Lebak" in refused.stderr
    assert cli("publish", str(lebak), "--comment", "lebak", "--user", "eka").returncode == 0
    assert cli("publish", str(cilegon), "--comment", "cilegon", "--user", "ada").returncode == 0
    lines = cli("history", "--satker", "kpu kab. lebak").stdout.strip().splitlines()
    assert [line.split("\t")[2:4] for line in lines] == [["KPU Kabupaten Lebak", "2022"]]
    assert len(cli("history").stdout.strip().splitlines()) == 3
    assert cli("history", "--year", "2023").stdout.strip() == t("cli.no_versions", "id")
    unknown = cli("history", "--satker", "KPU Kota Bandung", "--lang", "en")
    assert unknown.returncode == 1 and "Unknown office 'KPU Kota Bandung'" in unknown.stderr
    scoped = cli("users", "scope", "eka", "--scope", "*", "--lang", "en")
    assert scoped.returncode == 0 and scoped.stdout.strip() == "Scope of user 'eka': KPU Kabupaten Lebak -> *."
    assert "eka\teditor\t*" in cli("users", "list").stdout


@pytest.mark.usefixtures("text_only_reports")
def test_a_report_of_the_store_is_of_the_office_and_year_named(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    from pypdf import PdfReader

    point_at(store, monkeypatch)
    store.publish(office_workbook("KPU Kabupaten Lebak", note="lebak"), "ada", "lebak")
    out = tmp_path / "lebak.pdf"
    made = cli("report", "--satker", "KPU Kab. Lebak", "--pdf", str(out))
    assert made.returncode == 0, made.stderr
    cover = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "KPU Kabupaten Lebak" in cover and "versi 1" in cover
    none = cli("report", "--satker", "KPU Kota Cilegon", "--pdf", str(tmp_path / "x.pdf"), "--lang", "en")
    assert none.returncode == 2
    assert none.stderr.strip() == "There is no version of the action plan of KPU Kota Cilegon yet."
    wrong_year = cli("report", "--year", "2031", "--pdf", str(tmp_path / "y.pdf"))
    assert wrong_year.returncode == 2 and "KPU Provinsi Banten tahun 2031" in wrong_year.stderr


def test_a_template_for_another_office_and_year_carries_the_plan_rows_when_asked(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import openpyxl

    from rbdash.workbook.loader import load_workbook

    point_at(store, monkeypatch)
    blank, carried = tmp_path / "lebak.xlsx", tmp_path / "lebak_2023.xlsx"
    assert cli("template", str(blank), "--satker", "KPU Kab. Lebak", "--year", "2023").returncode == 0
    empty = load_workbook(blank.read_bytes())
    assert empty.plan is not None and (empty.plan.info["satker"], empty.plan.info["year"]) == (
        "KPU Kabupaten Lebak",
        2023,
    )
    assert len(empty.plan.plan) == 0 and [p.code for p in empty.errors] == ["no_plan_rows"]  # for staff to fill
    made = cli(
        "template",
        str(carried),
        "--satker",
        "KPU Kabupaten Lebak",
        "--year",
        "2023",
        "--from-year",
        "2022",
        "--from-satker",
        "KPU Provinsi Banten",
    )
    assert made.returncode == 0, made.stderr
    result = load_workbook(carried.read_bytes())
    assert result.is_valid and result.plan is not None
    plan = result.plan
    # The bundled annex: 11 plan rows, 66 scheduled row-months, 25 indicators; no target carried, no progress.
    assert (len(plan.plan), len(plan.schedule), len(plan.indicators)) == (11, 66, 25)
    assert plan.indicators["target"].isna().all() and plan.realisation.empty and plan.survey.empty
    assert plan.info["decree_number"] is None and plan.info["title"] is None  # the new decree's: never invented
    sheet = openpyxl.load_workbook(carried)["Rencana Aksi"]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == ["DI LINGKUNGAN KPU KABUPATEN LEBAK", "TAHUN 2023"]
    assert "rencana aksi KPU Provinsi Banten tahun 2022 (versi 1)" in str(sheet.cell(row=4, column=1).value)
    none = cli(
        "template",
        str(tmp_path / "x.xlsx"),
        "--satker",
        "KPU Kabupaten Lebak",
        "--year",
        "2023",
        "--from-year",
        "2022",
        "--lang",
        "en",
    )
    assert none.returncode == 1
    assert none.stderr.strip() == "There is no version of the action plan of KPU Kabupaten Lebak for the year 2022 yet."
    assert cli("template", str(tmp_path / "y.xlsx"), "--satker", "KPU Kota Bandung", "--year", "2023").returncode == 1
    assert cli("template", str(tmp_path / "z.xlsx"), "--satker", "KPU Kabupaten Lebak").returncode == 1  # no year
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


@pytest.mark.usefixtures("text_only_reports")
def test_a_report_names_the_office_as_the_store_spells_it(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seen by the review: a workbook whose Satker read "   kpu    KAB   lebak  " printed that on the letterhead,
    the cover and every footer, and a plan without a decree number left "· ·" in the footer."""
    import io

    from pypdf import PdfReader

    def without_decree(wb: object) -> None:
        info_edit(Satker="   kpu    KAB   lebak  ", **{"Nomor Keputusan": None})(wb)  # type: ignore[arg-type]

    point_at(store, monkeypatch)
    store.publish(edit_workbook(BUNDLED.read_bytes(), without_decree), "ada", "lebak")
    out = tmp_path / "lebak.pdf"
    assert cli("report", "--satker", "KPU Kabupaten Lebak", "--pdf", str(out)).returncode == 0
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages]
    assert "KPU Kabupaten Lebak" in pages[0] and not any("KAB" in text or "kpu " in text for text in pages)
    assert not any("· ·" in text for text in pages)


def test_a_typo_year_is_refused_and_a_date_of_another_year_is_said(store: SqlStore) -> None:
    """Seen by the review: a year typed 1999 became an office-year for good, and a 2024 plan "as of 30 June 2023"
    was shown as of June 2024 on Ringkasan and as of 2023-06-30 on Rekap."""
    from rbdash.analysis.rollup import plan_figures
    from rbdash.workbook.loader import load_workbook

    for year in (1999, 2101, 20223):
        result = store.publish(office_workbook("KPU Kota Serang", year), "ada", "typo").validation
        assert [p.code for p in result.errors] == ["invalid_year"] and store.history("KPU Kota Serang") == []
    later = load_workbook(office_workbook("KPU Kota Serang", 2024))  # Posisi Data Per 2022-09-30
    assert later.is_valid and later.plan is not None
    (said,) = [p for p in later.warnings if p.code == "as_of_outside_year"]
    assert (said.sheet, said.params) == ("Info", {"as_of": "2022-09-30", "year": 2024})
    assert plan_figures(later.plan)["as_of"] is None  # set aside, as Ringkasan sets it aside


def test_the_command_line_refuses_what_it_would_otherwise_ignore(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seen by the review: --satker beside a FILE, --from-satker without --from-year and --year 0 were silently
    ignored or answered "no versions"; an unknown office exited 2 here and 1 there, without a suggestion."""
    point_at(store, monkeypatch)
    both = cli("report", str(BUNDLED), "--satker", "KPU Kota Serang", "--pdf", str(tmp_path / "x.pdf"), "--lang", "en")
    assert both.returncode == 1 and "a named file's office and year are what its Info sheet says" in both.stderr
    carried = cli("template", str(tmp_path / "t.xlsx"), "--year", "2023", "--from-satker", "KPU Kota Serang")
    assert carried.returncode == 1 and "--from-year" in carried.stderr and not (tmp_path / "t.xlsx").exists()
    for command in (
        ("rollup", "--year", "0"),
        ("history", "--year", "99999"),
        ("report", "--year", "-5", "--pdf", "y"),
    ):
        refused = cli(*command, "--lang", "en")
        assert refused.returncode == 1 and "outside the plan years (2000 - 2100)" in refused.stderr, command
    for command in (("rollup",), ("history",), ("report", "--pdf", "z.pdf")):
        unknown = cli(*command, "--satker", "KPU Kabupaten Cilegon", "--lang", "en")
        assert unknown.returncode == 1, command
        assert "Unknown office 'KPU Kabupaten Cilegon' (did you mean 'KPU Kota Cilegon'?)" in unknown.stderr


def test_an_admin_may_publish_for_every_office_and_a_demoted_admin_s_scope_is_said(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(StoreError) as refused:
        store.add_user("adm2", "admin", PASSWORD + "-2", scope="KPU Kabupaten Lebak")
    assert refused.value.key == "store.admin_scope" and store.scope_of("adm2") is None
    point_at(store, monkeypatch)
    store.add_user("adm3", "admin", PASSWORD + "-3")
    demoted = cli("users", "role", "adm3", "--role", "editor", "--lang", "en")
    assert demoted.stdout.strip() == "Role of user 'adm3': admin -> editor (scope: *)."


def test_demo_publishes_the_configured_offices_and_never_an_unknown_bundled_office(
    tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by the review: with an offices list of its own, demo failed with the upload page's wording."""
    config = tmp_path / "rbdash.toml"
    config.write_text('offices = ["KPU Kota Bogor", "KPU Kabupaten Bogor"]\n', encoding="utf-8")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    made = cli("demo")
    assert made.returncode == 0, made.stderr
    store = SqliteStore(tmp_path / "data", checks=quick_password_checks())
    assert store.plans() == [
        ("KPU Kota Bogor", 2022),
        ("KPU Kota Bogor", 2023),
        ("KPU Kabupaten Bogor", 2022),
        ("KPU Kabupaten Bogor", 2023),
    ]


def test_text_that_begins_with_an_equals_sign_is_never_written_as_a_formula(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Seen by the review: a plan cell "=HYPERLINK(...)" published by one office became a live link in the template
    carried from it, and an office named "=..." wrote an empty Satker."""
    import openpyxl

    link = '=HYPERLINK("http://evil.example/plan","Memetakan")'

    def planted(wb: object) -> None:
        wb["Rencana Aksi"]["D12"] = link  # type: ignore[index]
        wb["Rencana Aksi"]["D12"].data_type = "s"  # type: ignore[index]  # text, as a staff member types it

    point_at(store, monkeypatch)
    published = store.publish(edit_workbook(office_workbook("KPU Kota Serang"), planted), "ada", "planted")
    assert published.version is not None
    out = tmp_path / "serang_2023.xlsx"
    made = cli("template", str(out), "--satker", "KPU Kota Serang", "--year", "2023", "--from-year", "2022")
    assert made.returncode == 0, made.stderr
    cell = openpyxl.load_workbook(out)["Rencana Aksi"]["D12"]
    assert (cell.data_type, cell.value) == ("s", link)
    config = tmp_path / "rbdash.toml"
    config.write_text(f"offices = [{json.dumps(link)}]\n", encoding="utf-8")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    odd = tmp_path / "odd.xlsx"
    assert cli("template", str(odd), "--satker", link, "--year", "2023").returncode == 0
    info = openpyxl.load_workbook(odd)["Info"]["B4"]
    assert (info.data_type, info.value) == ("s", link)


def test_an_admin_s_scope_stays_every_office_and_a_typed_scope_gets_a_suggestion(
    store: SqlStore, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by the review: `users scope` gave an admin an office ("* -> *" said), and suggested nothing."""
    with pytest.raises(StoreError) as admin:
        store.set_scope("ada", "KPU Kota Serang", actor="ada")
    assert admin.value.key == "store.admin_scope"
    point_at(store, monkeypatch)
    typed = cli("users", "scope", "edi", "--scope", "KPU Kabupaten Cilegon", "--lang", "en")
    assert typed.returncode == 1 and "(did you mean 'KPU Kota Cilegon'?)" in typed.stderr
    assert store.scope_of("edi") == "KPU Provinsi Banten"


def test_a_long_office_list_is_shortened_in_messages() -> None:
    from rbdash.offices import listed

    offices = [f"Satker Sintetis {index:03d}" for index in range(1, 554)]
    assert listed(offices) == ", ".join(offices[:9]) + " (+544)"
    assert listed(offices[:9]) == ", ".join(offices[:9])
