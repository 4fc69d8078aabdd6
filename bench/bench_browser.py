"""Browser waits: how long a reader waits for the dashboard in headless Chromium, and where the time goes.

Cases (median of --runs runs each; Debian's Chromium driven by Playwright, viewport 1366x768):

* ``start``: from launching `python -m rbdash.ui.serve` to the first chart drawn on "/", with a fresh
  data folder (first start: the store is seeded) and with a seeded one (restart); the server warms itself as
  it starts (`rbdash.ui.serve.warm_server`);
* ``open``: a warmed, running server; each dashboard page opened in a new browser context (empty cache,
  a first visit) and in a context that has loaded the dashboard before (cached scripts, a returning reader);
* ``controls``: on "/", switch the language, choose one programme (and clear it), move the as-of month;
  from the input event to the chart redrawn with the new content, and to the run finished;
* ``whatif``: servers side by side, measured interleaved: as served, with the Plotly chart script
  preloaded from index.html, and without Streamlit's gc.collect after every script run;
* ``profile``: one more first start whose script runs are profiled (cProfile) in the server process,
  and one visit under Chromium's sampling profiler (main-thread time by script file).

Times are taken in the page (`performance.now()`, the WebSocket's message events, resource timing) and
in the server: the server is started as `rbdash.ui.serve` with a hook that reports each script run's
wall and CPU time, its garbage collections and the modules it imported (time by top-level package).
Other processes' CPU use is measured around each run; a run during which they kept more than
--busy-limit cores busy is repeated (at most --runs extra runs per case) and left out of the median
when quiet runs remain. Nothing here changes the project: the what-ifs are set up by the hook.

Usage::

    .venv/bin/python -m bench.bench_browser                  # print the report (about 10-15 minutes)
    .venv/bin/python -m bench.bench_browser --write          # ... and replace today's section in RESULTS.md
    .venv/bin/python -m bench.bench_browser --runs 3 --cases open controls
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import free_port

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
VIEWPORT = {"width": 1366, "height": 768}
PAGES = {"/": "ringkasan", "/jadwal": "jadwal", "/indikator": "indikator", "/ikm": "ikm"}
CHART_SVG = '[data-testid="rbdashChart"] .main-svg'
#: The message that carries a chart (rbdash.ui.plotly_chart is a custom component; st.plotly_chart before it).
CHART_KINDS = ("delta:bidi_component", "delta:plotly_chart")
#: The Plotly script's file name (the basic bundle rbdash.ui.plotly_chart serves).
PLOTLY_SCRIPT = "/plotly-basic-"
SIDEBAR = '[data-testid="stSidebar"]'
TIMEOUT_MS = 120_000
CASES = ("start", "open", "controls", "whatif", "profile")

GOAL_OPEN_S = 1.5
GOAL_START_S = 4.0
GOAL_CONTROL_S = 1.0
GOAL_TEXT = (
    "first chart under 1.5 s after opening on a running server, under 4 s after `make run` starts it; "
    "any control change redrawn under 1 s (this machine, idle)."
)
#: The overview chart's title in each language (rbdash.messages "chart.programmes.title").
TITLE_ID = "Kemajuan per program"
TITLE_EN = "Progress per programme"

# ----------------------------------------------------------------------------------------------
# Server side: a hook reporting each script run (imported by the server process; stdlib only here)

RUN_MARK = "BENCH_RUN "


def _install_import_timer(records: dict[int, dict[str, float]]) -> None:
    """Time imports in threads that have an entry in `records`: self time (ms) by top-level package."""
    import importlib._bootstrap as bootstrap  # the function builtins.__import__ calls by name

    original = bootstrap._find_and_load  # type: ignore[attr-defined]
    stacks: dict[int, list[float]] = {}

    def timed_find_and_load(name: str, import_: Any) -> Any:
        thread = threading.get_ident()
        record = records.get(thread)
        if record is None:
            return original(name, import_)
        stack = stacks.setdefault(thread, [])
        stack.append(0.0)  # time spent in nested imports
        start = time.perf_counter()
        try:
            return original(name, import_)
        finally:
            spent = time.perf_counter() - start
            nested = stack.pop()
            if stack:
                stack[-1] += spent
            package = name.partition(".")[0]
            record[package] = record.get(package, 0.0) + (spent - nested) * 1000

    bootstrap._find_and_load = timed_find_and_load  # type: ignore[attr-defined]


def install_run_timer() -> None:
    """Report every script run on stdout: wall start and end (epoch), thread CPU, imports by package."""
    import cProfile

    from streamlit.runtime.scriptrunner import script_runner

    records: dict[int, dict[str, float]] = {}
    _install_import_timer(records)
    collecting: dict[int, float] = {}
    collected: dict[int, float] = {}

    def time_gc(phase: str, info: dict[str, int]) -> None:
        """Garbage collections in a script thread (Streamlit runs gc.collect(2) after each run)."""
        thread = threading.get_ident()
        if thread not in records:
            return
        if phase == "start":
            collecting[thread] = time.perf_counter()
        elif thread in collecting:
            collected[thread] = collected.get(thread, 0.0) + time.perf_counter() - collecting.pop(thread)

    gc.callbacks.append(time_gc)
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    original = script_runner.ScriptRunner._run_script
    counter = iter(range(1, 10_000))

    def timed_run(self: Any, rerun_data: Any) -> None:
        thread = threading.get_ident()
        records[thread] = {}
        number = next(counter)
        profiler = cProfile.Profile() if profile_dir else None
        start, cpu = time.time(), time.thread_time()
        try:
            if profiler is not None:
                profiler.runcall(original, self, rerun_data)
            else:
                original(self, rerun_data)
        finally:
            end, cpu = time.time(), time.thread_time() - cpu
            imports = records.pop(thread, {})
            gc_seconds = collected.pop(thread, 0.0)
            if profiler is not None and profile_dir:
                profiler.dump_stats(str(Path(profile_dir) / f"run-{number:02d}.prof"))
            report = {"n": number, "start": start, "end": end, "cpu": cpu, "gc": gc_seconds, "imports": imports}
            print(RUN_MARK + json.dumps(report), flush=True)

    script_runner.ScriptRunner._run_script = timed_run  # type: ignore[method-assign]


def preload_plotly(copy: Path) -> None:
    """What-if: serve Streamlit's index.html with a preload link to the charts' Plotly script, so the
    browser fetches it while the app starts instead of when the first chart is mounted. The static folder
    served is `copy`: links to Streamlit's files and the changed index.html."""
    from streamlit import file_util

    from rbdash.ui.plotly_chart import bundle_url

    original = Path(file_util.get_static_dir())
    for entry in original.iterdir():
        if entry.name != "index.html":
            (copy / entry.name).symlink_to(entry)
    link = f'<link rel="preload" as="script" href="{bundle_url()}">'
    html = (original / "index.html").read_text()
    (copy / "index.html").write_text(html.replace("</head>", f"{link}</head>", 1))
    file_util.get_static_dir = lambda: str(copy)


