"""The bundled example submissions stay in sync with the reference and grade as documented."""

from __future__ import annotations

import pytest
from corpus import lost_items, reference_source, reference_submission

from autograder.course import load_assignment
from autograder.grading.runner import grade
from autograder.markers import make_stub, strip_markers
from autograder.sandbox.client import Limits

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


def test_a_module_that_hangs_at_import_loses_only_its_own_points(tmp_path):
    hanging = reference_source("regularization", "augmentation") + "\nwhile True:\n    pass\n"
    folder = reference_submission("regularization", tmp_path / "hangs", {"augmentation": hanging})
    result = grade("regularization", folder, limits=Limits(call_seconds=1, submission_seconds=60))
    assert {i.item.split(".")[0] for i in result.items() if i.score < i.max_score} == {"augmentation"}
    assert all(t.timed_out and "importing augmentation.py took longer" in t.feedback for t in result.tests if t.item.startswith("augmentation."))


def test_a_function_that_loops_forever_loses_only_its_own_points(tmp_path):
    looping = reference_source("regularization", "dropout") + "\n\ndef dropout_backward(dout, mask, p):\n    while True:\n        pass\n"
    folder = reference_submission("regularization", tmp_path / "loops", {"dropout": looping})
    # eight seconds are enough for two time-outs each of dropout_backward and the layer's backward, not for one per test
    result = grade("regularization", folder, limits=Limits(call_seconds=1, submission_seconds=8))
    assert lost_items(result) == {"dropout.dropout_backward", "dropout.Dropout"}
