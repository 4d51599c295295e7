"""Correct: perm drawn before lam, np.take for the shuffle, crops through sliding_window_view."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def mixup(x, y, alpha=0.2, rng=None):
    if alpha <= 0:
        raise ValueError("alpha must be > 0")
    if np.shape(x)[0] != np.shape(y)[0]:
        raise ValueError("x and y must have the same N")
    if rng is None:
        rng = np.random.default_rng()
    perm = rng.permutation(np.shape(x)[0])
    lam = rng.beta(alpha, alpha)
    mix = lambda a: lam * np.asarray(a) + (1.0 - lam) * np.take(a, perm, axis=0)  # noqa: E731
    return mix(x), mix(y), float(lam), perm


def random_horizontal_flip(images, p=0.5, rng=None):
    if not (0.0 <= p <= 1.0):
        raise ValueError("p must be a probability")
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError("images must be (N, H, W) or (N, C, H, W)")
    if rng is None:
        rng = np.random.default_rng()
    flipped = rng.random(size=images.shape[0]) < p
    shape = (-1,) + (1,) * (images.ndim - 1)
    return np.where(flipped.reshape(shape), np.flip(images, axis=-1), images), flipped


def random_crop(images, size, padding=0, rng=None):
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError("images must be (N, H, W) or (N, C, H, W)")
    if padding < 0:
        raise ValueError("padding must be >= 0")
    if rng is None:
        rng = np.random.default_rng()
    widths = [(0, 0)] * (images.ndim - 2) + [(padding, padding)] * 2
    padded = np.pad(images, widths)
    if not 1 <= size <= min(padded.shape[-2:]):
        raise ValueError("size must fit in the padded image")
    n = images.shape[0]
    rows = rng.integers(padded.shape[-2] - size, endpoint=True, size=n)
    cols = rng.integers(padded.shape[-1] - size, endpoint=True, size=n)
    windows = sliding_window_view(padded, (size, size), axis=(-2, -1))  # (N, [C,] H', W', size, size)
    index = np.arange(n)
    if images.ndim == 3:
        out = windows[index, rows, cols]
    else:
        out = windows[index, :, rows, cols]
    return out.copy(), np.stack([rows, cols], axis=1)