def serve_with_run_timer() -> int:
    """`python -m rbdash.ui.serve ARGS` with the run timer installed (run by `python -c`, see `start_server`)."""
    install_run_timer()
    if os.environ.get("BENCH_PRELOAD_PLOTLY"):
        preload_plotly(Path(os.environ["BENCH_PRELOAD_PLOTLY"]))
    from rbdash.ui.serve import main

    return main()


# ----------------------------------------------------------------------------------------------
# Load: other processes' CPU use during a run


def _process_ticks(pid: int) -> tuple[int, int]:
    """(parent pid, CPU ticks of the process and its reaped children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[1]), sum(int(value) for value in fields[11:15])


def _tree_ticks(root: int) -> int:
    """CPU ticks of `root` and every live descendant (the browser, the driver, the server, its workers)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)], ticks[int(entry.name)] = _process_ticks(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


class CpuMeter:
    """Cores kept busy by processes other than this benchmark's since the meter was made."""

    def __init__(self) -> None:
        self.busy, self.total = _machine_ticks()
        self.ours = _tree_ticks(os.getpid())

    def others(self) -> float:
        busy, total = _machine_ticks()
        ours = _tree_ticks(os.getpid())
        if total <= self.total:
            return 0.0
        return max(0.0, (busy - self.busy) - (ours - self.ours)) / (total - self.total) * (os.cpu_count() or 1)


@dataclass
class Series:
    """The runs of one case: values in seconds, others' CPU (cores) per run, the quiet ones counted."""

    name: str
    values: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    limit: float = 0.5

    def quiet(self) -> list[int]:
        return [i for i, cores in enumerate(self.busy) if cores <= self.limit]

    def kept(self) -> list[int]:
        """The runs the medians use: the quiet ones when there are any, else all."""
        return self.quiet() or list(range(len(self.values)))

    def median(self) -> float:
        return statistics.median(self.values[i] for i in self.kept())

    def detail(self, key: str) -> float | None:
        """Median of one detail over the kept runs (None when no run has it)."""
        values = [self.details[i].get(key) for i in self.kept() if i < len(self.details)]
        numbers = [v for v in values if isinstance(v, int | float)]
        return statistics.median(numbers) if numbers else None


def repeat(name: str, runs: int, limit: float, measure: Callable[[], tuple[float, dict[str, Any]]]) -> Series:
    """Run `measure` until `runs` quiet runs, at most 2 x `runs` in all. A run is quiet when other processes
    kept at most `limit` cores busy over the run itself (measured around it); a busy run is repeated."""
    series = Series(name, limit=limit)
    while len(series.quiet()) < runs and len(series.values) < 2 * runs:
        meter = CpuMeter()
        seconds, details = measure()
        others = meter.others()
        series.values.append(seconds)
        series.busy.append(others)
        series.details.append(details)
        mark = "" if others <= limit else f"  (others busy: {others:.2f} cores, repeated)"
        print(f"  {name}: {seconds:.3f} s{mark}", file=sys.stderr, flush=True)
    return series


# ----------------------------------------------------------------------------------------------
# The server


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    launched: float  # epoch seconds
    serving: float = 0.0  # epoch seconds when it printed its URL
    lines: list[tuple[float, str]] = field(default_factory=list)

    def runs(self, since: float) -> list[dict[str, Any]]:
        """Script runs reported by the hook that started at or after `since` (epoch seconds)."""
        found = []
        for _, line in list(self.lines):
            if line.startswith(RUN_MARK):
                run = json.loads(line[len(RUN_MARK) :])
                if run["start"] >= since - 0.005:
                    found.append(run)
        return found

    def worker_cpu(self) -> float:
        """CPU seconds used so far by the server's child processes (the workbook workers' fork server)."""
        return (_tree_ticks(self.process.pid) - _process_ticks(self.process.pid)[1]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server(
    data_dir: Path,
    profile_dir: Path | None = None,
    preload: bool = False,
    options: tuple[str, ...] = (),
) -> Iterator[Server]:
    """`python -m rbdash.ui.serve` (with the run timer) on a free port, serving from `data_dir`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("RBDASH_WORKBOOK", "RBDASH_DATA_DIR")}
    env.update(PYTHONPATH=str(ROOT), RBDASH_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    if profile_dir is not None:
        env["BENCH_PROFILE_DIR"] = str(profile_dir)
    static = Path(tempfile.mkdtemp(prefix="rbdash-bench-static-")) if preload else None
    if static is not None:
        env["BENCH_PRELOAD_PLOTLY"] = str(static)
    command = [
        sys.executable,
        "-c",  # not -m: multiprocessing's fork server would import a __main__ module given by path
        "from bench.bench_browser import serve_with_run_timer; raise SystemExit(serve_with_run_timer())",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        *options,
    ]
    launched = time.time()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    server = Server(process, f"http://127.0.0.1:{port}", launched)
    serving = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            now = time.time()
            server.lines.append((now, line.rstrip("\n")))
            if "URL:" in line and not serving.is_set():
                server.serving = now
                serving.set()
        serving.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not serving.wait(TIMEOUT_MS / 1000) or not server.serving:
            output = "\n".join(line for _, line in server.lines[-30:])
            raise RuntimeError(f"the server did not start:\n{output}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        if static is not None:
            shutil.rmtree(static, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# The browser

#: Installed in every document before Streamlit's scripts: WebSocket open and message times and
#: sizes, the last input event, long main-thread tasks.
INIT_SCRIPT = """
(() => {
  const marks = (window.__bench = { frames: [], wsOpen: null, inputAt: null, longtasks: [] });
  const Native = window.WebSocket;
  class Timed extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { marks.wsOpen = performance.now(); });
      this.addEventListener("message", (event) => {
        const data = event.data;
        const size = data.byteLength ?? data.size ?? data.length ?? 0;
        marks.frames.push([performance.now(), size]);
      });
    }
  }
  window.WebSocket = Timed;
  const input = () => { marks.inputAt = performance.now(); };
  document.addEventListener("pointerdown", input, true);
  document.addEventListener("keydown", input, true);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) marks.longtasks.push([entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {}
})();
"""

#: performance.now() when a chart's SVG is first laid out (polled every animation frame).
CHART_DRAWN = """(selector) => {
  const marks = window.__bench;
  if (marks.chartAt) return marks.chartAt;
  for (const svg of document.querySelectorAll(selector)) {
    const box = svg.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) { marks.chartAt = performance.now(); return marks.chartAt; }
  }
  return false;
}"""

#: performance.now() when the first chart shows `expected`, or (without it) differs from `before`.
CHART_CHANGED = """([selector, expected, before]) => {
  const svg = document.querySelector(selector);
  if (!svg) return false;
  const text = svg.closest(".js-plotly-plot").textContent;
  return (expected ? text.includes(expected) : text !== before) ? performance.now() : false;
}"""

CHART_TEXT = """(selector) => {
  const svg = document.querySelector(selector);
  return svg ? svg.closest(".js-plotly-plot").textContent : "";
}"""

PAGE_STATE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource").map((e) => ({
    name: e.name, start: e.startTime, end: e.responseEnd, transfer: e.transferSize, size: e.decodedBodySize,
  }));
  const dcl = nav ? nav.domContentLoadedEventEnd : null;
  return { origin: performance.timeOrigin, dcl, marks: window.__bench, resources };
}"""


