"""The fork server: imports NumPy once, then forks a fresh, confined worker for each submission.

Started by ``autograder.sandbox.client.ForkServer`` (``BOOT`` puts the
client's own ``autograder`` package first on the path, then calls ``main``)::

    [unshare --net --mount ...] python -I -c BOOT PACKAGE_PARENT CONTROL_FD COURSE_ROOT LEVEL

Starting Python and importing NumPy costs about 0.2 s of CPU; a fork of a
process that has done so costs a few milliseconds. The server runs only
trusted code (this package and NumPy) and never sees a submission's code,
the reference or the graders: it forks a *keeper* for each worker the client
asks for, and goes back to waiting. On its control socket (a Unix socket
pair) each request is a JSON object ``{"home": ..., "limits": {...}, "cpu": n or null}`` with
four file descriptors attached (the worker's command pipe, its reply pipe,
the keeper's status pipe and the worker's progress record, ``autograder.sandbox.progress``);
the reply is the keeper's pid, 4 bytes.

The keeper (root, trusted) creates the worker's own PID and mount
namespaces (level "namespaces"), forks the worker into them, writes the
worker's pid to the status pipe, waits for the worker to end, writes its
exit status (``os.waitstatus_to_exitcode``) and ends: it plays the part
``unshare --pid --fork`` played for a worker started on its own. The worker
applies its limits, sends its output to files in its home, and serves
(``autograder.sandbox.worker.serve``): it confines itself before any
student code runs.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import resource
import signal
import socket
import struct
import sys

STATUS = struct.Struct(">i")
"""A pid or an exit status on the status pipe and the control socket."""
OUT_OF_CPU = 128 + signal.SIGXCPU
"""The exit status of a worker that used up its CPU time (the kernel's SIGXCPU, at RLIMIT_CPU's soft limit)."""


def main(argv: list[str]) -> None:
    control_fd, course, level = int(argv[0]), os.path.abspath(argv[1]), argv[2]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing the worker
    import autograder

    # Keep the course root off the path, so that `import reference` or `import assignments`
    # finds nothing; site-packages stay, numpy lives there.
    hidden = (course, os.path.dirname(os.path.dirname(autograder.__file__)))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) not in hidden]

    import numpy  # noqa: F401  (imported before any student's code, and before a jail hides what we need)
    import numpy.random  # noqa: F401  (NumPy imports it on first use: every worker would, for its Generators)

    from autograder.sandbox import worker

    keep = worker.interpreter_paths(course, os.path.dirname(autograder.__file__)) if level == "namespaces" else []
    gc.collect()
    gc.freeze()  # the workers' garbage collections need not touch (and copy) what the server imported
    control = socket.socket(fileno=control_fd)
    while True:
        _reap_children()
        try:
            message, fds, _, _ = socket.recv_fds(control, 64 * 1024, 4)
        except OSError:
            break
        if not message:
            break  # the client closed the socket: no more workers
        request = json.loads(message)
        sys.stdout.flush()
        sys.stderr.flush()
        keeper = os.fork()
        if keeper == 0:
            control.close()
            _keep(fds, request, level, keep)
        for fd in fds:
            os.close(fd)
        control.sendall(STATUS.pack(keeper))
    while _reap_children(block=True):
        pass
    os._exit(0)


def _keep(fds: list[int], request: dict, level: str, keep: list[str]) -> None:
    """In the keeper: start the worker in its own namespaces, report its pid and, when it ends, its exit status."""
    from autograder.sandbox import jail

    commands, replies, status, progress = fds
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        jail.become_subreaper()  # what the worker leaves behind comes back to us, to be killed
        failure = ""
        if level == "namespaces":
            try:
                jail.unshare_pid_and_mounts()  # the worker, our next child, is process 1 of a new PID namespace
            except jail.JailError as exc:
                failure = str(exc)  # the worker says so when it is opened, and runs nothing
        worker = os.fork()
        if worker == 0:
            os.close(status)
            _work(commands, replies, progress, request, level, keep, failure)
        os.close(commands)
        os.close(replies)
        os.close(progress)
        os.write(status, STATUS.pack(worker))
        _, code = os.waitpid(worker, 0)
        if level != "namespaces":  # (in its namespace, the kernel has killed them with the worker)
            jail.kill_descendants(os.getpid())
        while _reap_children(block=True):
            pass
        os.write(status, STATUS.pack(os.waitstatus_to_exitcode(code)))
    finally:
        os._exit(0)


def _work(commands: int, replies: int, progress: int, request: dict, level: str, keep: list[str], failure: str) -> None:
    """In the worker: its own session and CPU, output files, limits and a fresh random state; then serve."""
    from autograder.sandbox import worker
    from autograder.sandbox.cpus import pin_to

    home = request["home"]
    try:
        if request.get("cpu") is not None:
            pin_to(request["cpu"])  # its client's CPU (see autograder.sandbox.cpus)
        os.setsid()
        os.chdir(os.path.join(home, "cwd"))
        os.environ.update(HOME=os.path.join(home, "cwd"), TMPDIR=os.path.join(home, "cwd"))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(os.path.join(home, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        commands, replies, progress = (fcntl.fcntl(fd, fcntl.F_DUPFD, 6) for fd in (commands, replies, progress))  # out of the way of 3 to 5
        os.dup2(commands, 3)
        os.dup2(replies, 4)
        os.dup2(progress, 5)
        os.closerange(6, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the server's socket and every other pipe
        # As process 1 of its PID namespace, the worker would ignore SIGXCPU (and die of the hard limit's SIGKILL a second later)
        signal.signal(signal.SIGXCPU, _out_of_cpu)
        _apply_limits(request["limits"])
        import numpy

        numpy.random.seed()  # forked workers would otherwise all draw the same legacy global numbers
    except BaseException:
        os._exit(70)
    worker.serve(3, 4, 5, home, level, keep, failure)


def _out_of_cpu(signum: int, frame: object) -> None:
    os._exit(OUT_OF_CPU)


def _apply_limits(limits: dict) -> None:
    """CPU time, address space, file size, open files and no core files, from ``Limits``."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    memory = limits["memory_mib"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = limits["file_mib"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _reap_children(block: bool = False) -> bool:
    """Wait for children that ended: the server's keepers, a keeper's worker and what it left (one, blocking, with ``block``); False when none is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0 or block:
            return pid != 0
