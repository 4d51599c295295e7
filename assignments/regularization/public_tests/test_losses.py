"""Public tests of losses.py: label smoothing and softmax cross entropy.

Label smoothing follows PyTorch: each row is ``(1 - smoothing) * onehot +
smoothing / K``, so the true class gets ``1 - smoothing + smoothing / K``.
Softmax cross entropy is the batch MEAN of ``-sum(targets * log_softmax)``,
for integer labels or probability rows, computed without overflow. Known
values are worked out by hand (softmax([0, ln 3]) = [1/4, 3/4]); dlogits is
checked against a numerical gradient.

Run just this file from the release folder:

    pytest tests/test_losses.py

Passing these tests does not guarantee full marks: the grading checks random
shapes, float32 inputs and the invalid arguments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
from gradient_check import numerical_gradient, rel_error

LN3 = math.log(3.0)
# softmax of each row: [1/4, 3/4] and [3/4, 1/4].
LOGITS = np.array([[0.0, LN3], [LN3, 0.0]])


def test_smooth_labels_spreads_smoothing_over_all_k_classes():
    got = losses.smooth_labels(np.array([0, 2]), 3, smoothing=0.3)
    np.testing.assert_allclose(
        got, [[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]], rtol=1e-12,
        err_msg="smooth_labels([0, 2], 3, smoothing=0.3): every class gets 0.3 / 3 = 0.1, the true class 0.7 more "
        "(spreading 0.3 over the K - 1 other classes instead would give [0.7, 0.15, 0.15])",
    )


def test_smooth_labels_default_smoothing_is_0_1():
    got = losses.smooth_labels(np.array([1]), 4)
    np.testing.assert_allclose(
        got, [[0.025, 0.925, 0.025, 0.025]], rtol=1e-12,
        err_msg="smooth_labels([1], 4) with the default smoothing=0.1: 0.1 / 4 = 0.025 each, 0.9 + 0.025 on class 1",
    )


def test_smooth_labels_without_smoothing_is_one_hot():
    got = losses.smooth_labels(np.array([2, 0, 1]), 3, smoothing=0.0)
    assert got.shape == (3, 3), f"smooth_labels of 3 labels and K=3 has shape (3, 3), got {got.shape}"
    assert np.issubdtype(got.dtype, np.floating), f"smooth_labels must return floats, got dtype {got.dtype}"
    np.testing.assert_array_equal(
        got, [[0, 0, 1], [1, 0, 0], [0, 1, 0]], err_msg="smooth_labels([2, 0, 1], 3, smoothing=0) is one-hot"
    )


def test_smooth_labels_label_out_of_range_raises_value_error():
    with pytest.raises(ValueError):
        losses.smooth_labels(np.array([0, 3]), 3)


def test_cross_entropy_with_labels_is_the_batch_mean():
    loss, _ = losses.softmax_cross_entropy(LOGITS, np.array([1, 1]))
    expected = (math.log(4 / 3) + math.log(4)) / 2  # -log(3/4) and -log(1/4), averaged
    assert np.ndim(loss) == 0, f"loss must be a scalar, got shape {np.shape(loss)}"
    assert float(loss) == pytest.approx(expected, rel=1e-10), (
        "softmax_cross_entropy([[0, ln 3], [ln 3, 0]], [1, 1]): the MEAN of -log(3/4) and -log(1/4) = "
        f"{expected:.6f}, got {float(loss):.6f}"
    )


def test_cross_entropy_gradient_with_labels_is_softmax_minus_onehot_over_n():
    _, dlogits = losses.softmax_cross_entropy(LOGITS, np.array([1, 1]))
    np.testing.assert_allclose(
        dlogits, [[0.125, -0.125], [0.375, -0.375]], rtol=1e-10,
        err_msg="dlogits of softmax_cross_entropy([[0, ln 3], [ln 3, 0]], [1, 1]) = (softmax - onehot) / N with N = 2",
    )


def test_cross_entropy_with_probability_rows():
    loss, dlogits = losses.softmax_cross_entropy(LOGITS[:1], np.array([[0.5, 0.5]]))
    expected = 0.5 * math.log(4) + 0.5 * math.log(4 / 3)  # -(0.5 log(1/4) + 0.5 log(3/4))
    assert float(loss) == pytest.approx(expected, rel=1e-10), (
        "softmax_cross_entropy([[0, ln 3]], targets=[[0.5, 0.5]]) = -(0.5 log(1/4) + 0.5 log(3/4)) = "
        f"{expected:.6f}, got {float(loss):.6f}"
    )
    np.testing.assert_allclose(
        dlogits, [[-0.25, 0.25]], rtol=1e-10,
        err_msg="dlogits for targets=[[0.5, 0.5]]: softmax - targets = [1/4 - 1/2, 3/4 - 1/2]",
    )


def test_cross_entropy_is_stable_for_large_logits():
    logits = np.array([[1e4, 0.0, -1e4]])
    loss, dlogits = losses.softmax_cross_entropy(logits, np.array([1]))
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits)), (
        f"logits of magnitude 1e4 must not overflow (subtract the row max): got loss {loss}, dlogits {dlogits}"
    )
    assert float(loss) == pytest.approx(1e4, rel=1e-10), (
        f"softmax_cross_entropy([[1e4, 0, -1e4]], [1]) = 1e4 (up to e**-1e4), got {float(loss)}"
    )
    np.testing.assert_allclose(
        dlogits, [[1.0, -1.0, 0.0]], atol=1e-12, err_msg="dlogits = softmax - onehot = [1, 0, 0] - [0, 1, 0]"
    )


def test_cross_entropy_gradient_with_labels_matches_numerical_gradient():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 5))
    y = np.array([0, 4, 2, 2])
    _, dlogits = losses.softmax_cross_entropy(logits, y)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, y)[0], logits)
    error = rel_error(dlogits, numeric)
    assert error < 1e-7, f"dlogits differs from the numerical gradient of the loss (integer labels): error {error:.2e}"


def test_cross_entropy_gradient_with_probability_rows_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((4, 5))
    targets = rng.uniform(0.1, 1.0, size=(4, 5))
    targets /= targets.sum(axis=1, keepdims=True)
    _, dlogits = losses.softmax_cross_entropy(logits, targets)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, targets)[0], logits)
    error = rel_error(dlogits, numeric)
    assert error < 1e-7, f"dlogits differs from the numerical gradient of the loss (probability rows): {error:.2e}"
