"""Public tests of dropout.py: inverted dropout, its backward pass and the Dropout layer.

p is the probability of DROPPING a unit; kept units are scaled by 1 / (1 - p)
during training, and evaluation mode is the identity. The tests check the
mask (boolean, shape of x), the rescaling, evaluation mode, the backward pass
against known values and a numerical gradient, and the layer's train/eval.

Run just this file from the release folder:

    pytest tests/test_dropout.py

Passing these tests does not guarantee full marks: the grading checks the
statistics of the mask, float32 inputs and the invalid arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

import dropout
from gradient_check import numerical_gradient_array, rel_error


def test_forward_returns_boolean_mask_and_rescaled_kept_units():
    x = np.arange(1.0, 13.0).reshape(3, 4)
    out, mask = dropout.dropout_forward(x, 0.25, rng=np.random.default_rng(0))
    kind = f"{type(mask).__name__} {getattr(mask, 'dtype', '')}"
    assert isinstance(mask, np.ndarray) and mask.dtype == bool, f"mask must be a boolean array, got {kind}"
    assert mask.shape == x.shape, f"mask must have x's shape {x.shape}, got {mask.shape}"
    assert out.shape == x.shape, f"out must have x's shape {x.shape}, got {out.shape}"
    np.testing.assert_allclose(
        out, np.where(mask, x / 0.75, 0.0), rtol=1e-12,
        err_msg="dropout_forward(x, p=0.25): out = x * mask / (1 - p), kept units divided by 0.75, dropped units 0",
    )


def test_forward_keeps_about_a_fraction_one_minus_p():
    x = np.ones((200, 100))
    _, mask = dropout.dropout_forward(x, 0.3, rng=np.random.default_rng(0))
    kept = mask.mean()
    assert 0.67 < kept < 0.73, f"with p=0.3 (the probability of DROPPING) about 70% of 20000 units stay, got {kept:.1%}"


def test_forward_with_generators_seeded_alike_gives_the_same_mask():
    x = np.ones((4, 5))
    _, mask1 = dropout.dropout_forward(x, 0.5, rng=np.random.default_rng(7))
    _, mask2 = dropout.dropout_forward(x, 0.5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(
        mask1, mask2, err_msg="two calls with np.random.default_rng(7) must draw the same mask: draw only from rng"
    )


def test_forward_without_rng_uses_a_fresh_generator():
    out, mask = dropout.dropout_forward(np.ones((2, 3)), 0.5)
    assert out.shape == (2, 3) and mask.shape == (2, 3), (
        f"rng=None must work (use numpy.random.default_rng()); got shapes {out.shape}, {mask.shape}"
    )


def test_forward_in_evaluation_returns_a_copy_of_x_and_no_mask():
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    out, mask = dropout.dropout_forward(x, 0.5, training=False)
    assert mask is None, f"with training=False the mask is None, got {mask!r}"
    np.testing.assert_array_equal(out, x, err_msg="with training=False, out equals x (no scaling)")
    assert out is not x, "with training=False, out must be a copy of x, not x itself"


def test_backward_masks_and_rescales_dout():
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    mask = np.array([[True, False], [False, True]])
    dx = dropout.dropout_backward(dout, mask, 0.5)
    np.testing.assert_allclose(
        dx, [[2.0, 0.0], [0.0, 8.0]], rtol=1e-12,
        err_msg="dropout_backward(dout=[[1, 2], [3, 4]], mask=[[T, F], [F, T]], p=0.5) = dout * mask / 0.5",
    )


def test_backward_without_mask_returns_a_copy_of_dout():
    dout = np.array([1.0, -2.0, 3.0])
    dx = dropout.dropout_backward(dout, None, 0.5)
    np.testing.assert_array_equal(
        dx, dout, err_msg="dropout_backward(dout, None, p) (evaluation mode) returns dout unchanged"
    )
    assert dx is not dout, "dropout_backward(dout, None, p) must return a copy of dout, not dout itself"


def test_backward_matches_numerical_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 5))
    p = 0.4
    # The same seed draws the same mask on every call, so forward is a fixed function of x.
    forward = lambda z: dropout.dropout_forward(z, p, rng=np.random.default_rng(1))[0]  # noqa: E731
    _, mask = dropout.dropout_forward(x, p, rng=np.random.default_rng(1))
    dx = dropout.dropout_backward(dout, mask, p)
    error = rel_error(dx, numerical_gradient_array(forward, x, dout))
    assert error < 1e-8, f"dropout_backward differs from the numerical gradient of dropout_forward: error {error:.2e}"


def test_layer_starts_in_training_and_switches_with_train_and_eval():
    layer = dropout.Dropout(p=0.2, rng=np.random.default_rng(0))
    state = (layer.p, layer.training)
    assert state == (0.2, True), f"Dropout(p=0.2): expected (p, training) = (0.2, True), got {state}"
    layer.eval()
    assert not layer.training, "after eval(), training must be False"
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x), x, err_msg="in evaluation mode, Dropout.forward returns x as it is")
    layer.train()
    assert layer.training, "after train(), training must be True"


def test_layer_backward_uses_the_mask_of_the_last_forward():
    layer = dropout.Dropout(p=0.5, rng=np.random.default_rng(0))
    x = np.arange(1.0, 21.0).reshape(4, 5)
    out = layer.forward(x)
    mask = layer.mask
    assert isinstance(mask, np.ndarray) and mask.dtype == bool, "after a training forward, layer.mask is the bool mask"
    np.testing.assert_allclose(out, x * mask / 0.5, rtol=1e-12, err_msg="Dropout(p=0.5).forward(x) = x * mask / 0.5")
    dout = np.ones((4, 5))
    np.testing.assert_allclose(
        layer.backward(dout), dout * mask / 0.5, rtol=1e-12,
        err_msg="Dropout(p=0.5).backward(dout) = dout * mask / 0.5 with the mask of the last forward",
    )


def test_p_of_one_raises_value_error():
    with pytest.raises(ValueError, match="p"):
        dropout.dropout_forward(np.ones(3), 1.0)
