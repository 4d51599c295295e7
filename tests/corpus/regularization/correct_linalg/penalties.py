"""Correct: norms from np.linalg, float32 inputs kept float32."""
import numpy as np


def _arrays(weights):
    return list(weights) if isinstance(weights, (list, tuple)) else [weights]


def _validate(lam, l1_ratio=0.5):
    if lam < 0:
        raise ValueError(f"lam={lam} is negative")
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio={l1_ratio} outside [0, 1]")


def l1_penalty(weights, lam):
    _validate(lam)
    return float(lam * sum(np.linalg.norm(np.ravel(w).astype(np.float64), 1) for w in _arrays(weights)))


def l1_gradient(W, lam):
    _validate(lam)
    return np.sign(W) * np.asarray(lam, dtype=np.asarray(W).dtype if np.asarray(W).dtype.kind == "f" else float)


def l2_penalty(weights, lam):
    _validate(lam)
    return float(0.5 * lam * sum(np.linalg.norm(np.ravel(w).astype(np.float64)) ** 2 for w in _arrays(weights)))


def l2_gradient(W, lam):
    _validate(lam)
    W = np.asarray(W)
    return W * W.dtype.type(lam) if W.dtype.kind == "f" else W * float(lam)


def elastic_net_penalty(weights, lam, l1_ratio=0.5):
    _validate(lam, l1_ratio)
    return l1_ratio * l1_penalty(weights, lam) + (1 - l1_ratio) * l2_penalty(weights, lam)


def elastic_net_gradient(W, lam, l1_ratio=0.5):
    _validate(lam, l1_ratio)
    return lam * l1_ratio * np.sign(W) + lam * (1 - l1_ratio) * np.asarray(W)
