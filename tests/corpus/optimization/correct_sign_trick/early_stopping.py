"""Correct: mode folded into a sign, NaN rejected by comparison alone, weights copied array by array."""
import math

import numpy as np


def _copy_weights(weights):
    if isinstance(weights, dict):
        return {name: np.array(w, copy=True) for name, w in weights.items()}
    return [np.array(w, copy=True) for w in weights]


class EarlyStopping:
    def __init__(self, patience=10, min_delta=0.0, mode="min", restore_best=True):
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be an int >= 1, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
        if mode not in {"min", "max"}:
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.restore_best = restore_best
        self._sign = 1.0 if mode == "min" else -1.0
        self.best = self._sign * math.inf
        self.best_epoch = None
        self.counter = 0
        self.best_weights = None
        self.stopped = False
        self._epoch = -1

    def __call__(self, metric, weights=None):
        self._epoch += 1
        # Comparisons with NaN are False, so a NaN metric never counts as better.
        if self._sign * metric < self._sign * self.best - self.min_delta:
            self.best = metric
            self.best_epoch = self._epoch
            self.counter = 0
            if weights is not None and self.restore_best:
                self.best_weights = _copy_weights(weights)
        else:
            self.counter += 1
        self.stopped = self.counter >= self.patience
        return self.stopped
