"""Server settings: environment variables first, then the config file, then defaults.

The config file is $RBDASH_CONFIG, else `rbdash.toml` in the project folder when present::

    data_dir = "/srv/rbdash"          # RBDASH_DATA_DIR overrides it
    database_url = "postgresql://rbdash:PASSWORD@db.example:5432/rbdash"  # RBDASH_DATABASE_URL overrides it;
                                       # set, the store is in PostgreSQL (and data_dir is not used for it)
    view_requires_login = false        # RBDASH_VIEW_REQUIRES_LOGIN overrides it
    auth = "password"                  # or "oidc": Streamlit's st.login (configure [auth] in secrets.toml)

    [limits]                           # each also as RBDASH_<NAME in upper case>, e.g. RBDASH_WORKER_MEMORY_MB
    worker_memory_mb = 1536            # address space of one workbook-reading worker process (512 at least)
    worker_cpu_seconds = 60            # CPU time of one worker
    worker_wall_seconds = 90           # wall time of one worker (and at most as long waiting for a slot)
    worker_open_files = 64             # open files of one worker
    worker_slots = 2                   # workers reading at once per server process; others wait
    upload_session_mb = 60             # uploaded bytes one browser session may hold
    upload_total_mb = 400              # uploaded bytes all sessions of a server process may hold
    report_builders = 1                # reports built at once per server process; others queue
    report_queue = 8                   # reports waiting at most; more are refused
    report_per_visitor = 2             # reports one user (or, signed out, one client address) may have queued
    login_checks = 2                   # password verifications (argon2, 64 MiB each) at once
    login_wait_seconds = 5             # how long a sign-in waits for a free verification slot
    login_failures_per_address = 20    # failed sign-ins from one client address ...
    login_failures_per_account = 5     # ... or for one user name from one client address ...
    login_failure_window_minutes = 15  # ... within this window before it is refused for the window

    [report]                           # the home office's letterhead and signature block (all optional)
    office_name = "KOMISI PEMILIHAN UMUM PROVINSI BANTEN"
    office_address = "Jl. Syekh Nawawi Al Bantani, Serang, Banten"
    logo = "/srv/rbdash/logo.png"      # the office's own emblem, PNG or JPEG, 2 MB at most
    place = "Serang"                   # the date line above the signature: "Serang, 3 Oktober 2022"
    signer_heading = "Mengetahui,"     # unset: the report language's ("Mengetahui," / "Acknowledged,")
    signer_title = "Sekretaris KPU Provinsi Banten"
    signer_name = "..."
    signer_nip = "..."

    offices = ["KPU Provinsi Banten", "KPU Kabupaten Serang"]  # the offices kept (default: the province
                                       # and its eight kab/kota); the first is the home office

    [oidc_roles]                       # with auth = "oidc": e-mail address -> role
    "ketua@banten.kpu.go.id" = "viewer"
    "tim.rb@banten.kpu.go.id" = "editor"

    [oidc_scopes]                      # with auth = "oidc": e-mail address -> the office they may publish
    "tim.rb@banten.kpu.go.id" = "*"    # for, or "*" for every office (unset: the home office; admins: "*")
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rbdash.config.report import ReportLayout, report_layout
from rbdash.config.report import SettingsError as SettingsError
from rbdash.offices import ALL, BANTEN_SATKER, MAX_OFFICE_CHARS, known_offices, matching_office, same_office

PROJECT = Path(__file__).resolve().parent.parent.parent
#: The workbook shipped with the project (the annex of the 2022 decree, with labelled example data).
BUNDLED_WORKBOOK = PROJECT / "data" / "rencana_aksi_2022.xlsx"
#: The Streamlit entry script.
APP_SCRIPT = PROJECT / "app.py"
#: The roles, lowest first: each may do what the ones before it may.
ROLES = ("viewer", "editor", "admin")
#: The shortest password accepted.
MIN_PASSWORD_CHARS = 10
MAX_USER_NAME_CHARS = 64
#: The longest version comment: a line of history, not a document (seen by the review: 5,000 characters on one line).
MAX_COMMENT_CHARS = 500
#: The largest workbook accepted, in bytes: "50 MB" in decimal megabytes (1 MB = 1,000,000 bytes), the
#: unit Streamlit's upload widget uses in the browser (except on Windows). The one place the limit is set:
#: the loader refuses a larger file (`file_too_large`), the Unggah Data page and the message show it in
#: MB, and `.streamlit/config.toml` (server.maxUploadSize) and deploy/nginx.conf (client_max_body_size)
#: are kept at least as large (tests/test_deploy.py), so the loader's check is the one that speaks.
UPLOAD_LIMIT_BYTES = 50_000_000
#: The same limit in decimal MB, as users read it: 50.
UPLOAD_LIMIT_MB = UPLOAD_LIMIT_BYTES // 1_000_000


def role_at_least(role: str | None, needed: str) -> bool:
    """True when `role` is a known role that may do what `needed` may."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


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
    report_per_visitor: int = 2
    login_checks: int = 2
    login_wait_seconds: int = 5
    login_failures_per_address: int = 20
    login_failures_per_account: int = 5
    login_failure_window_minutes: int = 15


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    view_requires_login: bool = False
    auth: str = "password"
    oidc_roles: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    report: ReportLayout = field(default_factory=ReportLayout)
    offices: tuple[str, ...] = BANTEN_SATKER
    oidc_scopes: dict[str, str] = field(default_factory=dict)
    #: The PostgreSQL store's URL, or None for the SQLite store in `data_dir` (kept out of repr: its password).
    database_url: str | None = field(default=None, repr=False)

    @property
    def store_location(self) -> str:
        """Where the store is: the database URL when one is set, else the data directory."""
        return self.database_url or str(self.data_dir)

    @property
    def home_office(self) -> str:
        """The first configured office: what a visitor sees first, and whose letterhead [report] is."""
        return self.offices[0]

    def report_layout(self, satker: object) -> ReportLayout:
        """The letterhead and signature block of a report of `satker`: [report] is the home office's own; another
        office's report has its name in plain text and blank signature lines (nothing that is not its own)."""
        return self.report if same_office(str(satker or ""), self.home_office) else ReportLayout()

    def oidc_role(self, email: str | None) -> str | None:
        """The role configured for a signed-in e-mail address (case-insensitive), or None."""
        if not email:
            return None
        role = {k.casefold(): v for k, v in self.oidc_roles.items()}.get(email.casefold())
        return role if role in ROLES else None

    def oidc_scope(self, email: str | None) -> str | None:
        """The office a signed-in e-mail address may publish for (`offices.ALL`: every one): every office for
        an admin, else [oidc_scopes] (case-insensitive), else the home office; None for an unknown address."""
        role = self.oidc_role(email)
        if role is None or email is None:
            return None
        if role == "admin":
            return ALL
        return {k.casefold(): v for k, v in self.oidc_scopes.items()}.get(email.casefold(), self.home_office)


