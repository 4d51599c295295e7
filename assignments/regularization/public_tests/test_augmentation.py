"""Public tests of augmentation.py: mixup, random horizontal flips and random crops.

The random draws come only from the ``rng`` argument, so the tests check
the outputs against what the function reports it drew (lam and perm, the
flipped flags, the crop offsets), plus cases with a single possible outcome
(p=0 or p=1, a crop the size of the padded image).

Run just this file from the release folder:

    pytest tests/test_augmentation.py

Passing these tests does not guarantee full marks: the grading checks the
distributions of the draws, other shapes and the invalid arguments.
"""

from __future__ import annotations

import numpy as np
import pytest

import augmentation


def _one_hot(labels, k):
    return np.eye(k)[labels]


def test_mixup_mixes_inputs_and_labels_with_the_returned_lam_and_perm():
    x = np.arange(12.0).reshape(4, 3)
    y = _one_hot([0, 1, 2, 3], 4)  # distinct rows, so y[perm] differs from y
    x_mixed, y_mixed, lam, perm = augmentation.mixup(x, y, alpha=0.4, rng=np.random.default_rng(0))
    assert 0.0 <= lam <= 1.0, f"lam ~ Beta(alpha, alpha) lies in [0, 1], got {lam}"
    perm = np.asarray(perm)
    assert np.issubdtype(perm.dtype, np.integer), f"perm must be an integer array, got dtype {perm.dtype}"
    np.testing.assert_array_equal(np.sort(perm), np.arange(4), err_msg="perm must be a permutation of range(N)")
    np.testing.assert_allclose(
        x_mixed, lam * x + (1 - lam) * x[perm], rtol=1e-12, err_msg="x_mixed = lam * x + (1 - lam) * x[perm]"
    )
    np.testing.assert_allclose(
        y_mixed, lam * y + (1 - lam) * y[perm], rtol=1e-12, err_msg="y_mixed = lam * y + (1 - lam) * y[perm]"
    )


def test_mixup_with_generators_seeded_alike_gives_the_same_result():
    x = np.arange(12.0).reshape(4, 3)
    y = _one_hot([0, 1, 1, 0], 2)
    _, _, lam1, perm1 = augmentation.mixup(x, y, rng=np.random.default_rng(3))
    _, _, lam2, perm2 = augmentation.mixup(x, y, rng=np.random.default_rng(3))
    assert lam1 == lam2, f"two calls with np.random.default_rng(3) must draw the same lam, got {lam1} and {lam2}"
    np.testing.assert_array_equal(
        perm1, perm2, err_msg="two calls with np.random.default_rng(3) must draw the same perm"
    )


def test_mixup_draws_lam_from_beta_alpha_alpha():
    x, y = np.ones((2, 1)), _one_hot([0, 1], 2)
    lam = augmentation.mixup(x, y, alpha=2000.0, rng=np.random.default_rng(0))[2]
    assert abs(lam - 0.5) < 0.05, f"Beta(2000, 2000) is concentrated near 0.5 (std about 0.008), got lam = {lam}"


def test_mixup_non_positive_alpha_raises_value_error():
    with pytest.raises(ValueError, match="alpha"):
        augmentation.mixup(np.ones((2, 1)), _one_hot([0, 1], 2), alpha=0.0)


