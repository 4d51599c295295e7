"""``python -m autograder.bench``: print the benchmark's figures, each as soon as it is measured.

Environment: ``BENCH_N`` (default 100) submissions in the simulated class,
``BENCH_TOOLS=0`` to leave out nbgrader and otter (they take a minute).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

from autograder.bench import engine, tools
from autograder.bench.measure import BenchError
from autograder.course import course_root

ASSIGNMENT = "regularization"
TARGET_SECONDS, TARGET_COLD, TARGET_MIB = 120, 1.0, 300
ISSUE_FLOOR = 0.15
"""The start of a Python with NumPy on the machine the targets were set on: this machine's load varies, ratios to it less."""


def main() -> None:
    n = int(os.environ.get("BENCH_N", "100"))
    with_tools = os.environ.get("BENCH_TOOLS", "1") != "0"
    folder = course_root() / "assignments" / ASSIGNMENT / "examples" / "correct"
    say(f"make bench: {ASSIGNMENT}, {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}, BENCH_N={n}")
    with tempfile.TemporaryDirectory(prefix="autograder-bench-") as tmp:
        work = Path(tmp)
        cold = engine.cold(ASSIGNMENT, folder, work / "cold.json")
        sandbox, local, floor = (engine.median(runs) for runs in (cold.sandbox, cold.in_process, cold.numpy_start))
        spread = ", ".join(f"{measured.seconds:.2f}" for measured in sorted(cold.sandbox, key=lambda measured: measured.seconds))
        say(f"one submission, cold (`autograder grade`, {folder.relative_to(course_root())}), median of {engine.COLD_RUNS}: "
            f"sandbox {sandbox.seconds:.2f} s (runs {spread}; CPU {sandbox.cpu_seconds:.2f} s, peak {sandbox.peak_mib:.0f} MiB), "
            f"in process {local.seconds:.2f} s (x{sandbox.seconds / local.seconds:.2f}); target < {TARGET_COLD:g} s")
        say(f"python -c 'import numpy' alongside, median: {floor.seconds:.2f} s (the issue's floor, 'about {ISSUE_FLOOR:g} s here'): "
            f"a cold submission is x{sandbox.seconds / floor.seconds:.1f} that; the target, x{TARGET_COLD / ISSUE_FLOOR:.1f}")
        cost = engine.call_cost(folder)
        say(f"one call across the boundary: worker {cost.worker * 1e6:.0f} us, in process {cost.in_process * 1e6:.0f} us "
            f"(x{cost.worker / cost.in_process:.1f}); with call_each (mixup, {engine.CALLS} per round trip): "
            f"worker {cost.worker_batched * 1e6:.0f} us, in process {cost.in_process_batched * 1e6:.0f} us per call")
        batch = engine.grade_class(ASSIGNMENT, n, work / "class")
        peaks = ", ".join(f"{role} {mib:.0f} MiB" for role, mib in sorted(batch.measured.peaks.items()))
        say(f"grade-all, {batch.n} simulated submissions, --jobs {batch.jobs}: {batch.grading_seconds:.1f} s, "
            f"{batch.rate:.2f} submissions/s, 1,000 in about {1000 / batch.rate:.0f} s (target {TARGET_SECONDS} s); "
            f"CPU {batch.measured.cpu_seconds / batch.n:.2f} s per submission; {batch.grader_errors} grader errors")
        say(f"peak memory per process: {peaks or 'not sampled'}; largest of all {batch.measured.peak_mib:.0f} MiB (target < {TARGET_MIB} MiB)")
        if with_tools:
            for name, measure in (("nbgrader autograde", tools.nbgrader_autograde), ("otter run", tools.otter_run)):
                try:
                    measured = measure(ASSIGNMENT, work)
                except (BenchError, ImportError) as error:
                    say(f"{name}: not measured ({str(error).splitlines()[0]})")
                    continue
                say(f"{name}, one submission: {measured.seconds:.1f} s (CPU {measured.cpu_seconds:.1f} s, peak {measured.peak_mib:.0f} MiB): "
                    f"x{measured.seconds / sandbox.seconds:.1f} our cold submission, x{measured.seconds * batch.rate:.0f} our time per submission in grade-all")


def say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    main()
