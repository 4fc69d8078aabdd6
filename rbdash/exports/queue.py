"""Reports built by a bounded, process-wide queue (plain Python, no Streamlit).

`settings().limits.report_builders` builder threads (default 1) build reports one job at a time
each; at most `settings().limits.report_queue` jobs (default 8) wait, and a new request beyond
that is refused (`QueueFull`). One browser session may have one job of its own waiting or being
built (`OwnerBusy`), and one visitor (a signed-in user, else a client address: `visitor_key`) at
most `settings().limits.report_per_visitor` (default 2, `VisitorBusy`), however many tabs it opens.
A job is keyed by everything that determines its output
(`ReportRequest`): a request with the key of a waiting or running job joins that job, and one
with the key of a finished job gets its result, the same bytes, from a small LRU. A build that
raises becomes a failed job with a catalogue message (the traceback goes to the server log), and
the builders go on with the next job. Builds run in the server process: the model comes from the
version store, which is trusted.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from rbdash.config import ReportLayout, settings
from rbdash.messages import CATALOGUE
from rbdash.model import ActionPlan

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED_KEPT = 8  # finished results kept for requests with the same key (about 3 MB each)


class QueueFull(Exception):
    """The queue already holds its most waiting jobs; `key` names the catalogue message."""

    key = "report.queue_full"


class OwnerBusy(QueueFull):
    """The same owner (a browser session) already has a job of its own waiting or being built."""

    key = "report.one_at_a_time"


class VisitorBusy(QueueFull):
    """The same visitor (user name or client address) already has its most jobs waiting or being built."""

    key = "report.visitor_busy"


def visitor_key(user: str | None, address: str | None) -> str:
    """Whom a report request counts against: the signed-in user, else the client address.

    A user name (or single sign-on e-mail) is one person wherever they connect from, and office
    staff often share one address (NAT) with each other and with anonymous visitors, who must not
    take the staff's places; an account is issued by an admin and its sign-ins are audited. An anonymous
    visitor can open any number of tabs (sessions) but not pick its address. The address is counted
    as sign-in throttling counts it (`rbdash.access.signin.address_key`: an IPv6 address by its /64);
    a loopback, missing or unparseable address is one shared visitor, so visitors whose address the
    server cannot tell (a proxy that sends no X-Forwarded-For) share its places rather than escape the bound.
    """
    from rbdash.access.signin import address_key

    if user:
        return f"user:{user}"
    return f"address:{address_key(address) or 'unknown'}"


class Job:
    """One build: its key, its state and, once finished, its result or the catalogue key of its failure."""

    def __init__(
        self,
        key: Hashable,
        build: Callable[[], Any],
        owner: Hashable | None = None,
        visitor: Hashable | None = None,
    ) -> None:
        self.key = key
        self.owner = owner
        self.visitor = visitor
        self.state = QUEUED
        self.result: Any = None
        self.error_key: str | None = None
        self.finished = threading.Event()
        self._build: Callable[[], Any] | None = build

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished, at most `timeout` seconds; True when it has."""
        return self.finished.wait(timeout)


@dataclass(frozen=True)
class Place:
    """Where a job stands: its state and its position (0 while built, 1 = next, None once finished)."""

    state: str
    position: int | None


