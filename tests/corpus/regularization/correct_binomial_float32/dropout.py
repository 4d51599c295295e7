"""Correct: the mask from rng.binomial, arithmetic in the input's float dtype, a layer that does not reuse the functions."""
import numpy as np


def dropout_forward(x, p, training=True, rng=None):
    if p < 0 or p >= 1:
        raise ValueError("p must be in [0, 1), got %r" % (p,))
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    if not training:
        return x.astype(dtype, copy=True), None
    if rng is None:
        rng = np.random.default_rng()
    mask = rng.binomial(1, 1 - p, size=x.shape).astype(bool)
    scale = np.asarray(1 / (1 - p), dtype=dtype)
    return (x.astype(dtype) * scale) * mask, mask


def dropout_backward(dout, mask, p):
    if p < 0 or p >= 1:
        raise ValueError("p must be in [0, 1), got %r" % (p,))
    dout = np.asarray(dout)
    if mask is None:
        return np.copy(dout)
    if np.shape(mask) != dout.shape:
        raise ValueError("mask and dout shapes differ")
    dtype = dout.dtype if dout.dtype.kind == "f" else np.float64
    return np.where(mask, dout.astype(dtype) * np.asarray(1 / (1 - p), dtype=dtype), np.zeros((), dtype))


class Dropout:
    def __init__(self, p=0.5, rng=None):
        if not 0 <= p < 1:
            raise ValueError("p must be in [0, 1)")
        self.p = p
        self.rng = rng if rng is not None else np.random.default_rng()
        self.training = True
        self.mask = None

    def forward(self, x):
        x = np.asarray(x, dtype=float)
        if not self.training:
            self.mask = None
            return x.copy()
        self.mask = self.rng.binomial(1, 1 - self.p, size=x.shape) == 1
        return x * self.mask / (1 - self.p)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=float)
        if self.mask is None:
            return dout.copy()
        return dout * self.mask / (1 - self.p)

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