def frame_kind(payload: bytes | str) -> str:
    """A Streamlit ForwardMsg's kind: 'script_finished', 'delta:bidi_component' (a chart), ..."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
    kind = message.WhichOneof("type") or "?"
    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        return f"delta:{message.delta.new_element.WhichOneof('type')}"
    return kind


class Frames:
    """The WebSocket messages a page received, as Playwright saw them (payloads, to tell their kind)."""

    def __init__(self, page: Any) -> None:
        self.payloads: list[bytes | str] = []
        self._kinds: list[str] = []
        self.socket: Any = None
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        self.socket = socket  # the newest: a reconnect replaces it
        socket.on("framereceived", lambda payload: self.payloads.append(payload))

    def kinds(self) -> list[str]:
        while len(self._kinds) < len(self.payloads):
            self._kinds.append(frame_kind(self.payloads[len(self._kinds)]))
        return self._kinds

    def wait_for(self, page: Any, kind: str, start: int = 0) -> None:
        """Wait until a message of `kind` arrived at index `start` or later: for the socket's next matching
        message (Playwright delivers the ones already queued first), or for the socket to open."""
        while kind not in self.kinds()[start:]:
            if self.socket is None:
                page.wait_for_event("websocket", timeout=TIMEOUT_MS)
                continue
            self.socket.wait_for_event(
                "framereceived", predicate=lambda payload: frame_kind(payload) == kind, timeout=TIMEOUT_MS
            )


def _timeline(marks: dict[str, Any], frames: Frames, first: int, first_page: int) -> dict[str, Any]:
    """Arrival (page ms) of the first chart message and of the end of the run, message bytes, from index
    `first` of Playwright's messages and `first_page` of the page's (the same messages in the same order)."""
    page_frames = marks["frames"][first_page:]
    kinds = frames.kinds()[first:]
    sizes = [len(p) for p in frames.payloads[first:]]
    out: dict[str, Any] = {"ws_bytes": sum(size for _, size in page_frames)}
    if [size for _, size in page_frames[: len(sizes)]] != sizes:
        return out  # not aligned: kinds unknown
    charts = [i for i, kind in enumerate(kinds) if kind in CHART_KINDS]
    out["chart_bytes"] = sum(sizes[i] for i in charts)
    if charts:
        out["chart_frame"] = page_frames[charts[0]][0]
    if "script_finished" in kinds:
        out["finished"] = page_frames[kinds.index("script_finished")][0]
    return out


def _resources(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The Plotly chunk's fetch, script and font bytes from the page's resource timing."""
    out: dict[str, Any] = {
        "js_bytes": sum(r["transfer"] for r in resources if r["name"].endswith(".js")),
        "js_size": sum(r["size"] for r in resources if r["name"].endswith(".js")),
    }
    plotly = [r for r in resources if PLOTLY_SCRIPT in r["name"]]
    if plotly:
        out.update(chunk_start=plotly[0]["start"], chunk_end=plotly[0]["end"], chunk_size=plotly[0]["size"])
        out["chunk_bytes"] = plotly[0]["transfer"]
    fonts = [r for r in resources if r["name"].endswith((".woff2", ".woff", ".ttf"))]
    if fonts:
        out["fonts_end"] = max(r["end"] for r in fonts)
        out["font_bytes"] = sum(r["transfer"] for r in fonts)
    return out


