"""The nbgrader export through the real nbgrader: generate_assignment, then autograde two submissions.

One submission is correct; the other has one mistake of the engine's catalogue
in a module (MISTAKES) and one wrong notebook answer. Scores are read from
nbgrader's gradebook and compared with `autograder grade` on the same modules.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from autograder.notebooks.to_nbgrader import answered_release, export_nbgrader, item_grade_id

from notebook_helpers import failed_feedback, grade, item_scores, mistake, needs_engine, tool_env, write_modules

pytest.importorskip("nbgrader")
pytestmark = needs_engine

ASSIGNMENT = "regularization"
# The notebook answer the partly wrong submission gets wrong: (cell id, right line, wrong line).
WRONG_ANSWER = (
    "reg-q-small-answer",
    'small_weights["L2"] = int(np.sum(np.abs(W_l2) < 0.01))',
    'small_weights["L2"] = int(np.sum(np.abs(W_l2) < 0.1))',
)
WRONG_CHECK = "reg-q-small-check"
STUDENTS = {"correct": False, "partly_wrong": True}


def _nbgrader(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _submit(course: Path, student: str, wrong: bool) -> Path:
    """A student's submission: the released notebook with every answer filled in, and the modules."""
    nb = answered_release(course, ASSIGNMENT)
    if wrong:
        cell = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == WRONG_ANSWER[0])
        assert WRONG_ANSWER[1] in cell.source
        cell.source = cell.source.replace(WRONG_ANSWER[1], WRONG_ANSWER[2])
    folder = write_modules(ASSIGNMENT, course / "submitted" / student / ASSIGNMENT, wrong=wrong)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("nbgrader-course")
    summary = export_nbgrader(ASSIGNMENT, root)
    _nbgrader("generate_assignment", ASSIGNMENT, cwd=root)
    for student, wrong in STUDENTS.items():
        _submit(root, student, wrong)
    with ThreadPoolExecutor(max_workers=len(STUDENTS)) as pool:  # `autograder grade` beside nbgrader, to compare
        modules = {student: write_modules(ASSIGNMENT, root / "engine" / student, wrong=wrong) for student, wrong in STUDENTS.items()}
        pending = {student: pool.submit(grade, ASSIGNMENT, folder, root) for student, folder in modules.items()}
        _nbgrader("autograde", ASSIGNMENT, cwd=root)
        engine = {student: future.result() for student, future in pending.items()}

    grades, autograded = {}, {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in STUDENTS:
            notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            grades[student] = {
                g.name: SimpleNamespace(auto=g.auto_score, max=g.max_score, manual=g.needs_manual_grade) for g in notebook.grades
            }
            path = root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            autograded[student] = nbformat.read(path, as_version=4)
    return SimpleNamespace(root=root, summary=summary, grades=grades, engine=engine, autograded=autograded)


def _items(course, student):
    return {item.name: course.grades[student][item_grade_id(item.name)] for item in course.summary.items}


def test_generate_assignment_hands_out_the_notebook_and_stubs_without_solutions_or_hidden_tests(course):
    release = course.root / "release" / ASSIGNMENT
    text = (release / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "item_score(", "expect_equal(", "int(np.sum(np.abs(W_l1)"):
        assert secret not in text
    stubs = sorted(p.name for p in release.glob("*.py"))
    assert stubs == ["augmentation.py", "dropout.py", "losses.py", "normalization.py", "penalties.py"]
    assert all("raise NotImplementedError" in (release / name).read_text() for name in stubs)


def test_correct_submission_gets_every_autograded_point(course):
    autograded = [g for g in course.grades["correct"].values() if not g.manual]
    assert [g for g in autograded if g.auto != g.max] == []
    assert sum(g.auto for g in autograded) == pytest.approx(course.summary.module_points + course.summary.notebook_points)


def test_partly_wrong_submission_loses_the_broken_items_and_the_wrong_answer_only(course):
    lost = {name for name, g in course.grades["partly_wrong"].items() if not g.manual and g.auto < g.max}
    engine_lost = {item for item, (score, top) in item_scores(course.engine["partly_wrong"]).items() if score < top}
    assert engine_lost == {mistake(ASSIGNMENT).item}
    assert lost == {item_grade_id(item) for item in engine_lost} | {WRONG_CHECK}


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_item_points_and_scores_agree_with_autograder_grade(course, student):
    nbgrader = {item: (round(g.auto, 4), round(g.max, 4)) for item, g in _items(course, student).items()}
    assert nbgrader == item_scores(course.engine[student])


def test_feedback_of_each_failed_test_is_the_feedback_of_autograder_grade(course):
    failed = failed_feedback(course.engine["partly_wrong"])
    assert failed
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in course.autograded["partly_wrong"].cells if "nbgrader" in cell.metadata}
    for name, feedback in failed.items():
        cell = cells[item_grade_id(name.split(": ", 1)[0])]
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        assert f"FAILED {name} (" in printed
        assert textwrap.indent(feedback, "    ") in printed


def test_wrong_notebook_answer_gets_the_checks_feedback(course):
    cell = next(c for c in course.autograded["partly_wrong"].cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRONG_CHECK)
    error = next(out for out in cell.outputs if out.output_type == "error")
    assert error.evalue.startswith("small_weights['L2'] should be ")


def test_written_answers_wait_for_manual_grading(course):
    written = {q.id for q in course.summary.questions if q.written}
    for student in STUDENTS:
        assert {name for name, g in course.grades[student].items() if g.manual} == written
