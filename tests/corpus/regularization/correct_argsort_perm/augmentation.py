"""Correct: other ways of drawing from rng (argsort permutation, per-image integers, uniform flips)."""
import numpy as np


def mixup(x, y, alpha=0.2, rng=None):
    if alpha <= 0:
        raise ValueError("alpha must be positive")
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    rng = rng or np.random.default_rng()
    lam = rng.beta(alpha, alpha)
    perm = np.argsort(rng.random(len(x)))
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm], float(lam), perm


def random_horizontal_flip(images, p=0.5, rng=None):
    if not 0 <= p <= 1:
        raise ValueError("p out of range")
    rng = rng or np.random.default_rng()
    out = np.array(images, copy=True)
    flipped = np.zeros(len(images), dtype=bool)
    for n in range(len(images)):
        if rng.uniform() < p:
            out[n] = np.flip(images[n], axis=-1)
            flipped[n] = True
    return out, flipped


def random_crop(images, size, padding=0, rng=None):
    if padding < 0:
        raise ValueError("padding must be >= 0")
    images = np.asarray(images)
    h, w = images.shape[-2] + 2 * padding, images.shape[-1] + 2 * padding
    if size < 1 or size > h or size > w:
        raise ValueError("size does not fit")
    rng = rng or np.random.default_rng()
    widths = [(0, 0)] * (images.ndim - 2) + [(padding, padding), (padding, padding)]
    padded = np.pad(images, widths, mode="constant")
    outs, offsets = [], []
    for n in range(len(images)):
        i = int(rng.integers(h - size + 1))
        j = int(rng.integers(w - size + 1))
        outs.append(padded[n, ..., i:i + size, j:j + size])
        offsets.append((i, j))
    return np.array(outs), np.array(offsets, dtype=int)