def open_page(context: Any, server: Server, path: str, page: Any = None) -> dict[str, Any]:
    """Open `path` in `page` (else a new tab of `context`), then close the tab: milestones in ms from
    navigation start, bytes received, the server's run."""
    page = page or context.new_page()
    frames = Frames(page)
    try:
        page.goto(server.url + path, wait_until="commit", timeout=TIMEOUT_MS)
        chart = page.wait_for_function(CHART_DRAWN, arg=CHART_SVG, polling="raf", timeout=TIMEOUT_MS).json_value()
        frames.wait_for(page, "script_finished")
        state = page.evaluate(PAGE_STATE)
    finally:
        page.close()
    marks = state["marks"]
    visit: dict[str, Any] = {"chart": chart, "dcl": state["dcl"], "ws_open": marks["wsOpen"], "origin": state["origin"]}
    visit.update(_timeline(marks, frames, 0, 0))
    visit.update(_resources(state["resources"]))
    visit["longtask_ms"] = sum(d for s, d in marks["longtasks"] if s < chart)
    if "chunk_end" in visit:
        visit["eval_longtask_ms"] = sum(d for s, d in marks["longtasks"] if visit["chunk_end"] <= s < chart)
    runs = server.runs(state["origin"] / 1000)
    if runs:
        run = runs[0]
        visit["run_start"] = run["start"] * 1000 - state["origin"]
        visit["run_end"] = run["end"] * 1000 - state["origin"]
        visit["run_ms"] = (run["end"] - run["start"]) * 1000
        visit["run_cpu_ms"] = run["cpu"] * 1000
        visit["gc_ms"] = run["gc"] * 1000
        visit["imports_ms"] = sum(run["imports"].values())
        visit["imports"] = run["imports"]
    return visit


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    return context


# ----------------------------------------------------------------------------------------------
# Cases


def case_start(browser: Any, runs: int, limit: float) -> list[Series]:
    """Launch to the first chart on "/": a fresh data folder (seeded on the way) and a seeded one (restart)."""
    seeded = Path(tempfile.mkdtemp(prefix="rbdash-bench-seeded-"))
    fresh_dirs: list[Path] = []
    with running_server(seeded) as server:  # seeds `seeded`; warms the OS file cache (not measured)
        context = new_context(browser)
        open_page(context, server, "/")
        context.close()

    def measure(data_dir: Callable[[], Path]) -> Callable[[], tuple[float, dict[str, Any]]]:
        def once() -> tuple[float, dict[str, Any]]:
            context = new_context(browser)
            page = context.new_page()  # the reader's tab is open before the server starts
            try:
                with running_server(data_dir()) as server:
                    visit = open_page(context, server, "/", page)
                    visit["worker_cpu_s"] = server.worker_cpu()
                launched_ms = server.launched * 1000 - visit["origin"]  # negative: before navigation
                visit["url_ms"] = (server.serving - server.launched) * 1000
                visit["nav_ms"] = -launched_ms
                total = (visit["chart"] - launched_ms) / 1000
                return total, visit
            finally:
                context.close()

        return once

    def fresh() -> Path:
        fresh_dirs.append(Path(tempfile.mkdtemp(prefix="rbdash-bench-fresh-")))
        return fresh_dirs[-1]

    try:
        return [
            repeat("start, fresh data folder (seeds the store)", runs, limit, measure(fresh)),
            repeat("start, seeded data folder (restart)", runs, limit, measure(lambda: seeded)),
        ]
    finally:
        for folder in [seeded, *fresh_dirs]:
            shutil.rmtree(folder, ignore_errors=True)


def case_open(browser: Any, runs: int, limit: float) -> list[Series]:
    """Each dashboard page on a warmed server: a new context (empty cache) and a returning one (cached)."""
    data_dir = Path(tempfile.mkdtemp(prefix="rbdash-bench-open-"))
    results = []
    try:
        with running_server(data_dir) as server:
            returning = new_context(browser)
            for path in PAGES:  # warm the server's caches and the returning reader's browser cache
                open_page(returning, server, path)
                open_page(returning, server, path)

            def cold(path: str) -> tuple[float, dict[str, Any]]:
                context = new_context(browser)
                try:
                    visit = open_page(context, server, path)
                finally:
                    context.close()
                return visit["chart"] / 1000, visit

            def warm(path: str) -> tuple[float, dict[str, Any]]:
                visit = open_page(returning, server, path)
                return visit["chart"] / 1000, visit

            for path in PAGES:
                results.append(repeat(f"open {path}, new context", runs, limit, lambda p=path: cold(p)))  # type: ignore[misc]
            for path in PAGES:
                results.append(repeat(f"open {path}, returning", runs, limit, lambda p=path: warm(p)))  # type: ignore[misc]
            returning.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


