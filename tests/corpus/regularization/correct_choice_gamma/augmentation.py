"""Correct: lam as a ratio of Gamma draws, perm and offsets from rng.choice, flips from rng.binomial, loops."""
import numpy as np


def mixup(x, y, alpha=0.2, rng=None):
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError("x and y have different batch sizes")
    rng = np.random.default_rng() if rng is None else rng
    g1, g2 = rng.standard_gamma(alpha), rng.standard_gamma(alpha)
    lam = g1 / (g1 + g2) if g1 + g2 > 0 else float(rng.integers(0, 2))
    perm = rng.choice(len(x), size=len(x), replace=False)
    x_mixed = np.empty(x.shape, dtype=float)
    y_mixed = np.empty(y.shape, dtype=float)
    for n in range(len(x)):
        x_mixed[n] = lam * x[n] + (1 - lam) * x[perm[n]]
        y_mixed[n] = lam * y[n] + (1 - lam) * y[perm[n]]
    return x_mixed, y_mixed, float(lam), perm


def random_horizontal_flip(images, p=0.5, rng=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError("images must be 3-D or 4-D")
    rng = np.random.default_rng() if rng is None else rng
    flipped = rng.binomial(1, p, size=len(images)) == 1
    out = images.copy()
    for n in np.flatnonzero(flipped):
        out[n] = np.flip(images[n], axis=-1)
    return out, flipped


def random_crop(images, size, padding=0, rng=None):
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError("images must be 3-D or 4-D")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    h, w = images.shape[-2:]
    H, W = h + 2 * padding, w + 2 * padding
    if size < 1 or size > min(H, W):
        raise ValueError(f"size {size} does not fit in {H} x {W}")
    rng = np.random.default_rng() if rng is None else rng
    padded = np.zeros(images.shape[:-2] + (H, W), dtype=images.dtype)
    padded[..., padding:padding + h, padding:padding + w] = images
    out = np.empty(images.shape[:-2] + (size, size), dtype=images.dtype)
    offsets = np.empty((len(images), 2), dtype=np.int64)
    for n in range(len(images)):
        i = rng.choice(H - size + 1)
        j = rng.choice(W - size + 1)
        offsets[n] = i, j
        out[n] = padded[n, ..., i:i + size, j:j + size]
    return out, offsets
