"""`autograder grade-all` as an instructor runs it: progress, the status column, Ctrl-C and resuming.

Every run is the real command in its own process.
"""

from __future__ import annotations

import csv
import fcntl
import json
import multiprocessing
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from autograder.batch.gradebook import load_rows
from autograder.batch.run import grade_all
from autograder.batch.simulate import simulate
from autograder.course import load_assignment
from autograder.sandbox import jail

ASSIGNMENT = "optimization"
PLAIN_PROGRESS = re.compile(r"^graded (\d+)/(\d+) \(\d+\.\d/s, about \d+ s left\)$")


def _gradebook(results: Path) -> list[dict]:
    with open(results / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# --- progress ---------------------------------------------------------------------------------------


def test_progress_is_plain_lines_with_rate_and_time_left_when_not_on_a_terminal(graded_class):
    _, manifest, result = graded_class
    lines = result.stderr.splitlines()
    assert lines and all(PLAIN_PROGRESS.match(line) for line in lines), result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert lines[-1].startswith(f"graded {len(manifest)}/{len(manifest)} ")


def test_progress_is_a_bar_with_rate_and_time_left_on_a_terminal(graded_class, tmp_path):
    root, _, _ = graded_class
    subs = tmp_path / "subs"
    for student in ("student-0001", "student-0002"):
        shutil.copytree(root / "subs" / student, subs / student)
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a terminal 120 columns wide
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade-all", ASSIGNMENT, str(subs), "--out", str(tmp_path / "results")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.wait(timeout=300) == 0
    bar = shown.decode(errors="replace")
    assert "grading: 100%" in bar and "2/2 [" in bar and "submission/s]" in bar, bar
    assert not PLAIN_PROGRESS.search(bar)


# --- the status column ------------------------------------------------------------------------------


@pytest.mark.parametrize("student, status", [("correct", "graded"), ("stub", "graded"), ("loops-forever", "timed out"), ("corrupt", "grader error")])
def test_the_status_column_says_graded_timed_out_or_grader_error(handmade_class, student, status):
    root, _ = handmade_class
    assert {r["student"]: r["status"] for r in _gradebook(root / "results")}[student] == status


def test_a_timed_out_submission_keeps_the_points_of_everything_else(handmade_class):
    root, _ = handmade_class
    row = {r["student"]: r for r in _gradebook(root / "results")}["loops-forever"]
    assert float(row["schedules.linear_warmup"]) < 5 and float(row["total"]) == 100 - (5 - float(row["schedules.linear_warmup"]))


def test_the_summary_counts_grader_errors(handmade_class):
    _, result = handmade_class
    assert "Graded 4 submissions" in result.stdout and "1 grader errors" in result.stdout


# --- Ctrl-C and resuming ----------------------------------------------------------------------------

CLASS_SIZE = 16
"""Large enough that the submissions already running or queued when Ctrl-C arrives (they finish) cannot be the whole
class, even on a loaded machine."""
CTRL_C = {
    "terminal": "Ctrl-C on a terminal: SIGINT to the whole process group",
    "process": "kill -INT to the grade-all process alone",
}


def _results(folder: Path) -> dict[str, tuple[int, str]]:
    """student -> (mtime in ns, content) of every results file."""
    return {p.stem: (p.stat().st_mtime_ns, p.read_text()) for p in folder.glob("student-*.json")}


@pytest.fixture(scope="module", params=list(CTRL_C), ids=list(CTRL_C))
def interrupted(request, tmp_path_factory):
    """A grade-all interrupted once the first results are written, then the same command run again."""
    root = tmp_path_factory.mktemp(f"interrupted-{request.param}")
    manifest = simulate(ASSIGNMENT, CLASS_SIZE, root / "subs", seed=5)
    command = [sys.executable, "-m", "autograder", "grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(root / "results"), "--jobs", "2"]
    # SIGINT as a terminal's shell leaves it: a suite started in the background inherits it ignored
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not list((root / "results").glob("student-*.json")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    if request.param == "terminal":
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=300)
    try:
        os.killpg(process.pid, 0)
        left_behind = True
    except ProcessLookupError:
        left_behind = False
    first = {
        "code": process.returncode, "stdout": stdout, "stderr": stderr, "left_behind": left_behind,
        "results": _results(root / "results"), "files": sorted(p.name for p in (root / "results").iterdir()),
        "gradebook": _gradebook(root / "results"),
    }
    again = subprocess.run(command, capture_output=True, text=True, timeout=900)
    return {"mode": request.param, "manifest": manifest, "root": root, "first": first, "again": again}


def test_ctrl_c_exits_with_status_130_and_says_how_to_resume(interrupted):
    first = interrupted["first"]
    assert first["code"] == 130, first["stderr"]
    assert "INTERRUPTED: rerun the same command to resume." in first["stdout"]
    assert "Traceback" not in first["stderr"]


def test_ctrl_c_stops_before_the_whole_class_is_graded(interrupted):
    assert 1 <= len(interrupted["first"]["results"]) < CLASS_SIZE


def test_ctrl_c_leaves_no_process_of_the_run_behind(interrupted):
    assert not interrupted["first"]["left_behind"]


def test_ctrl_c_keeps_every_finished_result_whole(interrupted):
    first = interrupted["first"]
    for student, (_, content) in first["results"].items():
        assert json.loads(content)["extra_data"]["assignment"] == ASSIGNMENT, student
    assert not [name for name in first["files"] if name.startswith(".results-")], "a half-written results file was left"


def test_ctrl_c_writes_the_gradebook_of_the_finished_submissions(interrupted):
    first = interrupted["first"]
    assert [r["student"] for r in first["gradebook"]] == sorted(first["results"])


def test_ctrl_c_records_no_grader_error_for_the_submissions_it_interrupted(interrupted):
    statuses = {s: json.loads(c)["extra_data"]["grader_error"] for s, (_, c) in interrupted["first"]["results"].items()}
    assert not any(statuses.values()), statuses


def test_a_rerun_grades_only_the_submissions_left(interrupted):
    done, again = len(interrupted["first"]["results"]), interrupted["again"]
    assert again.returncode == 0, again.stderr
    assert f"Graded {CLASS_SIZE - done} submissions" in again.stdout and f"({done} already graded" in again.stdout


def test_a_rerun_leaves_the_finished_results_untouched(interrupted):
    now = _results(interrupted["root"] / "results")
    assert {s: now[s] for s in interrupted["first"]["results"]} == interrupted["first"]["results"]


def test_after_the_rerun_the_gradebook_lists_every_student_once(interrupted):
    rows = _gradebook(interrupted["root"] / "results")
    assert [r["student"] for r in rows] == sorted(interrupted["manifest"])


# --- a grading process that ends unexpectedly ---------------------------------------------------------

KILLS_ITS_GRADER = "# this submission ends the process that grades it"
GRADER_KILLER = f"""
import os

def pytest_runtest_call(item):
    submission = item.funcargs.get("submission")
    folder = getattr(getattr(submission, "backend", None), "folder", None)
    if folder is not None and {KILLS_ITS_GRADER!r} in (folder / "schedules.py").read_text():
        os._exit(3)
"""


@pytest.fixture(scope="module")
def killed_job(tmp_path_factory, course_copier):
    """A class of 4 graded with 2 jobs by a course whose graders end their process on one of the submissions."""
    root = tmp_path_factory.mktemp("killed")
    course = course_copier(root / "course")
    (course / "assignments" / ASSIGNMENT / "graders" / "conftest.py").write_text(GRADER_KILLER)
    simulate(ASSIGNMENT, 4, root / "subs", seed=3)
    killer = root / "subs" / "student-0002" / "schedules.py"
    killer.write_text(killer.read_text() + "\n" + KILLS_ITS_GRADER + "\n")
    env = {**os.environ, "AUTOGRADER_COURSE_ROOT": str(course)}
    command = [sys.executable, "-m", "autograder", "grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(root / "results"), "--jobs", "2"]
    return root, subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def test_a_grading_process_that_ends_unexpectedly_costs_only_its_submission_a_grader_error(killed_job):
    root, result = killed_job
    assert result.returncode == 0, result.stderr
    assert "Graded 3 submissions" in result.stdout and "1 grader errors" in result.stdout
    statuses = {r["student"]: r["status"] for r in _gradebook(root / "results")}
    assert statuses == {"student-0001": "graded", "student-0002": "grader error", "student-0003": "graded", "student-0004": "graded"}
    output = json.loads((root / "results" / "student-0002.json").read_text())["output"]
    assert "Grading failed: the grading process ended unexpectedly while grading this submission (exit status 3)" in output


# --- output that cannot be written ------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_progress_that_cannot_be_written_stops_the_run_instead_of_hanging_it(tmp_path):
    """As `grade-all ... | head` does once head has exited: the error comes out, no grading process is left."""
    simulate(ASSIGNMENT, 4, tmp_path / "subs", seed=5)

    def closed_pipe(done: int, total: int, student: str) -> None:
        raise BrokenPipeError("the reader of the progress lines has gone")

    with pytest.raises(BrokenPipeError):
        grade_all(ASSIGNMENT, tmp_path / "subs", tmp_path / "results", jobs=2, on_progress=closed_pipe)
    assert multiprocessing.active_children() == []


def test_a_student_named_students_gets_a_row_like_any_other(tmp_path):
    for student in ("ada", "students"):
        (tmp_path / "class" / student).mkdir(parents=True)  # empty submissions: quick to grade
    grade_all(ASSIGNMENT, tmp_path / "class", tmp_path / "results", jobs=1)
    rows = load_rows(load_assignment(ASSIGNMENT), tmp_path / "results")
    assert [row.student for row in rows] == ["ada", "students"]


# --- the main process killed ------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_a_grade_all_killed_with_sigkill_leaves_no_grading_process_waiting(tmp_path):
    """kill -9 (or the OOM killer) on grade-all: its grading processes write what they hold and end, quietly."""
    simulate(ASSIGNMENT, 12, tmp_path / "subs", seed=5)
    command = [sys.executable, "-m", "autograder", "grade-all", ASSIGNMENT, str(tmp_path / "subs"), "--out", str(tmp_path / "results"), "--jobs", "2"]
    with open(tmp_path / "stderr", "w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    deadline = time.monotonic() + 240
    while not list((tmp_path / "results").glob("student-*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 60
    while _running_in_group(process.pid) and time.monotonic() < deadline:  # the grading processes share its group
        time.sleep(0.1)
    if _running_in_group(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("grading processes were still waiting 60 s after grade-all was killed")
    for results in (tmp_path / "results").glob("student-*.json"):
        assert json.loads(results.read_text())["extra_data"]["assignment"] == ASSIGNMENT
    assert "Traceback" not in (tmp_path / "stderr").read_text()


def _running_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` that still run: not zombies (orphans that this test process,
    a child subreaper once tests/sandbox made it one, inherits and never reaps)."""
    stats = {int(entry): jail.proc_stat(int(entry)) for entry in os.listdir("/proc") if entry.isdigit()}
    return [pid for pid, fields in stats.items() if fields and int(fields[2]) == group and fields[0] != b"Z"]  # None: it ended meanwhile
