"""The short way of running a grader test (``autograder.grading.testrun``): the grades of pytest's protocol, for the tests it takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny import CORRECT, TRIPLES, make_course, submit, verdict

from autograder.grading import session, testrun
from autograder.grading.results import SubmissionGrade
from autograder.grading.session import grade_each



def _grades(assignment: str, folders: list[Path]) -> list[SubmissionGrade]:
    graded: list[SubmissionGrade] = []
    grade_each(assignment, folders, lambda _, grade: graded.append(grade), isolated=False)
    return graded


def _verdicts(grades: list[SubmissionGrade]) -> list[tuple]:
    return [verdict(grade) for grade in grades]


@pytest.fixture
def plain(monkeypatch) -> list[set[str]]:
    """The node ids ``plain_tests`` gave each stream, as they are given."""
    given: list[set[str]] = []

    def recorded(*args):
        given.append(testrun.plain_tests(*args))
        return given[-1]

    monkeypatch.setattr(session, "plain_tests", recorded)
    return given


def _through_pytest_only(monkeypatch) -> None:
    monkeypatch.setattr(session, "plain_tests", lambda *args: set())


@pytest.mark.parametrize("assignment", ["regularization", "optimization"])
def test_every_example_gets_the_grade_of_pytests_protocol(assignment, plain, monkeypatch):
    examples = sorted(path for path in (Path("assignments") / assignment / "examples").iterdir() if path.is_dir())
    short = _grades(assignment, examples)
    assert len(plain[0]) > 100  # every grader test of the course runs the short way
    _through_pytest_only(monkeypatch)
    assert _verdicts(short) == _verdicts(_grades(assignment, examples))


EDGES = '''
import sys
import pytest

@pytest.fixture
def broken_setup():
    raise RuntimeError("the fixture broke")

@pytest.fixture
def broken_teardown():
    yield 1
    raise RuntimeError("the teardown broke")

@pytest.mark.item("tiny.double")
def test_checked(compare):
    """doubles 3"""
    compare(lambda s: s.call("tiny.double", 3.0), rtol=0, atol=0, inputs="x = 3")

@pytest.mark.item("tiny.double")
def test_fixture_fails(broken_setup):
    """a fixture that fails"""

@pytest.mark.item("tiny.double")
def test_teardown_fails(broken_teardown, submission):
    """a teardown that fails"""
    if submission.call("tiny.double", 1.0) != 2.0:
        raise AssertionError("expected 2")

@pytest.mark.item("tiny.double")
def test_skips_itself():
    """skips"""
    pytest.skip("not this term")

@pytest.mark.item("tiny.double")
def test_xfails_itself():
    """xfails"""
    pytest.xfail("known to fail")

@pytest.mark.item("tiny.double")
def test_exits():
    """calls sys.exit"""
    sys.exit(3)

@pytest.mark.item("tiny.half")
def test_grader_fault(submission):
    """a bug of the grader"""
    {}["missing"]

@pytest.mark.item("tiny.half")
def test_monkeypatched(monkeypatch, submission):
    """uses monkeypatch"""
    monkeypatch.setattr(sys, "tiny_flag", True, raising=False)
    if submission.call("tiny.half", 4.0) != 2.0:
        raise AssertionError("expected 2")
'''


def test_outcomes_of_failing_fixtures_skips_exits_and_grader_faults_are_those_of_pytests_protocol(tmp_path, monkeypatch, plain):
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(make_course(tmp_path / "course", graders=EDGES)))
    folders = [submit(tmp_path / "a", CORRECT), submit(tmp_path / "b", TRIPLES)]
    short = _grades("tiny", folders)
    assert len(plain[0]) == 8
    _through_pytest_only(monkeypatch)
    assert _verdicts(short) == _verdicts(_grades("tiny", folders))
    feedback = {t.name.split(": ", 1)[1]: (t.passed, t.feedback) for t in short[0].tests}
    assert feedback["doubles 3"] == (True, "") and feedback["a teardown that fails"] == (True, "")
    assert feedback["a fixture that fails"] == (False, "the grader could not check this: RuntimeError: the fixture broke")
    assert feedback["skips"] == (False, "the grader could not check this: Skipped: not this term")
    assert feedback["calls sys.exit"] == (False, "the grader could not check this: SystemExit: 3")


NOT_PLAIN = '''
import pytest

@pytest.mark.item("tiny.double")
def test_plain(submission):
    """plain"""
    assert submission.call("tiny.double", 1.0) == 2.0, "expected 2"

@pytest.mark.item("tiny.double")
@pytest.mark.skipif(True, reason="not this term")
def test_skip_marker(submission):
    """has a skipif marker"""

@pytest.mark.item("tiny.double")
@pytest.mark.xfail(reason="known", strict=True)
def test_xfail_marker():
    """has a strict xfail marker and passes"""

@pytest.mark.item("tiny.double")
def test_capsys(capsys):
    """reads what it printed"""
    print("hello")
    assert capsys.readouterr().out == "hello\\n", "capsys did not capture"

@pytest.fixture
def scratch(tmp_path):
    return tmp_path

@pytest.mark.item("tiny.half")
def test_tmp_path(scratch):
    """writes a file"""
    (scratch / "f").write_text("x")
'''


def test_tests_with_skipping_markers_or_protocol_bound_fixtures_go_through_pytests_protocol(tmp_path, monkeypatch, plain):
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(make_course(tmp_path / "course", graders=NOT_PLAIN)))
    (graded,) = _grades("tiny", [submit(tmp_path / "a", CORRECT)])
    assert {nodeid.split("::")[-1] for nodeid in plain[0]} == {"test_plain"}
    outcomes = {t.name.split(": ", 1)[1]: (t.passed, t.feedback) for t in graded.tests}
    assert outcomes["has a skipif marker"] == (False, "the grader could not check this: Skipped: not this term")
    assert outcomes["has a strict xfail marker and passes"] == (False, "the test failed")  # XPASS(strict)
    assert outcomes["reads what it printed"] == (True, "")
    assert outcomes["writes a file"] == (True, "")


def test_a_conftest_hook_of_the_test_protocol_sends_every_test_through_pytests_protocol(tmp_path, monkeypatch, plain):
    root = make_course(tmp_path / "course")
    (root / "assignments" / "tiny" / "graders" / "conftest.py").write_text(
        "def pytest_runtest_call(item):\n"
        f"    with open({str(tmp_path / 'called')!r}, 'a') as log:\n"
        "        log.write(item.name + '\\n')\n"
    )
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    (graded,) = _grades("tiny", [submit(tmp_path / "a", CORRECT)])
    assert graded.score == 10.0 and plain == [set()]
    assert (tmp_path / "called").read_text().split() == ["test_double_of_three", "test_double_of_zero", "test_half"]
