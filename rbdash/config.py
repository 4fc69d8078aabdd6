"""Server settings: environment variables first, then the config file, then defaults.

The config file is $RBDASH_CONFIG, else `rbdash.toml` in the project folder when present::

    data_dir = "/srv/rbdash"          # RBDASH_DATA_DIR overrides it
    view_requires_login = false        # RBDASH_VIEW_REQUIRES_LOGIN overrides it
    auth = "password"                  # or "oidc": Streamlit's st.login (configure [auth] in secrets.toml)

    [limits]                           # each also as RBDASH_<NAME in upper case>, e.g. RBDASH_WORKER_MEMORY_MB
    worker_memory_mb = 1536            # address space of one workbook-reading worker process
    worker_cpu_seconds = 60            # CPU time of one worker
    worker_wall_seconds = 90           # wall time of one worker, waiting for a free slot included
    worker_open_files = 64             # open files of one worker
    worker_slots = 2                   # workers reading at once per server process; others wait
    upload_session_mb = 60             # uploaded bytes one browser session may hold
    upload_total_mb = 400              # uploaded bytes all sessions of a server process may hold
    report_builders = 1                # reports built at once per server process; others queue
    report_queue = 8                   # reports waiting at most; more are refused
    login_checks = 2                   # password verifications (argon2, 64 MiB each) at once
    login_wait_seconds = 5             # how long a sign-in waits for a free verification slot
    login_failures_per_address = 20    # failed sign-ins from one client address ...
    login_failure_window_minutes = 15  # ... within this window before it is refused for the window

    [oidc_roles]                       # with auth = "oidc": e-mail address -> role
    "ketua@banten.kpu.go.id" = "viewer"
    "tim.rb@banten.kpu.go.id" = "editor"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
#: The workbook shipped with the project (the annex of the 2022 decree, with labelled example data).
BUNDLED_WORKBOOK = PROJECT / "data" / "rencana_aksi_2022.xlsx"
#: The Streamlit entry script.
APP_SCRIPT = PROJECT / "app.py"
ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one server process does for its visitors (README, "Limits")."""

    worker_memory_mb: int = 1536
    worker_cpu_seconds: int = 60
    worker_wall_seconds: int = 90
    worker_open_files: int = 64
    worker_slots: int = 2
    upload_session_mb: int = 60
    upload_total_mb: int = 400
    report_builders: int = 1
    report_queue: int = 8
    login_checks: int = 2
    login_wait_seconds: int = 5
    login_failures_per_address: int = 20
    login_failure_window_minutes: int = 15


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    view_requires_login: bool = False
    auth: str = "password"
    oidc_roles: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def oidc_role(self, email: str | None) -> str | None:
        """The role configured for a signed-in e-mail address (case-insensitive), or None."""
        if not email:
            return None
        role = {k.casefold(): v for k, v in self.oidc_roles.items()}.get(email.casefold())
        return role if role in ROLES else None


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "ya", "yes", "on")


def _limits(values: dict) -> Limits:
    """Each limit from RBDASH_<NAME>, else [limits] of the config file, else its default; at least 1."""
    chosen: dict[str, int] = {}
    for spec in fields(Limits):
        raw = os.environ.get(f"RBDASH_{spec.name.upper()}", values.get(spec.name))
        if raw is None:
            continue
        try:
            chosen[spec.name] = max(1, int(raw))
        except (TypeError, ValueError):
            continue  # a malformed value keeps the default rather than disabling the bound
    return Limits(**chosen)


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
        limits=_limits(dict(values.get("limits", {}))),
    )
