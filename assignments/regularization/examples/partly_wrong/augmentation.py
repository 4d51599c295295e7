"""Data augmentation: mixup, random horizontal flips and random crops.

Every function takes a batch and a generator and returns the augmented batch
with a record of the random choices it made:

    x_mixed, y_mixed, lam, perm = mixup(x, y, alpha=0.2, rng=rng)
    out, flipped = random_horizontal_flip(images, p=0.5, rng=rng)
    out, offsets = random_crop(images, size=28, padding=2, rng=rng)

- Randomness comes only from ``rng`` (a ``numpy.random.Generator``);
  ``rng=None`` means ``numpy.random.default_rng()``. Generators seeded alike
  give identical results.
- Images are (N, H, W) or (N, C, H, W); the last two axes are height and width.
- Inputs are never modified.
"""

from __future__ import annotations

import numpy as np


def mixup(x, y, alpha=0.2, rng=None):
    """Mixup: convex combinations of the batch with a shuffled copy of itself.

    Formula::

        lam     ~ Beta(alpha, alpha)            one draw for the whole batch
        perm    = a random permutation of range(N)
        x_mixed = lam * x + (1 - lam) * x[perm]
        y_mixed = lam * y + (1 - lam) * y[perm]

    Args:
        x (ndarray): inputs, shape (N, ...).
        y (ndarray): one-hot or soft label rows, shape (N, K).
        alpha (float, optional): the Beta distribution's parameter, > 0 (default: 0.2).
        rng (numpy.random.Generator, optional): source of randomness
            (default: None, meaning ``numpy.random.default_rng()``).

    Returns:
        tuple: ``(x_mixed, y_mixed, lam, perm)``: arrays of ``x``'s and ``y``'s
        shapes, ``lam`` a float in [0, 1], ``perm`` an int array (N,).

    Raises:
        ValueError: ``alpha <= 0``, or ``x`` and ``y`` with different N.

    Example:
        >>> x = np.array([[0.0], [1.0]]); y = np.eye(2)
        >>> xm, ym, lam, perm = mixup(x, y, alpha=1.0, rng=np.random.default_rng(0))
        >>> bool(np.allclose(xm, lam * x + (1 - lam) * x[perm])), sorted(perm.tolist())
        (True, [0, 1])
    """
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    x = np.asarray(x)
    y = np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of rows, got {x.shape[0]} and {y.shape[0]}")
    rng = np.random.default_rng() if rng is None else rng
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(x.shape[0])
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm], lam, perm


def random_horizontal_flip(images, p=0.5, rng=None):
    """Flip each image left-right (its last axis) independently with probability ``p``.

    Formula::

        flipped[n] = (u[n] < p)               one draw u[n] ~ U[0, 1) per image
        out[n]     = images[n][..., ::-1]     if flipped[n], else images[n]

    Args:
        images (ndarray): (N, H, W) or (N, C, H, W).
        p (float, optional): probability of flipping an image, in [0, 1] (default: 0.5).
        rng (numpy.random.Generator, optional): source of randomness
            (default: None, meaning ``numpy.random.default_rng()``).

    Returns:
        tuple: ``(out, flipped)``: ``out`` of ``images``' shape; ``flipped`` a
        boolean array (N,).

    Raises:
        ValueError: ``p`` outside [0, 1], or ``images`` not 3-D or 4-D.

    Example:
        >>> out, flipped = random_horizontal_flip(np.array([[[1, 2, 3]]]), p=1.0)
        >>> out, flipped
        (array([[[3, 2, 1]]]), array([ True]))
    """
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, C, H, W), got {images.shape}")
    rng = np.random.default_rng() if rng is None else rng
    flipped = rng.random(images.shape[0]) < p
    out = images.copy()
    out[flipped] = images[flipped][..., ::-1]
    return out, flipped


def random_crop(images, size, padding=0, rng=None):
    """Zero-pad each image, then cut a ``size x size`` window at a random offset.

    Formula::

        padded = images zero-padded by `padding` on every side of the last two axes
        (i, j) = offsets[n], each uniform over 0 .. H + 2 * padding - size (and W alike)
        out[n] = padded[n, ..., i:i + size, j:j + size]

    Args:
        images (ndarray): (N, H, W) or (N, C, H, W).
        size (int): the window's side, 1 <= size <= min(H, W) + 2 * padding.
        padding (int, optional): zeros added on every side, >= 0 (default: 0).
        rng (numpy.random.Generator, optional): source of randomness
            (default: None, meaning ``numpy.random.default_rng()``).

    Returns:
        tuple: ``(out, offsets)``: ``out`` of shape (N, [C,] size, size);
        ``offsets`` an int array (N, 2) of each window's top-left corner
        (row, column) in the padded image.

    Raises:
        ValueError: ``images`` not 3-D or 4-D, ``padding < 0``, or ``size``
            outside [1, padded side].

    Example:
        >>> out, offsets = random_crop(np.ones((2, 3, 3)), size=3, padding=1, rng=np.random.default_rng(0))
        >>> out.shape, offsets.shape, bool(((offsets >= 0) & (offsets <= 2)).all())
        ((2, 3, 3), (2, 2), True)
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, C, H, W), got {images.shape}")
    if not padding >= 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    height, width = images.shape[-2] + 2 * padding, images.shape[-1] + 2 * padding
    if not 1 <= size <= min(height, width):
        raise ValueError(f"size must be in [1, {min(height, width)}] for padded images of {height} x {width}, got {size}")
    rng = np.random.default_rng() if rng is None else rng
    pad = [(0, 0)] * (images.ndim - 2) + [(padding, padding), (padding, padding)]
    padded = np.pad(images, pad)
    n = images.shape[0]
    offsets = np.stack(
        [rng.integers(0, height - size + 1, size=n), rng.integers(0, width - size + 1, size=n)], axis=1
    )
    out = np.stack([padded[k, ..., i : i + size, j : j + size] for k, (i, j) in enumerate(offsets)])
    return out, offsets
