"""Grading a stream of submissions in one pytest session (``grade_each``), on the tiny course: as if each were graded alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny import CORRECT, TRIPLES, make_course, submit, verdict

from autograder.errors import AutograderError
from autograder.grading.results import SubmissionGrade
from autograder.grading.runner import grade
from autograder.grading.session import grade_each

OFF_BY_ONE = "def double(x):\n    return 2 * x + 1\ndef half(x):\n    return x / 2\n"
"""Wrong in a way no catalogued mistake explains: no diagnosis."""


@pytest.fixture
def course(tmp_path, monkeypatch) -> Path:
    root = make_course(tmp_path / "course")
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    return root


def _stream(folders: list[Path], **options) -> list[SubmissionGrade | AutograderError]:
    graded: list[tuple[Path, SubmissionGrade | AutograderError]] = []
    grade_each("tiny", folders, lambda path, outcome: graded.append((path, outcome)), **options)
    assert [path for path, _ in graded] == folders
    return [outcome for _, outcome in graded]


def test_two_submissions_graded_in_one_stream_get_the_grades_they_get_alone(course, tmp_path):
    folders = [submit(tmp_path / "a", TRIPLES), submit(tmp_path / "b", CORRECT)]
    alone = [grade("tiny", folder) for folder in folders]
    streamed = _stream(folders)
    assert [verdict(r) for r in streamed] == [verdict(r) for r in alone]
    assert [r.score for r in streamed] == [4.0, 10.0]


def test_a_diagnosis_of_one_submission_does_not_reach_the_next(course, tmp_path):
    diagnosed, undiagnosed = _stream([submit(tmp_path / "a", TRIPLES), submit(tmp_path / "b", OFF_BY_ONE)], isolated=False)
    assert diagnosed.tests[0].diagnosis == "triple" and "Hint: You multiply by three." in diagnosed.tests[0].feedback
    assert not undiagnosed.tests[0].passed
    assert [t.diagnosis for t in undiagnosed.tests] == ["", "", ""] and "Hint" not in undiagnosed.tests[0].feedback


def test_a_grader_fault_on_one_submission_does_not_affect_the_next(course, tmp_path):
    folders = [submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", TRIPLES)]
    alone = grade("tiny", folders[1], isolated=False)
    (course / "assignments" / "tiny" / "graders" / "conftest.py").write_text(
        "faulted = []\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    if call.when == 'call' and not faulted:  # the first test of the first submission only\n"
        "        faulted.append(item)\n"
        "        raise RuntimeError('the grader broke')\n"
    )
    faulted, after = _stream(folders, isolated=False)
    assert faulted.grader_error and "Grading failed: RuntimeError: the grader broke" in faulted.output
    assert verdict(after) == verdict(alone)


def test_a_submission_that_cannot_be_opened_comes_back_as_its_error_and_the_stream_goes_on(course, tmp_path):
    missing, graded = _stream([tmp_path / "nope", submit(tmp_path / "b", CORRECT)], isolated=False)
    assert isinstance(missing, AutograderError) and "does not exist" in str(missing)
    assert graded.score == 10.0 and not graded.grader_error


def test_graders_that_do_not_collect_make_every_submission_a_grader_error_with_the_log(course, tmp_path):
    (course / "assignments" / "tiny" / "graders" / "test_broken.py").write_text("hidden_check = 1 +\n")
    results = _stream([submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", CORRECT)], isolated=False)
    for result in results:
        assert result.grader_error and "the graders of 'tiny' could not run (pytest exit code 2)" in result.output
        assert "hidden_check" not in result.output and "hidden_check = 1 +" in result.details


def test_misconfigured_graders_make_every_submission_of_the_stream_a_grader_error(course, tmp_path):
    (course / "assignments" / "tiny" / "graders" / "test_extra.py").write_text("def test_orphan():\n    pass\n")
    results = _stream([submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", CORRECT)], isolated=False)
    assert all(r.grader_error and "test_orphan: grader test without @pytest.mark.item" in r.output for r in results)


def test_each_submission_of_a_stream_has_its_own_execution_time_and_leaves_no_folder(course, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    results = _stream([submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", CORRECT)], isolated=False)
    assert all(0 < r.execution_time < 30 for r in results)
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("autograder-grade-")]


PARAMETRIZED = '''
import pytest

@pytest.fixture
def scale(request):
    return request.param * 10

@pytest.fixture
def offset(x):
    return x + 0.5

@pytest.mark.item("tiny.double")
@pytest.mark.parametrize("x", [1.0, 2.0])
@pytest.mark.parametrize("scale", [1, 2], indirect=True)
def test_double(compare, x, scale, offset):
    """doubles x"""
    assert (x, offset) in ((1.0, 1.5), (2.0, 2.5)) and scale in (10, 20), f"got x={x}, scale={scale}, offset={offset}"
    compare(lambda s: s.call("tiny.double", x * scale), rtol=0, atol=0, inputs=f"x = {x * scale}")

@pytest.mark.item("tiny.half")
def test_half(compare):
    """halves 4"""
    compare(lambda s: s.call("tiny.half", 4.0), rtol=0, atol=0, inputs="x = 4")
'''


def test_parametrized_graders_get_their_values_in_every_pass(tmp_path, monkeypatch):
    root = make_course(tmp_path / "course", graders=PARAMETRIZED)
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    first, second = _stream([submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", TRIPLES)], isolated=False)
    assert [t.passed for t in first.tests] == [True] * 5, [t.feedback for t in first.tests]
    assert [t.passed for t in second.tests] == [False] * 4 + [True]
    assert all("got x=" not in t.feedback for t in second.tests)


def test_direct_parameters_are_given_without_setting_up_a_fixture_for_them(tmp_path, monkeypatch):
    graders = PARAMETRIZED.replace("def offset(x):\n    return x + 0.5", "def offset():\n    return 0.0")
    graders = graders.replace("assert (x, offset) in ((1.0, 1.5), (2.0, 2.5)) and", "assert")
    root = make_course(tmp_path / "course", graders=graders)
    (root / "assignments" / "tiny" / "graders" / "conftest.py").write_text(
        "def pytest_fixture_setup(fixturedef):\n"
        f"    with open({str(tmp_path / 'set-up')!r}, 'a') as log:\n"
        "        log.write(fixturedef.argname + '\\n')\n"
    )
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    (graded,) = _stream([submit(tmp_path / "a", CORRECT)], isolated=False)
    assert graded.score == 10.0
    set_up = set((tmp_path / "set-up").read_text().split())
    assert "x" not in set_up and {"scale", "offset"} <= set_up
