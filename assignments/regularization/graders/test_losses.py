"""Hidden graders of losses.py: label smoothing, stable softmax cross entropy and its gradient."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_close, assert_python_float
from autograder.grading.inputs import normal

smooth = pytest.mark.item("losses.smooth_labels")
xent = pytest.mark.item("losses.softmax_cross_entropy")


@smooth
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.45, 1.0])
def test_smoothed_rows_match_the_reference(compare, smoothing):
    """matches the reference"""
    y = np.random.default_rng(1).integers(0, 6, size=9)
    compare(lambda s: s.call("losses.smooth_labels", y, 6, smoothing=smoothing), rtol=1e-12, atol=1e-15, inputs=f"y = {y.tolist()}, num_classes=6, smoothing={smoothing}")


@smooth
def test_default_smoothing_is_0_1(compare):
    """uses smoothing=0.1 by default"""
    y = np.array([0, 2, 1])
    compare(lambda s: s.call("losses.smooth_labels", y, 3), rtol=1e-12, atol=1e-15, inputs="y = [0, 2, 1], num_classes=3")


@smooth
@pytest.mark.parametrize("y, smoothing, what", [([0, 3], 0.1, "label 3 with num_classes=3"), ([0, -1], 0.1, "label -1"), ([0, 1], 1.5, "smoothing=1.5"), ([0, 1], -0.2, "smoothing=-0.2")])
def test_invalid_labels_and_smoothing_raise_value_error(submission, y, smoothing, what):
    """rejects labels outside [0, K) and smoothing outside [0, 1] with ValueError"""
    with submission.raises(ValueError, f"for {what}"):
        submission.call("losses.smooth_labels", np.array(y), 3, smoothing=smoothing)


def _holds_non_finite(value):
    """True when ``value`` (a loss and a gradient, or anything else a student returned) holds inf or nan."""
    parts = value if isinstance(value, (tuple, list)) else [value]
    for part in parts:
        try:
            if not np.all(np.isfinite(np.asarray(part, dtype=np.float64))):
                return True
        except (TypeError, ValueError):
            continue
    return False


def _logits(seed, shape, scale=3.0, dtype=np.float64):
    return normal(seed, shape, scale, dtype=dtype)


@xent
@pytest.mark.parametrize("shape", [(1, 2), (8, 5), (32, 10)], ids=str)
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-9, 1e-12), (np.float32, 1e-4, 1e-6)], ids=["float64", "float32"])
def test_loss_and_gradient_with_integer_labels_match_the_reference(compare, shape, dtype, rtol, atol):
    """matches the reference with integer labels"""
    logits = _logits(2, shape, dtype=dtype)
    y = np.random.default_rng(3).integers(0, shape[1], size=shape[0])
    got, _ = compare(lambda s: s.call("losses.softmax_cross_entropy", logits, y), rtol=rtol, atol=atol, what="(loss, dlogits)", inputs=f"logits of shape {shape}, {np.dtype(dtype).name}, scale 3 (seed 2), random integer labels (seed 3)")
    assert_python_float(got[0], "loss")


@xent
def test_loss_and_gradient_with_probability_rows_match_the_reference(compare):
    """matches the reference with probability rows as targets"""
    logits = _logits(4, (7, 4))
    targets = np.random.default_rng(5).dirichlet(np.ones(4), size=7)
    compare(lambda s: s.call("losses.softmax_cross_entropy", logits, targets), rtol=1e-9, atol=1e-12, what="(loss, dlogits)", inputs="logits of shape (7, 4) (seed 4), Dirichlet probability rows (seed 5)")


@xent
def test_logits_of_magnitude_1e4_give_finite_values(submission, compare, hint):
    """stays finite and exact for logits of magnitude 1e4"""
    logits = np.random.default_rng(6).choice([-1e4, 1e4], size=(6, 3)) + _logits(7, (6, 3), 1.0)
    y = np.array([0, 1, 2, 0, 1, 2])
    got = submission.call("losses.softmax_cross_entropy", logits, y)
    if _holds_non_finite(got):
        raise AssertionError(
            "(loss, dlogits) holds inf or nan for logits of magnitude 1e4: exp overflowed.\n"
            "Input: logits of magnitude 1e4, shape (6, 3), labels [0, 1, 2, 0, 1, 2]\n" + hint("softmax-not-shifted")
        )
    compare(lambda s: s.call("losses.softmax_cross_entropy", logits, y), rtol=1e-9, atol=1e-9, what="(loss, dlogits)", inputs="logits of magnitude 1e4, shape (6, 3), labels [0, 1, 2, 0, 1, 2]")


@xent
def test_gradient_is_the_derivative_of_the_loss(submission):
    """dlogits is the gradient of your own loss (central differences)"""
    logits, y = _logits(8, (4, 5)), np.array([1, 0, 4, 2])
    _, dlogits = submission.call("losses.softmax_cross_entropy", logits, y)
    numeric = np.zeros_like(logits)
    h = 1e-5
    steps = {index: np.zeros_like(logits) for index in np.ndindex(logits.shape)}
    for index, step in steps.items():
        step[index] = h
    # one call per perturbed logit, plus then minus, gathered in a few round trips
    outputs = iter(submission.call_each("losses.softmax_cross_entropy", [((logits + sign * step, y), {}) for step in steps.values() for sign in (1, -1)]))
    for index in steps:
        plus, minus = next(outputs)[0], next(outputs)[0]
        numeric[index] = (plus - minus) / (2 * h)
    assert_close(dlogits, numeric, rtol=1e-5, atol=1e-8, what="dlogits", inputs="logits of shape (4, 5) (seed 8), labels [1, 0, 4, 2]; compared with central differences of your loss")


@xent
def test_smoothed_targets_match_torch_label_smoothing(compare):
    """with smooth_labels targets, equals PyTorch's label_smoothing loss"""
    logits, y = _logits(9, (5, 4)), np.array([3, 1, 0, 2, 3])
    targets = (1 - 0.2) * np.eye(4)[y] + 0.2 / 4
    compare(lambda s: s.call("losses.softmax_cross_entropy", logits, targets), rtol=1e-9, atol=1e-12, what="(loss, dlogits)", inputs="logits (5, 4) (seed 9), targets smoothed with 0.2")


