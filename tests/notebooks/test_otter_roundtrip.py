"""The otter export through the real otter-grader: otter assign, then otter run on two submissions.

One submission is correct; the other has one mistake of the engine's catalogue
in a module (MISTAKES) and one wrong notebook answer. Scores are read from
otter's results.json and compared with `autograder grade` on the same modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from autograder.notebooks.to_otter import export_otter

from notebook_helpers import failed_feedback, grade, item_scores, mistake, needs_engine, tool_env, write_modules

pytest.importorskip("otter")
pytestmark = needs_engine

ASSIGNMENT = "optimization"
# The notebook answer the partly wrong submission gets wrong: (question, right line, wrong line).
WRONG_ANSWER = (
    "overfit_gap",
    "overfit_gap[patience] = val_losses[stopped] - min(val_losses[: stopped + 1])",
    "overfit_gap[patience] = val_losses[stopped]",
)
STUDENTS = {"correct": False, "partly_wrong": True}


def _otter(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, capture_output=True, text=True, env=tool_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _submission(dist: Path, folder: Path, wrong: bool) -> Path:
    """A student's zip: the student notebook with every answer filled in, and the modules."""
    solved = nbformat.read(dist / "autograder" / f"{ASSIGNMENT}.ipynb", as_version=4)
    nb = nbformat.read(dist / "student" / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = [c for c in solved.cells if c.cell_type == "code" and "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    code_answers = [c for c in answers if c.cell_type == "code"]
    assert len(solutions) == len(code_answers)
    for answer, solution in zip(code_answers, solutions):
        answer.source = solution.source
        if wrong and WRONG_ANSWER[1] in answer.source:
            answer.source = answer.source.replace(WRONG_ANSWER[1], WRONG_ANSWER[2])
    for answer in answers:
        if answer.cell_type == "markdown":
            answer.source = "My answer, in my words."
    write_modules(ASSIGNMENT, folder, wrong=wrong)
    path = folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{ASSIGNMENT}.ipynb", nbformat.writes(nb))
        for module in sorted(folder.glob("*.py")):
            archive.write(module, module.name)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("otter")
    master = root / "master"
    summary = export_otter(ASSIGNMENT, master)
    # --no-run-tests: otter would grade the solution notebook once more; the correct submission does that below
    _otter("assign", "--no-run-tests", f"{ASSIGNMENT}.ipynb", "dist", cwd=master)
    dist = master / "dist"
    (autograder_zip,) = (dist / "autograder").glob("*.zip")

    def run(student: str) -> tuple[dict, dict]:
        """(otter's results.json, autograder grade's results.json) for one student."""
        folder = root / student
        submission = _submission(dist, folder, STUDENTS[student])
        out = root / f"results-{student}"
        out.mkdir()
        _otter("run", "-a", str(autograder_zip), "-o", str(out), str(submission), cwd=root)
        return json.loads((out / "results.json").read_text(encoding="utf-8")), grade(ASSIGNMENT, folder, root)

    with ThreadPoolExecutor(max_workers=len(STUDENTS)) as pool:  # the two gradings are separate processes
        graded = dict(zip(STUDENTS, pool.map(run, STUDENTS)))
    results = {student: pair[0] for student, pair in graded.items()}
    engine = {student: pair[1] for student, pair in graded.items()}
    return SimpleNamespace(dist=dist, zip=autograder_zip, summary=summary, results=results, engine=engine)


def _questions(graded, student):
    return {t["name"]: t for t in graded.results[student]["tests"] if t.get("max_score") is not None}


def test_otter_assign_writes_the_hidden_tests_into_the_autograder_zip_only(graded):
    with zipfile.ZipFile(graded.zip) as archive:
        names = archive.namelist()
    tested = {item.name for item in graded.summary.items} | {q.id for q in graded.summary.questions if not q.written}
    assert {name[len("tests/"):-len(".py")] for name in names if name.startswith("tests/")} == tested
    assert not any(name.endswith(("optimizers.py", "schedules.py", "early_stopping.py")) for name in names)
    student = (graded.dist / "student" / f"{ASSIGNMENT}.ipynb").read_text()
    for secret in ("check_test(", "expect_close(", "min(val_losses[: stopped + 1])"):
        assert secret not in student


def test_correct_submission_gets_every_autograded_point(graded):
    questions = _questions(graded, "correct")
    assert [name for name, t in questions.items() if t["score"] != t["max_score"]] == []
    assert sum(t["score"] for t in questions.values()) == pytest.approx(
        graded.summary.module_points + graded.summary.notebook_points
    )


def test_partly_wrong_submission_loses_the_broken_items_and_the_wrong_answer_only(graded):
    lost = {name for name, t in _questions(graded, "partly_wrong").items() if t["score"] < t["max_score"]}
    engine_lost = {item for item, (score, top) in item_scores(graded.engine["partly_wrong"]).items() if score < top}
    assert engine_lost == {mistake(ASSIGNMENT).item}
    assert lost == engine_lost | {WRONG_ANSWER[0]}


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_item_points_and_scores_agree_with_autograder_grade(graded, student):
    items = {item.name for item in graded.summary.items}
    otter = {name: (t["score"], t["max_score"]) for name, t in _questions(graded, student).items() if name in items}
    engine = item_scores(graded.engine[student])
    assert otter.keys() == engine.keys()
    for item, (score, top) in engine.items():  # otter rounds sums of exact shares, results.json holds rounded shares
        assert otter[item] == (pytest.approx(score, abs=1e-3), pytest.approx(top, abs=1e-3)), item


def test_feedback_of_each_failed_test_is_the_feedback_of_autograder_grade(graded):
    failed = failed_feedback(graded.engine["partly_wrong"])
    assert failed
    questions = _questions(graded, "partly_wrong")
    for name, feedback in failed.items():
        output = questions[name.split(": ", 1)[0]]["output"]
        assert f"check_test({ASSIGNMENT!r}, {name!r})" in output
        assert all(line.strip() in output for line in feedback.splitlines())


def test_written_answers_are_left_to_manual_grading(graded):
    names = {t["name"] for t in graded.results["correct"]["tests"]}
    assert not names & {q.id for q in graded.summary.questions if q.written}
