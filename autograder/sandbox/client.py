"""The trusted side of the boundary: start the worker with limits, send commands, survive its faults.

``WorkerBackend.request(command)`` sends one command and returns the decoded
reply. The worker is started on first use and again after it died, so one
crashing call fails only itself. Limits:

- wall time per call (``call_seconds``): on expiry the worker's whole process
  group is killed with SIGKILL;
- CPU time for the worker's life (``cpu_seconds``, RLIMIT_CPU), address space
  (``memory_mib``, RLIMIT_AS), file size (RLIMIT_FSIZE) and open files
  (RLIMIT_NOFILE), set in the child before it runs any Python;
- stdout and stderr go to files in the worker's own temporary folder, read
  back capped at ``output_bytes`` (a flood cannot fill a pipe and block).

Confinement (``autograder.sandbox.jail``): where the host allows, the worker
runs in its own PID, mount and network namespaces, chrooted into a minimal
read-only view, as ``nobody``; everywhere, every process it started is killed
with it. ``SpareWorkers`` starts workers ahead of time for grading loops.
"""

from __future__ import annotations

import os
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import autograder
from autograder.course import course_root
from autograder.sandbox import jail
from autograder.sandbox.protocol import ProtocolError, decode, encode


@dataclass(frozen=True)
class Limits:
    """What one worker may use."""

    call_seconds: float = 10.0
    """Wall time of one call."""
    submission_seconds: float = 300.0
    """Wall time of all calls of one submission, worker restarts included; later calls fail at once."""
    cpu_seconds: int = 300
    """CPU time over the worker's life."""
    memory_mib: int = 2048
    """Address space."""
    file_mib: int = 16
    """Largest file the worker may write (its captured output included)."""
    open_files: int = 64
    output_bytes: int = 64 * 1024
    """How much of the worker's stdout and stderr is kept."""


BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from autograder.sandbox.worker import main; main(sys.argv[1:])"
"""How the worker starts: isolated mode (-I) with this very ``autograder`` package first on its path."""
START_SECONDS = 60.0
"""How long a worker may take to start, import numpy and confine itself."""
UNSHARE_EXIT_SECONDS = 2.0
"""How long ``unshare`` may take to reap the killed worker and end, before it is killed too."""


class WorkerDied(Exception):
    """The worker ended or was killed during a call; the message says why."""


class SandboxError(RuntimeError):
    """The worker could not be started or confined: a problem of the grading host, not of the student."""