_TOP_KEYS = {
    "data_dir",
    "database_url",
    "view_requires_login",
    "auth",
    "oidc_roles",
    "oidc_scopes",
    "limits",
    "report",
    "offices",
}
_AUTH_MODES = ("password", "oidc")
_FLAGS = {
    "1": True,
    "true": True,
    "ya": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "tidak": False,
    "no": False,
    "off": False,
}


def _flag(value: object, where: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    flag = _FLAGS.get(str(value).strip().lower())
    if flag is None:
        raise SettingsError("settings.bad_value", where=where, name=key, value=value, expected="true / false")
    return flag


def _limits(values: dict[str, object], where: str) -> Limits:
    """Each limit from RBDASH_<NAME>, else [limits] of the config file, else its default: a whole number >= 1."""
    unknown = sorted(set(values) - {spec.name for spec in fields(Limits)})
    if unknown:
        raise SettingsError("settings.unknown_key", where=where, name=f"limits.{unknown[0]}")
    chosen: dict[str, int] = {}
    for spec in fields(Limits):
        variable = f"RBDASH_{spec.name.upper()}"
        raw, origin, name = (
            (os.environ[variable], "environment", variable)
            if variable in os.environ
            else (values.get(spec.name), where, f"limits.{spec.name}")
        )
        if raw is None:
            continue
        try:
            number = int(str(raw).strip()) if not isinstance(raw, bool) else None
        except ValueError:
            number = None
        low = LIMIT_FLOORS.get(spec.name, 1)
        if number is None or not low <= number <= MAX_LIMIT:
            # A bound is never switched off, nor silently replaced: the server does not start with it (seen by
            # the review: worker_memory_mb = 99999999999999999999 made every read fail as the file's fault).
            raise SettingsError(
                "settings.bad_value", where=origin, name=name, value=raw, expected=f"{low} - {MAX_LIMIT}"
            )
        chosen[spec.name] = number
    return Limits(**chosen)


def _offices(values: object, where: str) -> tuple[str, ...]:
    """`offices`: one or more office names, each one line of at most MAX_OFFICE_CHARS, none the same office
    as another (spacing, case and short forms aside)."""
    expected = f'["KPU Provinsi Banten", ...] ({MAX_OFFICE_CHARS} characters at most each)'
    if not isinstance(values, list) or not values:
        raise SettingsError("settings.bad_value", where=where, name="offices", value=values, expected=expected)
    offices: list[str] = []
    for value in values:
        name = " ".join(value.split()) if isinstance(value, str) else ""
        printable = isinstance(value, str) and value.isprintable() and name
        if not printable or len(name) > MAX_OFFICE_CHARS:
            raise SettingsError("settings.bad_value", where=where, name="offices", value=value, expected=expected)
        offices.append(name)
    if len(known_offices(offices, [])) < len(offices):  # one office written twice (spacing, case, short forms aside)
        twice = next(name for index, name in enumerate(offices) if matching_office(name, offices[:index]))
        raise SettingsError("settings.bad_value", where=where, name="offices", value=twice, expected=expected)
    return tuple(offices)


def _oidc_scopes(values: object, where: str, offices: tuple[str, ...]) -> dict[str, str]:
    """[oidc_scopes]: e-mail address -> one of `offices` (in its configured spelling) or "*"."""
    expected = '"*" / ' + " / ".join(f'"{office}"' for office in offices[:3]) + (" / ..." if len(offices) > 3 else "")
    if not isinstance(values, dict):
        raise SettingsError("settings.bad_value", where=where, name="oidc_scopes", value=values, expected=expected)
    scopes: dict[str, str] = {}
    for email, scope in values.items():
        office = ALL if scope == ALL else matching_office(scope, offices) if isinstance(scope, str) else None
        if office is None:
            raise SettingsError(
                "settings.bad_value", where=where, name=f"oidc_scopes.{email}", value=scope, expected=expected
            )
        scopes[email] = office
    return scopes


def _config_path() -> Path:
    return Path(os.environ.get("RBDASH_CONFIG") or PROJECT / "rbdash.toml")


#: The largest value any limit takes (seconds, MB, counts): far above any sensible bound, and within what
#: the system calls given these numbers accept.
MAX_LIMIT = 1_000_000_000
#: Limits whose smallest usable value is above 1. A worker given less address space than its reader's threads
#: need at start hung until its wall time (seen by the review: 60-300 MB), or blamed the file (400 MB).
LIMIT_FLOORS = {"worker_memory_mb": 512}
#: The environment variables RB Dash reads besides RBDASH_<LIMIT NAME>: any other RBDASH_* is a misspelling.
VARIABLES = frozenset(
    {"RBDASH_CONFIG", "RBDASH_DATA_DIR", "RBDASH_DATABASE_URL", "RBDASH_VIEW_REQUIRES_LOGIN", "RBDASH_WORKBOOK"}
    | {"RBDASH_CHROMIUM"}
)


def _check_variables() -> None:
    """Refuses an RBDASH_* variable RB Dash does not read (seen by the review: RBDASH_WORKER_SLOT=3 did nothing)."""
    known = VARIABLES | {f"RBDASH_{spec.name.upper()}" for spec in fields(Limits)}
    unknown = sorted(name for name in os.environ if name.startswith("RBDASH_") and name not in known)
    if unknown:
        raise SettingsError("settings.unknown_key", where="environment", name=unknown[0])


SettingsInputs = tuple[str, int | None, tuple[tuple[str, str], ...]]


def _inputs() -> SettingsInputs:
    """What the settings are made of: the config file (path and modification) and the RBDASH_* variables."""
    path = _config_path()
    try:
        stamp = path.stat().st_mtime_ns if path.is_file() else None
    except OSError:
        stamp = None
    return str(path), stamp, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("RBDASH_")))


