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

RLIMIT_NPROC is not set: it counts every process of the user, so it only
works for a dedicated unprivileged user (the isolation issue's hardening).
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

from autograder.course import course_root
from autograder.sandbox.protocol import ProtocolError, decode, encode


@dataclass(frozen=True)
class Limits:
    """What one worker may use."""

    call_seconds: float = 10.0
    """Wall time of one call."""
    cpu_seconds: int = 300
    """CPU time over the worker's life."""
    memory_mib: int = 2048
    """Address space."""
    file_mib: int = 16
    """Largest file the worker may write (its captured output included)."""
    open_files: int = 64
    output_bytes: int = 64 * 1024
    """How much of the worker's stdout and stderr is kept."""


class WorkerDied(Exception):
    """The worker ended or was killed during a call; the message says why."""


class WorkerBackend:
    """Runs commands in an isolated worker process on ``folder``'s modules."""

    def __init__(self, folder: Path, limits: Limits = Limits()):
        self.folder = Path(folder).resolve()
        self.limits = limits
        self._process: subprocess.Popen | None = None
        self._home: Path | None = None
        self._to_worker = self._from_worker = -1

    def request(self, command: dict) -> Any:
        """The decoded reply to ``command``; WorkerDied if the worker did not answer."""
        if self._process is None:
            self._start()
        payload = encode(command)
        try:
            os.write(self._to_worker, struct.pack(">Q", len(payload)))
            _write_all(self._to_worker, payload)
            return decode(self._read_reply())
        except (BrokenPipeError, EOFError, ProtocolError) as exc:
            raise WorkerDied(self._stop(f"the worker ended unexpectedly ({exc})")) from None
        except TimeoutError:
            raise WorkerDied(self._stop(f"the call took longer than the limit of {self.limits.call_seconds:g} s per call")) from None

    def output(self) -> str:
        """The captured stdout and stderr of the current worker, capped."""
        if self._home is None:
            return ""
        parts = []
        for name in ("stdout", "stderr"):
            with open(self._home / name, "rb") as f:
                text = f.read(self.limits.output_bytes).decode(errors="replace")
            if text:
                parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)

    def close(self) -> None:
        if self._process is not None:
            self._stop("closed")

    def _start(self) -> None:
        self._home = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        (self._home / "cwd").mkdir()
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HOME": str(self._home / "cwd")}
        with open(self._home / "stdout", "wb") as out, open(self._home / "stderr", "wb") as err:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-m", "autograder.sandbox.worker", str(commands_r), str(replies_w), str(self.folder), str(course_root())],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self._home / "cwd", env=env,
                pass_fds=(commands_r, replies_w), start_new_session=True, preexec_fn=self._apply_limits,
            )
        os.close(commands_r)
        os.close(replies_w)
        self._to_worker, self._from_worker = commands_w, replies_r

    def _apply_limits(self) -> None:  # runs in the child, between fork and exec
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        memory = limits.memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = limits.file_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def _read_reply(self) -> bytes:
        deadline = time.monotonic() + self.limits.call_seconds
        prefix = self._read_exactly(8, deadline)
        (length,) = struct.unpack(">Q", prefix)
        if length > 512 * 1024 * 1024:
            raise ProtocolError(f"reply of {length} bytes")
        return self._read_exactly(length, deadline)

    def _read_exactly(self, n: int, deadline: float) -> bytes:
        chunks, missing = [], n
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_worker], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self._from_worker, min(missing, 1 << 20))
            if not chunk:
                raise EOFError("no reply")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _stop(self, reason: str) -> str:
        """Kill the worker's process group, clean up, and say what happened."""
        process = self._process
        assert process is not None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        status = process.returncode
        for fd in (self._to_worker, self._from_worker):
            os.close(fd)
        output_tail = self.output()[-400:]
        shutil.rmtree(self._home, ignore_errors=True)
        self._process = self._home = None
        if "limit" in reason or reason == "closed":
            return reason
        return f"{reason}: {_describe_status(status, self.limits)}" + (f"\n{output_tail}" if output_tail else "")


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
