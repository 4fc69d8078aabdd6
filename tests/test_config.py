"""Settings from the environment and the config file; single sign-on roles from the configured list."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbdash.config import MIN_PASSWORD_CHARS, ROLES, UPLOAD_LIMIT_MB, SettingsError, role_at_least, settings
from rbdash.messages import t
from tests.conftest import ROOT


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "kosong.toml"
    empty.write_text("")
    monkeypatch.setenv("RBDASH_CONFIG", str(empty))
    monkeypatch.delenv("RBDASH_DATA_DIR", raising=False)
    monkeypatch.delenv("RBDASH_VIEW_REQUIRES_LOGIN", raising=False)
    current = settings()
    assert current.data_dir.name == "var" and not current.view_requires_login and current.auth == "password"
    monkeypatch.setenv("RBDASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RBDASH_VIEW_REQUIRES_LOGIN", "1")
    assert settings().data_dir == tmp_path / "data" and settings().view_requires_login


def test_config_file_and_oidc_roles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text(
        'data_dir = "/srv/rbdash"\nview_requires_login = true\nauth = "oidc"\n\n[oidc_roles]\n'
        '"Tim.RB@banten.kpu.go.id" = "editor"\n"ketua@banten.kpu.go.id" = "viewer"\n'
    )
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.delenv("RBDASH_DATA_DIR", raising=False)
    monkeypatch.delenv("RBDASH_VIEW_REQUIRES_LOGIN", raising=False)
    current = settings()
    assert current.data_dir == Path("/srv/rbdash") and current.view_requires_login and current.auth == "oidc"
    assert current.oidc_role("tim.rb@banten.kpu.go.id") == "editor"
    assert current.oidc_role("ketua@banten.kpu.go.id") == "viewer"
    assert current.oidc_role("asing@x") is None
    assert current.oidc_role(None) is None
    monkeypatch.setenv("RBDASH_VIEW_REQUIRES_LOGIN", "0")
    assert not settings().view_requires_login


def test_limits_from_file_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text("[limits]\nworker_memory_mb = 800\n")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.delenv("RBDASH_WORKER_MEMORY_MB", raising=False)
    limits = settings().limits
    assert (limits.worker_memory_mb, limits.worker_slots) == (800, 2)
    monkeypatch.setenv("RBDASH_WORKER_MEMORY_MB", "1200")
    assert settings().limits.worker_memory_mb == 1200
    monkeypatch.delenv("RBDASH_REPORT_PER_VISITOR", raising=False)
    assert settings().limits.report_per_visitor == 2
    other = tmp_path / "other.toml"  # another file: the settings are read again whatever the clock
    other.write_text("[limits]\nreport_per_visitor = 3\n")
    monkeypatch.setenv("RBDASH_CONFIG", str(other))
    assert settings().limits.report_per_visitor == 3
    monkeypatch.setenv("RBDASH_REPORT_PER_VISITOR", "1")
    assert settings().limits.report_per_visitor == 1


@pytest.mark.parametrize(
    ("text", "variable", "key", "name"),
    [
        ('data_dirr = "/srv"\n', None, "settings.unknown_key", "data_dirr"),
        ("[limits]\nworker_memory = 800\n", None, "settings.unknown_key", "limits.worker_memory"),
        ("[limits]\nlogin_checks = 0\n", None, "settings.bad_value", "limits.login_checks"),
        ('[limits]\nreport_queue = "banyak"\n', None, "settings.bad_value", "limits.report_queue"),
        ("[limits]\nreport_per_visitor = 0\n", None, "settings.bad_value", "limits.report_per_visitor"),
        ('auth = "ldap"\n', None, "settings.bad_value", "auth"),
        ('view_requires_login = "mungkin"\n', None, "settings.bad_value", "view_requires_login"),
        ('[oidc_roles]\n"orang@luar" = "raja"\n', None, "settings.bad_value", "oidc_roles.orang@luar"),
        ("", ("RBDASH_WORKER_SLOTS", "dua"), "settings.bad_value", "RBDASH_WORKER_SLOTS"),
        ("", ("RBDASH_VIEW_REQUIRES_LOGIN", "mungkin"), "settings.bad_value", "RBDASH_VIEW_REQUIRES_LOGIN"),
        ("data_dir = \n", None, "settings.unreadable", None),
        ("\udcff\udcfe[limits]\n", None, "settings.unreadable", None),  # seen by the review: a traceback
        # Seen by the attacker review: an empty data folder silently meant var/ under the project.
        ("", ("RBDASH_DATA_DIR", ""), "settings.empty_path", "RBDASH_DATA_DIR"),
        ("", ("RBDASH_DATA_DIR", "   "), "settings.empty_path", "RBDASH_DATA_DIR"),
        ('data_dir = ""\n', None, "settings.empty_path", "data_dir"),
        # Seen by the review: a number said "empty", a huge bound failed every read as the file's fault, a
        # misspelt variable did nothing.
        ("data_dir = 3\n", None, "settings.bad_value", "data_dir"),
        ("[limits]\nworker_memory_mb = 99999999999999999999\n", None, "settings.bad_value", "limits.worker_memory_mb"),
        ("", ("RBDASH_WORKER_MEMORY_MB", "1000000001"), "settings.bad_value", "RBDASH_WORKER_MEMORY_MB"),
        # Below what the reader's threads need to start: the worker hung until its wall time (seen by the review).
        ("", ("RBDASH_WORKER_MEMORY_MB", "300"), "settings.bad_value", "RBDASH_WORKER_MEMORY_MB"),
        ("[limits]\nworker_memory_mb = 511\n", None, "settings.bad_value", "limits.worker_memory_mb"),
        ("", ("RBDASH_WORKER_SLOT", "3"), "settings.unknown_key", "RBDASH_WORKER_SLOT"),
    ],
)
def test_a_wrong_setting_is_refused_naming_file_and_key(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    variable: tuple[str, str] | None,
    key: str,
    name: str | None,
) -> None:
    """Seen by the review: a typo in rbdash.toml silently did nothing, and a bad limit kept its default."""
    config = tmp_path / "rbdash.toml"
    config.write_bytes(text.encode("utf-8", "surrogateescape"))  # "\\udcff": the byte 0xff, not UTF-8
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.delenv("RBDASH_DATA_DIR", raising=False)
    if variable:
        monkeypatch.setenv(*variable)
    with pytest.raises(SettingsError) as refused:
        settings()
    assert refused.value.key == key
    message = t(refused.value.key, "id", **refused.value.params)
    assert (str(config) in message) or (variable is not None and "environment" in message)
    if name:
        assert f"'{name}'" in message


def test_a_named_settings_file_that_is_not_there_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Seen by the review: RBDASH_CONFIG naming a missing file silently meant the defaults."""
    missing = tmp_path / "tidak-ada.toml"
    monkeypatch.setenv("RBDASH_CONFIG", str(missing))
    with pytest.raises(SettingsError) as refused:
        settings()
    assert refused.value.key == "settings.missing_file"
    assert str(missing) in t(refused.value.key, "id", **refused.value.params)


