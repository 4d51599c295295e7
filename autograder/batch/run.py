"""``grade_all``: grade every submission of a class, in parallel, resumably.

Each submission's results.json is written atomically to
``RESULTS_DIR/<student>.json`` as soon as it is graded, so an interrupted run
loses nothing: a rerun skips the students that have a results file (unless
``regrade``).

The grading is done by ``jobs`` grading processes, forked from this one at the
start. Each runs ONE stream (``autograder.grading.session.grade_each``) for its
whole life: pytest starts and collects the graders once, SciPy's special
functions are imported (the statistical checks' exact tails, cheaper than
computing them here over hundreds of submissions), the imports are moved
out of the garbage collector's way (``gc.freeze``), and the fork server of its
isolated workers (``SpareWorkers``) is started before the graders are
collected. Each process and its workers run on one CPU, a different one for
each process while there are enough (``autograder.sandbox.cpus``). Each
process has its own pipe to this one: it asks for a
submission when it is ready, and says when that submission's results.json is
written, so progress is per submission and this process always knows which
submission each grading process holds.

Ctrl-C (SIGINT, which a terminal sends to the whole process group) is
ignored by the grading processes; this process stops handing out
submissions, the ones being graded finish, and ``BatchRun.interrupted`` is
set. Killed outright (kill -9, the OOM killer), this process leaves no grading
process waiting for it: each writes the submission it holds and ends. A
grading process that ends unexpectedly loses at most the submission it
held: that one is recorded as a grader error (it is not handed out again: it
may be what ended the process), a new process takes its place, and the run
goes on. A process that ends before taking any submission is not replaced;
when none is left and submissions are, the run fails with an
``AutograderError``.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator

from autograder.batch.discover import Entry, discover
from autograder.errors import AutograderError
from autograder.grading.results import SubmissionGrade, write_results_json
from autograder.grading.session import grade_each, record_grader_error
from autograder.sandbox.cpus import least_used

STATUS_GRADED, STATUS_ERROR, STATUS_TIMEOUT = "graded", "grader error", "timed out"
PEOPLE_FILE = ".students.json"
"""Names and emails per student id, beside the results. Hidden, so that it is no student's results file:
a student id is a folder or zip name, and ``discover`` skips hidden ones."""


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
    todo: deque[Entry] = deque()
    for entry in entries:
        if not regrade and results_path(results_dir, entry.student).is_file():
            run.skipped.append(entry.student)
        else:
            todo.append(entry)
    (results_dir / PEOPLE_FILE).write_text(json.dumps({e.student: {"name": e.name, "email": e.email} for e in entries}, indent=1))
    started = time.monotonic()
    if todo:
        _Dispatcher(assignment, results_dir, run, on_progress, len(todo)).run(todo, min(max(1, jobs), len(todo)))
    run.seconds = time.monotonic() - started
    return run


@dataclass
class _Job:
    """A grading process, seen from this one."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    cpu: int
    """The CPU it and its workers run on (processes side by side get different ones while there are enough)."""
    holding: Entry | None = None
    """The submission it is grading."""
    handed_at: int = 0
    """When it got that submission (``time.time_ns``)."""
    took_any: bool = False


class _Dispatcher:
    """Hands the submissions to the grading processes, one at a time, and records what comes back."""

    def __init__(self, assignment: str, results_dir: Path, run: BatchRun, on_progress: Callable[[int, int, str], None] | None, total: int):
        self.assignment, self.results_dir, self.batch, self.on_progress, self.total = assignment, results_dir, run, on_progress, total
        self.jobs: list[_Job] = []
        self.stopping = False

    def run(self, todo: deque[Entry], jobs: int) -> None:
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, self._interrupt)
        try:
            for _ in range(jobs):
                self._start_job()
            while self.jobs:
                ready = wait([job.conn for job in self.jobs] + [job.process.sentinel for job in self.jobs])
                for job in list(self.jobs):
                    if job.conn in ready or job.process.sentinel in ready:
                        self._serve(job, todo)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            for job in self.jobs:  # only after a second Ctrl-C or a fault of this process
                job.process.terminate()
                job.process.join()

    def _interrupt(self, signum: int, frame: object) -> None:
        if self.stopping:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.stopping = self.batch.interrupted = True

    def _start_job(self) -> None:
        # fork: the grading process starts with everything this one imported (threads of this process are not copied,
        # and the process does not use its parent's locks: it talks only through its own pipe)
        ours, theirs = multiprocessing.Pipe()
        main_ends = [job.conn for job in self.jobs] + [ours]
        cpu = least_used([job.cpu for job in self.jobs])
        process = multiprocessing.get_context("fork").Process(target=_job_main, args=(self.assignment, theirs, main_ends, cpu), daemon=True)
        process.start()
        theirs.close()
        self.jobs.append(_Job(process, ours, cpu))

    def _serve(self, job: _Job, todo: deque[Entry]) -> None:
        """Read what ``job`` said; hand it the next submission when it asks; handle its end."""
        ended = False
        while not ended:
            try:  # only the pipe's errors say the process ended (one of the progress callback's, such as a closed stdout, is raised)
                if not job.conn.poll():
                    break
                message = job.conn.recv()
            except (EOFError, OSError):  # its end of the pipe is closed: it ended
                ended = True
                break
            if message[0] == "done":
                self._done(job, message[1])
            elif message[0] == "ready":
                ended = not self._hand_out(job, todo)
        if not ended and job.process.is_alive():
            return
        job.process.join()
        job.conn.close()
        self.jobs.remove(job)
        if job.holding is not None:
            self._lost(job)
        if job.took_any and todo and not self.stopping:  # it ended unexpectedly, after it graded: a new one takes its place
            self._start_job()
        elif todo and not self.stopping and not self.jobs:
            raise AutograderError(
                f"the grading processes ended unexpectedly (the last with {_how(job.process.exitcode)}); {len(todo)} submissions "
                "were not graded (rerun the same command to resume)"
            )

    def _hand_out(self, job: _Job, todo: deque[Entry]) -> bool:
        """Send ``job`` the next submission, or None when there is none; False if its end of the pipe is closed."""
        if self.stopping or not todo:
            task = None
        else:
            job.holding, job.handed_at, job.took_any = todo.popleft(), time.time_ns(), True
            task = (job.holding.student, str(job.holding.path), str(results_path(self.results_dir, job.holding.student)))
        try:
            job.conn.send(task)
        except OSError:
            return False
        return True

    def _done(self, job: _Job, ok: bool) -> None:
        entry, job.holding = job.holding, None
        assert entry is not None
        self._count(entry.student, ok)

    def _lost(self, job: _Job) -> None:
        """The submission of a grading process that ended unexpectedly: its results if it wrote them, else a grader error."""
        entry = job.holding
        assert entry is not None
        path = results_path(self.results_dir, entry.student)
        if path.is_file() and path.stat().st_mtime_ns >= job.handed_at:  # written just before the process ended
            ok = status_of(json.loads(path.read_text(encoding="utf-8"))) != STATUS_ERROR
        else:
            result = SubmissionGrade(self.assignment)
            record_grader_error(result, f"the grading process ended unexpectedly while grading this submission ({_how(job.process.exitcode)})")
            write_results_json(result, path)
            ok = False
        self._count(entry.student, ok)

    def _count(self, student: str, ok: bool) -> None:
        (self.batch.graded if ok else self.batch.failed).append(student)
        if self.on_progress:
            self.on_progress(len(self.batch.graded) + len(self.batch.failed), self.total, student)


