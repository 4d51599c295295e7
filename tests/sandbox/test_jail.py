"""What the student's code can see and reach from inside the worker, and what it leaves behind."""

from __future__ import annotations

import ctypes
import os
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from autograder.course import course_root
from autograder.sandbox import jail
from autograder.sandbox.client import Limits, SpareWorkers, WorkerBackend

PROBE = '''
import os, socket, time

def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__

def write(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return "written"
    except OSError as exc:
        return type(exc).__name__

def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__

def ids():
    return os.getuid(), os.geteuid(), os.getpid()

def draw():
    import numpy
    return float(numpy.random.rand())

def daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.2)
    return True
'''

needs_namespaces = pytest.mark.skipif(not jail.namespaces_available(), reason="needs root and permission to create namespaces")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "probe.py").write_text(textwrap.dedent(PROBE))
    return tmp_path


@pytest.fixture
def worker(folder: Path):
    backend = WorkerBackend(folder, Limits(call_seconds=5))
    yield lambda name, *args: backend.request({"op": "call", "module": "probe", "name": name, "args": list(args), "kwargs": {}})["ok"]
    backend.close()


@pytest.fixture
def subreaper():
    """Make this test process the reaper of orphans, so an escaped daemon stays visible to descendants()."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(jail.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    yield
    libc.prctl(jail.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


@needs_namespaces
def test_the_course_root_with_the_reference_and_graders_is_not_in_view(worker):
    assert worker("listing", str(course_root() / "reference")) == "FileNotFoundError"
    assert worker("listing", str(course_root() / "assignments")) == "FileNotFoundError"
    listing = worker("listing", str(course_root()))
    assert "reference" not in listing and "assignments" not in listing


@needs_namespaces
def test_the_submission_is_read_only_and_the_home_is_writable(worker):
    assert worker("listing", jail.SUBMISSION) == ["probe.py"]
    assert worker("write", jail.SUBMISSION + "/probe.py") in ("PermissionError", "OSError")
    assert worker("write", jail.HOME + "/notes.txt") == "written"


@needs_namespaces
@pytest.mark.parametrize("probe_mode, copied", [(0o644, False), (0o600, True)], ids=["readable by others, as it is", "private file, a copy"])
def test_the_submission_is_shown_as_it_is_when_others_may_read_it_else_as_a_copy_they_may(folder, probe_mode, copied):
    folder.chmod(0o755)
    (folder / "probe.py").chmod(probe_mode)
    backend = WorkerBackend(folder, Limits(call_seconds=5))
    try:
        assert backend.request({"op": "call", "module": "probe", "name": "listing", "args": [jail.SUBMISSION], "kwargs": {}})["ok"] == ["probe.py"]
        assert (backend._worker.home / "submission").exists() == copied
    finally:
        backend.close()


def test_readable_by_others_asks_every_folder_and_file(tmp_path):
    tmp_path.chmod(0o755)
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "module.py").write_text("")
    (tmp_path / "link").symlink_to("/nonexistent")
    assert jail.readable_by_others(str(tmp_path))
    (tmp_path / "package").chmod(0o700)
    assert not jail.readable_by_others(str(tmp_path))
    (tmp_path / "package").chmod(0o755)
    (tmp_path / "package" / "module.py").chmod(0o640)
    assert not jail.readable_by_others(str(tmp_path))


@needs_namespaces
def test_nothing_outside_the_home_can_be_written(worker):
    for path in ("/tmp/results.json", "/results.json", "/autograder/results/results.json", str(course_root() / "results.json")):
        assert worker("write", path) != "written", path


@needs_namespaces
def test_the_student_code_runs_as_nobody(worker):
    uid, euid, _ = worker("ids")
    assert uid == euid == jail.NOBODY


@needs_namespaces
def test_the_worker_sees_only_its_own_processes(worker):
    assert worker("ids")[2] == 1
    assert worker("listing", "/proc")[0] == "1"
    assert str(os.getpid()) not in worker("listing", "/proc")


@needs_namespaces
def test_there_is_no_network(worker):
    assert worker("connect", "1.1.1.1", 53) != "connected"
    assert worker("connect", "127.0.0.1", 22) != "connected"


@pytest.mark.parametrize("level", ["namespaces", "fallback"])
def test_a_setsid_double_forked_daemon_dies_with_the_worker(level, folder, subreaper, monkeypatch):
    if level == "namespaces" and not jail.namespaces_available():
        pytest.skip("needs root and permission to create namespaces")
    monkeypatch.setattr(jail, "namespaces_available", lambda: level == "namespaces")
    backend = WorkerBackend(folder, Limits(call_seconds=5))
    assert backend.request({"op": "call", "module": "probe", "name": "daemon", "args": [], "kwargs": {}}) == {"ok": True}
    assert len(jail.descendants(os.getpid())) >= 2  # the worker (and unshare) plus the daemon
    backend.close()
    assert jail.descendants(os.getpid()) == []


def test_descendants_finds_grandchildren_and_kill_descendants_ends_them(subreaper):
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            time.sleep(60)
        time.sleep(60)
        os._exit(0)
    time.sleep(0.2)
    assert len(jail.descendants(pid)) == 1
    jail.kill_descendants(os.getpid())
    assert jail.descendants(os.getpid()) == []
    os.waitpid(pid, 0)


def test_each_submission_gets_a_fresh_worker_forked_from_one_server(folder, subreaper):
    with SpareWorkers(Limits(call_seconds=5)) as spares:
        server = spares._server.process.pid
        first, second = WorkerBackend(folder, spares=spares), WorkerBackend(folder, spares=spares)
        for backend in (first, second):
            assert backend.request({"op": "call", "module": "probe", "name": "ids", "args": [], "kwargs": {}})["ok"]
        assert first._worker.pid != second._worker.pid
        assert server in jail.descendants(os.getpid())
        assert first._worker.pid in jail.descendants(server) and second._worker.pid in jail.descendants(server)
        first.close()
        second.close()
    assert jail.descendants(os.getpid()) == []


def test_a_fork_server_that_died_is_started_again(folder, subreaper):
    with SpareWorkers(Limits(call_seconds=5)) as spares:
        os.kill(spares._server.process.pid, 9)
        spares._server.process.wait()
        backend = WorkerBackend(folder, spares=spares)
        assert backend.request({"op": "call", "module": "probe", "name": "ids", "args": [], "kwargs": {}})["ok"]
        backend.close()


def test_forked_workers_do_not_share_numpy_s_global_random_state(folder):
    draws = []
    with SpareWorkers(Limits(call_seconds=5)) as spares:
        for _ in range(2):
            backend = WorkerBackend(folder, spares=spares)
            draws.append(backend.request({"op": "call", "module": "probe", "name": "draw", "args": [], "kwargs": {}})["ok"])
            backend.close()
    assert draws[0] != draws[1]


@needs_namespaces
def test_a_worker_that_cannot_be_confined_says_why_and_leaves_no_folder(tmp_path):
    from autograder.sandbox.client import SandboxError

    homes = lambda: set(Path(tempfile.gettempdir()).glob("autograder-worker-*"))  # noqa: E731
    before = homes()
    backend = WorkerBackend(tmp_path / "no-such-submission", Limits(call_seconds=5))
    with pytest.raises(SandboxError, match="could not be started in its sandbox"):
        backend.request({"op": "call", "module": "probe", "name": "ids", "args": [], "kwargs": {}})
    assert backend._worker is None
    assert homes() - before == set()
