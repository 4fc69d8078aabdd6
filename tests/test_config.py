"""Settings from the environment and the config file; single sign-on roles from the configured list."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbdash.config import settings


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RBDASH_CONFIG", str(tmp_path / "tidak-ada.toml"))
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
        '"orang@luar" = "raja"\n'
    )
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.delenv("RBDASH_DATA_DIR", raising=False)
    monkeypatch.delenv("RBDASH_VIEW_REQUIRES_LOGIN", raising=False)
    current = settings()
    assert current.data_dir == Path("/srv/rbdash") and current.view_requires_login and current.auth == "oidc"
    assert current.oidc_role("tim.rb@banten.kpu.go.id") == "editor"
    assert current.oidc_role("ketua@banten.kpu.go.id") == "viewer"
    assert current.oidc_role("orang@luar") is None and current.oidc_role("asing@x") is None
    assert current.oidc_role(None) is None
    monkeypatch.setenv("RBDASH_VIEW_REQUIRES_LOGIN", "0")
    assert not settings().view_requires_login


def test_limits_from_file_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "rbdash.toml"
    config.write_text('[limits]\nworker_memory_mb = 800\nlogin_checks = 0\nreport_queue = "banyak"\n')
    monkeypatch.setenv("RBDASH_CONFIG", str(config))
    monkeypatch.delenv("RBDASH_WORKER_MEMORY_MB", raising=False)
    limits = settings().limits
    # 800 from the file; 0 is raised to 1 (a bound is never switched off); a malformed value keeps 8.
    assert (limits.worker_memory_mb, limits.login_checks, limits.report_queue) == (800, 1, 8)
    assert limits.worker_slots == 2
    monkeypatch.setenv("RBDASH_WORKER_MEMORY_MB", "1200")
    assert settings().limits.worker_memory_mb == 1200
