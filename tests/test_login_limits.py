"""Sign-in limits: the bound on argon2 work, its memory, per-address and per-account throttling, dummy hashes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters

from rbdash.access.signin import PasswordChecks, address_key
from rbdash.messages import t
from rbdash.store import StoreError
from rbdash.store.sql_store import SqlStore
from rbdash.store.sqlite import SqliteStore
from tests.conftest import ROOT
from tests.store_backends import StoreAt

PASSWORD = "kata-sandi-panjang"
MIB = 1024 * 1024


class CountingHasher(PasswordHasher):
    """Cheap argon2 that records every verification and the most argon2 operations running at once.

    With `gate` set, a verification waits for it (at most 30 s) once it is counted as running.
    """

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.changed = threading.Condition()
        self.running = 0
        self.peak = 0
        self.verified: list[str] = []
        self.gate: threading.Event | None = None

    def _enter(self) -> None:
        with self.changed:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.changed.notify_all()

    def _leave(self) -> None:
        with self.changed:
            self.running -= 1
            self.changed.notify_all()

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._enter()
        try:
            return super().hash(password, salt=salt)
        finally:
            self._leave()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self._enter()
        try:
            with self.changed:
                self.verified.append(hash)
            if self.gate is not None:
                self.gate.wait(timeout=30)
            return super().verify(hash, password)
        finally:
            self._leave()

    def wait_running(self, count: int, timeout: float) -> bool:
        """Whether `count` operations run at once within `timeout` seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: self.running >= count, timeout=timeout)


class Clock:
    """A settable UTC clock: 08:00 WIB on 3 March 2025 to start with."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Rig:
    at: StoreAt
    store: SqlStore
    checks: PasswordChecks
    hasher: CountingHasher
    clock: Clock

    def failures_stored(self) -> list[str]:
        """The address of every failure counted now, sorted (rows of one moment have no order of their own)."""
        return sorted(row[0] for row in self.at.rows("SELECT address FROM login_failures"))

    def another_process(self) -> SqlStore:
        """The same store as another server process opens it (its own connections)."""
        return self.at.open(checks=self.checks, clock=self.clock)

    def actions(self) -> list[str]:
        return [entry["action"] for entry in self.store.audit_log()]


def rig(at: StoreAt, slots: int = 2) -> Rig:
    hasher = CountingHasher()
    checks = PasswordChecks(slots, hasher)
    clock = Clock()
    store = at.open(checks=checks, clock=clock)
    store.add_user("budi", "editor", PASSWORD)
    store.add_user("sari", "viewer", PASSWORD)
    return Rig(at, store, checks, hasher, clock)


@pytest.fixture
def limited(empty_store: StoreAt, monkeypatch: pytest.MonkeyPatch) -> Rig:
    """A store (on each backend in turn) with cheap counted argon2 and an injected clock; 3 failures per address
    in 15 minutes."""
    monkeypatch.setenv("RBDASH_LOGIN_FAILURES_PER_ADDRESS", "3")
    monkeypatch.setenv("RBDASH_LOGIN_FAILURE_WINDOW_MINUTES", "15")
    return rig(empty_store)


def refusal(store: SqlStore, name: str, password: str, address: str | None) -> StoreError:
    with pytest.raises(StoreError) as caught:
        store.authenticate(name, password, address=address)
    return caught.value


# -- the bound ---------------------------------------------------------------------------------


def concurrently(count: int, attempt: Callable[[int], object]) -> list[threading.Thread]:
    """`count` threads running `attempt(i)`, released together."""
    start = threading.Barrier(count)

    def run(i: int) -> None:
        start.wait()
        attempt(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


def test_twelve_concurrent_failed_sign_ins_run_at_most_two_verifications(empty_store: StoreAt) -> None:
    limits = rig(empty_store, slots=2)
    limits.hasher.verified.clear()
    limits.hasher.gate = threading.Event()
    outcomes: list[object] = []

    def attempt(i: int) -> None:
        try:
            outcomes.append(
                limits.store.authenticate(("budi", "sari", f"tamu{i}")[i % 3], "salah", address=f"198.51.100.{i + 1}")
            )
        except StoreError as exc:
            outcomes.append(exc.key)
        except Exception as exc:  # the assertion below names it
            outcomes.append(exc)

    threads = concurrently(12, attempt)
    try:
        assert limits.hasher.wait_running(2, timeout=30)  # two verifications hold the slots ...
        assert not limits.hasher.wait_running(3, timeout=0.5)  # ... and ten sign-ins wait for one
    finally:
        limits.hasher.gate.set()
        for thread in threads:
            thread.join()
    assert len(outcomes) == 12 and all(o is None or o == "auth.busy" for o in outcomes), outcomes
    assert limits.hasher.peak == 2
    assert len(limits.hasher.verified) == outcomes.count(None)


def test_without_a_free_slot_sign_in_and_hashing_are_refused_as_busy(
    limited: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBDASH_LOGIN_WAIT_SECONDS", "1")
    with limited.checks.slot(5), limited.checks.slot(5):
        assert refusal(limited.store, "budi", PASSWORD, "203.0.113.5").key == "auth.busy"
        assert refusal(limited.store, "budi", "salah", "203.0.113.5").key == "auth.busy"
        with pytest.raises(StoreError) as caught:
            limited.store.add_user("cici", "viewer", PASSWORD)
        assert caught.value.key == "auth.busy"
    assert limited.hasher.verified == []
    assert t("auth.busy", "id") == "Server sedang sibuk memeriksa kata sandi; coba lagi sebentar."
    # Neither a failure nor a success: nothing counted, and the next attempt goes through.
    assert limited.failures_stored() == []
    assert limited.actions()[:2] == ["login_busy", "login_busy"] and "login_failed" not in limited.actions()
    for i in range(4):
        limited.store.authenticate("budi", "salah", address=f"203.0.113.{10 + i}")
    assert limited.store.authenticate("budi", PASSWORD, address="203.0.113.6") == "editor"


PEAK_SCRIPT = """
import json, sys, threading
from pathlib import Path
from rbdash.store import StoreError
from rbdash.store.sqlite import SqliteStore

