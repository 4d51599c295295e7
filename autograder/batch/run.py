"""``grade_all``: grade every submission of a class, in parallel, resumably.

Each submission's results.json is written atomically to
``RESULTS_DIR/<student>.json`` as soon as it is graded, so an interrupted run
loses nothing: a rerun skips the students that have a results file (unless
``regrade``). The grading itself is ``autograder.grading.runner.grade``, with the
student's code in its own isolated worker, in a pool of ``jobs`` processes.

Each pool process stays warm for the whole run: it imports pytest, NumPy,
SciPy and the engine once, moves what it imported out of the garbage
collector's way (``gc.freeze``), and keeps a worker started ahead of time
(``SpareWorkers``), which imports NumPy while the previous submission is
graded.
"""

from __future__ import annotations

import gc
import json
import multiprocessing.util
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.batch.discover import Entry, discover
from autograder.course import load_assignment
from autograder.grading.results import SubmissionGrade, write_results_json
from autograder.grading.runner import grade, limits_for
from autograder.sandbox.client import SpareWorkers

STATUS_GRADED, STATUS_ERROR, STATUS_TIMEOUT = "graded", "grader error", "timed out"


@dataclass
class BatchRun:
    """What one ``grade_all`` did."""

    entries: list[Entry]
    graded: list[str] = field(default_factory=list)
    """Students graded by this run."""
    skipped: list[str] = field(default_factory=list)
    """Students that already had results (a resumed run)."""
    failed: list[str] = field(default_factory=list)
    """Students whose grading failed (their results.json says why)."""
    interrupted: bool = False
    seconds: float = 0.0


def results_path(results_dir: Path, student: str) -> Path:
    return Path(results_dir) / f"{student}.json"


def status_of(results: dict) -> str:
    """graded, grader error or timed out, from a results.json."""
    extra = results.get("extra_data", {})
    if extra.get("grader_error"):
        return STATUS_ERROR
    if extra.get("timed_out"):
        return STATUS_TIMEOUT
    return STATUS_GRADED


def grade_all(
    assignment: str,
    submissions: Path,
    results_dir: Path,
    *,
    jobs: int = 2,
    regrade: bool = False,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> BatchRun:
    """Grade every submission under ``submissions`` into ``results_dir``; see the module docstring."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    entries = discover(Path(submissions), results_dir / ".scratch")
    run = BatchRun(entries)
    todo = []
    for entry in entries:
        if not regrade and results_path(results_dir, entry.student).is_file():
            run.skipped.append(entry.student)
        else:
            todo.append(entry)
    (results_dir / "students.json").write_text(json.dumps({e.student: {"name": e.name, "email": e.email} for e in entries}, indent=1))
    started = time.monotonic()
    done = 0
    with ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_start_job, initargs=(assignment,)) as pool:
        pending: dict[Future, Entry] = {}
        queue = iter(todo)
        try:
            for entry in queue:
                pending[pool.submit(_grade_one, assignment, str(entry.path), str(results_path(results_dir, entry.student)))] = entry
                if len(pending) >= 2 * max(1, jobs):
                    done += _collect(pending, run, on_progress, done, len(todo))
            while pending:
                done += _collect(pending, run, on_progress, done, len(todo))
        except KeyboardInterrupt:
            run.interrupted = True
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
    run.seconds = time.monotonic() - started
    return run


def _collect(pending: dict, run: BatchRun, on_progress, done: int, total: int) -> int:
    finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in finished:
        entry = pending.pop(future)
        ok = future.result()
        (run.graded if ok else run.failed).append(entry.student)
        if on_progress:
            on_progress(done + 1, total, entry.student)
        done += 1
    return len(finished)


_spares: SpareWorkers | None = None
"""The pool process's worker started ahead of time (set by ``_start_job``)."""


def _start_job(assignment: str) -> None:
    """Start a pool process: Ctrl-C left to the main process, a spare worker with the assignment's limits, the imports frozen."""
    global _spares
    # the terminal's SIGINT reaches the whole process group: the main process stops the run, and
    # a submission being graded finishes (pytest would turn the interrupt into a grader error)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _spares = SpareWorkers(limits_for(load_assignment(assignment).config))
    multiprocessing.util.Finalize(_spares, _spares.close, exitpriority=10)  # the spare is killed when the pool ends
    gc.collect()
    gc.freeze()  # what is imported stays: later collections need not walk it (70 ms per submission otherwise)


def _grade_one(assignment: str, submission: str, out: str) -> bool:
    """Grade one submission in a pool process; always writes its results.json. True when grading worked."""
    try:
        result = grade(assignment, Path(submission), spares=_spares)
    except Exception as error:  # a submission the grader could not even open: record it, go on
        result = SubmissionGrade(assignment, output=f"Grading failed: {error}", grader_error=True)
    write_results_json(result, Path(out))
    return not result.grader_error


def print_line_progress(stream=sys.stderr, every: float = 5.0) -> Callable[[int, int, str], None]:
    """Progress as plain periodic lines (when stderr is not a terminal)."""
    start, last = time.monotonic(), [0.0]

    def report(done: int, total: int, student: str) -> None:
        now = time.monotonic()
        if now - last[0] >= every or done == total:
            last[0] = now
            rate = done / max(now - start, 1e-9)
            eta = (total - done) / rate if rate else 0
            print(f"graded {done}/{total} ({rate:.1f}/s, about {eta:.0f} s left)", file=stream, flush=True)

    return report