class ControlPage:
    """ "/" open in a tab: one control change at a time, timed from the input event in the page."""

    def __init__(self, context: Any, server: Server) -> None:
        self.server = server
        self.page = context.new_page()
        self.frames = Frames(self.page)
        self.page.goto(server.url + "/", wait_until="commit", timeout=TIMEOUT_MS)
        self.page.wait_for_function(CHART_DRAWN, arg=CHART_SVG, polling="raf", timeout=TIMEOUT_MS)
        self.frames.wait_for(self.page, "script_finished")

    def change(self, act: Callable[[], None], expected: str | None) -> tuple[float, dict[str, Any]]:
        """Do `act`, wait for the chart to show `expected` (or to change) and the run to finish."""
        page = self.page
        before = page.evaluate(CHART_TEXT, CHART_SVG)
        first, first_page = len(self.frames.payloads), page.evaluate("window.__bench.frames.length")
        page.evaluate("window.__bench.inputAt = null")
        since = time.time()
        act()
        changed = page.wait_for_function(
            CHART_CHANGED, arg=[CHART_SVG, expected, before], polling="raf", timeout=TIMEOUT_MS
        ).json_value()
        self.frames.wait_for(page, "script_finished", first)
        marks = page.evaluate("window.__bench")
        start = marks["inputAt"]
        details = _timeline(marks, self.frames, first, first_page)
        details["chart"] = changed - start
        for key in ("chart_frame", "finished"):
            if key in details:
                details[key] -= start
        runs = self.server.runs(since)
        if runs:
            origin = page.evaluate("performance.timeOrigin")
            details["run_start"] = runs[0]["start"] * 1000 - origin - start
            details["run_ms"] = (runs[-1]["end"] - runs[0]["start"]) * 1000
            details["run_cpu_ms"] = sum(run["cpu"] for run in runs) * 1000
            details["gc_ms"] = sum(run["gc"] for run in runs) * 1000
            details["runs"] = len(runs)
        return details["chart"] / 1000, details

    # The controls

    def sidebar_text(self, text: str) -> None:
        self.page.locator(SIDEBAR).get_by_text(text, exact=True).click()

    def open_programmes(self) -> None:
        """Open the programme list (a click on the field only focuses it)."""
        self.page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"] [role="combobox"]').first.focus()
        self.page.keyboard.press("ArrowDown")
        self.page.get_by_role("option").last.wait_for(timeout=TIMEOUT_MS)

    def choose_programme(self) -> None:
        self.page.get_by_role("option").last.click()  # the first is "Select all"

    def clear_programmes(self) -> None:
        """Remove the chosen programme's tag (its "x")."""
        self.page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"] button[aria-label^="Remove"]').first.click()

    def month(self, key: str) -> None:
        self.page.locator(f'{SIDEBAR} [data-testid="stSlider"] input[type="range"]').first.focus()
        self.page.keyboard.press(key)


def case_controls(browser: Any, runs: int, limit: float) -> list[Series]:
    """Language, programme filter and as-of month on "/" of a warmed server."""
    data_dir = Path(tempfile.mkdtemp(prefix="rbdash-bench-controls-"))
    try:
        with running_server(data_dir) as server:
            context = new_context(browser)
            open_page(context, server, "/")  # warm
            tab = ControlPage(context, server)
            page = tab.page

            def language(name: str, title: str) -> Callable[[], tuple[float, dict[str, Any]]]:
                def once() -> tuple[float, dict[str, Any]]:
                    result = tab.change(lambda: tab.sidebar_text(name), title)
                    back = "Bahasa Indonesia" if name == "English" else "English"
                    tab.change(lambda: tab.sidebar_text(back), TITLE_ID if back != "English" else TITLE_EN)
                    return result

                return once

            def programme() -> tuple[float, dict[str, Any]]:
                tab.open_programmes()
                result = tab.change(tab.choose_programme, None)
                page.keyboard.press("Escape")
                tab.change(tab.clear_programmes, None)
                return result

            def clear() -> tuple[float, dict[str, Any]]:
                tab.open_programmes()
                tab.change(tab.choose_programme, None)
                page.keyboard.press("Escape")
                return tab.change(tab.clear_programmes, None)

            def month() -> tuple[float, dict[str, Any]]:
                result = tab.change(lambda: tab.month("ArrowLeft"), None)
                tab.change(lambda: tab.month("ArrowRight"), None)
                return result

            results = [
                repeat("language id -> en", runs, limit, language("English", TITLE_EN)),
                repeat("programme filter: one programme", runs, limit, programme),
                repeat("programme filter: cleared", runs, limit, clear),
                repeat("as-of month: one month back", runs, limit, month),
            ]
            context.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


