"""Hidden graders of normalization.py: BatchNorm1d and LayerNorm, forward, backward, running statistics."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_close
from autograder.grading.inputs import normal

batchnorm = pytest.mark.item("normalization.BatchNorm1d")
layernorm = pytest.mark.item("normalization.LayerNorm")


def _x(seed, shape, scale=2.0, shift=1.0, dtype=np.float64):
    return normal(seed, shape, scale, shift, dtype)


def _params(d, seed):
    """Random gamma and beta, to set as a layer's first step (the steps of a test go in one round trip: ``sequence``)."""
    gamma, beta = normal(seed, (2, d))
    return {"gamma": gamma, "beta": beta}


@batchnorm
def test_batchnorm_starts_with_the_contract_attributes(compare):
    """starts with gamma 1, beta 0, running_mean 0, running_var 1, training True"""
    def drive(s):
        bn = s.new("normalization.BatchNorm1d", 4)
        return bn.get("gamma", "beta", "running_mean", "running_var", "training", "eps", "momentum")

    compare(drive, rtol=0, atol=0, what="(gamma, beta, running_mean, running_var, training, eps, momentum)", inputs="BatchNorm1d(4)")


@batchnorm
@pytest.mark.parametrize("shape", [(2, 3), (16, 5), (64, 8)], ids=str)
# float32 inputs are allowed float32 precision: rounding in the backward pass's
# cancellations reaches about 1e-6 in absolute terms, whichever order the sums take.
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-8, 1e-10), (np.float32, 1e-4, 2e-5)], ids=["float64", "float32"])
def test_batchnorm_training_forward_and_backward_match_the_reference(compare, shape, dtype, rtol, atol):
    """training forward, backward, dgamma and dbeta match the reference"""
    x, dout = _x(1, shape, dtype=dtype), _x(2, shape, 1.0, 0.0, dtype)

    def drive(s):
        bn = s.new("normalization.BatchNorm1d", shape[1])
        return bn.sequence(_params(shape[1], 3), ("forward", x), ("backward", dout), "dgamma", "dbeta")

    compare(drive, rtol=rtol, atol=atol, what="(out, dx, dgamma, dbeta)", inputs=f"x of shape {shape}, {np.dtype(dtype).name} (seed 1), random gamma and beta (seed 3)")


@batchnorm
def test_batchnorm_running_statistics_over_several_batches(compare):
    """running statistics over six batches with momentum 0.3 (unbiased variance)"""
    batches = [_x(10 + i, (5 + i, 4), i + 1.0, float(i)) for i in range(6)]

    def drive(s):
        bn = s.new("normalization.BatchNorm1d", 4, momentum=0.3)
        values = bn.sequence(*[step for x in batches for step in (("forward", x), "running_mean", "running_var")])
        return [values[i + 1 : i + 3] for i in range(0, len(values), 3)]  # (running_mean, running_var) after each batch

    compare(drive, rtol=1e-8, atol=1e-10, what="(running_mean, running_var) after each batch", inputs="six batches of shapes (5, 4) to (10, 4), momentum=0.3")


@batchnorm
def test_batchnorm_evaluation_uses_running_statistics_and_updates_nothing(compare):
    """evaluation mode normalises with the running statistics and updates nothing"""
    batches = [_x(20 + i, (8, 3)) for i in range(3)]
    x_eval, dout = _x(30, (1, 3)), _x(31, (1, 3), 1.0, 0.0)

    def drive(s):
        bn = s.new("normalization.BatchNorm1d", 3)
        *_, out, training, dx, dgamma, running_mean, running_var = bn.sequence(
            _params(3, 4), *[("forward", x) for x in batches], ("eval",), ("forward", x_eval), "training", ("backward", dout), "dgamma", "running_mean", "running_var"
        )
        return training, out, dx, dgamma, running_mean, running_var

    compare(drive, rtol=1e-8, atol=1e-10, what="(training, out, dx, dgamma, running_mean, running_var) in evaluation", inputs="three training batches (8, 3), then eval() and a batch of ONE row")


@batchnorm
def test_batchnorm_backward_is_the_gradient_of_the_forward(submission):
    """dx is the gradient of your own training forward (central differences)"""
    x, dout = _x(40, (5, 3)), _x(41, (5, 3), 1.0, 0.0)
    bn = submission.new("normalization.BatchNorm1d", 3)
    _, dx = bn.sequence(_params(3, 42), ("forward", x), ("backward", dout))
    numeric = np.zeros_like(x)
    h = 1e-5
    steps = {index: np.zeros_like(x) for index in np.ndindex(x.shape)}
    for index, step in steps.items():
        step[index] = h
    # one forward per perturbed entry, plus then minus, gathered in a few round trips
    outputs = iter(bn.call_each("forward", [((x + sign * step,), {}) for step in steps.values() for sign in (1, -1)]))
    for index in steps:
        numeric[index] = np.sum((next(outputs) - next(outputs)) * dout) / (2 * h)
    assert_close(dx, numeric, rtol=1e-5, atol=1e-7, what="dx", inputs="x of shape (5, 3) (seed 40), dout (seed 41); compared with central differences of your forward")


@batchnorm
def test_batchnorm_one_row_in_training_raises_value_error(submission):
    """rejects a batch of one row in training with ValueError"""
    bn = submission.new("normalization.BatchNorm1d", 3)
    with submission.raises(ValueError, "for a training batch of shape (1, 3)"):
        bn.call("forward", np.ones((1, 3)))


