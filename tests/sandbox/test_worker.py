"""The worker runs student code in its own limited process; its faults stay in the call that caused them."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.submission import OVER_LIMIT_RUNS, ModuleUnavailable, StudentError, Submission, WorkerCrashed
from autograder.sandbox.client import Limits

STUDENT = '''
import os, sys
import numpy as np

def double(x, rng=None):
    noise = None if rng is None else rng.random(2)
    return 2 * x, float(np.sum(x)), noise

def refuse(lam):
    raise ValueError(f"lam must be >= 0, got {lam}")

def quit_hard():
    os._exit(3)

def quit_politely():
    sys.exit(0)

def spin():
    while True:
        pass

def spin_too():
    while True:
        pass

def hog():
    return np.ones(10**11)

def shout():
    chunk = "x" * (1 << 20)
    for _ in range(50):
        print(chunk)
    return "done"

def where():
    return os.getcwd(), os.listdir(os.getcwd()), sys.path

class Lying(np.ndarray):
    def __eq__(self, other):
        return True

def lie():
    return np.zeros(3).view(Lying)

def opaque():
    return object()

def spin_at(i, at):
    while i == at:
        pass
    return i

def fake_progress(index):
    import mmap, struct, time
    record = mmap.mmap(5, 16)  # the progress record (autograder.sandbox.progress): "this call has only just started"
    while True:
        struct.pack_into("=qd", record, 0, index, time.monotonic())
        time.sleep(0.05)

class Counter:
    def __init__(self, start):
        self.t = start
    def step(self, by=1):
        self.t += by
        return self.t
    def spin(self):
        spin()
'''


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "student.py").write_text(textwrap.dedent(STUDENT))
    (tmp_path / "broken.py").write_text("def oops(:\n")
    (tmp_path / "crashes_at_import.py").write_text("raise RuntimeError('boom at import')\n")
    return tmp_path


@pytest.fixture
def sub(folder):
    with Submission.isolated(folder, Limits(call_seconds=3, memory_mib=1024)) as submission:
        yield submission


def test_calls_return_plain_values_and_generators_arrive_seeded(sub):
    doubled, total, noise = sub.call("student.double", np.arange(3.0), rng=sub.rng(1))
    assert np.array_equal(doubled, [0.0, 2.0, 4.0]) and total == 3.0
    assert np.array_equal(noise, np.random.default_rng(1).random(2))


def test_objects_live_in_the_worker_behind_handles(sub):
    counter = sub.new("student.Counter", 5)
    assert counter.call("step") == 6 and counter.call("step", by=4) == 10 and counter.get("t") == 10
    counter.set("t", 0)
    assert counter.get("t") == 0


def test_student_exceptions_come_back_with_type_and_message(sub):
    with pytest.raises(StudentError, match=r"student.refuse\(\.\.\.\) raised ValueError: lam must be >= 0, got -1") as caught:
        sub.call("student.refuse", -1)
    assert "ValueError" in caught.value.mro and "student.py, line" in caught.value.where


def test_raises_accepts_the_expected_exception_only(sub):
    with sub.raises(ValueError):
        sub.call("student.refuse", -1)
    with pytest.raises(AssertionError, match="expected TypeError, but .* raised ValueError"):
        with sub.raises(TypeError):
            sub.call("student.refuse", -1)
    with pytest.raises(AssertionError, match="expected ValueError, but the call returned normally"):
        with sub.raises(ValueError):
            sub.call("student.double", np.ones(1))


def test_syntax_error_makes_only_that_module_unavailable(sub):
    with pytest.raises(ModuleUnavailable, match=r"broken.py could not be imported: SyntaxError"):
        sub.call("broken.oops")
    assert sub.call("student.double", np.ones(1))[1] == 1.0


def test_crash_at_import_and_missing_module_are_reported(sub):
    with pytest.raises(ModuleUnavailable, match="crashes_at_import.py could not be imported: RuntimeError: boom at import"):
        sub.call("crashes_at_import.f")
    with pytest.raises(ModuleUnavailable, match="missing.py is missing from the submission"):
        sub.call("missing.f")


@pytest.mark.parametrize("call, reason", [("student.quit_hard", "exited with status 3")])
def test_os_exit_fails_the_call_and_the_worker_restarts(sub, call, reason):
    with pytest.raises(WorkerCrashed, match=reason):
        sub.call(call)
    assert sub.call("student.double", np.ones(2))[1] == 2.0


def test_sys_exit_inside_a_call_fails_only_that_call(sub):
    with pytest.raises(StudentError, match=r"sys.exit\(0\)"):
        sub.call("student.quit_politely")
    assert sub.call("student.double", np.ones(1))[1] == 1.0


def test_an_endless_loop_is_killed_at_the_per_call_limit(sub):
    started = time.monotonic()
    with pytest.raises(WorkerCrashed, match="longer than the limit of 3 s per call"):
        sub.call("student.spin")
    assert time.monotonic() - started < 10
    assert sub.call("student.double", np.ones(1))[1] == 1.0


def test_a_module_that_hangs_at_import_costs_one_call_limit_and_spares_the_others(folder):
    (folder / "hangs_at_import.py").write_text("def f():\n    return 1\n\ndef g():\n    return 2\n\nwhile True:\n    pass\n")
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        with pytest.raises(WorkerCrashed, match="importing hangs_at_import.py took longer than the limit of 1 s per call"):
            submission.call("hangs_at_import.f")
        _fails_at_once(submission, "hangs_at_import.g", "importing hangs_at_import.py took longer than the limit")
        assert submission.call("student.double", np.ones(1))[1] == 1.0


def test_a_function_that_ran_past_the_call_limit_twice_is_not_run_again(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        for _ in range(OVER_LIMIT_RUNS):
            with pytest.raises(WorkerCrashed, match="longer than the limit of 1 s per call"):
                submission.call("student.spin")
        _fails_at_once(submission, "student.spin", r"student.spin\(...\) was not run: on 2 earlier calls, the call took longer than the limit of 1 s per call")
        assert submission.call("student.double", np.ones(1))[1] == 1.0


def test_a_call_of_a_sequence_that_never_ends_costs_one_call_limit_and_is_named(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        counter = submission.new("student.Counter", 0)
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match=r"^Counter.spin\(...\) did not finish: the call took longer than the limit of 1 s per call"):
            counter.sequence(("step",), ("step",), ("spin",), *[("step",)] * 5)  # the round trip may take 8 s
        assert time.monotonic() - started < 4


def test_a_call_of_call_each_that_never_ends_costs_one_call_limit(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="longer than the limit of 1 s per call"):
            submission.call_each("student.spin_at", [((i, 3), {}) for i in range(8)])
        assert time.monotonic() - started < 4


def test_a_call_that_ran_past_its_limit_in_batches_twice_is_not_run_again(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        counter = submission.new("student.Counter", 0)
        for _ in range(OVER_LIMIT_RUNS):
            with pytest.raises(WorkerCrashed, match="longer than the limit"):
                counter.sequence(("step",), ("spin",))
            counter = submission.new("student.Counter", 0)  # in a fresh worker
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match=r"Counter.spin\(...\) was not run: on 2 earlier calls"):
            counter.call("spin")
        assert time.monotonic() - started < 0.5
        assert counter.sequence(("step",), "t") == (1, 1)


def test_a_worker_that_fakes_its_progress_runs_no_longer_than_the_sum_of_its_calls_limits(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="longer than the limit") as caught:
            submission.call_each("student.fake_progress", [((0,), {})] * 3)
        assert caught.value.timed_out and time.monotonic() - started < 5


def test_a_worker_whose_progress_record_makes_no_sense_is_ended_at_the_first_check(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=30)) as submission:
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="longer than the limit"):
            submission.call_each("student.fake_progress", [((-1,), {})] * 8)
        assert time.monotonic() - started < 4


def _fails_at_once(submission: Submission, target: str, match: str) -> None:
    started = time.monotonic()
    with pytest.raises(WorkerCrashed, match=match):
        submission.call_each(target, [((), {})])
    assert time.monotonic() - started < 0.5


def test_once_the_submission_time_limit_is_used_up_later_calls_fail_at_once(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=1.5)) as submission:
        with pytest.raises(WorkerCrashed, match="longer than the limit of 1 s per call"):
            submission.call("student.spin")
        with pytest.raises(WorkerCrashed, match="used up its time limit of 1.5 s"):
            submission.call("student.spin_too")
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="not run: the submission used up its time limit"):
            submission.call("student.double", np.ones(1))
        assert time.monotonic() - started < 0.5


def test_each_time_limit_marks_its_failure_as_timed_out(folder):
    with Submission.isolated(folder, Limits(call_seconds=1, submission_seconds=1.5)) as submission:
        failures = []
        for target in ("student.spin", "student.spin_too", "student.double"):  # the call's limit, the submission's, then not run
            with pytest.raises(WorkerCrashed) as caught:
                submission.call(target, *([np.ones(1)] if target == "student.double" else []))
            failures.append(caught.value.timed_out)
    assert failures == [True, True, True]


def test_the_cpu_time_limit_marks_its_failure_as_timed_out(folder):
    with Submission.isolated(folder, Limits(call_seconds=20, cpu_seconds=1)) as submission:
        with pytest.raises(WorkerCrashed, match="CPU-time limit of 1 s") as caught:
            submission.call("student.spin")
    assert caught.value.timed_out


def test_a_crash_is_not_a_time_out(sub):
    with pytest.raises(WorkerCrashed) as caught:
        sub.call("student.quit_hard")
    assert not caught.value.timed_out


def test_a_huge_allocation_fails_with_memory_error(sub):
    with pytest.raises(StudentError, match="MemoryError"):
        sub.call("student.hog")


def test_a_flood_of_output_hits_the_file_size_limit_without_blocking(sub):
    with pytest.raises(StudentError, match="File too large"):
        sub.call("student.shout")  # 50 MiB against a 16 MiB limit
    assert len(sub.output()) <= 2 * Limits().output_bytes + 100
    assert sub.call("student.double", np.ones(1))[1] == 1.0


def test_ndarray_subclasses_come_back_as_plain_arrays(sub):
    got = sub.call("student.lie")
    assert type(got) is np.ndarray and not np.array_equal(got, np.ones(3))


def test_objects_that_are_not_plain_data_are_refused(sub):
    with pytest.raises(StudentError, match="returned an object of type object"):
        sub.call("student.opaque")


def test_the_worker_runs_in_an_empty_folder_without_the_course_on_its_path(sub, folder):
    cwd, listing, path = sub.call("student.where")
    assert listing == [] and cwd != str(folder)
    root = str(Path(__file__).resolve().parents[2])
    assert path[0].endswith("/submission") or path[0] == str(folder.resolve())
    assert root not in path


def test_in_process_backend_gives_the_same_plain_values(folder):
    with Submission.in_process_from_folder(folder) as local:
        doubled, total, _ = local.call("student.double", np.arange(3.0))
        assert type(doubled) is np.ndarray and total == 3.0
        with local.raises(ValueError):
            local.call("student.refuse", -2)
