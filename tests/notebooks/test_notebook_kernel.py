"""What the exported notebooks' hidden cells report, given `autograder grade` results."""

from __future__ import annotations

import pytest

from autograder.notebooks import kernel

RESULTS = {
    "score": 3.0,
    "tests": [
        {"name": "schedules.step_decay: matches the closed form [epoch=3]", "score": 1.0, "max_score": 1.0, "output": ""},
        {"name": "schedules.step_decay: rejects a negative epoch", "score": 0.0, "max_score": 1.0,
         "output": "step_decay(-1, 0.1) should raise ValueError naming epoch; it returned 0.1."},
        {"name": "schedules.cosine_annealing: matches the closed form", "score": 2.0, "max_score": 2.0, "output": ""},
    ],
}


@pytest.fixture
def graded(monkeypatch, tmp_path):
    """`autograder grade` stubbed to return RESULTS; records how often it ran."""
    calls = []

    def fake_run_grade(assignment, files):
        calls.append(sorted(files))
        return RESULTS

    monkeypatch.setattr(kernel, "run_grade", fake_run_grade)
    monkeypatch.setattr(kernel, "_results_cache", {})
    (tmp_path / "schedules.py").write_text("x = 1\n")
    return calls


def test_item_score_returns_the_items_points_and_prints_the_failed_tests_feedback(graded, tmp_path, capsys):
    score = kernel.item_score("optimization", "schedules.step_decay", tmp_path)
    assert score == 1.0
    assert capsys.readouterr().out.splitlines() == [
        "schedules.step_decay: 1 / 2 points; 1 of 2 tests passed.",
        "",
        "FAILED schedules.step_decay: rejects a negative epoch (0 / 1)",
        "    step_decay(-1, 0.1) should raise ValueError naming epoch; it returned 0.1.",
    ]


def test_check_test_raises_the_feedback_of_a_failed_test(graded, tmp_path):
    with pytest.raises(AssertionError) as info:
        kernel.check_test("optimization", "schedules.step_decay: rejects a negative epoch", tmp_path)
    assert str(info.value) == "step_decay(-1, 0.1) should raise ValueError naming epoch; it returned 0.1."


def test_check_test_passes_a_passed_test(graded, tmp_path):
    kernel.check_test("optimization", "schedules.cosine_annealing: matches the closed form", tmp_path)


def test_the_modules_are_graded_once_per_kernel_until_a_file_changes(graded, tmp_path):
    kernel.item_score("optimization", "schedules.step_decay", tmp_path)
    kernel.check_test("optimization", "schedules.cosine_annealing: matches the closed form", tmp_path)
    assert len(graded) == 1
    (tmp_path / "schedules.py").write_text("x = 2\n")
    kernel.item_score("optimization", "schedules.step_decay", tmp_path)
    assert len(graded) == 2


def test_only_the_assignments_modules_are_graded(graded, tmp_path):
    (tmp_path / "notes.py").write_text("x = 1\n")
    kernel.grade_folder("optimization", tmp_path)
    assert graded == [["early_stopping.py", "optimizers.py", "schedules.py"]]


def test_an_unknown_test_is_an_error_of_the_export_not_a_failed_test(graded, tmp_path):
    with pytest.raises(kernel.GradingFailed, match="no test named 'schedules.nope: x'; is the export out of date"):
        kernel.check_test("optimization", "schedules.nope: x", tmp_path)


def test_grading_failure_names_the_exit_status_and_the_end_of_its_output(monkeypatch, tmp_path):
    monkeypatch.setattr(kernel, "_results_cache", {})
    monkeypatch.setattr(kernel.sys, "executable", "/bin/false")
    with pytest.raises(kernel.GradingFailed, match="autograder grade optimization exited with status 1"):
        kernel.grade_folder("optimization", tmp_path)