#: Functions whose cumulative time the profile section reports: (label, path part, function name).
PROFILED = (
    ("imports (`import` statements run in the script)", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("frame(): language, sign-in, workbook, sidebar", "rbdash/ui/frame.py", "frame"),
    ("store opened and seeded (`_store`, cache miss)", "rbdash/ui/loading.py", "_store"),
    ("current version parsed (`_load_version`, cache miss)", "rbdash/ui/loading.py", "_load_version"),
    ("load_workbook, every call (seeding's check too)", "rbdash/workbook/loader.py", "load_workbook"),
    ("page script (app_pages/ringkasan.py)", "app_pages/ringkasan.py", "<module>"),
    ("metrics.overview", "rbdash/analysis/metrics.py", "overview"),
    ("metrics.programme_progress", "rbdash/analysis/metrics.py", "programme_progress"),
    ("charts.programme_bars (figure built)", "rbdash/present/charts/plan.py", "programme_bars"),
    ("figure to JSON (DrawnFigure.of; a cache miss of the shared values)", "rbdash/ui/plotly_chart.py", "of"),
    ("the chart component", "rbdash/ui/plotly_chart.py", "plotly_chart"),
    ("st.dataframe (to Arrow)", "streamlit/elements/arrow.py", "dataframe"),
    ("gc.collect after the run (Streamlit's runner.postScriptGC)", "~", "<built-in method gc.collect>"),
)


def browser_profile(context: Any, server: Server, path: str) -> dict[str, Any]:
    """One visit under Chromium's sampling profiler: main-thread time by script until the chart is drawn."""
    page = context.new_page()
    session = context.new_cdp_session(page)
    try:
        session.send("Profiler.enable")
        session.send("Profiler.setSamplingInterval", {"interval": 500})
        session.send("Profiler.start")
        page.goto(server.url + path, wait_until="commit", timeout=TIMEOUT_MS)
        chart = page.wait_for_function(CHART_DRAWN, arg=CHART_SVG, polling="raf", timeout=TIMEOUT_MS).json_value()
        profile = session.send("Profiler.stop")["profile"]
    finally:
        page.close()
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    by_script: dict[str, float] = {}
    for node, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        frame = nodes[node]
        name = frame["url"].rsplit("/", 1)[-1].split(".")[0] or frame["functionName"] or "?"
        by_script[name] = by_script.get(name, 0.0) + delta / 1000
    return {"chart": chart, "by_script": sorted(by_script.items(), key=lambda item: -item[1])}


def case_profile(browser: Any) -> dict[str, Any]:
    """A first start with every script run profiled ("/" first: seeding, imports; then "/" warm), and one
    visit of "/" under the browser's profiler in a new context and in a returning one."""
    data_dir = Path(tempfile.mkdtemp(prefix="rbdash-bench-profile-"))
    profile_dir = CACHE_DIR / "browser-profile"
    shutil.rmtree(profile_dir, ignore_errors=True)
    profile_dir.mkdir(parents=True)
    try:
        with running_server(data_dir, profile_dir) as server:
            context = new_context(browser)
            first = open_page(context, server, "/")
            open_page(context, server, "/")
            warm = open_page(context, server, "/")
            fresh = new_context(browser)
            browser_new = browser_profile(fresh, server, "/")
            fresh.close()
            browser_returning = browser_profile(context, server, "/")
            context.close()
            runs = server.runs(0)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    profiles = sorted(profile_dir.glob("run-*.prof"))
    return {
        "first": _profile_rows(profiles[0]) if profiles else [],
        "warm": _profile_rows(profiles[2]) if len(profiles) > 2 else [],
        "first_run_ms": first.get("run_ms"),
        "warm_run_ms": warm.get("run_ms"),
        "first_imports": first.get("imports", {}),
        "runs": len(runs),
        "files": [str(p.relative_to(ROOT)) for p in profiles],
        "browser": {"new context": browser_new, "returning": browser_returning},
    }


def _profile_rows(path: Path) -> list[tuple[str, float, int]]:
    """(label, cumulative seconds, calls) of each PROFILED function, the whole run first."""
    import pstats

    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    found = {label: (0.0, 0) for label, _, _ in PROFILED}
    for (filename, _, name), (primitive, _, _, cumulative, _) in stats.items():
        for label, part, function in PROFILED:
            if name == function and part in filename and cumulative > found[label][0]:
                found[label] = (cumulative, primitive)
    total = max((entry[3] for entry in stats.values()), default=0.0)
    return [("whole run (profiled)", total, 1), *((label, value[0], value[1]) for label, value in found.items())]


#: What-if servers: name -> (index.html preloads the Plotly chart script, extra Streamlit options).
WHATIF = {
    "as served": (False, ()),
    "Plotly script preloaded": (True, ()),
    "no gc.collect after runs": (False, ("--runner.postScriptGC", "false")),
}


def case_whatif(browser: Any, runs: int, limit: float) -> list[Series]:
    """What-if servers side by side (WHATIF), measured interleaved: "/" opened in a new context and in a
    returning one, and the as-of month moved back on "/"."""
    measures = ("open /, new context", "open /, returning", "as-of month: one month back")
    series = {(name, measure): Series(f"{measure}; {name}", limit=limit) for measure in measures for name in WHATIF}
    folders = {name: Path(tempfile.mkdtemp(prefix="rbdash-bench-whatif-")) for name in WHATIF}
    try:
        with contextlib.ExitStack() as stack:
            servers = {
                name: stack.enter_context(running_server(folders[name], preload=preload, options=options))
                for name, (preload, options) in WHATIF.items()
            }
            returning = {name: new_context(browser) for name in WHATIF}
            tabs = {}
            for name, server in servers.items():
                open_page(returning[name], server, "/")
                open_page(returning[name], server, "/")
                tabs[name] = ControlPage(returning[name], server)

            def open_new(name: str) -> tuple[float, dict[str, Any]]:
                context = new_context(browser)
                try:
                    visit = open_page(context, servers[name], "/")
                finally:
                    context.close()
                return visit["chart"] / 1000, visit

            def open_returning(name: str) -> tuple[float, dict[str, Any]]:
                visit = open_page(returning[name], servers[name], "/")
                return visit["chart"] / 1000, visit

            def month(name: str) -> tuple[float, dict[str, Any]]:
                tab = tabs[name]
                result = tab.change(lambda: tab.month("ArrowLeft"), None)
                tab.change(lambda: tab.month("ArrowRight"), None)
                return result

            for _ in range(runs):
                for measure, act in zip(measures, (open_new, open_returning, month), strict=True):
                    for name in WHATIF:
                        meter = CpuMeter()
                        seconds, details = act(name)
                        item = series[(name, measure)]
                        item.values.append(seconds)
                        item.busy.append(meter.others())
                        item.details.append(details)
                        print(f"  {item.name}: {seconds:.3f} s", file=sys.stderr, flush=True)
            for context in returning.values():
                context.close()
    finally:
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)
    return list(series.values())


# ----------------------------------------------------------------------------------------------
# Report


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:,.1f}"


