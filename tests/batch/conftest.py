"""Classes graded once per session with the real CLI: a simulated class, and a hand-made one with every status.

``graded_class``: ``autograder simulate`` then ``autograder grade-all``, as an
instructor would. ``handmade_class``: a course copy whose call time limit is
2 s, and five submissions, one per case the report and the status column
must show: correct, a call that never returns, a corrupt zip, a function that
accepts invalid arguments, an untouched stub.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.batch.simulate import simulate
from autograder.course import course_root, load_assignment
from autograder.markers import make_stub, strip_markers

ASSIGNMENT = "optimization"  # the faster of the two to grade
CALL_SECONDS = 2
"""The call time limit of the hand-made class's course copy (10 s in the real one)."""


def run_cli(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` in a new process, stdout and stderr captured (not a terminal)."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """(root, manifest, completed grade-all): 8 simulated submissions graded into ``root/results``."""
    root = tmp_path_factory.mktemp("class")
    manifest = simulate(ASSIGNMENT, 8, root / "subs", seed=3)
    result = run_cli("grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(root / "results"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return root, manifest, result


def _reference_sources() -> dict[str, str]:
    assignment = load_assignment(ASSIGNMENT)
    return {m: strip_markers(assignment.reference_file(m).read_text(), assignment.reference_file(m)) for m in assignment.modules}


def copy_course(course: Path) -> Path:
    """A copy of this course's assignment and reference at ``course``, to change its graders or limits."""
    for part in ("assignments", "reference"):
        shutil.copytree(course_root() / part / ASSIGNMENT, course / part / ASSIGNMENT)
    return course


@pytest.fixture(scope="session")
def course_copier():
    """``copy_course``, for the tests' own fixtures."""
    return copy_course


def _patched(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, f"the reference changed: {old!r} no longer occurs once"
    return source.replace(old, new)


@pytest.fixture(scope="session")
def handmade_class(tmp_path_factory):
    """(root, completed grade-all): one submission per status and report section, graded with a 2 s call limit."""
    root = tmp_path_factory.mktemp("handmade")
    course = copy_course(root / "course")
    toml = course / "assignments" / ASSIGNMENT / "assignment.toml"
    toml.write_text(_patched(toml.read_text(), "call_seconds = 10", f"call_seconds = {CALL_SECONDS}"))

    reference = _reference_sources()
    never_returns = _patched(  # loops for one grader case only (base_lr=0.01): one call times out
        reference["schedules"],
        "    if epoch < warmup_epochs:\n        return float(base_lr * (epoch + 1) / warmup_epochs)",
        "    while base_lr == 0.01:\n        pass\n    if epoch < warmup_epochs:\n        return float(base_lr * (epoch + 1) / warmup_epochs)",
    )
    accepts_negative_epochs = _patched(
        reference["schedules"], '    if epoch < 0:\n        raise ValueError(f"epoch must be >= 0, got {epoch}")\n    if not 0.0 <= initial_lr', "    if not 0.0 <= initial_lr"
    )
    assignment = load_assignment(ASSIGNMENT)
    classes = {
        "correct": reference,
        "loops-forever": {**reference, "schedules": never_returns},
        "no-validation": {**reference, "schedules": accepts_negative_epochs},
        "stub": {m: make_stub(assignment.reference_file(m).read_text(), assignment.reference_file(m)) for m in assignment.modules},
    }
    subs = root / "subs"
    for student, modules in classes.items():
        (subs / student).mkdir(parents=True)
        for module, source in modules.items():
            (subs / student / f"{module}.py").write_text(source)
    (subs / "corrupt.zip").write_bytes(b"this upload is not a zip")
    env = {**os.environ, "AUTOGRADER_COURSE_ROOT": str(course)}
    result = run_cli("grade-all", ASSIGNMENT, str(subs), "--out", str(root / "results"), "--jobs", "2", env=env)
    assert result.returncode == 0, result.stderr
    return root, result
