"""results.schema.json: Gradescope's documented results.json passes; what Gradescope rejects fails."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from autograder.gradescope.schema import (
    InvalidResultsError,
    results_problems,
    results_schema,
    validate_results_file,
)

# The example of Gradescope's "Autograder Specifications" page, comments removed
# (gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format").
DOCUMENTED_EXAMPLE = {
    "score": 44.0,
    "execution_time": 136,
    "output": "Text relevant to the entire submission",
    "output_format": "simple_format",
    "test_output_format": "text",
    "test_name_format": "text",
    "visibility": "after_due_date",
    "stdout_visibility": "visible",
    "extra_data": {},
    "tests": [
        {
            "score": 2.0,
            "max_score": 2.0,
            "status": "passed",
            "name": "Your name here",
            "name_format": "text",
            "number": "1.1",
            "output": "Giant multiline string that will be placed in a <pre> tag and collapsed by default",
            "output_format": "text",
            "tags": ["tag1", "tag2", "tag3"],
            "visibility": "visible",
            "extra_data": {},
        }
    ],
    "leaderboard": [
        {"name": "Accuracy", "value": 0.926},
        {"name": "Time", "value": 15.1, "order": "asc"},
        {"name": "Stars", "value": "*****"},
    ],
}

# The same page, "Test case status": informational tests without scores, no top-level score.
DOCUMENTED_STATUS_EXAMPLE = {
    "tests": [
        {"name": "Compilation check", "status": "passed"},
        {"name": "Style check", "status": "failed"},
        {"name": "Test 3", "score": 5, "max_score": 10, "status": "passed"},
    ]
}


def _with(path: str, value):
    """The documented example with the field at dotted ``path`` set to ``value`` (or removed if None)."""
    results = copy.deepcopy(DOCUMENTED_EXAMPLE)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = results
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return results


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(results_schema())


def test_gradescope_documented_example_is_accepted():
    assert results_problems(DOCUMENTED_EXAMPLE) == []


def test_gradescope_documented_status_example_is_accepted():
    assert results_problems(DOCUMENTED_STATUS_EXAMPLE) == []


def test_a_top_level_score_alone_is_enough():
    assert results_problems({"score": 0}) == []


def test_tests_may_omit_their_score_when_the_top_level_has_one():
    assert results_problems({"score": 3.0, "tests": [{"name": "x", "max_score": 2}]}) == []


def test_execution_time_as_gradescope_utils_writes_it_is_accepted():
    assert results_problems({"score": 1.0, "execution_time": "0.52"}) == []


def test_unknown_fields_are_allowed():
    assert results_problems(_with("tests.0.hint_id", "l2-gradient-doubled")) == []


def test_neither_score_nor_tests_is_rejected():
    assert results_problems({"output": "graded"})


def test_a_test_without_score_or_status_is_rejected_when_there_is_no_top_level_score():
    assert results_problems({"tests": [{"name": "a", "max_score": 2.0}]})


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("score", "44"),
        ("score", True),
        ("tests.0.max_score", "2"),
        ("tests.0.name", 3),
        ("tests.0.output", ["line"]),
        ("tests.0.tags", "tag1"),
        ("tests.0.tags", [1, 2]),
        ("extra_data", []),
        ("execution_time", "two seconds"),
        ("execution_time", -1),
    ],
    ids=lambda v: repr(v),
)
def test_a_field_of_the_wrong_type_is_rejected(path, value):
    assert results_problems(_with(path, value))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("visibility", "public"),
        ("stdout_visibility", "always"),
        ("tests.0.visibility", "after_deadline"),
        ("tests.0.status", "ok"),
        ("output_format", "markdown"),
        ("tests.0.name_format", "rich"),
        ("leaderboard.1.order", "up"),
    ],
)
def test_a_value_outside_gradescope_options_is_rejected(path, value):
    assert results_problems(_with(path, value))


def test_a_leaderboard_entry_without_value_is_rejected():
    assert results_problems(_with("leaderboard.0.value", None))


def test_a_problem_names_where_it_is():
    assert results_problems(_with("tests.0.visibility", "public")) == [
        "results.tests[0].visibility: 'public' is not one of "
        "['hidden', 'after_due_date', 'after_published', 'visible']"
    ]


def test_a_valid_file_is_returned_parsed(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(DOCUMENTED_EXAMPLE))
    assert validate_results_file(path) == DOCUMENTED_EXAMPLE


def test_a_nan_score_in_a_file_is_rejected(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"score": float("nan")}))  # Python writes NaN; JSON has no NaN
    with pytest.raises(InvalidResultsError) as caught:
        validate_results_file(path)
    assert str(caught.value) == (
        f"{path} is not valid JSON: NaN is not valid JSON (a score or a value was not finite)"
    )


def test_a_missing_file_is_reported(tmp_path):
    path = tmp_path / "results.json"
    with pytest.raises(InvalidResultsError) as caught:
        validate_results_file(path)
    assert str(caught.value) == f"{path} does not exist; the grader wrote no results"


def test_a_file_breaking_the_schema_lists_every_problem(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"score": "full", "visibility": "public"}))
    with pytest.raises(InvalidResultsError) as caught:
        validate_results_file(path)
    assert str(caught.value) == (
        f"{path} is not in Gradescope's format:\n"
        "  results.score: 'full' is not of type 'number'\n"
        "  results.visibility: 'public' is not one of ['hidden', 'after_due_date', 'after_published', 'visible']"
    )
