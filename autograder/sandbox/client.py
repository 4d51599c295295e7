"""The trusted side of the boundary: start the worker with limits, send commands, survive its faults.

``WorkerBackend.request(command)`` sends one command and returns the decoded
reply. The worker is started on first use and again after it died, so one
crashing call fails only itself. Limits:

- wall time per call (``call_seconds``): on expiry the worker's whole process
  group is killed with SIGKILL; each call of a batch or repeat keeps its own,
  timed from its start as the worker records it (``autograder.sandbox.progress``);
- CPU time for the worker's life (``cpu_seconds``, RLIMIT_CPU), address space
  (``memory_mib``, RLIMIT_AS), file size (RLIMIT_FSIZE) and open files
  (RLIMIT_NOFILE), set in the worker as soon as it is forked;
- stdout and stderr go to files in the worker's own temporary folder, read
  back capped at ``output_bytes`` (a flood cannot fill a pipe and block).

Confinement (``autograder.sandbox.jail``): where the host allows, the worker
runs in its own PID, mount and network namespaces, chrooted into a minimal
read-only view, as ``nobody``; everywhere, every process it started is killed
with it.

Workers are forked, one per submission, from a fork server that has already
imported NumPy (``ForkServer``; ``SpareWorkers`` keeps one for a grading
loop): a worker is ready in milliseconds instead of the 0.2 s of CPU a fresh
Python with NumPy costs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shutil
import signal
import socket
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
from autograder.sandbox.cpus import SINGLE_THREADED, Pinned
from autograder.sandbox.forkserver import OUT_OF_CPU, STATUS
from autograder.sandbox.progress import Progress
from autograder.sandbox.protocol import MAX_MESSAGE_BYTES, ProtocolError, decode, encode


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


BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from autograder.sandbox.forkserver import main; main(sys.argv[1:])"
"""How the fork server starts: isolated mode (-I) with this very ``autograder`` package first on its path."""
ENVIRONMENT = {"PATH": "/usr/bin:/bin", **SINGLE_THREADED}
"""The fork server's environment, and so its workers' (each gets its own HOME and TMPDIR)."""
START_SECONDS = 60.0
"""How long the fork server may take to start and import numpy, and a worker to confine itself."""
EXIT_SECONDS = 2.0
"""How long a killed worker's keeper may take to report its end, before it is killed too."""


class WorkerDied(Exception):
    """The worker ended or was killed during a call; the message says why."""

    def __init__(self, message: str, *, over_call_limit: bool = False, out_of_time: bool = False, index: int | None = None):
        super().__init__(message)
        self.over_call_limit = over_call_limit
        """A call ran past its own wall-time limit (an endless loop, most likely)."""
        self.timed_out = over_call_limit or out_of_time
        """A time limit ended it: a call's, the submission's wall time, or the worker's CPU time."""
        self.index = index
        """Of a batch or repeat, the call that ran past its limit (None: the request as a whole, or not known)."""


class CallTimedOut(TimeoutError):
    """One call of a batch or repeat ran past its own limit (``index``: which; None if the worker's record made no sense)."""

    def __init__(self, index: int | None):
        super().__init__(index)
        self.index = index


class SandboxError(RuntimeError):
    """The worker could not be started or confined: a problem of the grading host, not of the student."""


