"""Hidden graders of optimizers.py: 30 steps against the reference, step counting, bad gradients, clipping."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_close, assert_python_float

SHAPES = {"W": (4, 3), "b": (3,), "v": (2, 2, 2)}
STEPS = 30


def _params(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype(dtype) for name, shape in SHAPES.items()}


def _gradients(seed, dtype=np.float64, steps=STEPS):
    rng = np.random.default_rng(seed)
    return [{name: rng.standard_normal(shape).astype(dtype) for name, shape in SHAPES.items()} for _ in range(steps)]


def run(s, cls, params, grads, **hyper):
    """Construct ``cls`` on ``params``, step through ``grads``; returns (params, t) after the last step."""
    opt = s.new(f"optimizers.{cls}", params, **hyper)
    for g in grads:
        opt.call("step", g)
    return opt.get("params"), opt.get("t")


CASES = {
    "SGD": [dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.1, weight_decay=0.01), dict(lr=0.03, momentum=0.5, nesterov=True, weight_decay=0.02)],
    "AdaGrad": [dict(), dict(lr=0.1, eps=1e-6)],
    "RMSProp": [dict(), dict(lr=0.005, alpha=0.9, eps=1e-6)],
    "Adam": [dict(), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.003, weight_decay=0.1, eps=1e-6)],
    "AdamW": [dict(), dict(lr=0.01, betas=(0.85, 0.995), weight_decay=0.1)],
}
REQUIRED = {"SGD": {"lr": 0.1}}


def _cases():
    for cls, settings in CASES.items():
        for hyper in settings:
            label = ", ".join(f"{k}={v}" for k, v in hyper.items()) or "defaults"
            yield pytest.param(cls, hyper, marks=pytest.mark.item(f"optimizers.{cls}", weight=2), id=f"{cls}({label})")


def _classes(weight=1):
    return [pytest.param(cls, marks=pytest.mark.item(f"optimizers.{cls}", weight=weight), id=cls) for cls in CASES]


@pytest.mark.parametrize("cls, hyper", list(_cases()))
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-8), (np.float32, 2e-4)], ids=["float64", "float32"])
def test_thirty_steps_match_the_reference(compare, cls, hyper, dtype, rtol):
    """30 steps match the reference"""
    params, grads = _params(1, dtype), _gradients(2, dtype)
    label = ", ".join(f"{k}={v}" for k, v in hyper.items()) or "the default hyper-parameters"
    compare(lambda s: run(s, cls, params, grads, **{**REQUIRED.get(cls, {}), **hyper}), rtol=rtol, atol=1e-6 if dtype == np.float32 else 1e-12,
            what="(params, t) after 30 steps", inputs=f"{cls}({label}) on params W (4, 3), b (3,), v (2, 2, 2), {np.dtype(dtype).name}, random gradients (seed 2)")


@pytest.mark.parametrize("cls", _classes())
def test_step_count_and_in_place_updates(submission, cls):
    """t counts the steps and params keeps its arrays, updated in place"""
    weights = submission.put(_params(3))
    opt = submission.new(f"optimizers.{cls}", weights, **REQUIRED.get(cls, {}))
    t0 = opt.get("t")
    for g in _gradients(4, steps=3):
        opt.call("step", g)
    assert t0 == 0 and opt.get("t") == 3, f"t should be 0 after construction and 3 after three steps, got {t0} and {opt.get('t')}"
    assert_close(weights.call("copy"), opt.get("params"), rtol=0, atol=0, what="the dict you passed to the constructor, after three steps",
                 inputs=f"{cls}: params must be the very dict given, with its arrays updated in place")
    assert not np.allclose(weights.call("copy")["W"], _params(3)["W"]), f"{cls}: after three steps the arrays of the dict given to the constructor are unchanged; update them in place (p -= ...)"


@pytest.mark.parametrize("cls", _classes())
@pytest.mark.parametrize("problem", ["missing", "misshapen"])
def test_bad_gradient_raises_value_error(submission, cls, problem):
    """a missing or misshapen gradient raises ValueError"""
    opt = submission.new(f"optimizers.{cls}", _params(5), **REQUIRED.get(cls, {}))
    grads = _gradients(6, steps=1)[0]
    if problem == "missing":
        del grads["b"]
    else:
        grads["W"] = np.ones((3, 4))
    with submission.raises(ValueError, f"for a {problem} gradient"):
        opt.call("step", grads)


@pytest.mark.parametrize("cls", _classes())
def test_non_finite_gradient_raises_and_leaves_params_untouched(submission, cls):
    """a nan or inf gradient raises FloatingPointError and changes nothing"""
    opt = submission.new(f"optimizers.{cls}", _params(7), **REQUIRED.get(cls, {}))
    opt.call("step", _gradients(8, steps=1)[0])
    before, t = opt.get("params"), opt.get("t")
    grads = _gradients(9, steps=1)[0]
    grads["b"][1] = np.nan
    grads["v"][0, 0, 0] = np.inf
    with submission.raises(FloatingPointError, "for a gradient holding nan and inf"):
        opt.call("step", grads)
    assert_close((opt.get("params"), opt.get("t")), (before, t), rtol=0, atol=0, what="(params, t) after the refused step")


@pytest.mark.parametrize("cls", _classes())
def test_gradients_are_left_unmodified(submission, cls):
    """leaves the gradients unmodified"""
    opt = submission.new(f"optimizers.{cls}", _params(10), **REQUIRED.get(cls, {}))
    grads = _gradients(11, steps=1)[0]
    _, (after,), _ = opt.call_and_inputs("step", grads)
    assert_close(after, grads, rtol=0, atol=0, what="grads after step(grads)")


clip = pytest.mark.item("optimizers.clip_grad_norm")


@clip
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e3])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["float64", "float32"])
def test_clip_matches_the_reference(compare, max_norm, dtype, rtol):
    """clipped gradients and the norm match the reference"""
    grads = _gradients(12, dtype, steps=1)[0]
    got, _ = compare(lambda s: s.call("optimizers.clip_grad_norm", grads, max_norm), rtol=rtol, atol=1e-9, what="(clipped, total_norm)",
                     inputs=f"three gradients of shapes (4, 3), (3,), (2, 2, 2) (total norm about 5), max_norm={max_norm}, {np.dtype(dtype).name}")
    assert_python_float(got[1], "total_norm")


@clip
def test_clip_leaves_its_input_unmodified(submission):
    """returns a new dict and leaves the gradients unmodified"""
    grads = _gradients(13, steps=1)[0]
    _, (after, _), _ = submission.call_and_inputs("optimizers.clip_grad_norm", grads, 0.1)
    assert_close(after, grads, rtol=0, atol=0, what="grads after clip_grad_norm(grads, 0.1)")
