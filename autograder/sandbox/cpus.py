"""How grading uses the CPUs: a grading loop and its workers on one CPU, and one BLAS thread.

A call across the boundary is a round trip, cheaper on one CPU: the grading
process writes a command and sleeps; the worker wakes, answers and sleeps; the
grading process wakes. When the two run on different CPUs, every wake-up is an
interrupt sent across CPUs (on a virtual machine, a trip through the
hypervisor as well); on one CPU it is a plain switch. On the 2-CPU machine
this was built on, one submission's tests took 330 ms with both on one CPU
and 425 ms without (medians of 8 cold runs).

``SpareWorkers`` pins its grading process with ``Pinned`` while it hands out
workers and starts each worker on the same CPU. Where the host does not allow
it (not Linux, a sandbox that forbids the call), nothing is pinned and
grading is only slower.
"""

from __future__ import annotations

import os

from autograder.sandbox.jail import proc_stat

SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""One BLAS thread: graders and students multiply small arrays, where more threads only spin (and take a CPU from a worker)."""


def single_threaded_blas() -> None:
    """Ask for one BLAS thread in this process (unless the environment says otherwise); only works before NumPy is imported.

    A cold ``autograder grade`` uses about 85 ms less CPU, 8% of it.
    """
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)


def allowed_cpus() -> list[int]:
    """The CPUs this process may run on, in order (``[0]`` where the host cannot say)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return [0]


def least_used(taken: list[int]) -> int:
    """The allowed CPU that fewest of ``taken`` (the CPUs of processes already running) are: for one more grading process."""
    return min(allowed_cpus(), key=taken.count)


def current_cpu() -> int | None:
    """The CPU this process is running on now (Linux: field 39 of /proc/self/stat), None where it cannot be known."""
    fields = proc_stat("self")
    try:
        return int(fields[39 - 3]) if fields else None
    except (IndexError, ValueError):
        return None


def pin_to(cpu: int) -> bool:
    """Run this process on ``cpu`` only; False where the host does not allow it."""
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError, ValueError):
        return False
    return True


class Pinned:
    """This process, kept on one CPU until ``release``, which gives back the CPUs it had."""

    def __init__(self, cpu: int | None = None):
        """Pin to ``cpu``, or when None to the CPU this process runs on now; ``self.cpu`` is None if nothing was pinned."""
        self._before = allowed_cpus()
        wanted = cpu if cpu is not None else current_cpu()
        self.cpu = wanted if wanted is not None and pin_to(wanted) else None

    def release(self) -> None:
        """Let this process run on the CPUs it had before, again (once; nothing if nothing was pinned)."""
        if self.cpu is not None:
            try:
                os.sched_setaffinity(0, self._before)
            except (AttributeError, OSError, ValueError):
                pass
            self.cpu = None
