"""Hidden graders of dropout.py: inverted scaling, the keep rate, evaluation mode, seeds, the layer."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_array, assert_close, binomial_check, is_close
from autograder.grading.inputs import normal

forward = pytest.mark.item("dropout.dropout_forward")
backward = pytest.mark.item("dropout.dropout_backward")
layer = pytest.mark.item("dropout.Dropout")


def _x(seed=0, shape=(40, 50), dtype=np.float64):
    return normal(seed, shape, dtype=dtype)


@forward
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_output_is_the_input_times_mask_over_keep_probability(submission, hint, p):
    """scales kept units by 1 / (1 - p) and zeroes the dropped ones"""
    x = _x()
    out, mask = submission.call("dropout.dropout_forward", x, p, rng=submission.rng(3))
    assert_array(mask, shape=x.shape, kind="b", what="mask")
    assert_array(out, shape=x.shape, what="out")
    known = hint("dropout-not-rescaled") if is_close(out, x * mask, rtol=1e-7, atol=1e-12) else ""
    assert_close(out, x * mask / (1 - p), rtol=1e-7, atol=1e-12, what="out", inputs=f"x of shape {x.shape} (seed 0), p={p}; expected x * mask / (1 - p) with your own mask", hint=known)


@forward
@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_units_are_kept_with_probability_one_minus_p(submission, p):
    """keeps each unit with probability 1 - p (exact binomial test, false-failure rate 1e-9)"""
    kept = trials = 0
    for mask in submission.repeat("dropout.dropout_forward", 5, (np.ones((100, 100)), p), {"rng": submission.rng(0)}, part=1):
        kept += int(np.sum(mask))
        trials += mask.size
    binomial_check(kept, trials, 1 - p, what=f"fraction of units kept with p={p} (p is the probability of DROPPING a unit)")


@forward
def test_generators_seeded_alike_give_the_same_mask(submission):
    """gives identical results for generators seeded alike"""
    first, second = submission.call_each("dropout.dropout_forward", [((_x(), 0.4), {"rng": submission.rng(9)})] * 2)
    assert_close(second, first, rtol=0, atol=0, what="the second call's (out, mask)", inputs="two calls with rng=default_rng(9), p=0.4")


@forward
def test_p_zero_keeps_everything(compare):
    """keeps every unit unscaled when p = 0"""
    x = _x(1, (5, 6))
    compare(lambda s: s.call("dropout.dropout_forward", x, 0.0, rng=s.rng(0)), rtol=1e-12, atol=0, inputs="x of shape (5, 6), p=0")


@forward
def test_evaluation_mode_returns_the_input_and_no_mask(compare):
    """returns x and mask None in evaluation mode"""
    x = _x(2, (4, 5))
    compare(lambda s: s.call("dropout.dropout_forward", x, 0.5, training=False), rtol=0, atol=0, inputs="x of shape (4, 5), p=0.5, training=False")


@forward
def test_float32_input_gives_a_float_output(submission):
    """works on float32 input"""
    x = _x(3, (6, 7), np.float32)
    out, mask = submission.call("dropout.dropout_forward", x, 0.3, rng=submission.rng(1))
    assert_array(out, shape=x.shape, what="out for float32 x")
    assert_close(out, x.astype(np.float64) * mask / 0.7, rtol=1e-5, atol=1e-6, what="out", inputs="float32 x of shape (6, 7), p=0.3")


@forward
@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_p_outside_0_1_raises_value_error(submission, p):
    """rejects p outside [0, 1) with ValueError"""
    with submission.raises(ValueError, f"for p={p}"):
        submission.call("dropout.dropout_forward", np.ones(3), p)


@forward
def test_input_is_left_unmodified(submission):
    """leaves x unmodified"""
    x = _x(4, (5, 5))
    (out, mask), (x_after, _), _ = submission.call_and_inputs("dropout.dropout_forward", x, 0.5, rng=submission.rng(2))
    assert_close(x_after, x, rtol=0, atol=0, what="x after the call", inputs="x of shape (5, 5), p=0.5")
    assert_array(mask, shape=x.shape, kind="b", what="mask")
    assert_close(out, x * mask / 0.5, rtol=1e-12, atol=1e-15, what="out", inputs="x of shape (5, 5), p=0.5; expected out = x * mask / (1 - p) for the returned mask")


@backward
@pytest.mark.parametrize("p", [0.25, 0.6])
def test_backward_matches_the_reference(compare, p):
    """matches the reference for a given mask"""
    rng = np.random.default_rng(5)
    dout, mask = rng.standard_normal((6, 8)), rng.random((6, 8)) > p
    compare(lambda s: s.call("dropout.dropout_backward", dout, mask, p), rtol=1e-10, atol=1e-12, inputs=f"dout of shape (6, 8), a random mask, p={p}")


@backward
def test_backward_in_evaluation_mode_passes_the_gradient_through(compare):
    """returns dout unchanged when mask is None (evaluation mode)"""
    dout = _x(6, (3, 4))
    compare(lambda s: s.call("dropout.dropout_backward", dout, None, 0.5), rtol=0, atol=0, inputs="dout of shape (3, 4), mask=None, p=0.5")


@backward
def test_backward_is_the_gradient_of_the_forward(submission, reference):
    """is the gradient of the forward pass (central differences)"""
    x, dout, p = _x(7, (4, 5)), _x(8, (4, 5)), 0.3
    # the reference's forward and mask, so that a mistake in the student's forward costs only that item
    mask = reference.call("dropout.dropout_forward", x, p, rng=reference.rng(4))[1]
    dx = submission.call("dropout.dropout_backward", dout, mask, p)
    h = 1e-6
    numeric = np.zeros_like(x)
    steps = {index: np.zeros_like(x) for index in np.ndindex(x.shape)}
    for index, step in steps.items():
        step[index] = h
    # one forward per perturbed entry, plus then minus, each with the same generator (so the same mask), in one call_each
    outputs = iter(reference.call_each("dropout.dropout_forward", [((x + sign * step, p), {"rng": reference.rng(4)}) for step in steps.values() for sign in (1, -1)]))
    for index in steps:
        numeric[index] = np.sum((next(outputs)[0] - next(outputs)[0]) * dout) / (2 * h)
    assert_close(dx, numeric, rtol=1e-5, atol=1e-7, what="dx", inputs="x, dout of shape (4, 5), p=0.3, a fixed mask; compared with central differences of the forward pass")


@layer
def test_layer_forward_backward_and_modes(compare):
    """forward, backward with the last mask, train() and eval()"""
    x, dout = _x(9, (6, 5)), _x(10, (6, 5))

    def drive(s):
        d = s.new("dropout.Dropout", p=0.4, rng=s.rng(8))
        out, mask, dx, start, _, *evaluated, _, end = d.sequence(
            ("forward", x), "mask", ("backward", dout), "training", ("eval",), "training", ("forward", x), ("backward", dout), ("train",), "training"
        )
        return start, end, bool(np.allclose(out, x * mask / 0.6)), np.allclose(dx, dout * mask / 0.6), tuple(evaluated)

    compare(drive, rtol=1e-12, atol=0, inputs="Dropout(p=0.4, rng=default_rng(8)); forward, backward, eval(), forward, backward, train()")


@layer
def test_layer_keeps_units_with_probability_one_minus_p(submission):
    """keeps each unit with probability 1 - p (binomial test, false-failure rate 1e-9)"""
    d = submission.new("dropout.Dropout", p=0.3, rng=submission.rng(2))
    values = d.sequence(*[step for _ in range(4) for step in (("forward", np.ones((50, 50))), "mask")])
    kept = sum(int(np.sum(mask)) for mask in values[1::2])
    binomial_check(kept, 10000, 0.7, what="fraction of units the Dropout(p=0.3) layer kept")


@layer
def test_layer_rejects_p_of_one(submission):
    """rejects p outside [0, 1) with ValueError"""
    with submission.raises(ValueError, "for Dropout(p=1.0)"):
        submission.new("dropout.Dropout", p=1.0)


@backward
@pytest.mark.parametrize("p", [1.0, -0.1])
def test_backward_p_outside_0_1_raises_value_error(submission, p):
    """rejects p outside [0, 1) with ValueError"""
    with submission.raises(ValueError, f"for p={p}"):
        submission.call("dropout.dropout_backward", np.ones((2, 3)), np.ones((2, 3), dtype=bool), p)


@backward
def test_backward_mask_of_another_shape_raises_value_error(submission):
    """rejects a mask whose shape differs from dout's with ValueError"""
    with submission.raises(ValueError, "for dout of shape (3, 4) and a mask of shape (4, 3)"):
        submission.call("dropout.dropout_backward", np.ones((3, 4)), np.ones((4, 3), dtype=bool), 0.5)


