"""Every catalogued mistake costs only its item's points, and its feedback names it."""

from __future__ import annotations

import pytest
from corpus import allowed_losses, grade_in_process, lost_items, reference_submission

from autograder.course import load_assignment
from autograder.grading.mistakes import load_catalogue

CATALOGUE = [(name, m) for name in ("regularization", "optimization") for m in load_catalogue(load_assignment(name))]


def test_each_assignment_catalogues_at_least_twelve_mistakes():
    for name in ("regularization", "optimization"):
        assert len(load_catalogue(load_assignment(name))) >= 12


@pytest.mark.parametrize("assignment, mistake", CATALOGUE, ids=[m.id for _, m in CATALOGUE])
def test_catalogued_mistake_loses_points_only_in_its_item_and_is_diagnosed(tmp_path, assignment, mistake):
    a = load_assignment(assignment)
    folder = reference_submission(assignment, tmp_path / "s", {mistake.module: mistake.patched_source(a)})
    result = grade_in_process(assignment, folder)
    lost = lost_items(result)
    assert mistake.item in lost, f"{mistake.id} was not caught"
    assert lost <= allowed_losses(mistake.item), f"{mistake.id} also lost {sorted(lost - allowed_losses(mistake.item))}"
    diagnosed = [t for t in result.tests if not t.passed and t.diagnosis == mistake.id]
    assert diagnosed and all(mistake.hint in t.feedback for t in diagnosed), f"{mistake.id} was not diagnosed"
