"""Correct: keeps the whole history and derives the state from it."""
import copy
import math


class EarlyStopping:
    def __init__(self, patience=10, min_delta=0.0, mode="min", restore_best=True):
        if patience < 1 or min_delta < 0 or mode not in ("min", "max"):
            raise ValueError("bad patience, min_delta or mode")
        self.patience, self.min_delta, self.mode, self.restore_best = patience, min_delta, mode, restore_best
        self.history = []
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None
        self.counter = 0
        self.best_weights = None
        self.stopped = False

    def _better(self, metric):
        if metric != metric:  # NaN
            return False
        sign = 1 if self.mode == "min" else -1
        return sign * (self.best - metric) > self.min_delta

    def __call__(self, metric, weights=None):
        self.history.append(metric)
        if self._better(metric):
            self.best, self.best_epoch, self.counter = metric, len(self.history) - 1, 0
            if self.restore_best and weights is not None:
                self.best_weights = copy.deepcopy(weights)
        else:
            self.counter += 1
        self.stopped = self.counter >= self.patience
        return self.stopped
