"""The regularization reference follows the contract's other rules: errors, modes, seeds, copies, shapes."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.course import load_reference_module

penalties = load_reference_module("regularization", "penalties")
dropout = load_reference_module("regularization", "dropout")
normalization = load_reference_module("regularization", "normalization")
losses = load_reference_module("regularization", "losses")
augmentation = load_reference_module("regularization", "augmentation")


def _trained_batchnorm(d=3):
    bn = normalization.BatchNorm1d(d)
    bn.forward(np.arange(4.0 * d).reshape(4, d))
    return bn


# Each message must begin with the name of the argument it rejects (the pattern is a regex).
INVALID = [
    ("l1_penalty lam", lambda: penalties.l1_penalty(np.ones(2), -1.0), r"^lam\b"),
    ("l1_gradient lam", lambda: penalties.l1_gradient(np.ones(2), -1e-9), r"^lam\b"),
    ("l2_penalty lam", lambda: penalties.l2_penalty([np.ones(2)], -0.5), r"^lam\b"),
    ("l2_gradient lam", lambda: penalties.l2_gradient(np.ones(2), -0.1), r"^lam\b"),
    ("l2_penalty lam nan", lambda: penalties.l2_penalty(np.ones(2), float("nan")), r"^lam\b"),
    ("elastic_net_penalty lam", lambda: penalties.elastic_net_penalty(np.ones(2), -0.1), r"^lam\b"),
    ("elastic_net_penalty l1_ratio", lambda: penalties.elastic_net_penalty(np.ones(2), 0.1, l1_ratio=1.5), r"^l1_ratio\b"),
    ("elastic_net_gradient l1_ratio", lambda: penalties.elastic_net_gradient(np.ones(2), 0.1, l1_ratio=-0.1), r"^l1_ratio\b"),
    ("dropout_forward p=1", lambda: dropout.dropout_forward(np.ones(2), 1.0), r"^p\b"),
    ("dropout_forward p<0", lambda: dropout.dropout_forward(np.ones(2), -0.1), r"^p\b"),
    ("dropout_forward p in eval", lambda: dropout.dropout_forward(np.ones(2), 1.5, training=False), r"^p\b"),
    ("dropout_backward p", lambda: dropout.dropout_backward(np.ones(2), np.ones(2, bool), 1.0), r"^p\b"),
    ("dropout_backward mask shape", lambda: dropout.dropout_backward(np.ones(3), np.ones(2, bool), 0.5), r"^mask\b"),
    ("Dropout p", lambda: dropout.Dropout(p=1.2), r"^p\b"),
    ("BatchNorm1d num_features", lambda: normalization.BatchNorm1d(0), r"^num_features\b"),
    ("BatchNorm1d eps", lambda: normalization.BatchNorm1d(3, eps=0.0), r"^eps\b"),
    ("BatchNorm1d momentum", lambda: normalization.BatchNorm1d(3, momentum=1.5), r"^momentum\b"),
    ("BatchNorm1d N<2", lambda: normalization.BatchNorm1d(3).forward(np.ones((1, 3))), r"^x\b.*N >= 2"),
    ("BatchNorm1d features", lambda: normalization.BatchNorm1d(3).forward(np.ones((4, 2))), r"^x\b"),
    ("BatchNorm1d ndim", lambda: normalization.BatchNorm1d(3).forward(np.ones(3)), r"^x\b"),
    ("BatchNorm1d dout shape", lambda: _trained_batchnorm().backward(np.ones((4, 2))), r"^dout\b"),
    ("LayerNorm num_features", lambda: normalization.LayerNorm(-2), r"^num_features\b"),
    ("LayerNorm eps", lambda: normalization.LayerNorm(3, eps=-1e-5), r"^eps\b"),
    ("LayerNorm features", lambda: normalization.LayerNorm(3).forward(np.ones((2, 4))), r"^x\b"),
    ("LayerNorm ndim", lambda: normalization.LayerNorm(3).forward(np.ones((2, 3, 1))), r"^x\b"),
    ("smooth_labels label too large", lambda: losses.smooth_labels(np.array([0, 3]), 3), r"^y\b.*outside"),
    ("smooth_labels negative label", lambda: losses.smooth_labels(np.array([-1, 1]), 3), r"^y\b.*outside"),
    ("smooth_labels float labels", lambda: losses.smooth_labels(np.array([0.0, 1.0]), 3), r"^y\b"),
    ("smooth_labels smoothing>1", lambda: losses.smooth_labels(np.array([0, 1]), 3, smoothing=1.1), r"^smoothing\b"),
    ("smooth_labels smoothing<0", lambda: losses.smooth_labels(np.array([0, 1]), 3, smoothing=-0.1), r"^smoothing\b"),
    ("smooth_labels num_classes", lambda: losses.smooth_labels(np.array([0]), 0), r"^num_classes\b"),
    ("cross entropy label count", lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), r"^targets\b"),
    ("cross entropy label range", lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), r"^targets\b.*outside"),
    ("cross entropy rows shape", lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.full((2, 4), 0.25)), r"^targets\b"),
    ("cross entropy logits ndim", lambda: losses.softmax_cross_entropy(np.zeros(3), np.array([0])), r"^logits\b"),
    ("mixup alpha=0", lambda: augmentation.mixup(np.ones((2, 1)), np.eye(2), alpha=0.0), r"^alpha\b"),
    ("mixup alpha<0", lambda: augmentation.mixup(np.ones((2, 1)), np.eye(2), alpha=-1.0), r"^alpha\b"),
    ("mixup rows", lambda: augmentation.mixup(np.ones((2, 1)), np.eye(3)), r"^x and y\b"),
    ("flip p", lambda: augmentation.random_horizontal_flip(np.ones((2, 3, 3)), p=1.5), r"^p\b"),
    ("flip ndim", lambda: augmentation.random_horizontal_flip(np.ones((2, 3)), p=0.5), r"^images\b"),
    ("crop size too large", lambda: augmentation.random_crop(np.ones((2, 3, 3)), size=6, padding=1), r"^size\b"),
    ("crop size 0", lambda: augmentation.random_crop(np.ones((2, 3, 3)), size=0), r"^size\b"),
    ("crop size wider than width", lambda: augmentation.random_crop(np.ones((2, 6, 3)), size=4), r"^size\b"),
    ("crop padding", lambda: augmentation.random_crop(np.ones((2, 3, 3)), size=2, padding=-1), r"^padding\b"),
    ("crop ndim", lambda: augmentation.random_crop(np.ones((2, 3, 3, 3, 3)), size=2), r"^images\b"),
]


@pytest.mark.parametrize("call, pattern", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_arguments_raise_value_error_naming_the_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# penalties


@pytest.mark.parametrize("name", ["l1_penalty", "l2_penalty", "elastic_net_penalty"])
@pytest.mark.parametrize("weights", [np.ones((2, 2)), [np.ones((2, 2)), np.full(3, -2.0)], (np.ones(1),)])
def test_penalty_of_an_array_a_list_or_a_tuple_is_a_python_float(name, weights):
    assert type(getattr(penalties, name)(weights, 0.5)) is float


def test_penalty_over_a_list_sums_over_every_array():
    weights = [np.ones((2, 2)), np.full(3, -2.0)]
    assert penalties.l1_penalty(weights, 0.5) == pytest.approx(0.5 * (4 + 6))
    assert penalties.l2_penalty(weights, 0.5) == pytest.approx(0.5 * 0.5 * (4 + 12))
    assert penalties.elastic_net_penalty(weights, 0.5, l1_ratio=0.25) == pytest.approx(0.5 * (0.25 * 10 + 0.5 * 0.75 * 16))


@pytest.mark.parametrize("l1_ratio, equivalent", [(1.0, "l1"), (0.0, "l2")])
def test_elastic_net_at_the_ends_of_l1_ratio_is_l1_or_l2(rng, l1_ratio, equivalent):
    W = rng.standard_normal((3, 4))
    assert penalties.elastic_net_penalty(W, 0.3, l1_ratio) == pytest.approx(getattr(penalties, f"{equivalent}_penalty")(W, 0.3))
    np.testing.assert_allclose(penalties.elastic_net_gradient(W, 0.3, l1_ratio), getattr(penalties, f"{equivalent}_gradient")(W, 0.3))


@pytest.mark.parametrize("name", ["l1_gradient", "l2_gradient", "elastic_net_gradient"])
@pytest.mark.parametrize("dtype, expected", [(np.float64, np.float64), (np.float32, np.float32), (np.int64, np.float64)])
def test_gradient_has_the_shape_of_W_and_a_float_dtype(name, dtype, expected):
    W = np.arange(-3, 3).reshape(2, 3).astype(dtype)
    dW = getattr(penalties, name)(W, 0.5)
    assert dW.shape == W.shape and dW.dtype == expected and dW is not W


# dropout


def test_dropout_evaluation_returns_a_copy_and_no_mask():
    x = np.arange(4.0)
    out, mask = dropout.dropout_forward(x, 0.5, training=False)
    assert mask is None and np.array_equal(out, x) and out is not x


def test_dropout_with_p_zero_keeps_everything_unscaled(rng):
    x = rng.standard_normal((3, 4))
    out, mask = dropout.dropout_forward(x, 0.0, rng=rng)
    assert mask.all() and np.array_equal(out, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_mask_is_boolean_of_the_input_shape_and_out_keeps_the_float_dtype(rng, dtype):
    x = rng.standard_normal((5, 2, 3)).astype(dtype)
    out, mask = dropout.dropout_forward(x, 0.3, rng=rng)
    assert mask.dtype == bool and mask.shape == x.shape
    assert out.shape == x.shape and out.dtype == dtype


def test_dropout_scales_kept_units_by_one_over_keep_probability(rng):
    x = rng.standard_normal((20, 30))
    out, mask = dropout.dropout_forward(x, 0.75, rng=rng)
    np.testing.assert_allclose(out[mask], x[mask] * 4.0)
    assert np.all(out[~mask] == 0)


def test_dropout_keeps_about_one_minus_p_of_the_units(rng):
    _, mask = dropout.dropout_forward(np.ones((200, 200)), 0.3, rng=rng)
    # 40,000 Bernoulli(0.7) draws: standard deviation of the mean about 0.0023.
    assert abs(mask.mean() - 0.7) < 0.015


def test_dropout_backward_in_evaluation_mode_returns_a_copy_of_dout():
    dout = np.ones(3)
    dx = dropout.dropout_backward(dout, None, 0.5)
    assert np.array_equal(dx, dout) and dx is not dout


def test_dropout_layer_starts_in_training_mode_with_no_mask():
    layer = dropout.Dropout()
    assert layer.p == 0.5 and layer.training is True and layer.mask is None


def test_dropout_layer_backward_uses_the_mask_of_the_last_forward():
    layer = dropout.Dropout(p=0.5, rng=np.random.default_rng(3))
    layer.forward(np.ones((4, 4)))
    out = layer.forward(np.ones((4, 4)))
    assert np.array_equal(layer.backward(np.ones((4, 4))), out)


def test_dropout_layer_in_evaluation_mode_is_the_identity_without_a_mask(rng):
    layer = dropout.Dropout(p=0.5, rng=rng)
    layer.eval()
    x = rng.standard_normal((3, 4))
    out = layer.forward(x)
    assert layer.training is False and layer.mask is None
    assert np.array_equal(out, x) and out is not x
    assert np.array_equal(layer.backward(x), x)


def test_dropout_layer_train_switches_dropping_back_on():
    layer = dropout.Dropout(p=0.5, rng=np.random.default_rng(1))
    layer.eval()
    layer.train()
    layer.forward(np.ones((10, 10)))
    assert layer.training is True and layer.mask.shape == (10, 10) and not layer.mask.all()


def test_dropout_layer_draws_from_its_own_generator():
    first = dropout.Dropout(p=0.4, rng=np.random.default_rng(8)).forward(np.ones((6, 6)))
    expected, _ = dropout.dropout_forward(np.ones((6, 6)), 0.4, rng=np.random.default_rng(8))
    assert np.array_equal(first, expected)


# normalization


def test_batchnorm_starts_with_the_contract_attributes():
    bn = normalization.BatchNorm1d(4)
    assert (bn.eps, bn.momentum, bn.training) == (1e-5, 0.1, True)
    for name, value in [("gamma", 1.0), ("beta", 0.0), ("running_mean", 0.0), ("running_var", 1.0)]:
        array = getattr(bn, name)
        assert array.shape == (4,) and np.all(array == value), name


def test_batchnorm_training_output_has_zero_mean_and_unit_biased_variance_per_feature(rng):
    out = normalization.BatchNorm1d(3).forward(rng.standard_normal((50, 3)) * 4 + 2)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-5)  # eps = 1e-5 shrinks it slightly


def test_batchnorm_evaluation_updates_nothing(rng):
    bn = normalization.BatchNorm1d(3)
    bn.forward(rng.standard_normal((5, 3)))
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    bn.eval()
    bn.forward(rng.standard_normal((1, 3)))
    assert np.array_equal(bn.running_mean, mean) and np.array_equal(bn.running_var, var)


def test_batchnorm_evaluation_normalises_with_the_running_statistics(rng):
    bn = normalization.BatchNorm1d(3)
    bn.forward(rng.standard_normal((6, 3)) * 2 + 1)
    bn.gamma, bn.beta = rng.standard_normal(3), rng.standard_normal(3)
    bn.eval()
    x = rng.standard_normal((2, 3))
    expected = bn.gamma * (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps) + bn.beta
    np.testing.assert_allclose(bn.forward(x), expected, rtol=1e-12)


def test_batchnorm_train_after_eval_updates_the_running_statistics_again(rng):
    bn = normalization.BatchNorm1d(3)
    bn.eval()
    bn.train()
    bn.forward(rng.standard_normal((4, 3)) + 5)
    assert bn.training is True and np.all(bn.running_mean > 0)


@pytest.mark.parametrize("layer", [normalization.BatchNorm1d, normalization.LayerNorm])
def test_normalization_backward_sets_dgamma_and_dbeta_of_shape_D(rng, layer):
    norm = layer(5)
    out = norm.forward(rng.standard_normal((4, 5)))
    dx = norm.backward(rng.standard_normal((4, 5)))
    assert out.shape == dx.shape == (4, 5)
    assert norm.dgamma.shape == norm.dbeta.shape == (5,)


def test_layernorm_is_the_same_in_training_and_evaluation_and_accepts_one_row(rng):
    ln = normalization.LayerNorm(4)
    x = rng.standard_normal((1, 4)) * 3
    trained = ln.forward(x)
    ln.eval()
    np.testing.assert_array_equal(ln.forward(x), trained)
    np.testing.assert_allclose(trained.mean(axis=1), 0.0, atol=1e-12)
    assert not hasattr(ln, "running_mean")


# losses


def test_smoothed_rows_sum_to_one_and_spread_the_mass_over_all_classes():
    targets = losses.smooth_labels(np.array([1, 0]), 4, smoothing=0.2)
    assert targets.shape == (2, 4) and targets.dtype == np.float64
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    assert targets[0].tolist() == pytest.approx([0.05, 0.85, 0.05, 0.05])


@pytest.mark.parametrize("smoothing, row", [(0.0, [0.0, 1.0, 0.0]), (1.0, [1 / 3, 1 / 3, 1 / 3])])
def test_smoothing_zero_is_one_hot_and_one_is_uniform(smoothing, row):
    assert losses.smooth_labels(np.array([1]), 3, smoothing)[0].tolist() == pytest.approx(row)


def test_cross_entropy_returns_a_python_float_and_dlogits_of_the_logits_shape(rng):
    loss, dlogits = losses.softmax_cross_entropy(rng.standard_normal((3, 5)), np.array([0, 4, 2]))
    assert type(loss) is float and dlogits.shape == (3, 5)


def test_cross_entropy_of_integer_labels_equals_that_of_one_hot_rows(rng):
    logits = rng.standard_normal((4, 3))
    y = np.array([2, 0, 1, 2])
    by_label = losses.softmax_cross_entropy(logits, y)
    by_row = losses.softmax_cross_entropy(logits, np.eye(3)[y])
    assert by_label[0] == pytest.approx(by_row[0], rel=1e-14)
    np.testing.assert_allclose(by_label[1], by_row[1], rtol=1e-14)


def test_cross_entropy_is_the_batch_mean():
    loss, dlogits = losses.softmax_cross_entropy(np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    assert loss == pytest.approx(np.log(2))
    np.testing.assert_allclose(dlogits, np.array([[-0.5, 0.5], [0.5, -0.5]] * 2) / 4)


def test_cross_entropy_of_logits_of_magnitude_1e4_is_finite_and_exact():
    loss, dlogits = losses.softmax_cross_entropy(np.array([[1e4, -1e4, 0.0]]), np.array([1]))
    assert loss == 2e4 and np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(dlogits, [[1.0, -1.0, 0.0]], atol=1e-12)


# augmentation


@pytest.mark.parametrize(
    "augment",
    [
        lambda x, rng: dropout.dropout_forward(x, 0.4, rng=rng),
        lambda x, rng: augmentation.mixup(x, np.eye(4), alpha=0.5, rng=rng),
        lambda x, rng: augmentation.random_horizontal_flip(x.reshape(4, 1, 3), rng=rng),
        lambda x, rng: augmentation.random_crop(x.reshape(4, 1, 3), size=2, padding=1, rng=rng),
    ],
    ids=["dropout", "mixup", "flip", "crop"],
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
        lambda x: penalties.l2_gradient(x, 0.1),
        lambda x: penalties.elastic_net_gradient(x, 0.1),
        lambda x: dropout.dropout_forward(x, 0.5, rng=np.random.default_rng(0)),
        lambda x: dropout.dropout_forward(x, 0.5, training=False),
        lambda x: dropout.dropout_backward(x, x > 0, 0.5),
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


def test_other_array_arguments_are_left_unmodified(rng):
    y, soft = np.array([2, 0, 1]), rng.dirichlet(np.ones(3), size=3)
    y_before, soft_before = y.copy(), soft.copy()
    losses.smooth_labels(y, 3)
    losses.softmax_cross_entropy(rng.standard_normal((3, 3)), soft)
    augmentation.mixup(rng.standard_normal((3, 2)), soft, rng=rng)
    assert np.array_equal(y, y_before) and np.array_equal(soft, soft_before)


def test_normalization_backward_leaves_dout_unmodified(rng):
    for norm in (normalization.BatchNorm1d(3), normalization.LayerNorm(3)):
        norm.forward(rng.standard_normal((4, 3)))
        dout = rng.standard_normal((4, 3))
        before = dout.copy()
        norm.backward(dout)
        assert np.array_equal(dout, before)


def test_mixup_mixes_inputs_and_labels_with_one_lam_and_one_permutation(rng):
    x, y = rng.standard_normal((6, 2, 3)), np.eye(6)
    x_mixed, y_mixed, lam, perm = augmentation.mixup(x, y, alpha=0.4, rng=rng)
    assert type(lam) is float and 0 <= lam <= 1
    assert np.issubdtype(perm.dtype, np.integer) and sorted(perm.tolist()) == list(range(6))
    np.testing.assert_allclose(x_mixed, lam * x + (1 - lam) * x[perm], rtol=1e-14)
    np.testing.assert_allclose(y_mixed, lam * y + (1 - lam) * y[perm], rtol=1e-14)
    np.testing.assert_allclose(y_mixed.sum(axis=1), 1.0)


def test_mixup_draws_lam_then_the_permutation_from_rng():
    _, _, lam, perm = augmentation.mixup(np.ones((5, 1)), np.eye(5), alpha=0.3, rng=np.random.default_rng(11))
    same = np.random.default_rng(11)
    assert lam == same.beta(0.3, 0.3) and np.array_equal(perm, same.permutation(5))


def test_flip_reverses_exactly_the_images_it_reports(rng):
    images = rng.standard_normal((30, 3, 4))
    out, flipped = augmentation.random_horizontal_flip(images, p=0.5, rng=rng)
    assert flipped.dtype == bool and flipped.shape == (30,) and out.shape == images.shape
    np.testing.assert_array_equal(out[flipped], images[flipped][..., ::-1])
    np.testing.assert_array_equal(out[~flipped], images[~flipped])


def test_flip_of_channel_images_reverses_the_last_axis_of_every_channel(rng):
    images = rng.standard_normal((2, 3, 4, 5))
    out, flipped = augmentation.random_horizontal_flip(images, p=1.0, rng=rng)
    assert flipped.all()
    np.testing.assert_array_equal(out, images[..., ::-1])


def test_flip_draws_one_uniform_per_image_below_p():
    _, flipped = augmentation.random_horizontal_flip(np.ones((9, 2, 2)), p=0.3, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(flipped, np.random.default_rng(4).random(9) < 0.3)


def test_crop_offsets_stay_in_range_and_the_window_is_the_padded_slice(rng):
    images = rng.standard_normal((20, 2, 5, 6))
    out, offsets = augmentation.random_crop(images, size=4, padding=2, rng=rng)
    assert out.shape == (20, 2, 4, 4) and offsets.shape == (20, 2)
    assert np.issubdtype(offsets.dtype, np.integer)
    assert offsets[:, 0].max() <= 5 and offsets[:, 1].max() <= 6 and offsets.min() >= 0
    padded = np.pad(images, [(0, 0), (0, 0), (2, 2), (2, 2)])
    for n, (i, j) in enumerate(offsets):
        assert np.array_equal(out[n], padded[n, :, i : i + 4, j : j + 4])


def test_crop_offsets_reach_every_position_including_the_last(rng):
    _, offsets = augmentation.random_crop(np.ones((400, 4, 5)), size=3, padding=1, rng=rng)
    assert set(offsets[:, 0].tolist()) == set(range(4)) and set(offsets[:, 1].tolist()) == set(range(5))


def test_crop_of_three_axis_images_without_padding_is_a_plain_window(rng):
    images = rng.standard_normal((3, 4, 4))
    out, offsets = augmentation.random_crop(images, size=4, rng=rng)
    assert out.shape == (3, 4, 4) and not offsets.any()
    np.testing.assert_array_equal(out, images)