def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

store = SqliteStore(Path(sys.argv[1]))
before = peak_kib()
start = threading.Barrier(12)
outcomes = []

def attempt(i):
    start.wait()
    try:
        outcomes.append(store.authenticate(("budi", "sari", f"tamu{i}")[i % 3], "salah", address=f"198.51.100.{i + 1}"))
    except StoreError as exc:
        outcomes.append(exc.key)

threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"before_kib": before, "after_kib": peak_kib(), "outcomes": outcomes}))
"""


@pytest.mark.slow
def test_peak_memory_of_twelve_concurrent_failed_sign_ins_stays_near_two_verifications(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "data").add_user("budi", "editor", PASSWORD)  # real argon2, 64 MiB per operation
    SqliteStore(tmp_path / "data").add_user("sari", "viewer", PASSWORD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RBDASH_LOGIN_CHECKS": "2", "RBDASH_LOGIN_WAIT_SECONDS": "120"}
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(tmp_path / "data")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    measured = json.loads(run.stdout)
    grown = (measured["after_kib"] - measured["before_kib"]) * 1024
    print(
        f"VmHWM {measured['before_kib'] / 1024:.0f} -> {measured['after_kib'] / 1024:.0f} MiB (+{grown / MIB:.0f} MiB)"
    )
    assert measured["outcomes"] == [None] * 12  # twelve failures, every one verified (the wait is long)
    assert grown > 60 * MIB  # argon2 ran at its real cost
    assert grown < 12 * 64 * MIB / 3  # unbounded, twelve at once would add about 768 MiB


# -- per address -------------------------------------------------------------------------------


def test_an_address_is_refused_after_its_failures_until_the_window_ends(limited: Rig) -> None:
    attacker, first = "203.0.113.5", limited.clock.now
    for name in ("budi", "tamu", "sari"):
        assert limited.store.authenticate(name, "salah", address=attacker) is None
        limited.clock.now += dt.timedelta(minutes=1)
    verified = len(limited.hasher.verified)
    refused = refusal(limited.store, "budi", PASSWORD, attacker)  # even the right password
    assert refused.key == "auth.throttled"
    until = refused.params["until"]
    assert until == first + dt.timedelta(minutes=15) and until.utcoffset() == dt.timedelta(hours=7)
    assert t(refused.key, "id", **refused.params) == (
        "Terlalu banyak percobaan masuk yang gagal dari alamat jaringan"
        " ini; coba lagi setelah 03-03-2025 pukul 08.15 WIB."
    )
    assert t(refused.key, "en", **refused.params).endswith("try again after 2025-03-03 08:15 WIB.")
    assert len(limited.hasher.verified) == verified  # refused before any argon2 work
    assert limited.store.authenticate("budi", PASSWORD, address="203.0.113.6") == "editor"  # others unaffected
    other_process = limited.another_process()
    assert refusal(other_process, "sari", PASSWORD, attacker).key == "auth.throttled"
    throttled = [e for e in limited.store.audit_log() if e["action"] == "login_throttled"]
    assert len(throttled) == 2 and throttled[0]["detail"]["address"] == attacker

    limited.clock.now = until - dt.timedelta(seconds=1)
    assert refusal(limited.store, "budi", PASSWORD, attacker).key == "auth.throttled"
    limited.clock.now = until  # the first failure has left the window
    assert limited.store.authenticate("sari", PASSWORD, address=attacker) == "viewer"
    assert limited.store.authenticate("tamu", "salah", address=attacker) is None
    assert refusal(limited.store, "sari", PASSWORD, attacker).params["until"] == first + dt.timedelta(minutes=16)
    assert len(limited.failures_stored()) == 3  # the first one was pruned


def test_ipv6_clients_count_by_their_64_network(limited: Rig) -> None:
    for host in ("2001:db8:0:7::1", "2001:db8:0:7::2", "2001:db8:0:7::3"):
        limited.store.authenticate("tamu", "salah", address=host)
    assert refusal(limited.store, "budi", PASSWORD, "2001:db8:0:7:ffff::9").key == "auth.throttled"
    assert limited.store.authenticate("budi", PASSWORD, address="2001:db8:0:8::1") == "editor"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("10.1.2.3", "10.1.2.3"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, None),
        ("", None),
        ("127.0.0.1", None),
        ("127.8.9.10", None),
        ("::1", None),
        ("::ffff:127.0.0.1", None),
        ("0.0.0.0", None),
        ("bukan-alamat", None),
    ],
)
def test_address_keys(address: str | None, key: str | None) -> None:
    assert address_key(address) == key


@pytest.mark.parametrize("address", [None, "127.0.0.1", "::1", "bukan-alamat"])
def test_loopback_or_unknown_addresses_are_throttled_per_name_only(limited: Rig, address: str | None) -> None:
    for i in range(6):  # twice the per-address limit, on six names
        assert limited.store.authenticate(f"tamu{i}", "salah", address=address) is None
    assert len(limited.hasher.verified) == 6  # none refused
    assert limited.failures_stored() == [""] * 6  # counted per name, under the shared "unknown" address
    assert limited.store.authenticate("budi", PASSWORD, address=address) == "editor"
    for _ in range(5):
        assert limited.store.authenticate("sari", "salah", address=address) is None
    assert refusal(limited.store, "sari", PASSWORD, address).key == "auth.throttled"


# -- per name from one address (seen by the attacker review: an account lock anyone could hold) ----


def test_failures_for_one_name_refuse_that_client_only_and_never_lock_the_account(
    limited: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RBDASH_LOGIN_FAILURES_PER_ADDRESS", "20")  # the per-name limit (5) comes first
    attacker, owner = "203.0.113.1", "198.51.100.1"
    for _ in range(5):
        assert limited.store.authenticate("budi", "salah", address=attacker) is None
    verified = len(limited.hasher.verified)
    refused = refusal(limited.store, "budi", PASSWORD, attacker)  # even the right password
    assert refused.key == "auth.throttled"
    assert refused.params["until"] == limited.clock.now + dt.timedelta(minutes=15)
    assert len(limited.hasher.verified) == verified  # refused before any argon2 work
    assert limited.store.authenticate("sari", PASSWORD, address=attacker) == "viewer"  # other names go on
    assert limited.store.authenticate("budi", PASSWORD, address=owner) == "editor"  # the owner is never locked out
    for i in range(5):  # failures spread over addresses lock nothing
        assert limited.store.authenticate("sari", "salah", address=f"192.0.2.{i + 1}") is None
    assert limited.store.authenticate("sari", PASSWORD, address=owner) == "viewer"
    limited.clock.now += dt.timedelta(minutes=15, seconds=1)
    assert limited.store.authenticate("budi", PASSWORD, address=attacker) == "editor"
    assert "login_locked" not in limited.actions() and "login_throttled" in limited.actions()


def test_a_missing_name_is_refused_exactly_like_an_existing_one(limited: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the attacker review: a locked existing user got another message than a missing one."""
    monkeypatch.setenv("RBDASH_LOGIN_FAILURES_PER_ADDRESS", "20")
    answers = {}
    for name in ("budi", "tidak-ada"):
        for _ in range(5):
            assert limited.store.authenticate(name, "salah", address="203.0.113.9") is None
        refused = refusal(limited.store, name, "salah", "203.0.113.9")
        answers[name] = (refused.key, refused.params)
    assert answers["budi"] == answers["tidak-ada"]


