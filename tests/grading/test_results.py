"""Gradescope's results.json: its shape, and a write that never leaves half a file."""

from __future__ import annotations

import json

import pytest

from autograder.gradescope.schema import validate_results_file
from autograder.grading import results
from autograder.grading.results import SubmissionGrade, TestOutcome, to_gradescope, write_results_json


def _grade() -> SubmissionGrade:
    return SubmissionGrade("tiny", [
        TestOutcome("tiny.double: doubles 3", "tiny.double", 6.0, True, duration=0.1),
        TestOutcome("tiny.double: doubles 0", "tiny.double", 2.0, False, "the output is wrong: expected 0, got 1", diagnosis="triple"),
        TestOutcome("tiny.half: halves 4", "tiny.half", 2.0, True),
    ], execution_time=1.5)


def test_results_json_is_accepted_by_gradescopes_schema(tmp_path):
    write_results_json(_grade(), tmp_path / "results.json")
    assert validate_results_file(tmp_path / "results.json")["score"] == 8.0


def test_each_test_has_its_share_status_and_feedback():
    assert to_gradescope(_grade())["tests"][1] == {
        "name": "tiny.double: doubles 0", "score": 0.0, "max_score": 2.0, "status": "failed",
        "output": "the output is wrong: expected 0, got 1", "visibility": "visible",
    }


def test_item_scores_and_diagnoses_go_to_extra_data():
    extra = to_gradescope(_grade())["extra_data"]
    assert extra["items"] == {"tiny.double": [6.0, 8.0], "tiny.half": [2.0, 2.0]} and extra["diagnoses"] == ["triple"]


def test_grading_details_go_to_extra_data_not_to_the_students_output():
    data = to_gradescope(SubmissionGrade("tiny", output="Grading failed: ...", grader_error=True, details="Traceback ..."))
    assert data["output"] == "Grading failed: ..." and data["extra_data"]["grader_details"] == "Traceback ..."


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    path.write_text('{"score": 1.0}')

    def broken_dump(obj, f, **kwargs):
        f.write('{"score": ')
        raise OSError("disk full")

    monkeypatch.setattr(results.json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        write_results_json(_grade(), path)
    assert json.loads(path.read_text()) == {"score": 1.0} and [p.name for p in tmp_path.iterdir()] == ["results.json"]
