"""Public tests of normalization.py: BatchNorm1d and LayerNorm, forward and backward.

Known values worked out by hand on tiny batches: BatchNorm normalises each
column with the batch mean and the BIASED variance, and updates its running
statistics with ``(1 - momentum) * running + momentum * batch`` using the
UNBIASED variance (as PyTorch does); in evaluation it uses the running
statistics. LayerNorm normalises each row. The backward passes (dx, dgamma,
dbeta) are checked against numerical gradients.

Run just this file from the release folder:

    pytest tests/test_normalization.py

Passing these tests does not guarantee full marks: the grading checks random
shapes, many steps of the running statistics and the invalid arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

import normalization
from gradient_check import numerical_gradient_array, rel_error

EPS = 1e-5  # the default eps of both layers

# Columns: mean [2, 4], biased variance [1, 4], unbiased variance [2, 8].
X_BATCH = np.array([[1.0, 2.0], [3.0, 6.0]])


def _check_backward(layer, x, dout, name):
    """Compare layer.backward's dx, dgamma and dbeta with numerical gradients of layer.forward."""
    layer.forward(x)
    dx = layer.backward(dout)
    dgamma, dbeta = np.array(layer.dgamma, dtype=float), np.array(layer.dbeta, dtype=float)
    gamma, beta = layer.gamma.copy(), layer.beta.copy()

    def forward_with_gamma(g):
        layer.gamma = g
        return layer.forward(x)

    def forward_with_beta(b):
        layer.beta = b
        return layer.forward(x)

    numeric_dx = numerical_gradient_array(layer.forward, x, dout)
    numeric_dgamma = numerical_gradient_array(forward_with_gamma, gamma.copy(), dout)
    layer.gamma = gamma
    numeric_dbeta = numerical_gradient_array(forward_with_beta, beta.copy(), dout)
    layer.beta = beta
    return {
        f"{name}.backward's dx": rel_error(dx, numeric_dx),
        f"{name}.dgamma": rel_error(dgamma, numeric_dgamma),
        f"{name}.dbeta": rel_error(dbeta, numeric_dbeta),
    }


def test_batchnorm_starts_with_identity_parameters_and_unit_running_statistics():
    bn = normalization.BatchNorm1d(3)
    starts = {"gamma": np.ones(3), "beta": np.zeros(3), "running_mean": np.zeros(3), "running_var": np.ones(3)}
    for name, expected in starts.items():
        np.testing.assert_array_equal(getattr(bn, name), expected, err_msg=f"BatchNorm1d(3).{name} at first")
    state = (bn.training, bn.eps, bn.momentum)
    assert state == (True, 1e-5, 0.1), f"BatchNorm1d(3): (training, eps, momentum) should be (True, 1e-5, 0.1): {state}"


def test_batchnorm_training_forward_uses_batch_mean_and_biased_variance():
    bn = normalization.BatchNorm1d(2)
    bn.gamma = np.array([2.0, 0.5])
    bn.beta = np.array([1.0, -1.0])
    out = bn.forward(X_BATCH)
    x_hat = np.array([[-1.0, -2.0], [1.0, 2.0]]) / np.sqrt([1 + EPS, 4 + EPS])
    np.testing.assert_allclose(
        out, x_hat * [2.0, 0.5] + [1.0, -1.0], rtol=1e-10,
        err_msg="BatchNorm1d on [[1, 2], [3, 6]] with gamma=[2, 0.5], beta=[1, -1]: "
        "column means [2, 4], BIASED variances [1, 4], out = gamma * (x - mean) / sqrt(var + eps) + beta",
    )


def test_batchnorm_running_statistics_use_momentum_and_unbiased_variance():
    bn = normalization.BatchNorm1d(2)
    bn.forward(X_BATCH)
    np.testing.assert_allclose(
        bn.running_mean, [0.2, 0.4], rtol=1e-10,
        err_msg="after one forward of [[1, 2], [3, 6]]: running_mean = 0.9 * [0, 0] + 0.1 * [2, 4] (momentum=0.1)",
    )
    np.testing.assert_allclose(
        bn.running_var, [1.1, 1.7], rtol=1e-10,
        err_msg="after one forward of [[1, 2], [3, 6]]: running_var = 0.9 * [1, 1] + 0.1 * [2, 8], "
        "with the UNBIASED batch variance [2, 8] (the biased [1, 4] would give [1.0, 1.3])",
    )