def test_concurrent_failures_on_one_name_all_count(empty_store: StoreAt) -> None:
    limits = rig(empty_store, slots=2)
    limits.hasher.gate = threading.Event()
    threads = concurrently(4, lambda i: limits.store.authenticate("budi", "salah", address="203.0.113.1"))
    try:
        assert limits.hasher.wait_running(2, timeout=30)
    finally:
        limits.hasher.gate.set()
        for thread in threads:
            thread.join()
    assert limits.at.rows("SELECT COUNT(*) FROM login_failures WHERE name = 'budi'") == [(4,)]
    assert limits.actions().count("login_failed") == 4


# -- unknown names -----------------------------------------------------------------------------


def test_an_unknown_name_costs_one_verification_of_a_dummy_hash(limited: Rig) -> None:
    stored = {row[0] for row in limited.at.rows("SELECT password_hash FROM users")}
    assert limited.store.authenticate("tidak-ada", "apa saja", address="203.0.113.5") is None
    assert len(limited.hasher.verified) == 1
    dummy = limited.hasher.verified[0]
    assert dummy not in stored
    assert extract_parameters(dummy) == extract_parameters(next(iter(stored)))  # same cost as a real hash
    assert limited.store.authenticate("budi", "salah", address="203.0.113.6") is None
    assert limited.hasher.verified[1] in stored
    assert limited.store.authenticate("lain-lagi", "", address="203.0.113.7") is None
    assert limited.hasher.verified[2] == dummy == limited.checks.dummy_hash
    assert limited.failures_stored() == ["203.0.113.5", "203.0.113.6", "203.0.113.7"]  # they count alike


def test_a_name_longer_than_any_user_s_is_counted_and_kept_short(limited: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen by the #14 review: 300,000-character names overflowed PostgreSQL's index, so their failures were never
    counted (unthrottled guessing), and throttled attempts wrote 2 MB names into the audit log."""
    monkeypatch.setenv("RBDASH_LOGIN_FAILURES_PER_ADDRESS", "20")
    long_name = "budi" + "x" * 300_000
    for _ in range(5):
        assert limited.store.authenticate(long_name, "salah", address="203.0.113.8") is None
    assert refusal(limited.store, long_name, "salah", "203.0.113.8").key == "auth.throttled"
    stored = limited.at.rows("SELECT MAX(LENGTH(name)) FROM login_failures")[0][0]
    logged = max(len(str(entry["user"])) for entry in limited.store.audit_log())
    assert stored == logged == 65  # the first 64 characters and a mark
