"""This autograder measured: one submission cold, one call across the boundary, a simulated class with ``grade-all``."""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.batch.simulate import simulate
from autograder.bench.measure import Measured, run
from autograder.grading.submission import Submission

CALLS = 300
GRADED = re.compile(r"Graded (\d+) submissions in ([0-9.]+) s \((\d+) already graded, (\d+) grader errors\)")


COLD_RUNS = 5
"""Cold runs of each kind: one is at the mercy of the machine's other load (0.9 to 1.3 s on a shared VM)."""


@dataclass
class Cold:
    """``autograder grade`` on one submission in a fresh Python, ``COLD_RUNS`` times, in the sandbox and in process, alternately."""

    sandbox: list[Measured]
    in_process: list[Measured]
    numpy_start: list[Measured]
    """``python -c "import numpy"``: the floor of any process that grades, measured alongside."""


def cold(assignment: str, folder: Path, out: Path) -> Cold:
    """Each kind of cold run ``COLD_RUNS`` times, interleaved, so that the machine's load falls on all alike.

    As on any machine after its first grade (and on Gradescope, whose
    setup.sh compiles them), the graders' and the package's bytecode is
    cached: a first, unmeasured run writes it, even where the environment
    says not to (``PYTHONDONTWRITEBYTECODE``: every run would compile them, 0.1 s).
    """
    command = [sys.executable, "-m", "autograder", "grade", assignment, str(folder), "--out", str(out)]
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    run(command, env=env)
    runs = Cold([], [], [])
    for _ in range(COLD_RUNS):
        runs.sandbox.append(run(command, env=env))
        runs.in_process.append(run(command + ["--in-process"], env=env))
        runs.numpy_start.append(run([sys.executable, "-c", "import numpy"], env=env))
    return runs


def median(runs: list[Measured]) -> Measured:
    """The run of median wall time."""
    return sorted(runs, key=lambda measured: measured.seconds)[len(runs) // 2]


@dataclass
class CallCost:
    """Seconds per call of each backend: one call per round trip, and ``call_each`` (many per round trip)."""

    worker: float
    in_process: float
    worker_batched: float
    in_process_batched: float


def call_cost(folder: Path) -> CallCost:
    """Time per call of ``penalties.l2_penalty`` and of ``augmentation.mixup`` through ``call_each``."""
    worker = _per_call(Submission.isolated(folder))
    local = _per_call(Submission.in_process_from_folder(folder))
    return CallCost(worker[0], local[0], worker[1], local[1])


def _per_call(submission: Submission) -> tuple[float, float]:
    W, x, y = np.ones((4, 3)), np.zeros((2, 1)), np.eye(2)
    with submission:
        submission.call("penalties.l2_penalty", W, 0.1)  # start the worker, import the module
        started = time.perf_counter()
        for _ in range(CALLS):
            submission.call("penalties.l2_penalty", W, 0.1)
        one = (time.perf_counter() - started) / CALLS
        started = time.perf_counter()
        submission.call_each("augmentation.mixup", [((x, y), {"alpha": 0.2, "rng": submission.rng(seed)}) for seed in range(CALLS)])
        return one, (time.perf_counter() - started) / CALLS


@dataclass
class ClassRun:
    """``autograder grade-all`` on a simulated class."""

    n: int
    jobs: int
    grading_seconds: float
    """As ``grade-all`` reports it: the grading, without start-up, gradebook and report."""
    grader_errors: int
    measured: Measured

    @property
    def rate(self) -> float:
        return self.n / self.grading_seconds


def grade_class(assignment: str, n: int, workdir: Path, *, jobs: int = 2, seed: int = 0) -> ClassRun:
    """Simulate ``n`` submissions and grade them all with ``--jobs jobs``, watching every process's memory."""
    simulate(assignment, n, workdir / "class", seed=seed, force=True)
    command = [sys.executable, "-m", "autograder", "grade-all", assignment, str(workdir / "class"), "--out", str(workdir / "results"),
               "--jobs", str(jobs), "--regrade"]
    measured = run(command, sample=True)
    found = GRADED.search(measured.output)
    if found is None:
        raise RuntimeError(f"grade-all did not report what it graded:\n{measured.output[-1000:]}")
    return ClassRun(int(found[1]), jobs, float(found[2]), int(found[4]), measured)
