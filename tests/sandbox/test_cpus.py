"""A grading loop and its workers share one CPU while it runs; grading processes side by side get different ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.sandbox import cpus
from autograder.sandbox.client import Limits, SpareWorkers, WorkerBackend

can_pin = pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(cpus.allowed_cpus()) < 2, reason="needs CPU affinity and 2 CPUs")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "probe.py").write_text("def ok():\n    return True\n")
    return tmp_path


@can_pin
def test_a_grading_loop_and_its_workers_run_on_the_cpu_it_is_given(folder):
    cpu = cpus.allowed_cpus()[-1]
    with SpareWorkers(Limits(call_seconds=5), cpu=cpu) as spares:
        backend = WorkerBackend(folder, spares=spares)
        assert backend.request({"op": "call", "module": "probe", "name": "ok", "args": [], "kwargs": {}}) == {"ok": True}
        assert os.sched_getaffinity(0) == {cpu}
        assert os.sched_getaffinity(backend._worker.pid) == {cpu}
        backend.close()


@can_pin
def test_the_cpus_the_process_had_are_given_back_when_the_loop_closes(folder):
    before = os.sched_getaffinity(0)
    with SpareWorkers(Limits(call_seconds=5)) as spares:
        backend = WorkerBackend(folder, spares=spares)
        backend.request({"op": "call", "module": "probe", "name": "ok", "args": [], "kwargs": {}})
        assert len(os.sched_getaffinity(0)) == 1
        backend.close()
    assert os.sched_getaffinity(0) == before


@can_pin
def test_nothing_is_pinned_before_the_first_worker_is_taken(folder):
    before = os.sched_getaffinity(0)
    with SpareWorkers(Limits(call_seconds=5)) as spares:
        assert os.sched_getaffinity(0) == before  # the server imports NumPy on any CPU meanwhile
        assert os.sched_getaffinity(spares._server.process.pid) == before


def test_a_new_grading_process_gets_the_cpu_fewest_others_use(monkeypatch):
    monkeypatch.setattr(cpus, "allowed_cpus", lambda: [0, 1, 2])
    assert cpus.least_used([]) == 0
    assert cpus.least_used([0, 1]) == 2
    assert cpus.least_used([0, 1, 2, 0]) == 1


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="Linux only")
def test_the_current_cpu_is_one_the_process_may_run_on():
    assert cpus.current_cpu() in cpus.allowed_cpus()


def test_pinning_that_the_host_refuses_leaves_the_process_as_it_was(monkeypatch):
    def refuse(pid, mask):
        raise PermissionError("not allowed here")

    monkeypatch.setattr(os, "sched_setaffinity", refuse, raising=False)
    pinned = cpus.Pinned(0)
    assert pinned.cpu is None
    pinned.release()
