"""Hidden graders of early_stopping.py: whole metric histories in both modes, NaN, copies of the best weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.item("early_stopping.EarlyStopping")

ATTRIBUTES = ("best", "best_epoch", "counter", "stopped")


def history(s, metrics, **settings):
    """Feed ``metrics`` one call at a time; per call: (returned, best, best_epoch, counter, stopped)."""
    es = s.new("early_stopping.EarlyStopping", **settings)
    trace = [es.get(*ATTRIBUTES, "best_weights")]
    for metric in metrics:
        returned = es.call("__call__", metric)
        trace.append((returned, *es.get(*ATTRIBUTES)))
    return trace


HISTORIES = [
    ("min", dict(patience=3), [1.0, 0.9, 0.95, 0.91, 0.8, 0.85, 0.86, 0.87, 0.7]),
    ("min with min_delta", dict(patience=2, min_delta=0.05), [1.0, 0.97, 0.9, 0.88, 0.84, 0.9, 0.8]),
    ("max", dict(patience=2, mode="max"), [0.1, 0.3, 0.2, 0.35, 0.34, 0.33, 0.5]),
    ("max with min_delta", dict(patience=3, mode="max", min_delta=0.1), [0.5, 0.55, 0.65, 0.7, 0.74, 0.76, 0.9]),
    ("NaN never improves", dict(patience=2), [math.nan, 1.0, math.nan, 0.5, math.nan, math.nan, 0.4]),
    ("defaults, long plateau", dict(), [2.0] + [2.0] * 12),
]


@pytest.mark.parametrize("label, settings, metrics", HISTORIES, ids=[h[0] for h in HISTORIES])
def test_whole_history_matches_the_reference(compare, label, settings, metrics):
    """returned value, best, best_epoch, counter and stopped after every call match the reference"""
    compare(lambda s: history(s, metrics, **settings), rtol=1e-12, atol=0, equal_nan=True, what="trace",
            inputs=f"EarlyStopping({', '.join(f'{k}={v!r}' for k, v in settings.items())}) fed {metrics} one call at a time; "
                   "trace[0] is (best, best_epoch, counter, stopped, best_weights) after construction, "
                   "trace[i] is (returned, best, best_epoch, counter, stopped) after call i (call 1 is epoch 0)")


@pytest.mark.parametrize("container", ["list", "dict"])
def test_best_weights_are_deep_copies_of_the_best_call(compare, container):
    """best_weights holds copies of the weights of the best call, unaffected by later changes"""
    def run(s):
        es = s.new("early_stopping.EarlyStopping", patience=5)
        w = [s.put(np.full(3, 1.0)), s.put(np.full((2, 2), 1.0))]  # the model's arrays, kept in your process
        weights = s.put([w[0], w[1]] if container == "list" else {"W": w[0], "b": w[1]})
        es.call("__call__", 0.5, weights)
        w[0].call("fill", 7.0)  # the model keeps training: its arrays change in place
        es.call("__call__", 0.9, weights)
        return es.get("best_weights", "best_epoch")

    shown = "[ones(3), ones((2, 2))]" if container == "list" else "{'W': ones(3), 'b': ones((2, 2))}"
    compare(run, rtol=0, atol=0, what="(best_weights, best_epoch)",
            inputs=f"weights {shown} at the best call (metric 0.5), then the first array filled with 7 in place and a worse call (0.9); "
                   "best_weights must be deep copies, unaffected by later changes to the model's arrays")


def test_an_improvement_without_weights_keeps_the_last_copy(compare):
    """an improving call without weights leaves best_weights as it was"""
    def run(s):
        es = s.new("early_stopping.EarlyStopping", patience=5)
        es.call("__call__", 0.9, [np.full(2, 1.0)])
        es.call("__call__", 0.5)
        return es.get("best_weights", "best", "best_epoch")

    compare(run, rtol=0, atol=0, what="(best_weights, best, best_epoch)",
            inputs="a call with metric 0.9 and weights [ones(2)], then an improving call with metric 0.5 and no weights")


@pytest.mark.parametrize("container", ["list", "dict"])
def test_best_weights_follow_the_best_call(compare, container):
    """best_weights equals the weights given at the best call (list or dict of arrays)"""
    metrics = [0.9, 0.7, 0.8, 0.6, 0.65]
    arrays = [np.full(2, float(i)) for i in range(len(metrics))]

    def run(s):
        es = s.new("early_stopping.EarlyStopping", patience=10)
        for metric, array in zip(metrics, arrays):
            weights = [array, array * 2] if container == "list" else {"W": array, "b": array * 2}
            es.call("__call__", metric, weights)
        return es.get("best_weights")

    compare(run, rtol=0, atol=0, what="best_weights", inputs=f"metrics {metrics}, weights given as a {container} of arrays at each call")


def test_restore_best_false_keeps_no_weights(compare):
    """with restore_best=False, best_weights stays None"""
    def run(s):
        es = s.new("early_stopping.EarlyStopping", restore_best=False)
        es.call("__call__", 0.3, [np.ones(2)])
        return es.get("best_weights")

    compare(run, rtol=0, atol=0, what="best_weights", inputs="EarlyStopping(restore_best=False), one improving call with weights")


@pytest.mark.parametrize("settings", [dict(patience=0), dict(min_delta=-0.1), dict(mode="maximum")], ids=["patience=0", "min_delta=-0.1", "mode='maximum'"])
def test_invalid_settings_raise_value_error(submission, settings):
    """rejects patience < 1, min_delta < 0 and an unknown mode with ValueError"""
    with submission.raises(ValueError, f"for {settings}"):
        submission.new("early_stopping.EarlyStopping", **settings)
