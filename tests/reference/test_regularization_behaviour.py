"""The regularization reference follows the contract's other rules: errors, modes, seeds, copies."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.course import load_reference_module

penalties = load_reference_module("regularization", "penalties")
dropout = load_reference_module("regularization", "dropout")
normalization = load_reference_module("regularization", "normalization")
losses = load_reference_module("regularization", "losses")
augmentation = load_reference_module("regularization", "augmentation")


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: penalties.l1_penalty(np.ones(2), -1.0), "lam"),
        (lambda: penalties.l2_gradient(np.ones(2), -0.1), "lam"),
        (lambda: penalties.elastic_net_penalty(np.ones(2), 0.1, l1_ratio=1.5), "l1_ratio"),
        (lambda: penalties.elastic_net_gradient(np.ones(2), 0.1, l1_ratio=-0.1), "l1_ratio"),
        (lambda: dropout.dropout_forward(np.ones(2), 1.0), "p"),
        (lambda: dropout.dropout_forward(np.ones(2), -0.1), "p"),
        (lambda: dropout.Dropout(p=1.2), "p"),
        (lambda: normalization.BatchNorm1d(3).forward(np.ones((1, 3))), "N"),
        (lambda: normalization.BatchNorm1d(3).forward(np.ones((4, 2))), "x"),
        (lambda: losses.smooth_labels(np.array([0, 3]), 3), "labels"),
        (lambda: losses.smooth_labels(np.array([0, 1]), 3, smoothing=1.1), "smoothing"),
        (lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), "targets"),
        (lambda: augmentation.mixup(np.ones((2, 1)), np.eye(2), alpha=0.0), "alpha"),
        (lambda: augmentation.random_horizontal_flip(np.ones((2, 3, 3)), p=1.5), "p"),
        (lambda: augmentation.random_crop(np.ones((2, 3, 3)), size=6, padding=1), "size"),
        (lambda: augmentation.random_crop(np.ones((2, 3, 3)), size=2, padding=-1), "padding"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_penalty_over_a_list_of_arrays_is_a_python_float():
    got = penalties.l2_penalty([np.ones((2, 2)), np.full(3, 2.0)], 0.5)
    assert type(got) is float and got == pytest.approx(0.5 * 0.5 * (4 + 12))


def test_dropout_evaluation_returns_a_copy_and_no_mask():
    x = np.arange(4.0)
    out, mask = dropout.dropout_forward(x, 0.5, training=False)
    assert mask is None and np.array_equal(out, x) and out is not x


def test_dropout_with_p_zero_keeps_everything_unscaled(rng):
    x = rng.standard_normal((3, 4))
    out, mask = dropout.dropout_forward(x, 0.0, rng=rng)
    assert mask.all() and np.array_equal(out, x)


def test_dropout_backward_in_evaluation_mode_returns_a_copy_of_dout():
    dout = np.ones(3)
    dx = dropout.dropout_backward(dout, None, 0.5)
    assert np.array_equal(dx, dout) and dx is not dout


def test_dropout_layer_backward_uses_the_mask_of_the_last_forward():
    layer = dropout.Dropout(p=0.5, rng=np.random.default_rng(3))
    layer.forward(np.ones((4, 4)))
    out = layer.forward(np.ones((4, 4)))
    assert np.array_equal(layer.backward(np.ones((4, 4))), out)


@pytest.mark.parametrize(
    "augment",
    [
        lambda x, rng: dropout.dropout_forward(x, 0.4, rng=rng),
        lambda x, rng: augmentation.mixup(x, np.eye(4), alpha=0.5, rng=rng),
        lambda x, rng: augmentation.random_horizontal_flip(x.reshape(4, 1, 3), rng=rng),
        lambda x, rng: augmentation.random_crop(x.reshape(4, 1, 3), size=2, padding=1, rng=rng),
    ],
)
def test_generators_seeded_alike_give_identical_results(augment):
    x = np.arange(12.0).reshape(4, 3)
    first = augment(x, np.random.default_rng(42))
    second = augment(x, np.random.default_rng(42))
    for a, b in zip(first, second):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: penalties.l1_gradient(x, 0.1),
        lambda x: dropout.dropout_forward(x, 0.5, rng=np.random.default_rng(0)),
        lambda x: normalization.BatchNorm1d(3).forward(x),
        lambda x: normalization.LayerNorm(3).forward(x),
        lambda x: losses.softmax_cross_entropy(x, np.array([0, 1, 2, 0])),
        lambda x: augmentation.mixup(x, np.eye(4), rng=np.random.default_rng(0)),
        lambda x: augmentation.random_horizontal_flip(x.reshape(4, 1, 3), p=1.0),
        lambda x: augmentation.random_crop(x.reshape(4, 1, 3), size=1, padding=1),
    ],
)
def test_inputs_are_left_unmodified(call, rng):
    x = rng.standard_normal((4, 3))
    before = x.copy()
    call(x)
    assert np.array_equal(x, before)


def test_smoothed_rows_sum_to_one_and_spread_the_mass_over_all_classes():
    targets = losses.smooth_labels(np.array([1, 0]), 4, smoothing=0.2)
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    assert targets[0].tolist() == pytest.approx([0.05, 0.85, 0.05, 0.05])


def test_crop_offsets_stay_in_range_and_the_window_is_the_padded_slice(rng):
    images = rng.standard_normal((20, 2, 5, 6))
    out, offsets = augmentation.random_crop(images, size=4, padding=2, rng=rng)
    assert out.shape == (20, 2, 4, 4) and offsets.shape == (20, 2)
    assert np.issubdtype(offsets.dtype, np.integer)
    assert offsets[:, 0].max() <= 5 and offsets[:, 1].max() <= 6 and offsets.min() >= 0
    padded = np.pad(images, [(0, 0), (0, 0), (2, 2), (2, 2)])
    for n, (i, j) in enumerate(offsets):
        assert np.array_equal(out[n], padded[n, :, i : i + 4, j : j + 4])


def test_flip_reverses_exactly_the_images_it_reports(rng):
    images = rng.standard_normal((30, 3, 4))
    out, flipped = augmentation.random_horizontal_flip(images, p=0.5, rng=rng)
    assert flipped.dtype == bool and flipped.shape == (30,)
    np.testing.assert_array_equal(out[flipped], images[flipped][..., ::-1])
    np.testing.assert_array_equal(out[~flipped], images[~flipped])


def test_batchnorm_evaluation_updates_nothing(rng):
    bn = normalization.BatchNorm1d(3)
    bn.forward(rng.standard_normal((5, 3)))
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    bn.eval()
    bn.forward(rng.standard_normal((1, 3)))
    assert np.array_equal(bn.running_mean, mean) and np.array_equal(bn.running_var, var)
