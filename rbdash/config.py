"""Server settings: environment variables first, then the config file, then defaults.

The config file is $RBDASH_CONFIG, else `rbdash.toml` in the project folder when present::

    data_dir = "/srv/rbdash"          # RBDASH_DATA_DIR overrides it
    view_requires_login = false        # RBDASH_VIEW_REQUIRES_LOGIN overrides it
    auth = "password"                  # or "oidc": Streamlit's st.login (configure [auth] in secrets.toml)

    [oidc_roles]                       # with auth = "oidc": e-mail address -> role
    "ketua@banten.kpu.go.id" = "viewer"
    "tim.rb@banten.kpu.go.id" = "editor"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    view_requires_login: bool = False
    auth: str = "password"
    oidc_roles: dict[str, str] = field(default_factory=dict)

    def oidc_role(self, email: str | None) -> str | None:
        """The role configured for a signed-in e-mail address (case-insensitive), or None."""
        if not email:
            return None
        role = {k.casefold(): v for k, v in self.oidc_roles.items()}.get(email.casefold())
        return role if role in ROLES else None


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "ya", "yes", "on")


def settings() -> Settings:
    """The settings in force now (read on every call: cheap, and tests can change them)."""
    path = Path(os.environ.get("RBDASH_CONFIG") or PROJECT / "rbdash.toml")
    values: dict = {}
    if path.is_file():
        with path.open("rb") as stream:
            values = tomllib.load(stream)
    data_dir = os.environ.get("RBDASH_DATA_DIR") or values.get("data_dir") or PROJECT / "var"
    view = os.environ.get("RBDASH_VIEW_REQUIRES_LOGIN")
    return Settings(
        data_dir=Path(data_dir),
        view_requires_login=_flag(view) if view is not None else bool(values.get("view_requires_login", False)),
        auth=str(values.get("auth", "password")),
        oidc_roles=dict(values.get("oidc_roles", {})),
    )
