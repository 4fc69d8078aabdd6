"""The report queue with fake builders held by threading.Event: positions, one build shared by
identical requests, the cap, the bounds per tab and per visitor, a failing build, the LRU of finished
results, the settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from rbdash.exports import images
from rbdash.exports import queue as rq
from rbdash.messages import t

WAIT = 30  # seconds: an upper bound for events that should come at once, never a pause


class Gate:
    """A fake build: says when it started, then waits until released; counts its runs."""

    def __init__(self, result: object = b"%PDF-fake", error: Exception | None = None) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.runs = 0
        self.result, self.error = result, error

    def __call__(self) -> object:
        self.runs += 1
        self.started.set()
        assert self.release.wait(WAIT), "the test never released this build"
        if self.error is not None:
            raise self.error
        return self.result


def done(job: rq.Job) -> rq.Job:
    assert job.wait(WAIT), f"job {job.key} did not finish"
    return job


@pytest.fixture
def queue() -> Iterator[rq.BuildQueue]:
    made = rq.BuildQueue(builders=1, capacity=3, keep=2)
    yield made
    made.shutdown(timeout=WAIT)


def test_positions_follow_the_line(queue: rq.BuildQueue) -> None:
    gates = [Gate(result=n) for n in range(4)]
    jobs = [queue.submit("k0", gates[0])]
    assert gates[0].started.wait(WAIT)
    jobs += [queue.submit(f"k{n}", gate) for n, gate in enumerate(gates) if n]
    assert [queue.place(job) for job in jobs] == [
        rq.Place(rq.RUNNING, 0),
        rq.Place(rq.QUEUED, 1),
        rq.Place(rq.QUEUED, 2),
        rq.Place(rq.QUEUED, 3),
    ]
    gates[0].release.set()
    assert done(jobs[0]).result == 0 and queue.place(jobs[0]) == rq.Place(rq.DONE, None)
    assert gates[1].started.wait(WAIT)
    assert [queue.place(job).position for job in jobs[1:]] == [0, 1, 2]
    for gate in gates[1:]:
        gate.release.set()
    assert [done(job).result for job in jobs] == [0, 1, 2, 3]


def test_identical_requests_share_one_build(queue: rq.BuildQueue) -> None:
    gate = Gate(result=bytes(range(256)) * 10)
    got: list[rq.Job] = []
    lock = threading.Lock()
    ready = threading.Barrier(6)

    def ask() -> None:
        ready.wait(WAIT)
        job = queue.submit(("sha", 9, "id", "v1"), gate)
        with lock:
            got.append(job)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert len(got) == 6 and len({id(job) for job in got}) == 1  # one job for all six
    gate.release.set()
    assert done(got[0]).state == rq.DONE
    again = queue.submit(("sha", 9, "id", "v1"), gate)  # after it finished: the same result, no build
    assert again is got[0] and again.result is got[0].result
    assert gate.runs == 1 and queue.builds_started == 1


def test_a_full_queue_refuses_new_keys_but_not_joiners(queue: rq.BuildQueue) -> None:
    running = Gate()
    queue.submit("running", running)
    assert running.started.wait(WAIT)
    gates = [Gate() for _ in range(3)]
    waiting = [queue.submit(f"w{n}", gate) for n, gate in enumerate(gates)]  # capacity 3: all slots taken
    with pytest.raises(rq.QueueFull) as refused:
        queue.submit("one too many", Gate())
    assert t(refused.value.key, "id") == "Antrean laporan penuh; coba lagi sebentar."
    assert "queue is full" in t(refused.value.key, "en")
    assert queue.submit("w1", Gate()) is waiting[1]  # the same key joins the waiting job
    assert queue.place(queue.submit("running", Gate())) == rq.Place(rq.RUNNING, 0)
    for gate in (running, *gates):
        gate.release.set()
    assert all(done(job).state == rq.DONE for job in waiting)


def test_one_session_cannot_fill_the_queue(queue: rq.BuildQueue) -> None:
    """Seen by the attacker review: one visitor changing month and language filled all eight places."""
    first = Gate()
    mine = queue.submit("mine-1", first, owner="tab-a")
    assert first.started.wait(WAIT)
    with pytest.raises(rq.OwnerBusy) as refused:
        queue.submit("mine-2", Gate(), owner="tab-a")  # while its own job is being built
    assert "masih dalam antrean" in t(refused.value.key, "id") and "still in the queue" in t(refused.value.key, "en")
    other = Gate()
    theirs = queue.submit("theirs", other, owner="tab-b")  # another session is served
    assert queue.submit("theirs", Gate(), owner="tab-a") is theirs  # joining someone else's job is allowed
    first.release.set()
    assert done(mine).state == rq.DONE
    assert queue.submit("mine-1", Gate(), owner="tab-a") is mine  # a finished result is always given
    later = Gate()
    again = queue.submit("mine-2", later, owner="tab-a")  # its own job done: it may ask for another
    other.release.set()
    later.release.set()
    assert done(theirs).state == rq.DONE and done(again).state == rq.DONE


def test_many_tabs_of_one_visitor_cannot_fill_the_queue() -> None:
    """Seen by the attacker review: ten anonymous tabs (ten sessions, one address) filled the queue."""
    queue = rq.BuildQueue(builders=1, capacity=8, per_visitor=2)
    gates = {n: Gate(result=n) for n in range(10)}
    me = rq.visitor_key(None, "203.0.113.7")
    accepted, refused = [], []
    for n, gate in gates.items():  # ten tabs, each asking for a report of its own
        try:
            accepted.append(queue.submit(f"mine-{n}", gate, owner=f"tab-{n}", visitor=me))
        except rq.VisitorBusy as exc:
            refused.append(exc)
    assert gates[0].started.wait(WAIT)
    assert (len(accepted), len(refused), queue.jobs_of(me)) == (2, 8, 2)  # one built, one waiting
    assert [queue.place(job) for job in accepted] == [rq.Place(rq.RUNNING, 0), rq.Place(rq.QUEUED, 1)]
    assert t(refused[0].key, "id") == (
        "Antrean laporan penuh untuk akun atau alamat jaringan Anda; "
        "tunggu laporan yang sedang dibuat selesai, lalu coba lagi."
    )
    assert "full for your account or network address" in t(refused[0].key, "en")
    assert isinstance(refused[0], rq.QueueFull)  # the page shows it as it shows a full queue
    other = Gate()
    theirs = queue.submit("theirs", other, owner="tab-x", visitor=rq.visitor_key(None, "198.51.100.2"))
    assert queue.submit("theirs", Gate(), owner="tab-9", visitor=me) is theirs  # joining is always allowed
    assert queue.jobs_of(me) == 2  # and counts against no one
    gates[0].release.set()
    assert done(accepted[0]).state == rq.DONE and queue.jobs_of(me) == 1
    assert queue.submit("mine-0", Gate(), owner="tab-9", visitor=me) is accepted[0]  # a finished one: given
    third = queue.submit("mine-2", gates[2], owner="tab-2", visitor=me)  # one of its two places is free again
    assert queue.jobs_of(me) == 2
    with pytest.raises(rq.VisitorBusy):
        queue.submit("mine-3", gates[3], owner="tab-3", visitor=me)
    for gate in (gates[1], gates[2], other):
        gate.release.set()
    assert [done(job).result for job in (accepted[1], third)] == [1, 2] and done(theirs).state == rq.DONE
    assert queue.jobs_of(me) == 0 and [gates[n].runs for n in range(4)] == [1, 1, 1, 0]
    queue.shutdown(timeout=WAIT)


def test_the_tab_the_visitor_and_the_whole_queue_are_bounded_in_that_order(queue: rq.BuildQueue) -> None:
    """capacity 3, two per visitor: a's two jobs (one built, one waiting) and b's two fill the three
    waiting places; a tab with a job gets OwnerBusy, its visitor's other tabs VisitorBusy, c QueueFull."""
    gates = [Gate() for _ in range(4)]
    queue.submit("a1", gates[0], owner="a-tab1", visitor="address:a")
    assert gates[0].started.wait(WAIT)
    queue.submit("a2", gates[1], owner="a-tab2", visitor="address:a")
    queue.submit("b1", gates[2], owner="b-tab1", visitor="user:b")
    queue.submit("b2", gates[3], owner="b-tab2", visitor="user:b")
    with pytest.raises(rq.OwnerBusy):
        queue.submit("a3", Gate(), owner="a-tab1", visitor="address:a")
    with pytest.raises(rq.VisitorBusy):
        queue.submit("a3", Gate(), owner="a-tab3", visitor="address:a")
    with pytest.raises(rq.QueueFull) as full:
        queue.submit("c1", Gate(), owner="c-tab1", visitor="address:c")
    assert type(full.value) is rq.QueueFull and full.value.key == "report.queue_full"
    with pytest.raises(rq.QueueFull):
        queue.submit("anonymous", Gate())  # no tab, no visitor (the command line): the cap alone
    for gate in gates:
        gate.release.set()