class ForkServer:
    """A trusted process that has imported NumPy and forks a fresh worker on request (``autograder.sandbox.forkserver``).

    It runs in its own network and mount namespaces where the host allows
    (``level`` "namespaces"), and holds nothing of the course.
    """

    def __init__(self) -> None:
        self.level = "namespaces" if jail.namespaces_available() else "fallback"
        self.home = Path(tempfile.mkdtemp(prefix="autograder-forkserver-"))
        self._socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-I", "-c", BOOT, str(Path(autograder.__file__).parent.parent),
                   str(theirs.fileno()), str(course_root()), self.level]
        if self.level == "namespaces":
            command = jail.UNSHARE + command
        with open(self.home / "log", "wb") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/", env=ENVIRONMENT,
                                            pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()

    def fork(self, home: Path, limits: Limits, fds: list[int], cpu: int | None = None) -> int:
        """Fork a worker with ``home`` and ``limits`` on ``fds`` (command, reply and status pipes), on ``cpu`` if given; the pid of its keeper."""
        request = json.dumps({"home": str(home), "limits": dataclasses.asdict(limits), "cpu": cpu}).encode()
        self._socket.settimeout(START_SECONDS)
        try:
            socket.send_fds(self._socket, [request], fds)
            reply = self._socket.recv(STATUS.size)
        except OSError as exc:
            raise SandboxError(f"the fork server did not start a worker ({exc or type(exc).__name__}): {self.log()}") from None
        if len(reply) != STATUS.size:
            raise SandboxError(f"the fork server did not start a worker (it ended): {self.log()}")
        return STATUS.unpack(reply)[0]

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        try:
            return (self.home / "log").read_text(errors="replace")[-400:]
        except OSError:
            return ""

    def close(self) -> None:
        """End the server (it waits for the keepers of its last workers), killing it if it does not end."""
        self._socket.close()
        try:
            self.process.wait(timeout=START_SECONDS / 10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


class WorkerProcess:
    """One forked worker, with its pipes and its own temporary folder; not yet given a submission.

    Its keeper (a child of the fork server) reports on the status pipe the
    worker's pid, then, when the worker has ended and every process it left
    has been killed, its exit status.
    """

    def __init__(self, limits: Limits, server: ForkServer, cpu: int | None = None):
        self.limits = limits
        self.level = server.level
        self.home = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        (self.home / "cwd").mkdir()
        commands_r, self.to_worker = os.pipe()
        self.from_worker, replies_w = os.pipe()
        self._status, status_w = os.pipe()
        self._pidfd: int | None = None
        self.progress: Progress | None = Progress.create()
        try:
            self.keeper = server.fork(self.home, limits, [commands_r, replies_w, status_w, self.progress.fd], cpu)
        except SandboxError:
            self._close_pipes()
            self.remove()
            raise
        finally:
            for fd in (commands_r, replies_w, status_w):
                os.close(fd)
        self.pid = self._read_status(START_SECONDS)
        self._pidfd = _pidfd_open(self.pid)
        self.returncode: int | None = None

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

    def alive(self) -> bool:
        """Whether the worker still runs (its keeper has not reported its end)."""
        if self.pid is None or self.returncode is not None or self._status is None:
            return False
        return not select.select([self._status], [], [], 0)[0]

    def exchange(self, command: dict, seconds: float, calls: int = 1, call_seconds: float | None = None) -> Any:
        """Send ``command``, wait up to ``seconds`` for the reply and decode it; TimeoutError when it is late.

        With ``call_seconds``, each of the ``calls`` of a batch or repeat must
        also end within that long of its start, as the worker's progress
        record tells it: CallTimedOut names the first that does not.
        """
        payload = encode(command)
        sent = time.monotonic()
        deadline = sent + seconds
        if call_seconds is not None:
            self.progress.start(0)  # until the worker says otherwise, its first call runs from now
        _write_all(self.to_worker, struct.pack(">Q", len(payload)) + payload)  # one write: the worker wakes once
        if call_seconds is not None:
            self._await_reply(sent, deadline, calls, call_seconds)
        (length,) = struct.unpack(">Q", _read_exactly(self.from_worker, 8, deadline))
        if length > MAX_MESSAGE_BYTES:
            raise ProtocolError(f"reply of {length} bytes")
        return decode(_read_exactly(self.from_worker, length, deadline))

    def _await_reply(self, sent: float, deadline: float, calls: int, call_seconds: float) -> None:
        """Return once the reply starts to arrive or ``deadline`` has passed; CallTimedOut as soon as a call has run ``call_seconds``."""
        check = min(deadline, sent + call_seconds)
        while not select.select([self.from_worker], [], [], max(0.0, check - time.monotonic()))[0]:
            now = time.monotonic()
            if now >= deadline:
                return  # reading the reply times out
            running = self.progress.running(calls, sent, now)
            if running is None or running[1] + call_seconds <= now:
                raise CallTimedOut(running[0] if running else None)
            check = min(deadline, running[1] + call_seconds)

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
        """SIGKILL the worker and every process it started; returns its exit status (None if it is unknown).

        In its namespaces, the worker is the first process of its PID
        namespace: killing it ends every process there. In the fallback, the
        worker is stopped first, so that it cannot start a process between
        the sweep of its descendants (daemons that left its process group
        included: the keeper is their subreaper) and its own end. The worker
        is signalled through a pidfd (its number could be reused once its
        keeper has reaped it); the keeper has not ended before it reports,
        so its pid is still its own here.
        """
        if self._status is None:  # killed already
            return self.returncode
        if self.alive():
            self._signal(signal.SIGKILL if self.level == "namespaces" else signal.SIGSTOP)
            if self.level != "namespaces":
                jail.kill_descendants(self.keeper)
        if self.returncode is None:
            self.returncode = self._read_status(EXIT_SECONDS)
            if self.returncode is None and not select.select([self._status], [], [], 0)[0]:  # no word, no end: kill the keeper too
                jail.kill_descendants(self.keeper)
                try:
                    os.kill(self.keeper, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._close_pipes()
        return self.returncode

    def _signal(self, signum: int) -> None:
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signum)
            else:
                os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def remove(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)

    def _close_pipes(self) -> None:
        """Close the pipes, the pidfd and the progress record, once (a closed descriptor's number may be reused)."""
        fds = [self.to_worker, self.from_worker, self._status, self._pidfd]
        self.to_worker = self.from_worker = self._status = self._pidfd = None
        for fd in fds:
            if fd is not None:
                os.close(fd)
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def _read_status(self, seconds: float) -> int | None:
        """The keeper's next word (the worker's pid, then its exit status); None if it ended without one or is late."""
        try:
            return STATUS.unpack(_read_exactly(self._status, STATUS.size, time.monotonic() + seconds))[0]
        except (TimeoutError, EOFError, OSError):
            return None


class SpareWorkers:
    """Hands out fresh workers at once: forks them from a fork server started ahead of time.

    Use one per grading loop (``with SpareWorkers(limits) as spares``) and pass
    it to every ``WorkerBackend``: the server starts (imports numpy) at once,
    while the graders are collected; each worker is then a fork of it, a few
    milliseconds. A server that died is started again.

    From the first worker on, until ``close``, this process and its workers
    share one CPU (``cpu``; by default the one this process runs on then),
    which makes a submission's tests about a fifth faster (``autograder.sandbox.cpus``).
    Grading processes that run side by side pass different CPUs.
    """

    def __init__(self, limits: Limits = Limits(), cpu: int | None = None, server: ForkServer | None = None):
        """``server``: one started earlier (``autograder grade`` starts it before importing pytest), which this takes over."""
        self.limits = limits
        self._cpu = cpu
        self._pinned: Pinned | None = None
        self._server = server if server is not None else ForkServer()

    def take(self) -> WorkerProcess:
        """A new worker, not yet given its submission."""
        if self._pinned is None:  # not before: the server imports numpy on another CPU while the graders are collected
            self._pinned = Pinned(self._cpu)
        if not self._server.alive():
            self._server.close()
            self._server = ForkServer()
        return WorkerProcess(self.limits, self._server, self._pinned.cpu)

    def close(self) -> None:
        self._server.close()
        if self._pinned is not None:
            self._pinned.release()

    def __enter__(self) -> "SpareWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerBackend:
    """Runs commands in an isolated worker process on ``folder``'s modules."""

    def __init__(self, folder: Path, limits: Limits = Limits(), spares: SpareWorkers | None = None):
        self.folder = Path(folder).resolve()
        self.limits = spares.limits if spares is not None else limits
        # without a grading loop's spares, a fork server of its own starts now: it imports numpy while the graders start
        self._own_spares = spares is None
        self._spares = spares if spares is not None else SpareWorkers(limits)
        self._worker: WorkerProcess | None = None
        self._last_output = ""
        self._deadline: float | None = None
        self._imported: set[str] = set()
        """The modules the current worker has imported (or failed to, with an error it keeps)."""
        self._hung: dict[str, str] = {}
        """Modules whose import did not finish within a call's limit, and what to say of them."""

    def request(self, command: dict) -> Any:
        """The decoded reply to ``command``; WorkerDied if the worker did not answer.

        Each module the command needs is first imported on its own, within
        one call's limit: a module that hangs at import costs that limit once
        (later calls into it fail at once), not once per call, and the other
        modules are graded as usual.
        """
        for module in _modules_of(command):
            if module in self._hung:
                raise WorkerDied(self._hung[module], over_call_limit=True)
            if module not in self._imported:
                try:
                    self._exchange({"op": "import", "module": module})
                except WorkerDied as died:
                    if died.over_call_limit:
                        self._hung[module] = f"importing {module}.py took longer than the limit of {self.limits.call_seconds:g} s per call (a loop that never ends at import?)"
                        raise WorkerDied(self._hung[module], over_call_limit=True) from None
                    raise
                self._imported.add(module)
        return self._exchange(command)

    def _exchange(self, command: dict) -> Any:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self.limits.submission_seconds
        if now >= self._deadline:
            raise WorkerDied(f"not run: the submission used up its time limit of {self.limits.submission_seconds:g} s", out_of_time=True)
        op = command.get("op")
        calls = len(command["commands"]) if op == "batch" else command["times"] if op == "repeat" else 1
        allowed = self.limits.call_seconds * max(calls, 1)  # a batch or a repeat: the sum of its calls' limits (each also keeps its own)
        seconds = min(allowed, self._deadline - now)
        if self._worker is None:
            worker = self._spares.take()
            worker.open(self.folder)  # SandboxError (the worker cleaned up) if it cannot be confined
            self._worker = worker
        try:
            return self._worker.exchange(command, seconds, calls, self.limits.call_seconds if calls > 1 else None)
        except (BrokenPipeError, EOFError, ProtocolError) as exc:
            raise self._stop(f"the worker ended unexpectedly ({exc})", explain=True) from None
        except TimeoutError as late:  # CallTimedOut: one call of a batch or repeat, named by its index
            if seconds < allowed and not isinstance(late, CallTimedOut):
                raise self._stop(f"the submission used up its time limit of {self.limits.submission_seconds:g} s", out_of_time=True) from None
            index = late.index if isinstance(late, CallTimedOut) else None
            raise self._stop(f"the call took longer than the limit of {self.limits.call_seconds:g} s per call", over_call_limit=True, index=index) from None

    def output(self) -> str:
        """The captured stdout and stderr of the current (or last) worker, capped."""
        return self._worker.output() if self._worker is not None else self._last_output

    def close(self) -> None:
        if self._worker is not None:
            self._stop("closed")
        if self._own_spares:
            self._spares.close()

    def _stop(self, reason: str, *, explain: bool = False, over_call_limit: bool = False, out_of_time: bool = False, index: int | None = None) -> WorkerDied:
        """Kill the worker and its descendants, clean up, and say what happened (``explain``: how it ended, its output).

        The flags are those of the WorkerDied returned; a worker that ended at
        its CPU-time limit is out of time whatever the caller says.
        """
        worker = self._worker
        assert worker is not None
        status = worker.kill()
        self._last_output = worker.output()
        worker.remove()
        self._worker = None
        self._imported = set()
        message = reason
        if explain:
            tail = self._last_output[-400:]
            message = f"{reason}: {_describe_status(status, self.limits)}" + (f"\n{tail}" if tail else "")
        return WorkerDied(message, over_call_limit=over_call_limit, out_of_time=out_of_time or _out_of_cpu_time(status), index=index)


def _modules_of(command: dict) -> list[str]:
    """The student's modules a command calls into by name (methods reach theirs through a handle)."""
    if command.get("op") == "batch":
        return list(dict.fromkeys(module for inner in command["commands"] for module in _modules_of(inner)))
    if command.get("op") == "repeat":
        return _modules_of(command["command"])
    return [command["module"]] if command.get("op") in ("call", "new") else []


def _out_of_cpu_time(status: int | None) -> bool:
    """Whether the worker ended at its CPU-time limit: through its SIGXCPU handler, or of SIGXCPU itself (a student reset the handler)."""
    return status in (OUT_OF_CPU, -signal.SIGXCPU)


def _describe_status(status: int | None, limits: Limits) -> str:
    if status is None:
        return "still running"
    if _out_of_cpu_time(status):
        return f"it used more than the CPU-time limit of {limits.cpu_seconds} s"
    if status >= 0:
        return f"the process exited with status {status} (did the code call os._exit or sys.exit?)"
    signum = -status
    if signum == signal.SIGKILL:
        return "it was killed (SIGKILL)"
    if signum == signal.SIGSEGV:
        return f"it crashed (SIGSEGV), possibly out of memory (limit {limits.memory_mib} MiB)"
    return f"it was killed by signal {signal.Signals(signum).name}"


def _pidfd_open(pid: int | None) -> int | None:
    """A file descriptor that refers to process ``pid`` for good (Linux 5.3+); None where there is none."""
    try:
        return os.pidfd_open(pid) if pid is not None else None
    except (AttributeError, OSError):
        return None


def _read_exactly(fd: int, n: int, deadline: float) -> bytes:
    chunks, missing = [], n
    while missing:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError("no reply")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