@xent
def test_inputs_are_left_unmodified(submission, compare):
    """leaves logits and targets unmodified"""
    logits, targets = _logits(10, (3, 4)), np.full((3, 4), 0.25)
    _, (logits_after, targets_after), _ = submission.call_and_inputs("losses.softmax_cross_entropy", logits, targets)
    assert_close((logits_after, targets_after), (logits, targets), rtol=0, atol=0, what="(logits, targets) after the call")
    compare(lambda s: s.call("losses.softmax_cross_entropy", logits, targets), rtol=1e-9, atol=1e-12, what="(loss, dlogits)", inputs="logits (3, 4) (seed 10), uniform targets")


@xent
def test_mismatched_targets_raise_value_error(submission):
    """rejects targets whose shape does not match the logits with ValueError"""
    with submission.raises(ValueError, "for 3 labels and 2 rows of logits"):
        submission.call("losses.softmax_cross_entropy", np.zeros((2, 3)), np.array([0, 1, 2]))


@smooth
def test_labels_are_left_unmodified(submission, compare):
    """leaves y unmodified"""
    y = np.array([2, 0, 1, 2])
    _, (y_after, _), _ = submission.call_and_inputs("losses.smooth_labels", y, 3, smoothing=0.2)
    assert_close(y_after, y, rtol=0, atol=0, what="y after the call", inputs="y = [2, 0, 1, 2], num_classes=3, smoothing=0.2")
    compare(lambda s: s.call("losses.smooth_labels", y, 3, smoothing=0.2), rtol=1e-12, atol=1e-15, what="the smoothed labels", inputs="y = [2, 0, 1, 2], num_classes=3, smoothing=0.2")