class BuildQueue:
    """A bounded queue of keyed builds served by `builders` threads; see the module docstring."""

    def __init__(
        self,
        builders: int = 1,
        capacity: int = 8,
        keep: int = FINISHED_KEPT,
        failure_key: str = "report.failed",
        name: str = "rbdash-build",
        per_visitor: int = 2,
    ) -> None:
        self.builders = max(1, builders)
        self.capacity = max(1, capacity)
        self.per_visitor = max(1, per_visitor)
        self.keep = max(0, keep)
        self.failure_key = failure_key
        self.name = name
        self.builds_started = 0  # how many builds ran (a joined or cached request adds none)
        self._changed = threading.Condition()
        self._waiting: deque[Job] = deque()
        self._active: dict[Hashable, Job] = {}  # waiting or running, by key
        self._finished: OrderedDict[Hashable, Job] = OrderedDict()  # done, least recently asked first
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(
        self,
        key: Hashable,
        build: Callable[[], Any],
        owner: Hashable | None = None,
        visitor: Hashable | None = None,
    ) -> Job:
        """The job for `key`: the waiting, running or finished one, else a new one that runs `build()`.

        A new job is refused with OwnerBusy when `owner` (a browser session) already has a job of its
        own waiting or being built, with VisitorBusy when `visitor` (`visitor_key`) already has
        `per_visitor` of them, and with QueueFull when `capacity` jobs wait. So neither one tab nor
        many tabs of one visitor can fill the queue; joining another's job or getting a finished one
        is always allowed, and counts against no one.
        """
        with self._changed:
            if self._closed:
                raise RuntimeError("the build queue is shut down")
            job = self._active.get(key)
            if job is not None:
                return job
            job = self._finished.get(key)
            if job is not None:
                self._finished.move_to_end(key)
                return job
            if owner is not None and any(active.owner == owner for active in self._active.values()):
                raise OwnerBusy
            if visitor is not None and self._count_of(visitor) >= self.per_visitor:
                raise VisitorBusy
            if len(self._waiting) >= self.capacity:
                raise QueueFull
            job = Job(key, build, owner, visitor)
            self._waiting.append(job)
            self._active[key] = job
            self._start_builders()
            self._changed.notify()
            return job

    def jobs_of(self, visitor: Hashable) -> int:
        """How many jobs `visitor` asked for that are waiting or being built."""
        with self._changed:
            return self._count_of(visitor)

    def _count_of(self, visitor: Hashable) -> int:
        return sum(1 for job in self._active.values() if job.visitor == visitor)

    def place(self, job: Job) -> Place:
        """The job's state and position: 0 while being built, n while n-th in line, None once finished."""
        with self._changed:
            if job.state == QUEUED:
                position = next((n for n, waiting in enumerate(self._waiting, start=1) if waiting is job), None)
                return Place(QUEUED, position)
            return Place(job.state, 0 if job.state == RUNNING else None)

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop taking jobs; waiting jobs fail, running ones finish; wait for the builders to stop."""
        with self._changed:
            self._closed = True
            while self._waiting:
                job = self._waiting.popleft()
                del self._active[job.key]
                self._finish(job, None, self.failure_key)
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    # -- builders -----------------------------------------------------------------------

    def _start_builders(self) -> None:
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        while len(self._threads) < self.builders:
            thread = threading.Thread(target=self._serve, name=f"{self.name}-{len(self._threads) + 1}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self) -> None:
        while True:
            with self._changed:
                while not self._waiting and not self._closed:
                    self._changed.wait()
                if not self._waiting:
                    return
                job = self._waiting.popleft()
                job.state = RUNNING
                self.builds_started += 1
            build, job._build = job._build, None  # the job no longer holds what it was built from
            assert build is not None, "a waiting job holds its build"
            result, error_key = None, None
            try:
                result = build()
            except Exception as exc:
                log.exception("build %r failed", job.key)
                key = getattr(exc, "key", None)
                error_key = key if isinstance(key, str) and key in CATALOGUE else self.failure_key
            with self._changed:
                del self._active[job.key]
                self._finish(job, result, error_key)

    def _finish(self, job: Job, result: Any, error_key: str | None) -> None:
        """Record the outcome (with the lock held) and wake whoever waits for the job."""
        job.result, job.error_key = result, error_key
        job.state = FAILED if error_key else DONE
        if job.state == DONE and self.keep:
            self._finished[job.key] = job
            while len(self._finished) > self.keep:
                self._finished.popitem(last=False)
        job.finished.set()


# ----------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class SinceVersion:
    """The reference version of a report's since-page: its number, when it was published (ISO, UTC) and the
    SHA-256 of its content."""

    number: int
    created_at: str
    sha256: str


@dataclass(frozen=True)
class ReportRequest:
    """Everything that determines a report's bytes: the data version, the as-of month, the language, the
    version label printed in it, the programmes and PENANGGUNG JAWAB chosen (none: all), the quarter, the
    version compared with, and the letterhead
    and signature block (the [report] settings when made); the build time on the cover is the shared build's."""

    sha256: str
    as_of_month: int
    lang: str
    version_label: str
    programmes: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()  # PENANGGUNG JAWAB keys chosen (none: all)
    quarter: int | None = None  # a triwulan's report (1-4), as of `as_of_month`
    since: SinceVersion | None = None  # the version the since-page compares with (none: no since-page)
    layout: ReportLayout = field(default_factory=lambda: settings().report)