def test_whom_a_request_counts_against() -> None:
    assert rq.visitor_key("edi", "203.0.113.7") == "user:edi"  # a signed-in user, wherever from
    assert rq.visitor_key("edi", None) == rq.visitor_key("edi", "198.51.100.2") == "user:edi"
    assert rq.visitor_key(None, "203.0.113.7") == rq.visitor_key("", "203.0.113.7") == "address:203.0.113.7"
    assert rq.visitor_key(None, "::ffff:203.0.113.7") == "address:203.0.113.7"
    # One IPv6 subscriber picks any address of its /64: all of them are one visitor.
    assert rq.visitor_key(None, "2001:db8:1:2:aaaa::1") == "address:2001:db8:1:2::/64"
    assert rq.visitor_key(None, "2001:db8:1:2:bbbb::9") == "address:2001:db8:1:2::/64"
    assert rq.visitor_key(None, "2001:db8:1:3::1") == "address:2001:db8:1:3::/64"
    # An address the server cannot tell: one shared visitor, never a way around the bound.
    for unknown in (None, "", "127.0.0.1", "::1", "not an address"):
        assert rq.visitor_key(None, unknown) == "address:unknown", unknown


def test_a_failing_build_fails_its_job_and_the_queue_goes_on(queue: rq.BuildQueue) -> None:
    broken = Gate(error=ValueError("boom"))
    browser = Gate(error=images.ExportFailed("TimeoutError()"))
    fine = Gate(result=b"ok")
    jobs = [queue.submit("broken", broken), queue.submit("browser", browser), queue.submit("fine", fine)]
    for gate in (broken, browser, fine):
        gate.release.set()
    assert [done(job).state for job in jobs] == [rq.FAILED, rq.FAILED, rq.DONE]
    assert jobs[0].error_key == "report.failed" and jobs[0].result is None
    assert "boom" not in t(jobs[0].error_key, "id") and "log server" in t(jobs[0].error_key, "id")
    assert jobs[1].error_key == "export.failed"  # the catalogue key the exception names
    assert jobs[2].result == b"ok"
    retry = Gate(result=b"now")  # a failed key is not cached: asking again builds again
    retried = queue.submit("broken", retry)
    retry.release.set()
    assert retried is not jobs[0] and done(retried).result == b"now"


