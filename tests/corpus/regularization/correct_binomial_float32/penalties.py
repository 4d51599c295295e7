"""Correct: float32 weights summed in float32, gradients in the weights' dtype, via np.dot and np.copysign."""
import numpy as np


def _list(weights):
    if isinstance(weights, (list, tuple)):
        return [np.asarray(w) for w in weights]
    return [np.asarray(weights)]


def _lam(lam):
    if lam < 0:
        raise ValueError(f"lam must be non-negative, got {lam}")


def _ratio(l1_ratio):
    if l1_ratio < 0 or l1_ratio > 1:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio}")


def _sign(W):
    W = np.asarray(W)
    W = W if W.dtype.kind == "f" else W.astype(np.float64)
    return np.where(W == 0, 0, np.copysign(np.ones_like(W), W)).astype(W.dtype), W


def l1_penalty(weights, lam):
    _lam(lam)
    return float(lam * sum(float(np.abs(w).sum()) for w in _list(weights)))


def l1_gradient(W, lam):
    _lam(lam)
    sign, W = _sign(W)
    return sign * W.dtype.type(lam)


def l2_penalty(weights, lam):
    _lam(lam)
    return float(lam / 2 * sum(float(np.dot(w.ravel(), w.ravel())) for w in _list(weights)))


def l2_gradient(W, lam):
    _lam(lam)
    W = np.asarray(W)
    return W * lam if W.dtype.kind == "f" else W.astype(np.float64) * lam


def elastic_net_penalty(weights, lam, l1_ratio=0.5):
    _lam(lam)
    _ratio(l1_ratio)
    arrays = _list(weights)
    l1 = sum(float(np.abs(w).sum()) for w in arrays)
    sq = sum(float(np.dot(w.ravel(), w.ravel())) for w in arrays)
    return float(lam * l1_ratio * l1 + lam * (1 - l1_ratio) * sq / 2)


def elastic_net_gradient(W, lam, l1_ratio=0.5):
    _lam(lam)
    _ratio(l1_ratio)
    sign, W = _sign(W)
    t = W.dtype.type
    return t(lam * l1_ratio) * sign + t(lam * (1 - l1_ratio)) * W
