"""The bundled example submissions stay in sync with the reference and grade as documented."""

from __future__ import annotations

import pytest
from corpus import lost_items

from autograder.course import load_assignment
from autograder.grading.runner import grade
from autograder.markers import make_stub, strip_markers

PARTLY_WRONG = {
    "regularization": {"normalization.BatchNorm1d", "losses.softmax_cross_entropy"},
    "optimization": {"optimizers.Adam", "early_stopping.EarlyStopping"},
}


@pytest.mark.parametrize("assignment", sorted(PARTLY_WRONG))
def test_correct_and_stub_examples_are_generated_from_the_reference(assignment):
    a = load_assignment(assignment)
    for module in a.modules:
        path = a.reference_file(module)
        source = path.read_text()
        assert (a.folder / "examples" / "correct" / path.name).read_text() == strip_markers(source, path)
        assert (a.folder / "examples" / "stub" / path.name).read_text() == make_stub(source, path)


@pytest.mark.parametrize("assignment", sorted(PARTLY_WRONG))
def test_examples_grade_full_partial_and_zero_in_the_isolated_worker(assignment):
    folder = load_assignment(assignment).folder / "examples"
    correct, partly, stub = (grade(assignment, folder / kind) for kind in ("correct", "partly_wrong", "stub"))
    assert (correct.score, stub.score) == (100.0, 0.0)
    assert lost_items(partly) == PARTLY_WRONG[assignment]
    assert 0 < partly.score < 100
