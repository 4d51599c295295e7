"""Public tests of penalties.py: L1, L2 and elastic-net penalties and their gradients.

Known values worked out by hand on tiny arrays (note the 0.5 in front of the
L2 penalty, so its gradient is lam * W, not 2 * lam * W), and a numerical
gradient check of each gradient function at weights away from 0.

Run just this file from the release folder:

    pytest tests/test_penalties.py

Passing these tests does not guarantee full marks: the grading checks random
shapes, float32 inputs and the invalid arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

import penalties
from gradient_check import numerical_gradient, rel_error

W = np.array([[1.0, -2.0], [0.0, 3.0]])  # sum |w| = 6, sum w**2 = 14


def test_l1_penalty_of_one_array():
    got = penalties.l1_penalty(W, 0.1)
    assert isinstance(got, float), f"l1_penalty must return a Python float, got {type(got).__name__}"
    assert got == pytest.approx(0.6), f"l1_penalty([[1, -2], [0, 3]], lam=0.1) = 0.1 * 6 = 0.6, got {got}"


def test_l1_penalty_sums_over_a_list_of_arrays():
    got = penalties.l1_penalty([W, np.array([-4.0])], 0.1)
    assert got == pytest.approx(1.0), f"l1_penalty([[[1, -2], [0, 3]], [-4]], lam=0.1) = 0.1 * (6 + 4) = 1.0, got {got}"


def test_l2_penalty_has_the_one_half_factor():
    got = penalties.l2_penalty(W, 0.1)
    assert isinstance(got, float), f"l2_penalty must return a Python float, got {type(got).__name__}"
    assert got == pytest.approx(0.7), f"l2_penalty([[1, -2], [0, 3]], lam=0.1) = 0.5 * 0.1 * 14 = 0.7, got {got}"


def test_l2_penalty_sums_over_a_list_of_arrays():
    got = penalties.l2_penalty([W, np.array([-4.0])], 0.1)
    assert got == pytest.approx(1.5), (
        f"l2_penalty([[[1, -2], [0, 3]], [-4]], lam=0.1) = 0.5 * 0.1 * (14 + 16) = 1.5, got {got}"
    )


def test_l1_gradient_is_lam_times_sign_and_zero_at_zero():
    got = penalties.l1_gradient(W, 0.1)
    dtype = np.asarray(got).dtype
    assert np.issubdtype(dtype, np.floating), f"l1_gradient must return floats, got dtype {dtype}"
    np.testing.assert_allclose(
        got, [[0.1, -0.1], [0.0, 0.1]], rtol=1e-12,
        err_msg="l1_gradient([[1, -2], [0, 3]], lam=0.1) = 0.1 * sign(W), exactly 0 where W == 0",
    )


def test_l2_gradient_is_lam_times_w():
    got = penalties.l2_gradient(W, 0.1)
    np.testing.assert_allclose(
        got, [[0.1, -0.2], [0.0, 0.3]], rtol=1e-12,
        err_msg="l2_gradient([[1, -2], [0, 3]], lam=0.1) = lam * W (the 0.5 of the penalty cancels the 2)",
    )


def test_elastic_net_penalty_mixes_l1_and_half_l2():
    got = penalties.elastic_net_penalty(W, 0.1, l1_ratio=0.25)
    expected = 0.1 * (0.25 * 6 + 0.5 * 0.75 * 14)  # 0.675
    assert got == pytest.approx(expected), (
        "elastic_net_penalty([[1, -2], [0, 3]], lam=0.1, l1_ratio=0.25) = 0.1 * (0.25 * 6 + 0.5 * 0.75 * 14) = "
        f"{expected}, got {got}"
    )
    got = penalties.elastic_net_penalty(W, 0.1)
    assert got == pytest.approx(0.1 * (0.5 * 6 + 0.25 * 14)), (
        f"elastic_net_penalty([[1, -2], [0, 3]], lam=0.1) with the default l1_ratio=0.5: expected 0.65, got {got}"
    )


def test_elastic_net_gradient_mixes_sign_and_w():
    got = penalties.elastic_net_gradient(W, 0.1, l1_ratio=0.25)
    np.testing.assert_allclose(
        got, [[0.1, -0.175], [0.0, 0.25]], rtol=1e-12,
        err_msg="elastic_net_gradient([[1, -2], [0, 3]], lam=0.1, l1_ratio=0.25) = 0.1 * (0.25 * sign(W) + 0.75 * W)",
    )


@pytest.mark.parametrize(
    "penalty, gradient, kwargs",
    [
        ("l1_penalty", "l1_gradient", {}),
        ("l2_penalty", "l2_gradient", {}),
        ("elastic_net_penalty", "elastic_net_gradient", {"l1_ratio": 0.3}),
    ],
)
def test_gradient_matches_numerical_gradient_of_the_penalty(penalty, gradient, kwargs):
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.5, 2.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))  # away from 0
    analytic = getattr(penalties, gradient)(weights, 0.3, **kwargs)
    numeric = numerical_gradient(lambda w: getattr(penalties, penalty)(w, 0.3, **kwargs), weights)
    error = rel_error(analytic, numeric)
    assert error < 1e-7, f"{gradient}(W, 0.3) differs from the numerical gradient of {penalty}: error {error:.2e}"


def test_negative_lam_raises_value_error():
    with pytest.raises(ValueError, match="lam"):
        penalties.l2_penalty(W, -0.1)