_cached: tuple[SettingsInputs, Settings] | None = None


def settings() -> Settings:
    """The settings in force: read and validated once, again only when the file or a RBDASH_* variable changes.

    Raises SettingsError for an unknown key, a malformed value or an unreadable file, naming the
    file (or variable) and key; `check_settings()` at start-up makes that the first thing an
    administrator sees.
    """
    global _cached
    inputs = _inputs()
    if _cached is not None and _cached[0] == inputs:
        return _cached[1]
    made = _read(_config_path())
    _cached = (inputs, made)
    return made


def _read(path: Path) -> Settings:
    where = str(path)
    values: dict[str, object] = {}
    _check_variables()
    if os.environ.get("RBDASH_CONFIG") and not path.is_file():  # named, so meant: never silently the defaults
        raise SettingsError("settings.missing_file", where=where)
    if path.is_file():
        try:
            with path.open("rb") as stream:
                values = tomllib.load(stream)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:  # TOML is UTF-8 text
            raise SettingsError("settings.unreadable", where=where, reason=str(exc)) from exc
    unknown = sorted(set(values) - _TOP_KEYS)
    if unknown:
        raise SettingsError("settings.unknown_key", where=where, name=unknown[0])
    # Set but empty is a mistake, not a wish for the default (seen by the attacker review: RBDASH_DATA_DIR=""
    # silently used var/ under the project).
    data_dir: object = os.environ.get("RBDASH_DATA_DIR")
    if data_dir is not None and not str(data_dir).strip():
        raise SettingsError("settings.empty_path", where="environment", name="RBDASH_DATA_DIR")
    if data_dir is None and "data_dir" in values:
        data_dir = values["data_dir"]
        if not isinstance(data_dir, str):
            raise SettingsError(
                "settings.bad_value", where=where, name="data_dir", value=data_dir, expected='"/path/to/folder"'
            )
        if not data_dir.strip():
            raise SettingsError("settings.empty_path", where=where, name="data_dir")
    data_dir = data_dir or PROJECT / "var"
    database_url = _database_url(values, where)
    view = os.environ.get("RBDASH_VIEW_REQUIRES_LOGIN")
    view_requires_login = (
        _flag(view, "environment", "RBDASH_VIEW_REQUIRES_LOGIN")
        if view is not None
        else _flag(values.get("view_requires_login", False), where, "view_requires_login")
    )
    auth = str(values.get("auth", "password"))
    if auth not in _AUTH_MODES:
        raise SettingsError(
            "settings.bad_value", where=where, name="auth", value=auth, expected=" / ".join(_AUTH_MODES)
        )
    oidc_roles = values.get("oidc_roles", {})
    if not isinstance(oidc_roles, dict):
        raise SettingsError(
            "settings.bad_value",
            where=where,
            name="oidc_roles",
            value=oidc_roles,
            expected="[oidc_roles] e-mail = role",
        )
    for email, role in oidc_roles.items():
        if role not in ROLES:
            raise SettingsError(
                "settings.bad_value", where=where, name=f"oidc_roles.{email}", value=role, expected=" / ".join(ROLES)
            )
    limits = values.get("limits", {})
    if not isinstance(limits, dict):
        raise SettingsError("settings.bad_value", where=where, name="limits", value=limits, expected="[limits]")
    offices = _offices(values["offices"], where) if "offices" in values else BANTEN_SATKER
    return Settings(
        offices=offices,
        oidc_scopes=_oidc_scopes(values.get("oidc_scopes", {}), where, offices),
        data_dir=Path(str(data_dir)),
        database_url=database_url,
        view_requires_login=view_requires_login,
        auth=auth,
        oidc_roles=dict(oidc_roles),
        limits=_limits(dict(limits), where),
        report=report_layout(values.get("report", {}), where),
    )


