"""The regularization reference's analytic gradients agree with central differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.course import load_reference_module
from autograder.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

penalties = load_reference_module("regularization", "penalties")
dropout = load_reference_module("regularization", "dropout")
normalization = load_reference_module("regularization", "normalization")
losses = load_reference_module("regularization", "losses")

TOL = 1e-7


def _away_from_zero(rng, shape):
    W = rng.standard_normal(shape)
    return W + np.sign(W) * 0.1  # |w| >= 0.1, far from the kink for h = 1e-5


@pytest.mark.parametrize(
    "penalty, gradient, kwargs",
    [
        ("l1_penalty", "l1_gradient", {}),
        ("l2_penalty", "l2_gradient", {}),
        ("elastic_net_penalty", "elastic_net_gradient", {"l1_ratio": 0.3}),
        ("elastic_net_penalty", "elastic_net_gradient", {"l1_ratio": 0.0}),
        ("elastic_net_penalty", "elastic_net_gradient", {"l1_ratio": 1.0}),
    ],
    ids=["l1", "l2", "elastic_net", "elastic_net_l2_only", "elastic_net_l1_only"],
)
def test_penalty_gradient_matches_central_differences(rng, penalty, gradient, kwargs):
    W = _away_from_zero(rng, (4, 5))
    numeric = numerical_gradient(lambda w: getattr(penalties, penalty)(w, 0.7, **kwargs), W)
    assert rel_error(getattr(penalties, gradient)(W, 0.7, **kwargs), numeric) < TOL


@pytest.mark.parametrize("gradient", ["l1_gradient", "elastic_net_gradient"])
def test_l1_part_of_the_gradient_is_exactly_zero_at_zero(gradient):
    W = np.array([0.0, -0.0, 1.0])
    assert getattr(penalties, gradient)(W, 0.5)[:2].tolist() == [0.0, 0.0]


def test_penalty_gradient_away_from_zero_in_a_matrix_with_zeros_matches_central_differences(rng):
    W = _away_from_zero(rng, (3, 4))
    W[0, :2] = 0.0
    inner = (slice(1, None), slice(None))  # the entries away from the kink
    numeric = numerical_gradient(lambda w: penalties.elastic_net_penalty(w, 0.4, l1_ratio=0.6), W)
    analytic = penalties.elastic_net_gradient(W, 0.4, l1_ratio=0.6)
    assert rel_error(analytic[inner], numeric[inner]) < TOL
    assert analytic[0, :2].tolist() == [0.0, 0.0]


def test_dropout_backward_matches_central_differences_for_a_fixed_mask(rng):
    x = rng.standard_normal((6, 7))
    dout = rng.standard_normal((6, 7))
    p = 0.3
    _, mask = dropout.dropout_forward(x, p, rng=np.random.default_rng(5))
    forward = lambda z: dropout.dropout_forward(z, p, rng=np.random.default_rng(5))[0]
    numeric = numerical_gradient_array(forward, x, dout)
    assert rel_error(dropout.dropout_backward(dout, mask, p), numeric) < TOL


def _gradients(layer, x, dout):
    """Analytic and numeric (dx, dgamma, dbeta) of ``layer`` in its current mode."""
    _forward_keep_stats(layer, x)
    analytic = (layer.backward(dout), layer.dgamma, layer.dbeta)
    gamma, beta = layer.gamma.copy(), layer.beta.copy()
    numeric = (
        numerical_gradient_array(lambda z: _forward_keep_stats(layer, z), x, dout),
        numerical_gradient_array(lambda g: _forward_with(layer, x, gamma=g), gamma, dout),
        numerical_gradient_array(lambda b: _forward_with(layer, x, beta=b), beta, dout),
    )
    return analytic, numeric


def _forward_keep_stats(layer, x):
    """``layer.forward(x)``, with the running statistics (if any) put back afterwards."""
    stats = (getattr(layer, "running_mean", None), getattr(layer, "running_var", None))
    out = layer.forward(x)
    if stats[0] is not None:
        layer.running_mean, layer.running_var = stats
    return out


def _forward_with(layer, x, **parameters):
    saved = {name: getattr(layer, name) for name in parameters}
    for name, value in parameters.items():
        setattr(layer, name, value)
    try:
        return _forward_keep_stats(layer, x)
    finally:
        for name, value in saved.items():
            setattr(layer, name, value)


def _batchnorm(rng, d):
    bn = normalization.BatchNorm1d(d, momentum=0.3)
    bn.gamma = rng.standard_normal(d)
    bn.beta = rng.standard_normal(d)
    return bn


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batchnorm_backward_matches_central_differences(rng, mode):
    bn = _batchnorm(rng, 4)
    bn.forward(rng.standard_normal((8, 4)) * 3 + 1)  # running statistics away from 0 and 1
    getattr(bn, mode)()
    x = rng.standard_normal((5, 4)) * 2 - 1
    analytic, numeric = _gradients(bn, x, rng.standard_normal((5, 4)))
    for name, a, n in zip(("dx", "dgamma", "dbeta"), analytic, numeric):
        assert rel_error(a, n) < TOL, name


def test_batchnorm_backward_on_a_batch_of_three_matches_central_differences(rng):
    # (With N = 2 every normalised value is +-1 whatever x is, so dx is ~0 and a relative error says nothing.)
    bn = _batchnorm(rng, 3)
    x = rng.standard_normal((3, 3)) * 2
    analytic, numeric = _gradients(bn, x, rng.standard_normal((3, 3)))
    for name, a, n in zip(("dx", "dgamma", "dbeta"), analytic, numeric):
        assert rel_error(a, n) < TOL, name


def test_layernorm_backward_of_one_row_matches_central_differences(rng):
    ln = normalization.LayerNorm(5)
    ln.gamma = rng.standard_normal(5)
    x = rng.standard_normal((1, 5)) * 3
    analytic, numeric = _gradients(ln, x, rng.standard_normal((1, 5)))
    for name, a, n in zip(("dx", "dgamma", "dbeta"), analytic, numeric):
        assert rel_error(a, n) < TOL, name


def test_layernorm_backward_matches_central_differences(rng):
    ln = normalization.LayerNorm(6)
    ln.gamma = rng.standard_normal(6)
    ln.beta = rng.standard_normal(6)
    x = rng.standard_normal((3, 6)) * 2 + 0.5
    analytic, numeric = _gradients(ln, x, rng.standard_normal((3, 6)))
    for name, a, n in zip(("dx", "dgamma", "dbeta"), analytic, numeric):
        assert rel_error(a, n) < TOL, name


def test_cross_entropy_gradient_with_integer_labels_matches_central_differences(rng):
    logits = rng.standard_normal((5, 4)) * 3
    y = rng.integers(0, 4, size=5)
    _, dlogits = losses.softmax_cross_entropy(logits, y)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, y)[0], logits)
    assert rel_error(dlogits, numeric) < TOL


def test_cross_entropy_gradient_with_probability_rows_matches_central_differences(rng):
    logits = rng.standard_normal((5, 4)) * 3
    targets = rng.dirichlet(np.ones(4), size=5)
    _, dlogits = losses.softmax_cross_entropy(logits, targets)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, targets)[0], logits)
    assert rel_error(dlogits, numeric) < TOL


def test_cross_entropy_gradient_with_smoothed_labels_matches_central_differences(rng):
    logits = rng.standard_normal((4, 6)) * 2
    targets = losses.smooth_labels(rng.integers(0, 6, size=4), 6, smoothing=0.2)
    _, dlogits = losses.softmax_cross_entropy(logits, targets)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, targets)[0], logits)
    assert rel_error(dlogits, numeric) < TOL
