"""Hidden graders of optimizers.py: 30 steps against the reference, step counting, bad gradients, clipping."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import assert_close, assert_python_float
from autograder.grading.submission import StudentError

SHAPES = {"W": (4, 3), "b": (3,), "v": (2, 2, 2)}
SHAPES_TEXT = "W (4, 3), b (3,), v (2, 2, 2)"
STEPS = 30


def _params(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape).astype(dtype) for name, shape in SHAPES.items()}


def _gradients(seed, dtype=np.float64, steps=STEPS):
    rng = np.random.default_rng(seed)
    return [{name: rng.standard_normal(shape).astype(dtype) for name, shape in SHAPES.items()} for _ in range(steps)]


def _non_finite(grads):
    """``grads`` with a nan in b and an inf in v (W stays finite, so a key-by-key check updates W first)."""
    bad = {name: g.copy() for name, g in grads.items()}
    bad["b"][1] = np.nan
    bad["v"][0, 0, 0] = np.inf
    return bad


def run(s, cls, params, grads, **hyper):
    """Construct ``cls`` on ``params``, step through ``grads``; returns (params, t) after the last step."""
    opt = s.new(f"optimizers.{cls}", params, **hyper)
    opt.call_each("step", [((g,), {}) for g in grads])  # as the loop of steps, in one round trip
    return opt.get("params", "t")


CASES = {
    "SGD": [dict(lr=0.1), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.1, weight_decay=0.01), dict(lr=0.03, momentum=0.5, nesterov=True, weight_decay=0.02)],
    "AdaGrad": [dict(), dict(lr=0.1, eps=1e-6)],
    "RMSProp": [dict(), dict(lr=0.005, alpha=0.9, eps=1e-6)],
    "Adam": [dict(), dict(lr=0.01, betas=(0.8, 0.99)), dict(lr=0.003, weight_decay=0.1, eps=1e-6)],
    "AdamW": [dict(), dict(lr=0.01, betas=(0.85, 0.995), weight_decay=0.1)],
}
REQUIRED = {"SGD": {"lr": 0.1}}

# Out-of-range hyper-parameters; torch.optim rejects each of them with ValueError.
ADAM_INVALID = [dict(lr=-1e-3), dict(betas=(1.0, 0.999)), dict(betas=(0.9, -0.1)), dict(eps=-1e-8), dict(weight_decay=-0.1)]
INVALID = {
    "SGD": [dict(lr=-0.1), dict(lr=0.1, momentum=-0.9), dict(lr=0.1, weight_decay=-0.01), dict(lr=0.1, nesterov=True)],
    "AdaGrad": [dict(lr=-0.01), dict(eps=-1e-10)],
    "RMSProp": [dict(lr=-0.01), dict(alpha=-0.5), dict(eps=-1e-8)],
    "Adam": ADAM_INVALID,
    "AdamW": ADAM_INVALID,
}


def _label(hyper):
    return ", ".join(f"{k}={v}" for k, v in hyper.items())


def _cases():
    for cls, settings in CASES.items():
        for hyper in settings:
            yield pytest.param(cls, hyper, marks=pytest.mark.item(f"optimizers.{cls}", weight=2), id=f"{cls}({_label(hyper) or 'defaults'})")


def _classes(weight=1):
    return [pytest.param(cls, marks=pytest.mark.item(f"optimizers.{cls}", weight=weight), id=cls) for cls in CASES]


@pytest.mark.parametrize("cls, hyper", list(_cases()))
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-8), (np.float32, 2e-4)], ids=["float64", "float32"])
def test_thirty_steps_match_the_reference(compare, cls, hyper, dtype, rtol):
    """30 steps match the reference"""
    params, grads = _params(1, dtype), _gradients(2, dtype)
    label = _label(hyper) or "the default hyper-parameters"
    compare(lambda s: run(s, cls, params, grads, **{**REQUIRED.get(cls, {}), **hyper}), rtol=rtol, atol=1e-6 if dtype == np.float32 else 1e-12,
            what="(params, t) after 30 steps", inputs=f"{cls}({label}) on params {SHAPES_TEXT}, {np.dtype(dtype).name}, random gradients (seed 2)")


@pytest.mark.parametrize("cls", _classes())
def test_step_count_and_in_place_updates(submission, cls):
    """t counts the steps and params keeps its arrays, updated in place"""
    initial = _params(3)
    arrays = {name: submission.put(p) for name, p in initial.items()}  # the model's arrays
    weights = submission.put(arrays)  # the dict given to the constructor, holding those very arrays
    opt = submission.new(f"optimizers.{cls}", weights, **REQUIRED.get(cls, {}))
    t0 = opt.get("t")
    for g in _gradients(4, steps=3):
        opt.call("step", g)
    t3 = opt.get("t")
    if (t0, t3) != (0, 3):
        raise AssertionError(f"{cls}: t should be 0 after construction and 3 after three steps, got {t0!r} and {t3!r}")
    params = opt.get("params")
    if not np.array_equal(params["W"], weights.call("copy")["W"]):
        raise AssertionError(f"{cls}: after three steps, opt.params differs from the dict given to the constructor; "
                             "keep that very dict as self.params (no copy) and update it")
    for name, array in arrays.items():
        if not np.array_equal(params[name], array.call("copy")):
            raise AssertionError(
                f"{cls}: after three steps, opt.params[{name!r}] is no longer the array given to the constructor (which did not change); "
                "update each array in place (p -= ..., or p[...] = ...) instead of putting a new array into the dict, "
                "so that a model holding the same arrays sees the update")
    if np.allclose(params["W"], initial["W"]):
        raise AssertionError(f"{cls}: after three steps params['W'] is unchanged; update the arrays in place (p -= ...)")
    weights.call("__setitem__", "added_later", np.zeros(1))  # a key the caller adds to its dict shows in opt.params only if it is that dict
    if "added_later" not in opt.get("params"):
        raise AssertionError(f"{cls}: opt.params is a copy of the dict given to the constructor; keep that very dict (self.params = params)")


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
    with submission.raises(ValueError, f"from {cls}.step for a {problem} gradient ({'no key b' if problem == 'missing' else 'W of shape (3, 4) for a parameter of shape (4, 3)'})"):
        opt.call("step", grads)


@pytest.mark.parametrize("cls", _classes())
def test_non_finite_gradient_raises_and_leaves_params_untouched(submission, cls):
    """a nan or inf gradient raises FloatingPointError and changes nothing"""
    opt = submission.new(f"optimizers.{cls}", _params(7), **REQUIRED.get(cls, {}))
    opt.call("step", _gradients(8, steps=1)[0])
    before, t = opt.get("params", "t")
    with submission.raises(FloatingPointError, f"from {cls}.step for a gradient holding nan (in b) and inf (in v)"):
        opt.call("step", _non_finite(_gradients(9, steps=1)[0]))
    assert_close(opt.get("params", "t"), (before, t), rtol=0, atol=0, what="(params, t) after the refused step",
                 inputs=f"{cls}: one good step, then a step whose gradients of b and v hold nan and inf (W's is finite); check every gradient before changing anything")


@pytest.mark.parametrize("cls", _classes())
def test_refused_step_leaves_the_state_as_it_was(compare, cls):
    """after a refused step the optimizer goes on as if it had never been called"""
    params, grads = _params(14), _gradients(15, steps=4)
    bad = _non_finite(_gradients(16, steps=1)[0])

    def drive(s):
        opt = s.new(f"optimizers.{cls}", params, **{**REQUIRED.get(cls, {}), **CASES[cls][1]})
        for g in grads[:2]:
            opt.call("step", g)
        try:
            opt.call("step", bad)
        except StudentError:
            pass  # raising is graded by the test above; here only what follows counts
        for g in grads[2:]:
            opt.call("step", g)
        return opt.get("params", "t")

    compare(drive, rtol=1e-8, atol=1e-12, what="(params, t) after the last step",
            inputs=f"{cls}({_label({**REQUIRED.get(cls, {}), **CASES[cls][1]})}) on params {SHAPES_TEXT}: two steps, a step with nan/inf in the gradients of b and v "
                   "(W's is finite), then two more steps; the refused step must change neither params, nor t, nor the optimizer's state (velocities, moments)")


@pytest.mark.parametrize("cls", _classes())
def test_invalid_hyper_parameters_raise_value_error(submission, cls):
    """rejects out-of-range hyper-parameters with ValueError"""
    for hyper in INVALID[cls]:
        with submission.raises(ValueError, f"from {cls}(params, {_label(hyper)})"):
            submission.new(f"optimizers.{cls}", _params(17), **{**REQUIRED.get(cls, {}), **hyper})


@pytest.mark.parametrize("cls", _classes())
def test_gradients_are_left_unmodified(compare, cls):
    """updates params and leaves the gradients unmodified"""
    hyper, grads = {**REQUIRED.get(cls, {}), **CASES[cls][-1]}, _gradients(11, steps=1)[0]

    def drive(s):
        opt = s.new(f"optimizers.{cls}", _params(10), **hyper)
        _, (after,), _ = opt.call_and_inputs("step", grads)
        return after, opt.get("params")

    compare(drive, rtol=1e-10, atol=1e-12, what="(grads after step(grads), params after the step)",
            inputs=f"{cls}({_label(hyper)}), one step; do not modify the arrays of grads")


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
def test_clip_single_array_at_both_sides_of_the_threshold(compare):
    """one array just above and just below max_norm"""
    grads = {"w": np.array([3.0, 4.0])}  # norm 5
    compare(lambda s: [s.call("optimizers.clip_grad_norm", grads, max_norm) for max_norm in (4.9, 5.1)], rtol=1e-12, atol=1e-15,
            what="[(clipped, total_norm) for max_norm=4.9, (clipped, total_norm) for max_norm=5.1]", inputs="grads {'w': [3.0, 4.0]} (norm 5)")


@clip
def test_clip_leaves_its_input_unmodified(compare):
    """returns a new, clipped dict and leaves the gradients unmodified"""
    grads = _gradients(13, steps=1)[0]
    compare(lambda s: s.call_and_inputs("optimizers.clip_grad_norm", grads, 0.1)[:2], rtol=1e-10, atol=1e-12,
            what="((clipped, total_norm), [grads after the call, 0.1])", inputs="clip_grad_norm(grads, 0.1); return new arrays, do not scale the given ones in place")
