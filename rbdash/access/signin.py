"""Sign-in limits that need no database: the process-wide bound on argon2 work, client address keys, WIB.

Each argon2 operation with argon2-cffi's defaults allocates 64 MiB; without a bound, a dozen
anonymous failed sign-ins at once took a server from 262 MB to 1 GB. `shared_checks()` is the one
`PasswordChecks` of the server process: every hash and verification of the store (`rbdash.store`) goes
through it, so at most `[limits] login_checks` of them run at once and the others wait at most
`login_wait_seconds` for a slot, then are refused (`ChecksBusy`).
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION

from rbdash.config import settings

WIB = ZoneInfo("Asia/Jakarta")
IPV6_PREFIX = 64


class ChecksBusy(Exception):
    """No argon2 slot became free within the wait: the request is refused, neither failed nor passed."""


class PasswordChecks:
    """At most `slots` argon2 operations (hash or verify) at once through `hasher`; others wait or are refused."""

    def __init__(self, slots: int, hasher: PasswordHasher | None = None) -> None:
        self.slots = slots
        self.hasher = hasher or PasswordHasher()
        self._bound = threading.BoundedSemaphore(slots)
        self.dummy_hash = _unmatchable_hash(self.hasher)

    @contextmanager
    def slot(self, wait: float) -> Iterator[None]:
        """Hold one of the slots; `ChecksBusy` when none is free within `wait` seconds."""
        if not self._bound.acquire(timeout=wait):
            raise ChecksBusy
        try:
            yield
        finally:
            self._bound.release()

    def hash(self, password: str, wait: float) -> str:
        """The argon2 hash of `password`, computed in a slot."""
        with self.slot(wait):
            return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str, wait: float, admit: Callable[[], None] | None = None) -> bool:
        """Whether `password` matches hash `stored`, checked in a slot.

        `stored=None` (no such user) verifies against `dummy_hash`, so an unknown name costs what a
        known one does, and returns False. `admit()` runs once the slot is held, before any argon2
        work; it refuses by raising (a throttle re-checked after the wait).
        """
        with self.slot(wait):
            if admit is not None:
                admit()
            target = stored if stored is not None else self.dummy_hash
            matched: bool
            try:
                matched = self.hasher.verify(target, password)
            except (VerificationError, InvalidHashError):
                matched = False
            return matched and stored is not None


def _unmatchable_hash(hasher: PasswordHasher) -> str:
    """An encoded argon2 hash with `hasher`'s parameters and a random salt and digest.

    Verifying against it costs what verifying against a real hash does, yet building it needs no
    argon2 work, and no password matches it (short of finding a 256-bit preimage).
    """

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode().rstrip("=")

    return (
        f"$argon2{hasher.type.name.lower()}$v={ARGON2_VERSION}"
        f"$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
        f"${b64(secrets.token_bytes(hasher.salt_len))}${b64(secrets.token_bytes(hasher.hash_len))}"
    )


_shared: PasswordChecks | None = None
_shared_lock = threading.Lock()


def shared_checks() -> PasswordChecks:
    """The server process's one bound, sized from `settings().limits.login_checks` when first used.

    One bound per process is the point, so a later change of the setting needs a restart.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PasswordChecks(settings().limits.login_checks)
        return _shared


def address_key(address: str | None) -> str | None:
    """The key failed sign-ins are counted under for a client address, or None for "unknown".

    The address comes from `st.context.ip_address`. On Streamlit 1.67 that is the WebSocket peer
    as uvicorn reports it: uvicorn trusts X-Forwarded-For from the addresses in $FORWARDED_ALLOW_IPS
    (default 127.0.0.1 and ::1) and takes the rightmost address there that is not such a proxy;
    Streamlit then turns 127.0.0.1 and ::1 into None. Behind the nginx proxy, then, the address is
    the real client's when nginx sets `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`
    (entries a client forges stay to the left and are ignored), and None when nginx sends no such
    header. Without that directive, though, nginx passes a client's own X-Forwarded-For through and
    the client names any address it likes (FORWARDED_ALLOW_IPS="" makes uvicorn ignore the header).

    Every client would share a loopback or missing address, so counting under it would let one
    attacker lock everyone out: such sign-ins are throttled per account only (and the argon2 bound
    still caps their cost). Unparseable text is treated the same way. An IPv6 address counts by its
    /64 (one subscriber's network, where one host can pick any address); an IPv4-mapped IPv6
    address counts as its IPv4 address.
    """
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
