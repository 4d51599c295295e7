"""Confinement of the worker: what the student's code may see, reach and leave behind.

Two levels, chosen by what the host allows:

``namespaces`` (root, and the kernel lets us create namespaces; this machine,
and any container started with CAP_SYS_ADMIN). The fork server runs under
``unshare --net --mount`` (util-linux): an empty network namespace (a down
loopback only) and mounts of its own. Each worker's keeper then creates a
PID and a mount namespace (``unshare_pid_and_mounts``) and forks the worker
into them, so the worker is process 1 of its own PID namespace. When it receives its submission,
``enter_view`` builds a minimal read-only filesystem and chroots into it:
the system's ``/usr``, ``/lib*``, ``/bin``, ``/etc``, the interpreter and its
site-packages, the ``autograder`` package, ``/dev/{null,zero,urandom}``, a
``/proc`` of its own PID namespace, the submission read-only at
``/submission`` (as it is when others may read all of it, else a copy they
may read) and a writable, empty ``/home/student`` (its working directory).
Nothing else exists there: not the reference, the hidden
graders, the configuration, other students' submissions or any results
path. Then it becomes ``nobody`` (no capabilities, ``no_new_privs``,
RLIMIT_NPROC enforced). When the worker dies, the kernel kills every
process of its PID namespace, setsid daemons and double forks included.

``fallback`` (no namespaces: not root, or a container without CAP_SYS_ADMIN,
as Gradescope's may be). The worker makes itself a child subreaper, so
orphaned daemons stay its descendants, and the client SIGKILLs the whole
subtree (``kill_descendants``). Started as root, it runs as ``nobody`` on its
own copy of the submission when ``nobody`` can run this interpreter (a Python
installed under ``/root``, mode 0700, cannot be); the network stays, and the
hidden files are protected only by their permissions (``run_autograder``
makes them readable by root alone). See assignments/README.md.

In both levels the results are written by the trusted process, after the
worker and all its descendants are gone.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

NOBODY = 65534
"""uid and gid the student's code runs as (``nobody`` on Debian and Ubuntu)."""
PROCESSES = 64
"""RLIMIT_NPROC for the student's code (counts every process and thread of ``nobody``)."""
UNSHARE = ["unshare", "--net", "--mount", "--propagation", "private"]
"""How the fork server starts: no network, mounts of its own (whose changes never reach the host)."""
CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc")
DEVICES = ("null", "zero", "urandom", "random")
SUBMISSION = "/submission"
HOME = "/home/student"

PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384

_libc = ctypes.CDLL(None, use_errno=True)


class JailError(RuntimeError):
    """The worker could not be confined; a problem of the grading host, never of the student."""


# --- in the client -------------------------------------------------------------------------


@functools.cache
def namespaces_available() -> bool:
    """Whether workers can be started in their own namespaces here (probed once per process)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run([*UNSHARE, "--pid", "--fork", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def descendants(pid: int) -> list[int]:
    """Every live process whose parent chain leads to ``pid`` (``pid`` excluded)."""
    parents: dict[int, int] = {}
    zombies: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat:
                parents[int(entry)] = int(stat[1])
                if stat[0] == b"Z":
                    zombies.add(int(entry))
    found: list[int] = []
    frontier = {pid}
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier and child not in found]
        found.extend(children)
        frontier = set(children)
    return [p for p in found if p not in zombies]


def kill_descendants(pid: int, seconds: float = 5.0) -> None:
    """SIGKILL every descendant of ``pid`` until none is left (a fork racing the walk is caught next pass)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = descendants(pid)
        if not alive:
            return
        for p in alive:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


