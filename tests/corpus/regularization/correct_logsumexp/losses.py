"""Correct: log-sum-exp via np.logaddexp.reduce, one-hot via indexing."""
import numpy as np


def smooth_labels(y, num_classes, smoothing=0.1):
    if smoothing < 0 or smoothing > 1:
        raise ValueError("smoothing out of range")
    y = np.asarray(y)
    if np.any(y < 0) or np.any(y >= num_classes):
        raise ValueError("label out of range")
    onehot = np.zeros((len(y), num_classes))
    onehot[np.arange(len(y)), y] = 1.0
    return onehot * (1.0 - smoothing) + smoothing / num_classes


def softmax_cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=np.float64)
    n, k = logits.shape
    targets = np.asarray(targets)
    if targets.ndim == 1:
        if targets.shape[0] != n:
            raise ValueError("targets and logits disagree on N")
        probs_target = np.zeros((n, k))
        probs_target[np.arange(n), targets] = 1.0
    else:
        if targets.shape != (n, k):
            raise ValueError("targets must match logits")
        probs_target = targets.astype(np.float64)
    lse = np.logaddexp.reduce(logits, axis=1, keepdims=True)
    log_softmax = logits - lse
    loss = float(-(probs_target * log_softmax).sum() / n)
    softmax = np.exp(log_softmax)
    dlogits = (softmax * probs_target.sum(axis=1, keepdims=True) - probs_target) / n
    return loss, dlogits