def test_settings_are_read_once_until_their_inputs_change(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text("[limits]\nreport_queue = 3\n")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    first = settings()
    assert settings() is first  # not read again
    config.write_text("[limits]\nreport_queue = 4\n")
    import os

    os.utime(config, ns=(first_ns := config.stat().st_mtime_ns + 10**9, first_ns))
    assert settings().limits.report_queue == 4


def test_the_cli_names_a_wrong_setting_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbdash.cli import main

    config = tmp_path / "rbdash.toml"
    config.write_text("[limits]\nworker_slot = 3\n")
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    assert main(["summary", str(ROOT / "data" / "rencana_aksi_2022.xlsx"), "--lang", "en"]) == 2
    assert f"Unknown setting 'limits.worker_slot' in {config}" in capsys.readouterr().err


def test_facts_declared_once_agree_with_streamlit_and_the_store() -> None:
    import tomllib

    streamlit_config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert streamlit_config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert ROLES == ("viewer", "editor", "admin") and MIN_PASSWORD_CHARS == 10
    assert role_at_least("admin", "editor") and role_at_least("editor", "editor")
    assert not role_at_least("viewer", "editor") and not role_at_least("raja", "viewer")
    assert not role_at_least(None, "viewer")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://rbdash:rahasia-sekali@db/rbdash",
        "postgresql://rbdash:rahasia%sekali 9@127.0.0.1:5432/rbdash",  # a stray '%' and a space (seen logged)
        "postgresql://rbdash:rahasia@sekali/kunci@127.0.0.1:5432/rbdash",  # an '@' read as the host (seen shown)
        "postgresql://rbdash:rahasia-sekali@db:port/rbdash",
        "   ",
    ],
)
def test_a_database_url_libpq_would_misread_is_refused_without_repeating_it(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBDASH_DATABASE_URL", url)
    with pytest.raises(SettingsError) as caught:
        settings()
    assert caught.value.key == "settings.bad_database_url"
    message = t(caught.value.key, "id", **caught.value.params)
    assert "rahasia" not in message and "%40" in message and "RBDASH_DATABASE_URL" in message


def test_a_database_url_chooses_the_postgresql_store(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://rbdash:kunci%40rahasia@db.kantor.example:5432/rbdash"
    monkeypatch.setenv("RBDASH_DATABASE_URL", url)
    chosen = settings()
    assert chosen.database_url == url and chosen.store_location == url
    assert "kunci" not in repr(chosen)  # the settings' repr never carries it
