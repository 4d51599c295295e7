"""Run a command and measure it: wall time, CPU time of its whole process tree, peak memory per process."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.jail import descendants

WORKER_COMMAND = "autograder.sandbox.forkserver"
"""In the command line of the fork server and of every worker it forks."""


@dataclass
class Measured:
    """What one command cost."""

    seconds: float
    """Wall time."""
    cpu_seconds: float
    """User and system time of the command and every process it waited for."""
    peak_mib: float
    """Largest resident set of any single process of the tree (``ru_maxrss`` of ``wait4``)."""
    output: str = ""
    """Its stdout and stderr."""
    peaks: dict[str, float] = field(default_factory=dict)
    """With ``sample``: the largest peak resident set (VmHWM) seen per role (``PeakSampler.ROLES``)."""


class BenchError(RuntimeError):
    """A measured command failed; the message holds the end of its output."""


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None, sample: bool = False) -> Measured:
    """Run ``command`` to the end; BenchError if it fails. ``sample`` watches its processes' memory as it runs."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = PeakSampler(process.pid) if sample else None
    output = process.stdout.read().decode(errors="replace")  # until the command closes it
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    peaks = sampler.stop() if sampler else {}
    if process.returncode != 0:
        raise BenchError(f"{' '.join(command[:4])} ... exited with {process.returncode}:\n{output[-2000:]}")
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output, peaks)


class PeakSampler:
    """Reads the peak resident set (VmHWM) of ``pid`` and its descendants every ``every`` seconds, by role.

    Roles: the command itself ("main process"), the sandbox workers, and the
    other Python processes it started ("grading job", e.g. ``grade-all``'s pool).
    Reading /proc costs CPU too: every 0.25 s is about 2% of one core.
    """

    def __init__(self, pid: int, every: float = 0.25):
        self.pid, self.every = pid, every
        self.peaks: dict[str, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._done.set()
        self._thread.join()
        return self.peaks

    def _watch(self) -> None:
        while not self._done.wait(self.every):
            for pid in descendants(self.pid) + [self.pid]:
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue  # it ended meanwhile
                peak = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)
                role = ("sandbox worker" if WORKER_COMMAND in command else "main process" if pid == self.pid
                        else "grading job" if "python" in command else "")
                if role:
                    self.peaks[role] = max(self.peaks.get(role, 0.0), peak)