def proc_stat(pid: int | str) -> list[bytes] | None:
    """Fields of /proc/PID/stat after the command name, from field 3 (state, the parent's pid, the process group, ...); None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(b")") + 2:].split()  # the name is in parentheses and may hold ')'


# --- in the worker, before any student code --------------------------------------------------


def unshare_pid_and_mounts() -> None:
    """Own mounts for this process, and a new PID namespace whose process 1 will be its next child."""
    if _libc.unshare(CLONE_NEWNS | CLONE_NEWPID) != 0:
        error = ctypes.get_errno()
        raise JailError(f"unshare failed: {os.strerror(error)}")


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process instead of init."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def enter_view(folder: str, home: str, keep: list[str]) -> tuple[str, str]:
    """Build the minimal read-only view under ``home/root``, chroot into it, become ``nobody``.

    ``folder`` is the submission, ``home/cwd`` becomes the writable home, ``keep``
    the interpreter's folders. Returns the submission's and the home's paths
    inside the view. Raises JailError when a step fails.
    """
    root = os.path.join(home, "root")
    os.makedirs(root, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path in [*SYSTEM_PATHS, *keep]:
        if os.path.islink(path):
            _mkdirs(root, os.path.dirname(path))
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path):
            _bind(path, root + _mkdirs(root, path), read_only=True)
        elif os.path.isfile(path):
            _mkdirs(root, os.path.dirname(path))
            Path(root + path).touch()
            _bind(path, root + path, read_only=True)
    for device in DEVICES:
        target = _mkdirs(root, "/dev") + "/" + device
        Path(root + target).touch()
        _bind("/dev/" + device, root + target, read_only=False)
    _mount("proc", root + _mkdirs(root, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    shown = folder if readable_by_others(folder) else readable_copy(folder, home)
    _bind(shown, root + _mkdirs(root, SUBMISSION), read_only=True)
    cwd = os.path.join(home, "cwd")
    os.chown(cwd, NOBODY, NOBODY)
    _bind(cwd, root + _mkdirs(root, HOME), read_only=False)
    _mkdirs(root, "/tmp")
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
    os.chroot(root)
    os.chdir(HOME)
    become_nobody()
    return SUBMISSION, HOME


def enter_copy(folder: str, home: str) -> str:
    """Fallback: when root and ``nobody`` can run this interpreter, become ``nobody`` on a copy of ``folder``."""
    if os.geteuid() != 0 or not all(_reachable_by_others(p) for p in (sys.executable, os.path.dirname(__file__))):
        return folder
    copy = readable_copy(folder, home)
    os.chmod(home, 0o711)
    os.chown(os.path.join(home, "cwd"), NOBODY, NOBODY)
    become_nobody()
    return copy


def readable_by_others(folder: str) -> bool:
    """Whether others may enter ``folder`` and every folder in it and read every file there (symlinks are shown as links)."""
    if os.stat(folder).st_mode & 0o005 != 0o005:
        return False
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if not readable_by_others(entry.path):
                    return False
            elif not (entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mode & 0o004):
                return False
    return True


def readable_copy(folder: str, home: str) -> str:
    """A copy of ``folder`` in ``home/submission`` that others may read (symlinks copied as links, never followed)."""
    copy = os.path.join(home, "submission")
    shutil.copytree(folder, copy, symlinks=True)
    for path in [Path(copy), *Path(copy).rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def become_nobody() -> None:
    """A process cap, no new privileges, then uid and gid ``nobody`` (which drops every capability)."""
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise JailError("could not drop root privileges")


def _mkdirs(root: str, path: str) -> str:
    os.makedirs(root + path, exist_ok=True)
    return path


def _bind(source: str, target: str, read_only: bool) -> None:
    _mount(source, target, None, MS_BIND | MS_REC, None)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (MS_RDONLY | MS_NODEV if read_only else MS_NOEXEC)
    _mount(None, target, None, flags, None)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    encode = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        error = ctypes.get_errno()
        raise JailError(f"mount {source or ''} on {target} failed: {os.strerror(error)}")


def _reachable_by_others(path: str) -> bool:
    """Others may read ``path`` and pass through every folder above it."""
    path = os.path.realpath(path)
    if not os.stat(path).st_mode & 0o004:
        return False
    while path != "/":
        path = os.path.dirname(path)
        if not os.stat(path).st_mode & 0o001:
            return False
    return True