def _job_main(assignment: str, conn: Connection, main_ends: list[Connection], cpu: int) -> None:
    """A grading process: one stream over the submissions this process is handed, each results.json written as it is graded."""
    # the terminal's SIGINT reaches the whole process group: the main process stops the run, and
    # a submission being graded finishes (pytest would turn the interrupt into a grader error)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for end in main_ends:  # copies of the main process's ends of every pipe, this one's included: with them closed,
        end.close()        # the main process's end dies with it (kill -9), and talking to it fails instead of waiting forever
    # hundreds of submissions: SciPy's binomial tails and beta CDF (autograder.grading.tails) repay its import many times
    import scipy.special  # noqa: F401

    tasks = _Tasks(conn)
    try:
        _grade_handed(assignment, tasks, cpu)
    except _MainProcessGone:  # what this process graded is written; nobody is left to hand out the rest
        pass
    finally:
        conn.close()


def _grade_handed(assignment: str, tasks: "_Tasks", cpu: int) -> None:
    try:
        grade_each(assignment, tasks, lambda path, outcome: tasks.finish(_as_grade(assignment, outcome)), cpu=cpu)
    except _MainProcessGone:
        raise
    except Exception as error:  # the stream could not run (a broken catalogue): every submission is a grader error, as alone
        failed = SubmissionGrade(assignment, output=f"Grading failed: {error}", grader_error=True)
        if tasks.held is not None:
            tasks.finish(failed)
        for _ in tasks:
            tasks.finish(failed)


class _MainProcessGone(Exception):
    """The main process's end of the pipe is closed: it was killed (kill -9, the OOM killer) without ending the run."""


class _Tasks:
    """The submissions of a grading process, asked for one at a time: the iterable its stream grades."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.held: tuple[str, str] | None = None
        """(student, results path) of the submission being graded."""
        self._frozen = False

    def __iter__(self) -> Iterator[Path]:
        while True:
            if not self._frozen:  # first asked for once pytest collected the graders: what is loaded now stays
                gc.collect()
                gc.freeze()  # later collections need not walk it (70 ms per submission otherwise)
                self._frozen = True
            task = self._tell(("ready",), answer=True)
            if task is None:
                return
            student, path, out = task
            self.held = (student, out)
            yield Path(path)

    def finish(self, result: SubmissionGrade) -> None:
        """Write the results.json of the held submission, then tell the main process."""
        assert self.held is not None
        student, out = self.held
        write_results_json(result, Path(out))
        self.held = None
        self._tell(("done", not result.grader_error))

    def _tell(self, message: tuple, answer: bool = False) -> Any:
        """Send ``message`` to the main process (and with ``answer``, return its reply); _MainProcessGone if it is gone."""
        try:
            self.conn.send(message)
            return self.conn.recv() if answer else None
        except (EOFError, OSError):
            raise _MainProcessGone from None


def _how(exitcode: int | None) -> str:
    return f"killed by signal {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit status {exitcode}"


def _as_grade(assignment: str, outcome: SubmissionGrade | AutograderError) -> SubmissionGrade:
    if isinstance(outcome, AutograderError):  # a submission the grader could not even open: record it, go on
        return SubmissionGrade(assignment, output=f"Grading failed: {outcome}", grader_error=True)
    return outcome


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
