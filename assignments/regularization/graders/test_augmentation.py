"""Hidden graders of augmentation.py: mixup, flips and crops, checked by properties, never by exact draws."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_array, assert_close, beta_fit_check, binomial_check, covers_all_outcomes, is_close
from autograder.grading.inputs import normal

mixup = pytest.mark.item("augmentation.mixup")
flip = pytest.mark.item("augmentation.random_horizontal_flip")
crop = pytest.mark.item("augmentation.random_crop")


def _batch(seed, shape):
    return normal(seed, shape)


@mixup
@pytest.mark.parametrize("x_shape", [(8, 5), (6, 2, 4, 4)], ids=str)
def test_mixup_mixes_with_its_own_lam_and_permutation(submission, hint, x_shape):
    """x_mixed and y_mixed are lam * x + (1 - lam) * x[perm] for the returned lam and perm"""
    n = x_shape[0]
    x, y = _batch(1, x_shape), np.eye(3)[np.arange(n) % 3]
    x_mixed, y_mixed, lam, perm = submission.call("augmentation.mixup", x, y, alpha=0.4, rng=submission.rng(2))
    assert_array(perm, shape=(n,), kind="iu", what="perm")
    assert sorted(perm.tolist()) == list(range(n)), f"perm should be a permutation of range({n}), got {perm.tolist()}"
    assert isinstance(lam, float) and 0 <= lam <= 1, f"lam should be a float in [0, 1], got {lam!r}"
    inputs = f"x of shape {x_shape}, one-hot y, alpha=0.4, rng=default_rng(2)"
    assert_close(x_mixed, lam * x + (1 - lam) * x[perm], rtol=1e-9, atol=1e-12, what="x_mixed", inputs=inputs)
    known = hint("mixup-labels-not-permuted") if is_close(y_mixed, y, rtol=1e-9, atol=1e-12) else ""
    assert_close(y_mixed, lam * y + (1 - lam) * y[perm], rtol=1e-9, atol=1e-12, what="y_mixed", inputs=inputs, hint=known)


# Draws per alpha: enough for what each case can tell apart at the 1e-9 false-failure rate.
# Kolmogorov-Smirnov's critical distance is 0.18 at 300 draws and 0.31 at 100.
# Uniform draws are 0.24 from Beta(0.2, 0.2) and 0.18 from Beta(4, 4): those cases take 300.
# At alpha=1 uniform is right; a folded or fixed lam is 0.5 away or more: 100 draws tell.
LAM_DRAWS = {0.2: 300, 1.0: 100, 4.0: 300}


@mixup
@pytest.mark.parametrize("alpha", list(LAM_DRAWS))
def test_mixup_lam_follows_beta_alpha_alpha(submission, hint, alpha):
    """lam follows Beta(alpha, alpha) (Kolmogorov-Smirnov test, false-failure rate 1e-9)"""
    # one generator for all the draws (successive draws are independent too); only lam comes back
    x, y, draws = np.zeros((2, 1)), np.eye(2), LAM_DRAWS[alpha]
    lams = submission.repeat("augmentation.mixup", draws, (x, y), {"alpha": alpha, "rng": submission.rng(0)}, part=2)
    # 100 draws from the symmetric Beta(alpha, alpha) all land at or above 0.5 with probability 2**-100
    folded = all(isinstance(lam, float) and lam >= 0.5 for lam in lams)
    try:
        beta_fit_check(lams, alpha, alpha, what=f"lam over {draws} draws with alpha={alpha}")
    except AssertionError as failed:
        raise AssertionError(f"{failed}\n{hint('mixup-lam-folded')}" if folded else str(failed)) from None


@mixup
def test_mixup_generators_seeded_alike_agree(submission):
    """gives identical results for generators seeded alike"""
    x, y = _batch(3, (6, 4)), np.eye(6)
    first, second = submission.call_each("augmentation.mixup", [((x, y), {"rng": submission.rng(5)})] * 2)
    assert_close(second, first, rtol=0, atol=0, what="the second call's (x_mixed, y_mixed, lam, perm)", inputs="two calls with rng=default_rng(5)")


@mixup
def test_mixup_rejects_non_positive_alpha(submission):
    """rejects alpha <= 0 with ValueError"""
    with submission.raises(ValueError, "for alpha=0"):
        submission.call("augmentation.mixup", np.ones((2, 1)), np.eye(2), alpha=0.0)


@mixup
def test_mixup_leaves_its_inputs_unmodified(submission):
    """leaves x and y unmodified"""
    x, y = _batch(4, (5, 3)), np.eye(5)
    (x_mixed, y_mixed, lam, perm), (x_after, y_after), _ = submission.call_and_inputs("augmentation.mixup", x, y, rng=submission.rng(1))
    assert_close((x_after, y_after), (x, y), rtol=0, atol=0, what="(x, y) after the call")
    assert np.ndim(lam) == 0 and sorted(np.asarray(perm).tolist()) == list(range(5)), f"expected a number lam and a permutation perm of range(5), got lam={lam}, perm={perm}"
    perm = np.asarray(perm).astype(int)
    assert_close((x_mixed, y_mixed), (lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm]), rtol=1e-10, atol=1e-12,
                 what="(x_mixed, y_mixed)", inputs="x of shape (5, 3), one-hot y; expected lam * x + (1 - lam) * x[perm] for the returned lam and perm")


@flip
@pytest.mark.parametrize("shape", [(40, 3, 5), (40, 2, 3, 4)], ids=str)
def test_flip_reverses_exactly_the_reported_images(submission, hint, shape):
    """flips left-right exactly the images it reports, leaves the others"""
    images = _batch(6, shape)
    out, flipped = submission.call("augmentation.random_horizontal_flip", images, p=0.5, rng=submission.rng(7))
    assert_array(flipped, shape=(shape[0],), kind="b", what="flipped")
    expected = np.where(flipped.reshape((-1,) + (1,) * (len(shape) - 1)), images[..., ::-1], images)
    upside_down = np.where(flipped.reshape((-1,) + (1,) * (len(shape) - 1)), images[..., ::-1, :], images)
    known = hint("flip-flips-the-wrong-axis") if flipped.any() and is_close(out, upside_down, rtol=0, atol=0) else ""
    assert_close(out, expected, rtol=0, atol=0, what="out", inputs=f"images of shape {shape}, p=0.5; expected images[n][..., ::-1] where flipped[n]", hint=known)


@flip
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_flip_probability_is_p(submission, p):
    """flips each image with probability p (binomial test, false-failure rate 1e-9)"""
    draws = submission.repeat("augmentation.random_horizontal_flip", 4, (np.zeros((500, 2, 2)),), {"p": p, "rng": submission.rng(0)}, part=1)
    flipped = sum(int(np.sum(drawn)) for drawn in draws)
    binomial_check(flipped, 2000, p, what=f"images flipped with p={p}")


@flip
def test_flip_leaves_its_input_unmodified(submission, compare):
    """leaves images unmodified"""
    images = _batch(8, (10, 3, 3))
    _, (after,), _ = submission.call_and_inputs("augmentation.random_horizontal_flip", images, p=1.0)
    assert_close(after, images, rtol=0, atol=0, what="images after the call")
    compare(lambda s: s.call("augmentation.random_horizontal_flip", images, p=1.0), rtol=0, atol=0, what="(out, flipped)", inputs="images of shape (10, 3, 3), p=1.0")


@flip
def test_flip_rejects_p_outside_0_1(submission):
    """rejects p outside [0, 1] with ValueError"""
    with submission.raises(ValueError, "for p=1.5"):
        submission.call("augmentation.random_horizontal_flip", np.ones((2, 3, 3)), p=1.5)


@crop
@pytest.mark.parametrize("shape, size, padding", [((30, 6, 7), 4, 0), ((30, 2, 5, 5), 5, 2), ((30, 3, 4), 3, 1)], ids=str)
def test_crop_window_is_the_padded_slice_at_the_reported_offset(submission, shape, size, padding):
    """each output is the size x size window of the zero-padded image at its offset"""
    images = _batch(9, shape)
    out, offsets = submission.call("augmentation.random_crop", images, size, padding=padding, rng=submission.rng(10))
    assert_array(offsets, shape=(shape[0], 2), kind="iu", what="offsets")
    assert_array(out, shape=shape[:-2] + (size, size), what="out")
    pad = [(0, 0)] * (len(shape) - 2) + [(padding, padding)] * 2
    padded = np.pad(images, pad)
    expected = np.stack([padded[n, ..., i : i + size, j : j + size] if 0 <= i <= padded.shape[-2] - size and 0 <= j <= padded.shape[-1] - size else np.full(out.shape[1:], np.nan) for n, (i, j) in enumerate(offsets)])
    assert_close(out, expected, rtol=0, atol=0, what="out", inputs=f"images of shape {shape}, size={size}, padding={padding}; expected the window of the padded image at each reported offset")


@crop
def test_crop_offsets_cover_every_allowed_position(submission, hint):
    """offsets cover every allowed top-left corner, and only those"""
    seen = set()
    for offsets in submission.repeat("augmentation.random_crop", 6, (np.zeros((100, 4, 5)), 3), {"padding": 1, "rng": submission.rng(0)}, part=1):
        seen |= {(int(i), int(j)) for i, j in offsets}
    allowed = {(i, j) for i in range(4) for j in range(5)}  # padded 6 x 7, window 3
    never_last = seen and max(i for i, _ in seen) < 3 and max(j for _, j in seen) < 4
    covers_all_outcomes(seen, allowed, what="crop offsets (row, column) for 4 x 5 images, padding=1, size=3 over 600 crops",
                        hint=hint("crop-offsets-exclude-the-last-position") if never_last else "")


@crop
def test_crop_generators_seeded_alike_agree(submission):
    """gives identical results for generators seeded alike"""
    images = _batch(11, (5, 6, 6))
    first, second = submission.call_each("augmentation.random_crop", [((images, 4), {"padding": 1, "rng": submission.rng(3)})] * 2)
    assert_close(second, first, rtol=0, atol=0, what="the second call's (out, offsets)")


@crop
@pytest.mark.parametrize("size, padding", [(9, 1), (2, -1)])
def test_crop_rejects_invalid_size_or_padding(submission, size, padding):
    """rejects a window larger than the padded image or a negative padding with ValueError"""
    with submission.raises(ValueError, f"for size={size}, padding={padding} on 4 x 4 images"):
        submission.call("augmentation.random_crop", np.ones((2, 4, 4)), size, padding=padding)


@mixup
def test_mixup_rejects_x_and_y_of_different_lengths(submission):
    """rejects x and y with different numbers of rows with ValueError"""
    with submission.raises(ValueError, "for x with 4 rows and y with 3 rows"):
        submission.call("augmentation.mixup", np.ones((4, 2)), np.eye(3), rng=submission.rng(0))


@flip
def test_flip_generators_seeded_alike_agree(submission):
    """gives identical results for generators seeded alike"""
    images = _batch(12, (20, 3, 4))
    first, second = submission.call_each("augmentation.random_horizontal_flip", [((images,), {"p": 0.5, "rng": submission.rng(4)})] * 2)
    assert_close(second, first, rtol=0, atol=0, what="the second call's (out, flipped)", inputs="images of shape (20, 3, 4), two calls with rng=default_rng(4), p=0.5")


@crop
def test_crop_leaves_its_input_unmodified(submission):
    """leaves images unmodified"""
    images = _batch(13, (6, 2, 5, 5))
    (out, offsets), (after, _), _ = submission.call_and_inputs("augmentation.random_crop", images, 4, padding=1, rng=submission.rng(6))
    assert_close(after, images, rtol=0, atol=0, what="images after the call", inputs="images of shape (6, 2, 5, 5), size=4, padding=1")
    assert_array(offsets, shape=(6, 2), kind="iu", what="offsets")
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = [padded[n, :, i:i + 4, j:j + 4] for n, (i, j) in enumerate(np.clip(offsets, 0, 3))]
    assert_close(out, np.stack(windows), rtol=0, atol=0, what="out", inputs="images of shape (6, 2, 5, 5), size=4, padding=1; expected the 4 x 4 window at the returned offsets of the zero-padded images")