class WorkerProcess:
    """One started worker, with its pipes and its own temporary folder; not yet given a submission."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.home = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        (self.home / "cwd").mkdir()
        self.level = "namespaces" if jail.namespaces_available() else "fallback"
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HOME": str(self.home / "cwd")}
        arguments = [str(commands_r), str(replies_w), str(course_root()), str(self.home), self.level]
        command = [sys.executable, "-I", "-c", BOOT, str(Path(autograder.__file__).parent.parent), *arguments]
        if self.level == "namespaces":
            command = jail.UNSHARE + command
        with open(self.home / "stdout", "wb") as out, open(self.home / "stderr", "wb") as err:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.home / "cwd", env=env,
                pass_fds=(commands_r, replies_w), start_new_session=True, preexec_fn=self._apply_limits,
            )
        os.close(commands_r)
        os.close(replies_w)
        self.to_worker, self.from_worker = commands_w, replies_r

    def open(self, folder: Path) -> None:
        """Give the worker its submission; it confines itself before answering. SandboxError if it cannot."""
        try:
            reply = self.exchange({"op": "open", "folder": str(folder)}, START_SECONDS)
        except (OSError, EOFError, ProtocolError, TimeoutError) as exc:
            reply = {"error": {"message": f"no answer ({exc or type(exc).__name__})"}}
        if reply != {"ok": None}:
            message = reply.get("error", {}).get("message", reply) if isinstance(reply, dict) else reply
            self.kill()
            output = self.output()[-400:]
            self.remove()
            raise SandboxError(f"the worker could not be started in its sandbox ({self.level}): {message}; {output}")

    def exchange(self, command: dict, seconds: float) -> Any:
        """Send ``command``, wait up to ``seconds`` for the reply and decode it."""
        payload = encode(command)
        _write_all(self.to_worker, struct.pack(">Q", len(payload)) + payload)  # one write: the worker wakes once
        deadline = time.monotonic() + seconds
        (length,) = struct.unpack(">Q", self._read_exactly(8, deadline))
        if length > 512 * 1024 * 1024:
            raise ProtocolError(f"reply of {length} bytes")
        return decode(self._read_exactly(length, deadline))

    def output(self) -> str:
        """The captured stdout and stderr, each capped at ``limits.output_bytes``."""
        parts = []
        for name in ("stdout", "stderr"):
            try:
                with open(self.home / name, "rb") as f:
                    text = f.read(self.limits.output_bytes).decode(errors="replace")
            except FileNotFoundError:
                continue
            if text:
                parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)

    def kill(self) -> int | None:
        """SIGKILL the worker and every process it started; returns its exit status.

        In its namespaces, the worker is the first process of its PID
        namespace: killing it ends every process there, and ``unshare``, its
        parent, reaps it and ends; no process is left for init to reap (a
        zombie of ``nobody`` still counts against ``nobody``'s process limit).
        In the fallback, the worker is stopped first, so that it cannot start
        a process between the sweep of its descendants (daemons that left its
        process group included) and its own end.
        """
        if self.level != "namespaces":
            try:
                os.kill(self.process.pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        jail.kill_descendants(self.process.pid)
        if self.level == "namespaces":
            try:
                self.process.wait(timeout=UNSHARE_EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        if self.process.returncode is None:  # never signal the group of a reaped process: its number may be reused
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for fd in (self.to_worker, self.from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        return self.process.returncode

    def remove(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)

    def _apply_limits(self) -> None:  # runs in the child, between fork and exec
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        memory = limits.memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = limits.file_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def _read_exactly(self, n: int, deadline: float) -> bytes:
        chunks, missing = [], n
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.from_worker], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self.from_worker, min(missing, 1 << 20))
            if not chunk:
                raise EOFError("no reply")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)


class SpareWorkers:
    """Keeps one worker started ahead of time, so that the next submission need not wait for it.

    Use one per grading loop (``with SpareWorkers(limits) as spares``) and pass
    it to every ``WorkerBackend``: one worker starts at once, and a worker that
    is taken is replaced at once, so it starts (imports numpy) while the
    current submission is graded. With ``refill=False`` (one submission alone)
    none is started after the first is taken.
    """

    def __init__(self, limits: Limits = Limits(), *, refill: bool = True):
        self.limits = limits
        self.refill = refill
        self._spare: WorkerProcess | None = WorkerProcess(limits)

    def take(self) -> WorkerProcess:
        """The worker started ahead of time (or a new one, if none is ready); starts the next."""
        spare, self._spare = self._spare, None
        if spare is None or spare.process.poll() is not None:  # none yet, or it died while waiting
            if spare is not None:
                _discard(spare)
            spare = WorkerProcess(self.limits)
        if self.refill:
            self._spare = WorkerProcess(self.limits)
        return spare

    def close(self) -> None:
        if self._spare is not None:
            _discard(self._spare)
            self._spare = None

    def __enter__(self) -> "SpareWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerBackend:
    """Runs commands in an isolated worker process on ``folder``'s modules."""

    def __init__(self, folder: Path, limits: Limits = Limits(), spares: SpareWorkers | None = None):
        self.folder = Path(folder).resolve()
        self.limits = spares.limits if spares is not None else limits
        # without a grading loop's spares, one worker is started now: it imports numpy while the graders start
        self._own_spares = spares is None
        self._spares = spares if spares is not None else SpareWorkers(limits, refill=False)
        self._worker: WorkerProcess | None = None
        self._last_output = ""
        self._deadline: float | None = None

    def request(self, command: dict) -> Any:
        """The decoded reply to ``command``; WorkerDied if the worker did not answer."""
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self.limits.submission_seconds
        if now >= self._deadline:
            raise WorkerDied(f"not run: the submission used up its time limit of {self.limits.submission_seconds:g} s")
        calls = len(command.get("commands", ())) if command.get("op") == "batch" else 1
        allowed = self.limits.call_seconds * max(calls, 1)  # a batch: each of its calls keeps its own limit
        seconds = min(allowed, self._deadline - now)
        if self._worker is None:
            worker = self._spares.take()
            worker.open(self.folder)  # SandboxError (the worker cleaned up) if it cannot be confined
            self._worker = worker
        try:
            return self._worker.exchange(command, seconds)
        except (BrokenPipeError, EOFError, ProtocolError) as exc:
            raise WorkerDied(self._stop(f"the worker ended unexpectedly ({exc})", explain=True)) from None
        except TimeoutError:
            if seconds < allowed:
                raise WorkerDied(self._stop(f"the submission used up its time limit of {self.limits.submission_seconds:g} s")) from None
            raise WorkerDied(self._stop(f"the call took longer than the limit of {self.limits.call_seconds:g} s per call")) from None

    def output(self) -> str:
        """The captured stdout and stderr of the current (or last) worker, capped."""
        return self._worker.output() if self._worker is not None else self._last_output

    def close(self) -> None:
        if self._worker is not None:
            self._stop("closed")
        if self._own_spares:
            self._spares.close()

    def _stop(self, reason: str, explain: bool = False) -> str:
        """Kill the worker and its descendants, clean up, and say what happened (``explain``: how it ended, its output)."""
        worker = self._worker
        assert worker is not None
        status = worker.kill()
        self._last_output = worker.output()
        worker.remove()
        self._worker = None
        if not explain:
            return reason
        tail = self._last_output[-400:]
        return f"{reason}: {_describe_status(status, self.limits)}" + (f"\n{tail}" if tail else "")


def _discard(worker: WorkerProcess) -> None:
    worker.kill()
    worker.remove()


def _describe_status(status: int, limits: Limits) -> str:
    if status is None:
        return "still running"
    if status >= 0:
        return f"the process exited with status {status} (did the code call os._exit or sys.exit?)"
    signum = -status
    if signum == signal.SIGXCPU:
        return f"it used more than the CPU-time limit of {limits.cpu_seconds} s"
    if signum == signal.SIGKILL:
        return "it was killed (SIGKILL)"
    if signum == signal.SIGSEGV:
        return f"it crashed (SIGSEGV), possibly out of memory (limit {limits.memory_mib} MiB)"
    return f"it was killed by signal {signal.Signals(signum).name}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
