"""Correct, written with explicit loops and no helper."""
import numpy as np


def _check(lam, l1_ratio=0.5):
    if lam < 0:
        raise ValueError("lam must be non-negative")
    if l1_ratio < 0 or l1_ratio > 1:
        raise ValueError("l1_ratio must lie in [0, 1]")


def _flat(weights):
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    values = []
    for w in weights:
        for value in np.asarray(w, dtype=float).ravel():
            values.append(float(value))
    return values


def l1_penalty(weights, lam):
    _check(lam)
    total = 0.0
    for value in _flat(weights):
        total += abs(value)
    return lam * total


def l1_gradient(W, lam):
    _check(lam)
    W = np.asarray(W, dtype=float)
    out = np.zeros_like(W)
    for index, value in np.ndenumerate(W):
        out[index] = lam if value > 0 else (-lam if value < 0 else 0.0)
    return out


def l2_penalty(weights, lam):
    _check(lam)
    return 0.5 * lam * sum(v * v for v in _flat(weights))


def l2_gradient(W, lam):
    _check(lam)
    return lam * np.array(W, dtype=float)


def elastic_net_penalty(weights, lam, l1_ratio=0.5):
    _check(lam, l1_ratio)
    values = _flat(weights)
    return lam * (l1_ratio * sum(abs(v) for v in values) + 0.5 * (1 - l1_ratio) * sum(v * v for v in values))


def elastic_net_gradient(W, lam, l1_ratio=0.5):
    _check(lam, l1_ratio)
    return l1_ratio * l1_gradient(W, lam) + (1 - l1_ratio) * l2_gradient(W, lam)