def test_batchnorm_evaluation_uses_running_statistics_and_updates_nothing():
    bn = normalization.BatchNorm1d(2)
    bn.running_mean = np.array([1.0, -1.0])
    bn.running_var = np.array([4.0, 0.25])
    bn.eval()
    assert not bn.training, "after eval(), training must be False"
    out = bn.forward(np.array([[3.0, 0.0]]))  # one row is fine in evaluation
    np.testing.assert_allclose(
        out, [[2.0 / np.sqrt(4 + EPS), 1.0 / np.sqrt(0.25 + EPS)]], rtol=1e-10,
        err_msg="in evaluation, BatchNorm1d normalises [[3, 0]] with running_mean=[1, -1] and running_var=[4, 0.25]",
    )
    np.testing.assert_array_equal(bn.running_mean, [1.0, -1.0], err_msg="evaluation must not update running_mean")
    np.testing.assert_array_equal(bn.running_var, [4.0, 0.25], err_msg="evaluation must not update running_var")


def test_batchnorm_backward_matches_numerical_gradients():
    rng = np.random.default_rng(2)
    bn = normalization.BatchNorm1d(4)
    bn.gamma = rng.uniform(0.5, 1.5, size=4)
    bn.beta = rng.standard_normal(4)
    x = rng.standard_normal((5, 4)) * 3 + 1
    errors = _check_backward(bn, x, rng.standard_normal((5, 4)), "BatchNorm1d")
    bad = {name: f"{error:.2e}" for name, error in errors.items() if not error < 1e-6}
    assert not bad, f"relative error to the numerical gradient above 1e-6: {bad}"


def test_batchnorm_one_row_in_training_raises_value_error():
    bn = normalization.BatchNorm1d(3)
    with pytest.raises(ValueError):
        bn.forward(np.ones((1, 3)))


def test_layernorm_starts_with_identity_parameters():
    ln = normalization.LayerNorm(3)
    np.testing.assert_array_equal(ln.gamma, np.ones(3), err_msg="LayerNorm(3).gamma must start as ones(3)")
    np.testing.assert_array_equal(ln.beta, np.zeros(3), err_msg="LayerNorm(3).beta must start as zeros(3)")


def test_layernorm_normalises_each_row_with_biased_variance():
    ln = normalization.LayerNorm(4)
    ln.gamma = np.array([1.0, 2.0, 1.0, 1.0])
    ln.beta = np.array([0.0, 0.0, 0.0, 1.0])
    x = np.array([[0.0, 0.0, 4.0, 4.0], [1.0, 1.0, 1.0, 5.0]])  # row means 2, 2; biased variances 4, 3
    x_hat = np.array([[-2.0, -2.0, 2.0, 2.0], [-1.0, -1.0, -1.0, 3.0]]) / np.sqrt([[4 + EPS], [3 + EPS]])
    np.testing.assert_allclose(
        ln.forward(x), x_hat * [1.0, 2.0, 1.0, 1.0] + [0.0, 0.0, 0.0, 1.0], rtol=1e-10,
        err_msg="LayerNorm on [[0, 0, 4, 4], [1, 1, 1, 5]]: each ROW minus its mean 2, over sqrt(biased var + eps), "
        "the row variances being 4 and 3; then gamma * x_hat + beta",
    )


def test_layernorm_works_on_a_single_row():
    ln = normalization.LayerNorm(2)
    np.testing.assert_allclose(
        ln.forward(np.array([[1.0, 3.0]])), [[-1.0 / np.sqrt(1 + EPS), 1.0 / np.sqrt(1 + EPS)]], rtol=1e-10,
        err_msg="LayerNorm(2) on [[1, 3]]: mean 2, variance 1; a single row is fine (the statistics are per row)",
    )


def test_layernorm_computes_the_same_in_evaluation():
    ln = normalization.LayerNorm(3)
    x = np.array([[1.0, 2.0, 6.0], [0.0, -3.0, 3.0]])
    out_training = ln.forward(x)
    ln.eval()
    np.testing.assert_allclose(
        ln.forward(x), out_training, rtol=1e-12,
        err_msg="LayerNorm has no running statistics: after eval() it normalises each row exactly as in training",
    )


def test_layernorm_backward_matches_numerical_gradients():
    rng = np.random.default_rng(1)
    ln = normalization.LayerNorm(6)
    ln.gamma = rng.uniform(0.5, 1.5, size=6)
    ln.beta = rng.standard_normal(6)
    x = rng.standard_normal((3, 6)) * 2 - 1
    errors = _check_backward(ln, x, rng.standard_normal((3, 6)), "LayerNorm")
    bad = {name: f"{error:.2e}" for name, error in errors.items() if not error < 1e-6}
    assert not bad, f"relative error to the numerical gradient above 1e-6: {bad}"
