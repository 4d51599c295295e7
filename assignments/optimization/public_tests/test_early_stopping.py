"""Public tests of early_stopping.py: EarlyStopping on short metric histories.

Each test feeds a few metrics, one call per epoch, and checks what the
docstring says the attributes hold afterwards: best, best_epoch, counter,
stopped and best_weights.

Run just this file from the release folder:

    pytest tests/test_early_stopping.py

Passing these tests does not guarantee full marks: the grading feeds longer
and random histories and checks the invalid arguments.
"""

from __future__ import annotations

import math

import numpy as np

import early_stopping


def _feed(stopper, metrics) -> list[bool]:
    return [stopper(metric) for metric in metrics]


def test_attributes_before_any_call():
    stopper = early_stopping.EarlyStopping()
    state = (stopper.best, stopper.best_epoch, stopper.counter, stopper.best_weights, stopper.stopped)
    assert state == (math.inf, None, 0, None, False), (
        "(best, best_epoch, counter, best_weights, stopped) before any call: "
        f"expected (inf, None, 0, None, False), got {state}"
    )
    stopper = early_stopping.EarlyStopping(mode="max")
    assert stopper.best == -math.inf, f"in mode 'max', best starts at -inf, got {stopper.best}"


def test_stops_after_patience_calls_without_improvement():
    stopper = early_stopping.EarlyStopping(patience=2)
    losses = [1.0, 0.8, 0.85, 0.9]
    got = _feed(stopper, losses)
    assert got == [False, False, False, True], (
        f"EarlyStopping(patience=2) fed {losses}: 0.8 improves, then two calls without improvement stop; "
        f"expected returns [False, False, False, True], got {got}"
    )
    state = (stopper.best, stopper.best_epoch, stopper.counter, stopper.stopped)
    assert state == (0.8, 1, 2, True), (
        f"(best, best_epoch, counter, stopped) after {losses}: expected (0.8, 1, 2, True), got {state}"
    )


def test_an_improvement_resets_the_counter():
    stopper = early_stopping.EarlyStopping(patience=3)
    counters = []
    for loss in [1.0, 1.1, 1.2, 0.5, 0.6]:
        stopper(loss)
        counters.append(stopper.counter)
    assert counters == [0, 1, 2, 0, 1], (
        f"counter after each of the losses [1.0, 1.1, 1.2, 0.5, 0.6]: expected [0, 1, 2, 0, 1], got {counters}"
    )
    state = (stopper.best, stopper.best_epoch)
    assert state == (0.5, 3), f"(best, best_epoch): expected (0.5, 3), got {state}"


def test_min_delta_requires_an_improvement_larger_than_it():
    stopper = early_stopping.EarlyStopping(patience=5, min_delta=0.1)
    _feed(stopper, [1.0, 0.95])
    state = (stopper.best, stopper.counter)
    assert state == (1.0, 1), (
        f"with min_delta=0.1, 0.95 is not below 1.0 - 0.1: expected (best, counter) = (1.0, 1), got {state}"
    )
    stopper(0.85)
    state = (stopper.best, stopper.best_epoch, stopper.counter)
    assert state == (0.85, 2, 0), (
        f"with min_delta=0.1, 0.85 is below 1.0 - 0.1: expected (best, best_epoch, counter) = (0.85, 2, 0), got {state}"
    )


def test_mode_max_treats_larger_metrics_as_better():
    stopper = early_stopping.EarlyStopping(patience=5, mode="max")
    _feed(stopper, [0.5, 0.7, 0.6])
    state = (stopper.best, stopper.best_epoch, stopper.counter)
    assert state == (0.7, 1, 1), (
        f"mode 'max' fed accuracies [0.5, 0.7, 0.6]: expected (best, best_epoch, counter) = (0.7, 1, 1), got {state}"
    )


def test_a_nan_metric_never_improves():
    stopper = early_stopping.EarlyStopping(patience=5)
    _feed(stopper, [float("nan"), 2.0, float("nan")])
    state = (stopper.best, stopper.best_epoch, stopper.counter)
    assert state == (2.0, 1, 1), (
        "fed [nan, 2.0, nan]: nan never improves, 2.0 is the first finite metric; "
        f"expected (best, best_epoch, counter) = (2.0, 1, 1), got {state}"
    )


def test_best_weights_are_a_deep_copy_taken_at_the_best_call():
    stopper = early_stopping.EarlyStopping(patience=5)
    weights = {"W": np.array([1.0, 2.0])}
    stopper(0.5, weights=weights)
    weights["W"][0] = 99.0  # training goes on, in place
    stopper(0.7, weights=weights)  # worse: best_weights must stay those of call 0
    kind = type(stopper.best_weights).__name__
    assert isinstance(stopper.best_weights, dict), f"best_weights must be a copy of the dict given, got {kind}"
    np.testing.assert_array_equal(
        stopper.best_weights["W"], [1.0, 2.0],
        err_msg="best_weights must be a DEEP copy of the best call's weights, unaffected by later in-place changes",
    )


def test_restore_best_false_keeps_no_weights():
    stopper = early_stopping.EarlyStopping(restore_best=False)
    stopper(0.5, weights=[np.array([1.0])])
    got = stopper.best_weights
    assert got is None, f"with restore_best=False, best_weights stays None, got {got!r}"