@dataclass(frozen=True)
class ReportFiles:
    """A finished report: the PDF and the PowerPoint deck."""

    pdf: bytes
    pptx: bytes


def build_report(model: ActionPlan, request: ReportRequest, reference: ActionPlan | None = None) -> ReportFiles:
    """Build both files of the report `request` asks for, from `model` (the version `request.sha256` names) and,
    for a since-page, `reference` (the version `request.since` names)."""
    from rbdash.analysis import selection
    from rbdash.analysis.since import compare, restricted_like
    from rbdash.exports.deck import build_deck
    from rbdash.exports.report import build_pdf
    from rbdash.present.formatting import filters_text
    from rbdash.present.since import Reference

    filters, whole = None, model
    chosen, responsible = list(request.programmes), list(request.responsible)
    if chosen or responsible:
        filters = filters_text(chosen, responsible, request.lang, selection.code_spans(model, "program"))
        model = selection.for_programmes(model, chosen, responsible)
    since = None
    if request.since is not None and reference is not None:  # both versions hold the same rows
        before = restricted_like(reference, model, whole, chosen, responsible)
        since = (compare(before, model, request.as_of_month), Reference(request.since.number, request.since.created_at))
    return ReportFiles(
        build_pdf(
            model,
            request.as_of_month,
            request.lang,
            request.version_label,
            filters=filters,
            layout=request.layout,
            quarter=request.quarter,
            since=since,
        ),
        build_deck(
            model,
            request.as_of_month,
            request.lang,
            request.version_label,
            filters=filters,
            since=since,
            quarter=request.quarter,
        ),
    )


_queue: BuildQueue | None = None
_queue_lock = threading.Lock()


def report_queue() -> BuildQueue:
    """The process-wide report queue, sized by `settings().limits` when first used."""
    global _queue
    with _queue_lock:
        if _queue is None:
            limits = settings().limits
            _queue = BuildQueue(
                limits.report_builders,
                limits.report_queue,
                name="rbdash-report",
                per_visitor=limits.report_per_visitor,
            )
        return _queue


def replace_report_queue(queue: BuildQueue | None) -> BuildQueue | None:
    """Put `queue` in place of the process-wide one and return the old one (for tests; with None,
    the next `report_queue()` makes a new queue from the settings then in force)."""
    global _queue
    with _queue_lock:
        old, _queue = _queue, queue
        return old


def submit_report(
    model: ActionPlan,
    request: ReportRequest,
    owner: Hashable | None = None,
    visitor: Hashable | None = None,
    reference: ActionPlan | None = None,
) -> Job:
    """Queue the report `request` asks for, join the same request's job, or get its finished result.

    Returns at once; raises QueueFull when the queue is full, OwnerBusy when `owner` already has a
    report of its own in the queue, VisitorBusy when `visitor` has its most. The job's result is a
    ReportFiles. `reference`: the model of `request.since`, for the since-page.
    """
    return report_queue().submit(request, lambda: build_report(model, request, reference), owner, visitor)
