"""Correct: float32 uniform draws (rng.random(dtype=np.float32)), dropped units by multiplication with a float mask."""
import numpy as np


def dropout_forward(x, p, training=True, rng=None):
    if not 0 <= p < 1:
        raise ValueError("p must satisfy 0 <= p < 1")
    x = np.asarray(x)
    if not training:
        return np.array(x, dtype=float if x.dtype.kind != "f" else x.dtype), None
    rng = rng or np.random.default_rng()
    mask = rng.random(x.shape, dtype=np.float32) >= np.float32(p)
    return x * mask.astype(x.dtype if x.dtype.kind == "f" else float) / (1 - p), mask


def dropout_backward(dout, mask, p):
    if not 0 <= p < 1:
        raise ValueError("p must satisfy 0 <= p < 1")
    if mask is None:
        return np.array(dout, copy=True)
    return np.asarray(dout) * np.asarray(mask) * (1.0 / (1 - p))


class Dropout:
    def __init__(self, p=0.5, rng=None):
        if not 0 <= p < 1:
            raise ValueError("p must satisfy 0 <= p < 1")
        self.p, self.rng = p, rng or np.random.default_rng()
        self.training, self.mask = True, None

    def forward(self, x):
        out, self.mask = dropout_forward(x, self.p, training=self.training, rng=self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self.mask, self.p)

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
