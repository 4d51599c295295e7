"""Correct: one row at a time with math.exp / math.log, and smoothed rows filled in a loop."""
import math

import numpy as np


def smooth_labels(y, num_classes, smoothing=0.1):
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"smoothing must be in [0, 1], got {smoothing}")
    out = np.empty((len(y), num_classes))
    for n, label in enumerate(y):
        if not 0 <= label < num_classes:
            raise ValueError(f"label {label} is outside [0, {num_classes})")
        for k in range(num_classes):
            out[n, k] = smoothing / num_classes + (1.0 - smoothing if k == label else 0.0)
    return out


def softmax_cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets)
    n, k = logits.shape
    if targets.ndim == 1:
        if len(targets) != n:
            raise ValueError(f"got {len(targets)} labels for {n} rows")
        rows = np.zeros((n, k))
        for i, label in enumerate(targets):
            rows[i, int(label)] = 1.0
    elif targets.shape == (n, k):
        rows = targets.astype(np.float64)
    else:
        raise ValueError(f"targets of shape {targets.shape} do not match logits {logits.shape}")
    total = 0.0
    dlogits = np.zeros((n, k))
    for i in range(n):
        top = max(logits[i])
        exps = [math.exp(v - top) for v in logits[i]]
        z = math.fsum(exps)
        log_z = top + math.log(z)
        mass = math.fsum(rows[i])
        for j in range(k):
            total -= rows[i, j] * (logits[i, j] - log_z)
            dlogits[i, j] = (exps[j] / z * mass - rows[i, j]) / n
    return total / n, dlogits