def _database_url(values: dict[str, Any], where: str) -> str | None:
    """$RBDASH_DATABASE_URL, else `database_url`, else None; refused when set but not a postgresql:// URL (the
    message never repeats the value: it holds a password)."""
    url: object = os.environ.get("RBDASH_DATABASE_URL")
    source, name = "environment", "RBDASH_DATABASE_URL"
    if url is None:
        url, source, name = values.get("database_url"), where, "database_url"
    if url is None:
        return None
    if not isinstance(url, str) or not usable_database_url(url.strip()):
        raise SettingsError("settings.bad_database_url", where=source, name=name)
    return url.strip()


def usable_database_url(url: str) -> bool:
    """Whether `url` is a postgresql:// URL libpq reads as meant (here and for `store copy`): seen by the review,
    a password with a stray '%', space or '@' was logged whole by the connection pool, or read as part of the host
    and shown."""
    if not url.startswith(("postgresql://", "postgres://")) or url.split("?", 1)[0].count("@") > 1:
        return False  # a second '@' is a password's own, unencoded: libpq would read the rest as host and database
    import psycopg.conninfo

    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return False
    hosts = str(parts.get("host") or "").split(",")
    plain = re.compile(r"[A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+")
    return (
        all(not host or host.startswith("/") or plain.fullmatch(host) for host in hosts)
        and all(port.isdigit() for port in str(parts.get("port") or "5432").split(","))
        and re.fullmatch(r"[A-Za-z0-9_.$\-]*", str(parts.get("dbname") or "")) is not None
    )