def _goal(name: str) -> float | None:
    if name.startswith("start"):
        return GOAL_START_S
    if name.startswith("open"):
        return GOAL_OPEN_S
    return GOAL_CONTROL_S


def summary_table(series: list[Series]) -> list[str]:
    lines = [
        "| case | median s (min–max) | quiet runs / runs | others' CPU, cores (median) | goal s | verdict |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for item in series:
        goal = _goal(item.name)
        kept = [item.values[i] for i in item.kept()]
        verdict = "–" if goal is None else ("PASS" if item.median() < goal else "FAIL")
        lines.append(
            f"| {item.name} | {item.median():.2f} ({min(kept):.2f}–{max(kept):.2f}) | "
            f"{len(item.quiet())} / {len(item.values)} | {statistics.median(item.busy):.2f} | "
            f"{_s(goal)} | **{verdict}** |"
        )
    return lines


def visit_table(series: list[Series], start: bool) -> list[str]:
    """Milestones (median ms from navigation start) of the page visits."""
    head = "| case | launch → URL | launch → navigation | " if start else "| case | "
    lines = [
        head + "DOM ready | WebSocket open | server run start | chart message | server run end | "
        "Plotly script requested | … loaded | chart drawn | long tasks before chart | … after Plotly loaded |",
        "|---|" + ("--:|--:|" if start else "") + "--:|" * 10,
    ]
    for item in series:
        d = item.detail
        cells = [_ms(d("url_ms")), _ms(d("nav_ms"))] if start else []
        cells += [
            _ms(d(key))
            for key in (
                "dcl",
                "ws_open",
                "run_start",
                "chart_frame",
                "run_end",
                "chunk_start",
                "chunk_end",
                "chart",
                "longtask_ms",
                "eval_longtask_ms",
            )
        ]
        lines.append(f"| {item.name} | " + " | ".join(cells) + " |")
    return lines


def server_table(series: list[Series]) -> list[str]:
    lines = [
        "| case | server run ms (wall) | CPU ms | imports ms | garbage collection ms | imports by package (ms) |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for item in series:
        packages: dict[str, list[float]] = {}
        for i in item.kept():
            for name, ms in item.details[i].get("imports", {}).items():
                packages.setdefault(name, []).append(ms)
        top = sorted(((statistics.median(v), k) for k, v in packages.items()), reverse=True)[:6]
        spread = ", ".join(f"{k} {v:,.0f}" for v, k in top if v >= 5) or "–"
        lines.append(
            f"| {item.name} | {_ms(item.detail('run_ms'))} | {_ms(item.detail('run_cpu_ms'))} | "
            f"{_ms(item.detail('imports_ms'))} | {_ms(item.detail('gc_ms'))} | {spread} |"
        )
    return lines


def bytes_table(series: list[Series]) -> list[str]:
    lines = [
        "| case | WebSocket kB | chart messages kB | scripts fetched kB (of kB) | Plotly script kB fetched "
        "(of kB) | fonts kB | fonts loaded ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for item in series:
        d = item.detail
        lines.append(
            f"| {item.name} | {_kb(d('ws_bytes'))} | {_kb(d('chart_bytes'))} | {_kb(d('js_bytes'))} "
            f"({_kb(d('js_size'))}) | {_kb(d('chunk_bytes'))} ({_kb(d('chunk_size'))}) | {_kb(d('font_bytes'))} | "
            f"{_ms(d('fonts_end'))} |"
        )
    return lines


def control_table(series: list[Series]) -> list[str]:
    lines = [
        "| change | server run start ms | chart message ms | server run ms (CPU ms; garbage collection ms) | "
        "run finished ms | chart redrawn ms | WebSocket kB | chart kB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for item in series:
        d = item.detail
        lines.append(
            f"| {item.name} | {_ms(d('run_start'))} | {_ms(d('chart_frame'))} | {_ms(d('run_ms'))} "
            f"({_ms(d('run_cpu_ms'))}; {_ms(d('gc_ms'))}) | {_ms(d('finished'))} | {_ms(d('chart'))} | "
            f"{_kb(d('ws_bytes'))} | "
            f"{_kb(d('chart_bytes'))} |"
        )
    return lines


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def report(
    results: dict[str, list[Series]], profile: dict[str, Any] | None, args: argparse.Namespace, loads: list[str]
) -> str:
    from bench.common import machine

    series = [item for items in results.values() for item in items]
    lines = [
        f"## Browser waits, {dt.date.today().isoformat()}",
        "",
        f"Run `.venv/bin/python -m bench.bench_browser --runs {args.runs}{' --write' if args.write else ''}`: "
        f"headless Chromium ({CHROMIUM}, Playwright), viewport 1366x768, the server started as "
        "`python -m rbdash.ui.serve` (with a hook timing each script run), medians of the quiet runs "
        f"(others' CPU use at most {args.busy_limit} cores over the run; "
        f"runs above it are repeated, at most {args.runs} extra). "
        f"Machine: {machine()}. Code: {_git('log', '-1', '--format=%h %s')[:100]}. "
        f"Load average (1, 5, 15 min): {'; '.join(loads)}.",
        "",
        f"Goal: {GOAL_TEXT}",
        "",
        *summary_table(series),
        "",
        '- *start*: from launching the server process to the first chart drawn on "/" (a new browser context, '
        "navigating as soon as the server prints its URL); *fresh data folder* includes seeding the store from "
        "data/rencana_aksi_2022.xlsx. The OS file cache is warm (one start before the timed ones).",
        "- *open*: a running server whose caches are warm; *new context*: a first visit (empty browser cache); "
        "*returning*: a tab in a context that has loaded the dashboard before (scripts from the browser cache).",
        '- *controls*: on "/", from the input event (pointerdown / keydown) in the page to the chart drawn with '
        "the new content (the English title; a different chart text), taken every animation frame.",
        "",
    ]
    visits = results.get("start", []) + results.get("open", [])
    if visits:
        lines += [
            "### Where the time goes: page visits",
            "",
            "Milestones, median ms from navigation start (start cases: the server was launched *launch → "
            "navigation* ms before it; the reader's tab was already open). *Long tasks*: main-thread tasks "
            "over 50 ms (script evaluation, layout, drawing) summed.",
            "",
        ]
        if results.get("start"):
            lines += [*visit_table(results["start"], start=True), ""]
        if results.get("open"):
            lines += [*visit_table(results["open"], start=False), ""]
        lines += ["Server side of the visit's script run (hook in the server process):", "", *server_table(visits)]
        lines += ["", "Bytes received by the page:", "", *bytes_table(visits), ""]
        fork = [s.detail("worker_cpu_s") for s in results.get("start", [])]
        if any(v is not None for v in fork):
            lines += [
                "The workbook workers' fork server, started with the server, used "
                + " and ".join(f"{v:.2f} s" for v in fork if v is not None)
                + " CPU (median per start case) by the time the first chart was drawn, on the same 2 cores.",
                "",
            ]
    if results.get("controls"):
        lines += [
            "### Where the time goes: control changes",
            "",
            "Median ms from the input event in the page.",
            "",
            *control_table(results["controls"]),
            "",
        ]
    if results.get("whatif"):
        whatif = results["whatif"]
        opens = [item for item in whatif if item.name.startswith("open")]
        controls = [item for item in whatif if not item.name.startswith("open")]
        lines += [
            "### What-if: changed servers side by side",
            "",
            "Three servers running at once, measured interleaved: *as served*; *Plotly script preloaded*: "
            'Streamlit\'s index.html with `<link rel="modulepreload">` to the Plotly chart script (fetched and '
            "compiled while the app starts, instead of after the first chart message); *no gc.collect after runs*: "
            "`--runner.postScriptGC false` (Streamlit collects all garbage generations after every script run).",
            "",
            *summary_table(whatif),
            "",
            *visit_table(opens, start=False),
            "",
            *server_table(opens),
            "",
            *control_table(controls),
            "",
        ]
    if profile:
        lines += profile_section(profile)
    return "\n".join(lines)


def profile_section(profile: dict[str, Any]) -> list[str]:
    """The server's runs under cProfile and the browser's main thread under its sampling profiler."""
    imports = sorted(profile["first_imports"].items(), key=lambda item: -item[1])
    lines = [
        "### Server script runs under cProfile",
        "",
        f'A first start with a fresh data folder, "/" opened three times ({profile["runs"]} script runs, the '
        "first seeds the store). cProfile slows Python code (imports, pandas, Plotly validation) more than native "
        f"code; profiles in `{Path(profile['files'][0]).parent if profile['files'] else '-'}/` (`python -m pstats`). "
        "Imports of the first run by package (self time, ms, timed by the hook under the profiler): "
        + (", ".join(f"{name} {ms:,.0f}" for name, ms in imports[:8] if ms >= 5) or "none")
        + ".",
        "",
        "| part (cumulative) | first run ms (calls) | warm run ms (calls) |",
        "|---|--:|--:|",
    ]
    warm = {label: (seconds, calls) for label, seconds, calls in profile["warm"]}
    for label, seconds, calls in profile["first"]:
        warm_seconds, warm_calls = warm.get(label, (0.0, 0))
        lines.append(f"| {label} | {seconds * 1000:,.0f} ({calls}) | {warm_seconds * 1000:,.0f} ({warm_calls}) |")
    lines += [
        "",
        "### The browser's main thread until the first chart",
        "",
        'One visit of "/" under Chromium\'s sampling profiler (0.5 ms): self time by script file (hash left '
        "out); *(program)* is the browser's own work (parsing, style, layout, paint), *(idle)* waiting.",
        "",
    ]
    for kind, found in profile["browser"].items():
        top = found["by_script"][:10]
        lines.append(
            f"- {kind}: chart drawn at {found['chart']:,.0f} ms; "
            + ", ".join(f"{name} {ms:,.0f}" for name, ms in top)
            + f"; total sampled {sum(ms for _, ms in found['by_script']):,.0f} ms."
        )
    return [*lines, ""]


def write_section(section: str) -> None:
    """Replace the section with the same heading in bench/RESULTS.md, or append it."""
    from bench.common import RESULTS

    text = RESULTS.read_text()
    heading = section.splitlines()[0]
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = text.find("\n## ", start + len(heading))
        text = text[:start] + section.rstrip("\n") + "\n" + (text[following:] if following != -1 else "")
    RESULTS.write_text(text.rstrip("\n") + "\n")


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (medians; default 5)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument(
        "--busy-limit", type=float, default=0.5, help="others' CPU use (cores) above which a run is repeated"
    )
    parser.add_argument("--write", action="store_true", help="replace today's 'Browser waits' section of RESULTS.md")
    args = parser.parse_args(argv)
    loads = [f"at start {_load()}"]
    print(f"load average {_load()}", file=sys.stderr)
    results: dict[str, list[Series]] = {}
    profile = None
    cases = {"start": case_start, "open": case_open, "controls": case_controls, "whatif": case_whatif}
    with chromium() as browser:
        for name, case in cases.items():
            if name in args.cases:
                print(f"{name} (load average {_load()})", file=sys.stderr, flush=True)
                results[name] = case(browser, args.runs, args.busy_limit)
        if "profile" in args.cases:
            profile = case_profile(browser)
    loads.append(f"at end {_load()}")
    section = report(results, profile, args, loads)
    print(section)
    if args.write:
        write_section(section)
        print("recorded in bench/RESULTS.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
