"""The grading engine on a tiny throwaway assignment: points, partial credit, feedback, configuration errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny import GRADERS, make_course, submit

from autograder.grading.results import to_gradescope, write_results_json
from autograder.grading.runner import grade


@pytest.fixture
def course(tmp_path, monkeypatch) -> Path:
    root = make_course(tmp_path / "course")
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    return root


def _submit(tmp_path: Path, source: str) -> Path:
    return submit(tmp_path / "submission", source)


def test_a_correct_submission_gets_every_point(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return x + x\ndef half(x):\n    return 0.5 * x\n"))
    assert (result.score, result.max_score, result.grader_error) == (10.0, 10.0, False)


def test_points_are_split_across_an_items_tests_by_weight(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x if x else 1.0\ndef half(x):\n    return x / 2\n"))
    assert [(t.max_score, t.passed) for t in result.tests] == [(6.0, True), (2.0, False), (2.0, True)]
    assert result.score == 8.0


def test_a_mistake_costs_only_its_items_points(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 3\n"))
    assert {i.item: i.score for i in result.items()} == {"tiny.double": 8.0, "tiny.half": 0.0}


def test_feedback_shows_input_expected_got_and_the_matching_hint(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 3 * x\ndef half(x):\n    return x / 2\n"))
    feedback = result.tests[0].feedback
    assert "expected 6, got 9" in feedback and "Input: x = 3" in feedback and "Hint: You multiply by three." in feedback
    assert result.tests[0].diagnosis == "triple"


def test_feedback_never_shows_the_reference_source(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    raise RuntimeError('no')\ndef half(x):\n    return None\n"))
    for test in result.tests:
        assert "secret_factor" not in test.feedback and "### BEGIN" not in test.feedback


def test_a_missing_module_loses_its_points_with_a_clear_message(course, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    result = grade("tiny", folder)
    assert result.score == 0 and not result.grader_error
    assert "tiny.py is missing from the submission" in result.tests[0].feedback
    assert "Not found in the submission: tiny.py." in result.output


def test_a_grader_test_without_an_item_is_a_grader_error(course, tmp_path):
    (course / "assignments" / "tiny" / "graders" / "test_extra.py").write_text("def test_orphan():\n    pass\n")
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\n"))
    assert result.grader_error and "test_orphan: grader test without @pytest.mark.item" in result.output


def test_a_grader_test_for_an_unknown_item_is_a_grader_error(course, tmp_path):
    (course / "assignments" / "tiny" / "graders" / "test_extra.py").write_text(
        "import pytest\n@pytest.mark.item('tiny.triple')\ndef test_triple():\n    pass\n")
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\n"))
    assert result.grader_error and "item 'tiny.triple' is not in [points] of tiny/assignment.toml" in result.output


def test_a_reference_failing_on_a_graders_input_is_not_blamed_on_the_student(course, tmp_path):
    graders = course / "assignments" / "tiny" / "graders" / "test_tiny.py"
    graders.write_text(GRADERS.replace('s.call("tiny.half", 4.0)', 's.call("tiny.half", "four")'))
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n"))
    assert result.tests[2].feedback == (
        "the grader could not check this: ReferenceFailed: the reference itself fails on this input "
        "(TypeError: unsupported operand type(s) for /: 'str' and 'int')"
    )


def test_a_broken_grader_file_keeps_pytests_log_out_of_the_students_output(course, tmp_path):
    (course / "assignments" / "tiny" / "graders" / "test_broken.py").write_text("hidden_check = 1 +\n")
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\n"))
    assert result.grader_error and "the graders of 'tiny' could not run (pytest exit code 2)" in result.output
    assert "hidden_check" not in result.output and "hidden_check" in result.details


def test_graders_changed_between_two_runs_in_one_process_are_imported_afresh(course, tmp_path):
    folder = _submit(tmp_path, "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n")
    assert grade("tiny", folder, isolated=False).score == 10.0
    graders = course / "assignments" / "tiny" / "graders" / "test_tiny.py"
    graders.write_text(GRADERS.replace('"""halves 4"""', '"""halves 4"""\n    assert False, "changed"'))
    assert grade("tiny", folder, isolated=False).tests[2].feedback.startswith("changed")


def test_an_item_without_tests_is_a_grader_error(course, tmp_path):
    config = course / "assignments" / "tiny" / "assignment.toml"
    config.write_text(config.read_text() + '"tiny.triple" = 1\n')
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\n"))
    assert result.grader_error and "item 'tiny.triple' has points but no grader test" in result.output


def test_results_json_has_gradescopes_fields_and_is_written_atomically(course, tmp_path):
    result = grade("tiny", _submit(tmp_path, "def double(x):\n    return 2 * x\ndef half(x):\n    return x\n"))
    path = tmp_path / "out" / "results.json"
    write_results_json(result, path)
    data = json.loads(path.read_text())
    assert data == to_gradescope(result)
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    assert data["tests"][2] == {"name": "tiny.half: halves 4", "score": 0.0, "max_score": 2.0, "status": "failed",
                                "output": data["tests"][2]["output"], "visibility": "visible"}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]