@batchnorm
def test_batchnorm_leaves_its_input_unmodified(submission, compare):
    """leaves x unmodified"""
    x = _x(50, (6, 3))
    bn = submission.new("normalization.BatchNorm1d", 3)
    _, (x_after,), _ = bn.call_and_inputs("forward", x)
    assert_close(x_after, x, rtol=0, atol=0, what="x after forward(x)", inputs="x of shape (6, 3)")
    compare(lambda s: s.new("normalization.BatchNorm1d", 3).call("forward", x), rtol=1e-8, atol=1e-10, what="forward(x)", inputs="x of shape (6, 3)")


@layernorm
@pytest.mark.parametrize("shape", [(1, 4), (7, 6), (32, 16)], ids=str)
# float32 inputs are allowed float32 precision: rounding in the backward pass's
# cancellations reaches about 1e-6 in absolute terms, whichever order the sums take.
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-8, 1e-10), (np.float32, 1e-4, 2e-5)], ids=["float64", "float32"])
def test_layernorm_forward_and_backward_match_the_reference(compare, shape, dtype, rtol, atol):
    """forward, backward, dgamma and dbeta match the reference"""
    x, dout = _x(60, shape, dtype=dtype), _x(61, shape, 1.0, 0.0, dtype)

    def drive(s):
        ln = s.new("normalization.LayerNorm", shape[1])
        return ln.sequence(_params(shape[1], 62), ("forward", x), ("backward", dout), "dgamma", "dbeta")

    compare(drive, rtol=rtol, atol=atol, what="(out, dx, dgamma, dbeta)", inputs=f"x of shape {shape}, {np.dtype(dtype).name} (seed 60), random gamma and beta")


@layernorm
def test_layernorm_is_the_same_in_evaluation(compare):
    """gives the same result in evaluation mode"""
    x = _x(63, (4, 5))

    def drive(s):
        ln = s.new("normalization.LayerNorm", 5)
        out, _, evaluated = ln.sequence(_params(5, 64), ("forward", x), ("eval",), ("forward", x))
        return out, evaluated

    compare(drive, rtol=1e-10, atol=1e-12, what="(out in training, out in evaluation)", inputs="x of shape (4, 5)")


@layernorm
def test_layernorm_backward_is_the_gradient_of_the_forward(submission):
    """dx is the gradient of your own forward (central differences)"""
    x, dout = _x(65, (3, 4)), _x(66, (3, 4), 1.0, 0.0)
    ln = submission.new("normalization.LayerNorm", 4)
    _, dx = ln.sequence(_params(4, 67), ("forward", x), ("backward", dout))
    numeric = np.zeros_like(x)
    h = 1e-5
    steps = {index: np.zeros_like(x) for index in np.ndindex(x.shape)}
    for index, step in steps.items():
        step[index] = h
    # one forward per perturbed entry, plus then minus, gathered in a few round trips
    outputs = iter(ln.call_each("forward", [((x + sign * step,), {}) for step in steps.values() for sign in (1, -1)]))
    for index in steps:
        numeric[index] = np.sum((next(outputs) - next(outputs)) * dout) / (2 * h)
    assert_close(dx, numeric, rtol=1e-5, atol=1e-7, what="dx", inputs="x of shape (3, 4) (seed 65); compared with central differences of your forward")


@batchnorm
def test_batchnorm_train_after_eval_uses_batch_statistics_again(compare):
    """train() after eval() normalises with batch statistics and updates the running ones again"""
    first, x_eval, second = _x(70, (6, 3)), _x(71, (4, 3)), _x(72, (5, 3), 3.0, -2.0)

    def drive(s):
        bn = s.new("normalization.BatchNorm1d", 3, momentum=0.25)
        *_, out, training, running_mean, running_var = bn.sequence(
            ("forward", first), ("eval",), ("forward", x_eval), ("train",), ("forward", second), "training", "running_mean", "running_var"
        )
        return training, out, running_mean, running_var

    compare(drive, rtol=1e-8, atol=1e-10, what="(training, out, running_mean, running_var) after train()",
            inputs="BatchNorm1d(3, momentum=0.25): a training batch (6, 3), eval() and a batch (4, 3), train() and a batch (5, 3)")


@pytest.mark.parametrize("cls", [pytest.param("BatchNorm1d", marks=batchnorm), pytest.param("LayerNorm", marks=layernorm)])
def test_non_positive_num_features_raises_value_error(submission, cls):
    """rejects num_features <= 0 with ValueError"""
    with submission.raises(ValueError, f"for {cls}(0)"):
        submission.new(f"normalization.{cls}", 0)


@layernorm
def test_layernorm_leaves_its_input_unmodified(submission, compare):
    """leaves x unmodified"""
    x = _x(73, (4, 6))
    ln = submission.new("normalization.LayerNorm", 6)
    _, (x_after,), _ = ln.call_and_inputs("forward", x)
    assert_close(x_after, x, rtol=0, atol=0, what="x after forward(x)", inputs="x of shape (4, 6)")
    compare(lambda s: s.new("normalization.LayerNorm", 6).call("forward", x), rtol=1e-8, atol=1e-10, what="forward(x)", inputs="x of shape (4, 6)")