@backward
def test_backward_leaves_its_inputs_unmodified(submission, compare):
    """leaves dout and mask unmodified"""
    rng = np.random.default_rng(11)
    dout, mask = rng.standard_normal((5, 4)), rng.random((5, 4)) > 0.5
    _, (dout_after, mask_after, _), _ = submission.call_and_inputs("dropout.dropout_backward", dout, mask, 0.5)
    assert_close((dout_after, mask_after), (dout, mask), rtol=0, atol=0, what="(dout, mask) after the call", inputs="dout of shape (5, 4), a random mask, p=0.5")
    compare(lambda s: s.call("dropout.dropout_backward", dout, mask, 0.5), rtol=1e-12, atol=1e-15, what="dx", inputs="dout of shape (5, 4), a random mask, p=0.5")


@layer
def test_layers_with_generators_seeded_alike_drop_the_same_units(submission):
    """layers built with generators seeded alike drop the same units"""
    masks = []
    for _ in range(2):
        d = submission.new("dropout.Dropout", p=0.5, rng=submission.rng(12))
        _, first, _, second = d.sequence(("forward", np.ones((8, 9))), "mask", ("forward", np.ones((8, 9))), "mask")
        masks.append((first, second))
    assert_close(masks[1], masks[0], rtol=0, atol=0, what="the second layer's masks of two forward calls",
                 inputs="two Dropout(p=0.5, rng=default_rng(12)) layers, two forward calls each on ones((8, 9)); the layer must draw from its rng")
