"""Early stopping: stop training when a validation metric has stopped improving.

One ``EarlyStopping`` object watches one metric over the epochs::

    stopper = EarlyStopping(patience=5, mode="min")
    for epoch in range(max_epochs):
        train_one_epoch(...)
        if stopper(validation_loss(), weights=params):
            break
    params = stopper.best_weights            # the weights of the best epoch

Each call is one epoch: it compares the metric with the best seen so far,
updates the counters and says whether to stop. The object never stops
training itself and never touches the weights it is given.
"""

from __future__ import annotations

import copy
import math


class EarlyStopping:
    """Stop when the metric has not improved for ``patience`` calls in a row; remember the best weights.

    A call ``stopper(metric, weights)`` is one epoch. It IMPROVES when::

        metric < best - min_delta      (mode "min", e.g. a loss)
        metric > best + min_delta      (mode "max", e.g. an accuracy)

    where:
        best is the best metric so far (inf, or -inf in mode "max", before the
        first call), so the first finite metric always improves. A metric that
        is not finite (nan, inf or -inf: a diverged run) never improves.

    On improvement: ``best = metric``, ``best_epoch`` = the index of this call
    (0 for the first call), ``counter = 0``, and, if ``restore_best`` and
    ``weights`` is given, ``best_weights`` = a DEEP copy of ``weights`` (later
    changes to the caller's arrays must not reach it).
    Without improvement: ``counter += 1``; nothing else changes.
    Every call then sets ``stopped = counter >= patience`` and returns it.

    Args:
        patience (int, optional): calls without improvement before stopping;
            >= 1 (default: 10).
        min_delta (float, optional): how much better than ``best`` a metric
            must be to count as an improvement; >= 0 (default: 0.0).
        mode (str, optional): "min" when lower is better, "max" when higher
            is better (default: "min").
        restore_best (bool, optional): keep a copy of the weights of the best
            call in ``best_weights`` (default: True).

    Attributes:
        patience, min_delta, mode, restore_best: the arguments.
        best (float): the best metric so far (inf or -inf before any call).
        best_epoch (int or None): index of the call that gave ``best``
            (None before any improvement).
        counter (int): calls since the last improvement (0 at first).
        best_weights (list or dict of arrays, or None): deep copy of the
            weights given with the best metric (None until then).
        stopped (bool): what the last call returned (False at first).

    Raises:
        ValueError: ``patience < 1``, ``min_delta < 0`` or ``mode`` not in
            {"min", "max"} (the message names the argument).

    Example:
        >>> stopper = EarlyStopping(patience=2)
        >>> [stopper(loss) for loss in [1.0, 0.8, 0.85, 0.9]]
        [False, False, False, True]
        >>> stopper.best, stopper.best_epoch, stopper.counter, stopper.stopped
        (0.8, 1, 2, True)
    """

    def __init__(self, patience=10, min_delta=0.0, mode="min", restore_best=True):
        """Check and store the arguments; set the attributes to their values before any call."""
        if not 1 <= patience:
            raise ValueError(f"patience must be >= 1, got {patience}")
        if not 0.0 <= min_delta:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = mode
        self.restore_best = bool(restore_best)
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None
        self.counter = 0
        self.best_weights = None
        self.stopped = False
        self.calls = 0

    def __call__(self, metric, weights=None):
        """Record one epoch's ``metric`` (and its ``weights``); return True when training should stop.

        Args:
            metric (float): this epoch's value of the watched metric.
            weights (list or dict of arrays, optional): the model's weights at
                this epoch; copied (deeply) only when the metric improves and
                ``restore_best`` is True.

        Returns:
            bool: ``counter >= patience`` after this call (also stored in ``stopped``).
        """
        metric = float(metric)
        epoch = self.calls
        self.calls += 1
        if not math.isfinite(metric):
            improved = False
        elif self.mode == "min":
            improved = metric < self.best - self.min_delta
        else:
            improved = metric > self.best + self.min_delta
        if improved:
            self.best = metric
            self.best_epoch = epoch
            self.counter = 0
            if self.restore_best and weights is not None:
                self.best_weights = copy.deepcopy(weights)
        else:
            self.counter += 1
        self.stopped = self.counter >= self.patience
        return self.stopped
