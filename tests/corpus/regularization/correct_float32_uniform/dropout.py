"""Correct: mask from rng.uniform, computed in the input's dtype."""
import numpy as np


def _check(p):
    if not (0 <= p < 1):
        raise ValueError(f"invalid p={p}")


def dropout_forward(x, p, training=True, rng=None):
    _check(p)
    x = np.array(x, copy=True)
    if not training:
        return x, None
    if rng is None:
        rng = np.random.default_rng()
    mask = rng.uniform(0.0, 1.0, size=x.shape) >= p
    scale = x.dtype.type(1.0 / (1.0 - p)) if np.issubdtype(x.dtype, np.floating) else 1.0 / (1.0 - p)
    return np.where(mask, x * scale, 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else float), mask


def dropout_backward(dout, mask, p):
    _check(p)
    if mask is None:
        return np.array(dout, copy=True)
    return np.where(mask, dout / (1.0 - p), 0.0)


class Dropout:
    def __init__(self, p=0.5, rng=None):
        _check(p)
        self.p, self.rng, self.training, self.mask = p, rng if rng is not None else np.random.default_rng(), True, None

    def forward(self, x):
        out, self.mask = dropout_forward(x, self.p, self.training, self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self.mask, self.p)

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