def test_finished_results_are_kept_least_recently_used_first(queue: rq.BuildQueue) -> None:
    def build(result: str) -> Callable[[], str]:
        gate = Gate(result=result)
        gate.release.set()
        return gate

    first, second = done(queue.submit("a", build("A"))), done(queue.submit("b", build("B")))
    assert queue.submit("a", build("A2")) is first  # "a" asked again: now the most recent
    done(queue.submit("c", build("C")))  # keep=2: "b" goes
    assert queue.submit("a", build("A3")) is first
    rebuilt = done(queue.submit("b", build("B2")))
    assert rebuilt is not second and rebuilt.result == "B2"
    assert queue.builds_started == 4


def test_shutdown_fails_waiting_jobs() -> None:
    queue = rq.BuildQueue(builders=1, capacity=2)
    running, waiting = Gate(), Gate()
    first, second = queue.submit("r", running), queue.submit("w", waiting)
    assert running.started.wait(WAIT)
    stopper = threading.Thread(target=queue.shutdown, kwargs={"timeout": WAIT})
    stopper.start()
    assert second.wait(WAIT) and second.state == rq.FAILED and waiting.runs == 0
    running.release.set()
    stopper.join(WAIT)
    assert first.state == rq.DONE
    with pytest.raises(RuntimeError):
        queue.submit("later", Gate())


def test_the_process_queue_follows_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBDASH_REPORT_BUILDERS", "2")
    monkeypatch.setenv("RBDASH_REPORT_QUEUE", "5")
    monkeypatch.setenv("RBDASH_REPORT_PER_VISITOR", "3")
    old = rq.replace_report_queue(None)
    try:
        made = rq.report_queue()
        assert (made.builders, made.capacity, made.per_visitor) == (2, 5, 3) and rq.report_queue() is made
    finally:
        rq.replace_report_queue(old)
    defaults = rq.BuildQueue()
    assert (defaults.builders, defaults.capacity, defaults.per_visitor) == (1, 8, 2)


def test_two_builders_build_two_jobs_at_once() -> None:
    queue = rq.BuildQueue(builders=2, capacity=4)
    gates = [Gate(result=n) for n in range(3)]
    jobs = [queue.submit(n, gate) for n, gate in enumerate(gates)]
    assert gates[0].started.wait(WAIT) and gates[1].started.wait(WAIT)
    assert [queue.place(job) for job in jobs] == [
        rq.Place(rq.RUNNING, 0),
        rq.Place(rq.RUNNING, 0),
        rq.Place(rq.QUEUED, 1),
    ]
    for gate in gates:
        gate.release.set()
    assert [done(job).result for job in jobs] == [0, 1, 2]
    queue.shutdown(timeout=WAIT)
