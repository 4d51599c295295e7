"""Helpers for the corpus tests: build submissions from the reference and grade them in-process."""

from __future__ import annotations

from pathlib import Path

from autograder.course import load_assignment
from autograder.grading.results import SubmissionGrade
from autograder.grading.runner import grade
from autograder.markers import strip_markers

# An item built on another loses points with it when the student's code calls
# their own (wrong) version, as the reference does: the layer or schedule is
# then really wrong too.
DEPENDENTS = {
    "dropout.dropout_forward": {"dropout.Dropout"},
    "dropout.dropout_backward": {"dropout.Dropout"},
    "schedules.linear_warmup": {"schedules.warmup_cosine"},
    "schedules.cosine_annealing": {"schedules.warmup_cosine"},
}


def reference_source(assignment: str, module: str) -> str:
    """The reference's ``module`` as a student would submit it: without the solution markers."""
    path = load_assignment(assignment).reference_file(module)
    return strip_markers(path.read_text(), path)


def reference_submission(assignment: str, folder: Path, replaced: dict[str, str] | None = None) -> Path:
    """A submission folder: the reference without markers, with ``replaced`` module sources instead."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in load_assignment(assignment).modules:
        (folder / f"{module}.py").write_text((replaced or {}).get(module) or reference_source(assignment, module))
    return folder


def lost_items(result: SubmissionGrade) -> set[str]:
    return {i.item for i in result.items() if i.score < i.max_score}


def allowed_losses(item: str) -> set[str]:
    return {item} | DEPENDENTS.get(item, set())


def grade_in_process(assignment: str, folder: Path) -> SubmissionGrade:
    result = grade(assignment, folder, isolated=False)
    assert not result.grader_error, result.output
    return result
