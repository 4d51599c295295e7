"""Hidden graders of penalties.py: values on random inputs, subgradients at 0, invalid arguments."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_array, assert_close, assert_python_float
from autograder.grading.inputs import normal

SHAPES = [(5,), (3, 4), (2, 3, 4)]
DTYPES = {"float64": (np.float64, 1e-10), "float32": (np.float32, 1e-5)}


def _weights(seed, shape, dtype):
    return normal(seed, shape, dtype=dtype)


def _case(seed, shape, dtype_name):
    dtype, rtol = DTYPES[dtype_name]
    return _weights(seed, shape, dtype), rtol, f"W of shape {shape}, {dtype_name}, random normal (seed {seed})"


def _describe(inputs, kwargs):
    return ", ".join([inputs, "lam=0.37"] + [f"{k}={v}" for k, v in kwargs.items()])


PENALTIES = {
    "penalties.l1_penalty": {},
    "penalties.l2_penalty": {},
    "penalties.elastic_net_penalty": {"l1_ratio": 0.3},
}
GRADIENTS = {
    "penalties.l1_gradient": {},
    "penalties.l2_gradient": {},
    "penalties.elastic_net_gradient": {"l1_ratio": 0.7},
}


def _items(table):
    return [pytest.param(name, kwargs, marks=pytest.mark.item(name), id=name.split(".")[1]) for name, kwargs in table.items()]


@pytest.mark.parametrize("name, kwargs", _items(PENALTIES))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_penalty_matches_the_reference_on_random_weights(compare, name, kwargs, shape, dtype):
    """matches the reference on random weights"""
    W, rtol, inputs = _case(11, shape, dtype)
    compare(lambda s: s.call(name, W, 0.37, **kwargs), rtol=rtol, atol=1e-12, inputs=_describe(inputs, kwargs))


@pytest.mark.parametrize("name, kwargs", _items(PENALTIES))
def test_penalty_sums_over_a_list_of_arrays_and_returns_a_float(submission, compare, name, kwargs):
    """sums over a list of arrays and returns a Python float"""
    weights = [_weights(1, (3, 2), np.float64), _weights(2, (4,), np.float64)]
    got, _ = compare(lambda s: s.call(name, weights, 0.2, **kwargs), rtol=1e-10, atol=1e-12, inputs="a list of two arrays, shapes (3, 2) and (4,), lam=0.2")
    assert_python_float(got, f"{name.split('.')[1]}(...)")


@pytest.mark.parametrize("name, kwargs", _items(PENALTIES) + _items(GRADIENTS))
def test_negative_lam_raises_value_error(submission, name, kwargs):
    """rejects a negative lam with ValueError"""
    with submission.raises(ValueError, "for lam=-0.1"):
        submission.call(name, np.ones(3), -0.1, **kwargs)


ELASTIC = {name: {} for name in ("penalties.elastic_net_penalty", "penalties.elastic_net_gradient")}


@pytest.mark.parametrize("name, kwargs", _items(ELASTIC))
@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5])
def test_l1_ratio_outside_0_1_raises_value_error(submission, name, kwargs, l1_ratio):
    """rejects l1_ratio outside [0, 1] with ValueError"""
    with submission.raises(ValueError, f"for l1_ratio={l1_ratio}"):
        submission.call(name, np.ones(3), 0.1, l1_ratio=l1_ratio)


@pytest.mark.parametrize("name, kwargs", _items(GRADIENTS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_matches_the_reference_on_random_weights(compare, name, kwargs, shape, dtype):
    """matches the reference on random weights"""
    W, rtol, inputs = _case(23, shape, dtype)
    got, _ = compare(lambda s: s.call(name, W, 0.37, **kwargs), rtol=rtol, atol=1e-12, inputs=_describe(inputs, kwargs))
    assert_array(got, shape=shape, what=f"{name.split('.')[1]}(...)")


@pytest.mark.parametrize("name, kwargs", _items(GRADIENTS))
def test_gradient_is_the_derivative_of_the_penalty(submission, reference, name, kwargs):
    """is the derivative of the penalty (central differences, away from 0)"""
    W = _weights(5, (3, 4), np.float64)
    W = W + np.sign(W) * 0.1
    penalty = name.replace("gradient", "penalty")
    # the reference's penalty, so that a mistake in the student's penalty costs only that item
    numeric = np.zeros_like(W)
    h = 1e-6
    steps = {index: np.zeros_like(W) for index in np.ndindex(W.shape)}
    for index, step in steps.items():
        step[index] = h
    values = iter(reference.call_each(penalty, [((W + sign * step, 0.5), kwargs) for step in steps.values() for sign in (1, -1)]))
    for index in steps:
        numeric[index] = (next(values) - next(values)) / (2 * h)
    got = submission.call(name, W, 0.5, **kwargs)
    assert_close(got, numeric, rtol=1e-5, atol=1e-7, what=f"{name.split('.')[1]}(W, 0.5)",
                 inputs=f"W of shape (3, 4) (seed 5), compared with central differences of {penalty.split('.')[1]}")


ZERO_SUBGRADIENT = {"penalties.l1_gradient": {}, "penalties.elastic_net_gradient": {"l1_ratio": 0.6}}


@pytest.mark.parametrize("name, kwargs", _items(ZERO_SUBGRADIENT))
def test_gradient_at_zero_weights_is_the_zero_subgradient(compare, name, kwargs):
    """is exactly 0 where W == 0"""
    W = np.array([[0.0, 1.5, -2.0], [0.0, -0.0, 3.0]])
    # atol=0: where W == 0 the gradient must be exactly 0; elsewhere rounding is allowed
    compare(lambda s: s.call(name, W, 0.8, **kwargs), rtol=1e-12, atol=0, inputs="W = [[0, 1.5, -2], [0, -0, 3]], lam=0.8")


@pytest.mark.parametrize("name, kwargs", _items(GRADIENTS) + _items(PENALTIES))
def test_weights_are_left_unmodified(submission, compare, name, kwargs):
    """leaves its input unmodified"""
    W = _weights(7, (4, 3), np.float64)
    _, (W_after, _), _ = submission.call_and_inputs(name, W, 0.3, **kwargs)
    assert_close(W_after, W, rtol=0, atol=0, what="W after the call", inputs="W of shape (4, 3) (seed 7), lam=0.3; the function must not modify its input")
    compare(lambda s: s.call(name, W, 0.3, **kwargs), rtol=1e-10, atol=1e-12, inputs="W of shape (4, 3) (seed 7), lam=0.3")
