"""Four report requests at the same moment through the report queue, in a process of their own.

Run as `python -m tests.concurrent_reports` (tests/test_report_concurrency.py does, with
RBDASH_REPORT_BUILDERS=2 so that two builds render at once). Prints one JSON object: what each
request got, the time from the requests to the last result, and the memory used, measured two
ways: this process's own peak (VmHWM from /proc/self/status) and the peak proportional set size
(PSS, shared pages split between the processes) of this process with its Chromium processes,
sampled every 50 ms.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def status_kb(field: str, pid: int | str = "self") -> int:
    """A kB field of /proc/PID/status, e.g. VmHWM (peak resident size)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def descendants(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the process ended meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """The largest PSS sum of this process and its descendants seen while running."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(pss_kb(pid) for pid in descendants(os.getpid())))
            self.stop.wait(0.05)  # the sampling interval


def main() -> None:
    from rbdash.exports import images
    from rbdash.exports import queue as rq
    from rbdash.workbook.loader import load_workbook

    result = load_workbook(ROOT / "data" / "rencana_aksi_2022.xlsx")
    model = result.plan
    requests = [
        rq.ReportRequest(result.sha256, 9, "id", "versi 1"),
        rq.ReportRequest(result.sha256, 9, "en", "versi 1"),
        rq.ReportRequest(result.sha256, 6, "id", "versi 1"),
        rq.ReportRequest(result.sha256, 9, "id", "versi 1"),
    ]
    queue = rq.report_queue()
    before_kb = status_kb("VmHWM")
    sampler = TreeSampler()
    sampler.start()
    jobs: list[rq.Job | None] = [None] * len(requests)
    ready = threading.Barrier(len(requests))

    def ask(index: int) -> None:
        ready.wait()
        jobs[index] = rq.submit_report(model, requests[index])

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(len(requests))]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = [job.wait(600) for job in jobs]
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    done = [job for job in jobs if job.state == rq.DONE]
    print(
        json.dumps(
            {
                "builders": queue.builders,
                "finished": finished,
                "states": [job.state for job in jobs],
                "errors": [job.error_key for job in jobs],
                "builds": queue.builds_started,
                "same_key_shared": jobs[0] is jobs[3],
                "pdf_ok": all(job.result.pdf[:5] == b"%PDF-" and len(job.result.pdf) > 100_000 for job in done),
                "pptx_ok": all(job.result.pptx[:2] == b"PK" and len(job.result.pptx) > 100_000 for job in done),
                "distinct_pdfs": len({job.result.pdf for job in done}),
                "chromium_starts": images.renderer().starts,
                "seconds": round(seconds, 1),
                "python_peak_mb_before": round(before_kb / 1024),
                "python_peak_mb": round(status_kb("VmHWM") / 1024),
                "tree_peak_pss_mb": round(sampler.peak_kb / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