def test_flip_with_p_one_flips_every_image_left_right():
    images = np.arange(24.0).reshape(2, 3, 4)
    out, flipped = augmentation.random_horizontal_flip(images, p=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(
        out, images[:, :, ::-1], err_msg="with p=1 every (H, W) image is flipped along its LAST axis (W)"
    )
    assert flipped.dtype == bool and flipped.shape == (2,), (
        f"flipped must be a boolean array of shape (N,) = (2,), got {flipped.dtype} {flipped.shape}"
    )
    assert flipped.all(), f"with p=1 every image is flipped, got flipped = {flipped}"


def test_flip_with_p_zero_returns_a_copy():
    images = np.arange(24.0).reshape(2, 3, 4)
    out, flipped = augmentation.random_horizontal_flip(images, p=0.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(out, images, err_msg="with p=0 no image is flipped")
    assert not flipped.any(), f"with p=0 no image is flipped, got flipped = {flipped}"
    assert out is not images, "random_horizontal_flip must return a new array, not its input"


def test_flip_of_nchw_images_flips_exactly_the_flagged_ones():
    images = np.arange(6 * 2 * 3 * 4, dtype=float).reshape(6, 2, 3, 4)
    out, flipped = augmentation.random_horizontal_flip(images, rng=np.random.default_rng(1))
    for n in range(6):
        expected = images[n, :, :, ::-1] if flipped[n] else images[n]
        np.testing.assert_array_equal(
            out[n], expected,
            err_msg=f"image {n} of (N, C, H, W) images, flipped={flipped[n]}: flip the last axis (W) only",
        )


def test_flip_flips_about_a_fraction_p():
    _, flipped = augmentation.random_horizontal_flip(np.zeros((4000, 1, 2)), p=0.3, rng=np.random.default_rng(0))
    share = flipped.mean()
    assert 0.27 < share < 0.33, f"with p=0.3 (the probability of flipping) 30% of 4000 images flip, got {share:.1%}"


def test_random_crop_cuts_a_window_at_the_returned_offsets():
    images = np.arange(2 * 5 * 6, dtype=float).reshape(2, 5, 6)
    out, offsets = augmentation.random_crop(images, 3, rng=np.random.default_rng(0))
    assert out.shape == (2, 3, 3), f"random_crop of (2, 5, 6) images with size=3 has shape (2, 3, 3), got {out.shape}"
    offsets = np.asarray(offsets)
    assert offsets.shape == (2, 2) and np.issubdtype(offsets.dtype, np.integer), (
        f"offsets must be an integer array of shape (N, 2), got {offsets.dtype} {offsets.shape}"
    )
    for n, (i, j) in enumerate(offsets):
        assert 0 <= i <= 2 and 0 <= j <= 3, f"offset {(i, j)} of image {n} puts the 3 x 3 window outside the image"
        np.testing.assert_array_equal(
            out[n], images[n, i : i + 3, j : j + 3], err_msg=f"image {n}: out must be the window at offset {(i, j)}"
        )


def test_random_crop_offsets_reach_every_position():
    images = np.zeros((200, 3, 4))
    _, offsets = augmentation.random_crop(images, 2, rng=np.random.default_rng(0))
    rows, cols = sorted(set(np.asarray(offsets)[:, 0].tolist())), sorted(set(np.asarray(offsets)[:, 1].tolist()))
    assert (rows, cols) == ([0, 1], [0, 1, 2]), (
        "a 2 x 2 window of a 3 x 4 image has top-left rows 0..1 and columns 0..2 (the last one included); "
        f"200 crops drew rows {rows} and columns {cols}"
    )


def test_random_crop_pads_with_zeros_on_every_side():
    images = np.ones((1, 2, 2))
    out, offsets = augmentation.random_crop(images, 4, padding=1, rng=np.random.default_rng(0))
    expected = [[[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]]
    np.testing.assert_array_equal(
        out, expected, err_msg="a 2 x 2 image of ones, padded by 1 on every side and cropped to 4 x 4: the padded image"
    )
    np.testing.assert_array_equal(
        offsets, [[0, 0]], err_msg="the only 4 x 4 window of a 4 x 4 padded image is at offset (0, 0)"
    )


def test_random_crop_offsets_index_the_padded_nchw_image():
    images = np.arange(3 * 2 * 4 * 4, dtype=float).reshape(3, 2, 4, 4) + 1
    out, offsets = augmentation.random_crop(images, 4, padding=2, rng=np.random.default_rng(5))
    assert out.shape == (3, 2, 4, 4), f"random_crop of (3, 2, 4, 4) images, size=4: shape (3, 2, 4, 4), got {out.shape}"
    padded = np.zeros((3, 2, 8, 8))
    padded[:, :, 2:6, 2:6] = images
    for n, (i, j) in enumerate(np.asarray(offsets)):
        np.testing.assert_array_equal(
            out[n], padded[n, :, i : i + 4, j : j + 4],
            err_msg=f"image {n}: out must be the window at offset {(i, j)} of the image zero-padded by 2 on H and W",
        )
