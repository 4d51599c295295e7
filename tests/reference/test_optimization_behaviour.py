"""The `optimization` reference follows the contract's rules (no PyTorch needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.course import load_reference_module

optimizers = load_reference_module("optimization", "optimizers")
schedules = load_reference_module("optimization", "schedules")
early_stopping = load_reference_module("optimization", "early_stopping")
EarlyStopping = early_stopping.EarlyStopping

# One factory per optimizer, with hyper-parameters that make every state matter.
FACTORIES = {
    "SGD": lambda params: optimizers.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "AdaGrad": lambda params: optimizers.AdaGrad(params, lr=0.1),
    "RMSProp": lambda params: optimizers.RMSProp(params, lr=0.01),
    "Adam": lambda params: optimizers.Adam(params, lr=0.01, weight_decay=0.01),
    "AdamW": lambda params: optimizers.AdamW(params, lr=0.01),
}
each_optimizer = pytest.mark.parametrize("make", FACTORIES.values(), ids=FACTORIES.keys())


def _params() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}


def _grads(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}


# --- optimizers: the shared interface -------------------------------------------------------


@each_optimizer
def test_t_is_zero_after_construction(make):
    assert make(_params()).t == 0


@each_optimizer
def test_t_counts_step_calls(make):
    opt = make(_params())
    for _ in range(3):
        opt.step(_grads())
    assert opt.t == 3


@each_optimizer
def test_params_attribute_is_the_dict_given(make):
    params = _params()
    assert make(params).params is params


@each_optimizer
def test_step_updates_the_owned_arrays_in_place(make):
    params = _params()
    arrays = dict(params)
    before = {key: p.copy() for key, p in params.items()}
    make(params).step(_grads())
    for key in params:
        assert params[key] is arrays[key]
        assert not np.array_equal(params[key], before[key])


@each_optimizer
def test_step_does_not_modify_the_gradients(make):
    opt, grads = make(_params()), _grads()
    copies = {key: g.copy() for key, g in grads.items()}
    opt.step(grads)
    opt.step(grads)
    for key in grads:
        np.testing.assert_array_equal(grads[key], copies[key])


@each_optimizer
def test_missing_gradient_raises_value_error_naming_the_key(make):
    grads = _grads()
    del grads["b"]
    with pytest.raises(ValueError, match="'b'"):
        make(_params()).step(grads)


@each_optimizer
def test_misshapen_gradient_raises_value_error_naming_the_key(make):
    grads = _grads()
    grads["W"] = grads["W"].T
    with pytest.raises(ValueError, match="'W'"):
        make(_params()).step(grads)


@each_optimizer
def test_unexpected_gradient_key_raises_value_error_naming_it(make):
    grads = {**_grads(), "extra": np.zeros(2)}
    with pytest.raises(ValueError, match="'extra'"):
        make(_params()).step(grads)


@each_optimizer
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient_raises_and_changes_nothing(make, bad):
    params = _params()
    opt = make(params)
    opt.step(_grads(1))
    before = {key: p.copy() for key, p in params.items()}
    grads = _grads(2)
    grads["b"][1] = bad  # the last key: "W" would already be updated by a check-as-you-go step
    with pytest.raises(FloatingPointError, match="'b'"):
        opt.step(grads)
    assert opt.t == 1
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])


@each_optimizer
def test_a_refused_step_leaves_the_state_as_it_was(make):
    refused, clean = _params(), _params()
    opt_refused, opt_clean = make(refused), make(clean)
    bad = _grads(5)
    bad["b"][0] = np.nan
    for seed in range(1, 4):
        opt_clean.step(_grads(seed))
        with pytest.raises(FloatingPointError):
            opt_refused.step(bad)
        opt_refused.step(_grads(seed))
    for key in clean:
        np.testing.assert_array_equal(refused[key], clean[key])


@each_optimizer
def test_float32_parameters_stay_float32(make):
    params = {key: p.astype(np.float32) for key, p in _params().items()}
    arrays = dict(params)
    make(params).step(_grads())
    assert all(params[key] is arrays[key] and params[key].dtype == np.float32 for key in params)


def test_integer_parameters_are_refused():
    with pytest.raises(ValueError, match="params\\['W'\\]"):
        optimizers.Adam({"W": np.arange(3)})


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: optimizers.SGD(p, lr=0.1), {"lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0}),
        (lambda p: optimizers.AdaGrad(p), {"lr": 1e-2, "eps": 1e-10}),
        (lambda p: optimizers.RMSProp(p), {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8}),
        (lambda p: optimizers.Adam(p), {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}),
        (lambda p: optimizers.AdamW(p), {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}),
    ],
    ids=["SGD", "AdaGrad", "RMSProp", "Adam", "AdamW"],
)
def test_hyper_parameters_are_attributes_with_the_contract_defaults(make, expected):
    opt = make(_params())
    assert {name: getattr(opt, name) for name in expected} == expected


def test_changing_lr_between_steps_takes_effect():
    params = {"w": np.array([1.0])}
    opt = optimizers.SGD(params, lr=0.5)
    opt.step({"w": np.array([1.0])})
    opt.lr = 0.25
    opt.step({"w": np.array([1.0])})
    np.testing.assert_array_equal(params["w"], [0.25])


@pytest.mark.parametrize(
    "cls, kwargs, name",
    [
        ("SGD", {"lr": -0.1}, "lr"),
        ("SGD", {"lr": 0.1, "momentum": -0.5}, "momentum"),
        ("SGD", {"lr": 0.1, "weight_decay": -1.0}, "weight_decay"),
        ("SGD", {"lr": 0.1, "nesterov": True}, "nesterov"),
        ("AdaGrad", {"lr": -1.0}, "lr"),
        ("AdaGrad", {"eps": -1e-10}, "eps"),
        ("RMSProp", {"alpha": 1.5}, "alpha"),
        ("RMSProp", {"alpha": -0.1}, "alpha"),
        ("RMSProp", {"eps": -1.0}, "eps"),
        ("Adam", {"lr": -1e-3}, "lr"),
        ("Adam", {"betas": (1.0, 0.999)}, "betas"),
        ("Adam", {"betas": (0.9, -0.1)}, "betas"),
        ("Adam", {"eps": -1e-8}, "eps"),
        ("Adam", {"weight_decay": -0.1}, "weight_decay"),
        ("AdamW", {"betas": (0.9, 1.0)}, "betas"),
        ("AdamW", {"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_invalid_hyper_parameter_raises_value_error_naming_it(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        getattr(optimizers, cls)(_params(), **kwargs)


# --- optimizers: known values ---------------------------------------------------------------


def test_sgd_momentum_uses_the_gradient_as_first_velocity():
    params = {"w": np.array([0.0])}
    opt = optimizers.SGD(params, lr=1.0, momentum=0.5)
    opt.step({"w": np.array([1.0])})  # v = 1, not (1 - momentum) * 1
    opt.step({"w": np.array([1.0])})  # v = 0.5 + 1
    np.testing.assert_array_equal(params["w"], [-2.5])


def test_sgd_nesterov_steps_along_gradient_plus_momentum_times_velocity():
    params = {"w": np.array([0.0])}
    opt = optimizers.SGD(params, lr=1.0, momentum=0.5, nesterov=True)
    opt.step({"w": np.array([1.0])})  # v = 1; step 1 + 0.5 * 1
    np.testing.assert_array_equal(params["w"], [-1.5])


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    params = {"w": np.array([1.0, 1.0, 1.0])}
    optimizers.Adam(params, lr=0.1).step({"w": np.array([1e-3, -5.0, 200.0])})
    np.testing.assert_allclose(params["w"], [0.9, 1.1, 0.9], atol=1e-5)


def test_adam_weight_decay_is_added_to_the_gradient():
    params = {"w": np.array([2.0, -2.0])}
    optimizers.Adam(params, lr=0.1, weight_decay=0.5).step({"w": np.zeros(2)})  # g = 0.5 * p
    np.testing.assert_allclose(params["w"], [1.9, -1.9], atol=1e-6)


def test_adamw_decay_is_decoupled_from_the_moments():
    params = {"w": np.array([2.0, -2.0])}
    optimizers.AdamW(params, lr=0.1, weight_decay=0.5).step({"w": np.zeros(2)})  # m = 0: decay only
    np.testing.assert_allclose(params["w"], [2.0 * 0.95, -2.0 * 0.95], rtol=1e-15)


# --- clip_grad_norm -------------------------------------------------------------------------


def test_clip_returns_the_norm_before_clipping_as_a_float():
    _, total_norm = optimizers.clip_grad_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}, 1.0)
    assert type(total_norm) is float and total_norm == 5.0


def test_clip_scales_every_array_by_max_norm_over_norm_plus_1e_6():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, _ = optimizers.clip_grad_norm(grads, 2.0)
    scale = 2.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(clipped["a"], [3.0 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [[4.0 * scale]], rtol=1e-15)


@pytest.mark.parametrize("max_norm", [5.0, 10.0])
def test_clip_leaves_gradients_within_max_norm_unchanged(max_norm):
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    clipped, _ = optimizers.clip_grad_norm(grads, max_norm)
    np.testing.assert_array_equal(clipped["a"], [3.0])
    np.testing.assert_array_equal(clipped["b"], [4.0])


@pytest.mark.parametrize("max_norm", [1.0, 100.0], ids=["clipping", "not-clipping"])
def test_clip_returns_new_dict_and_arrays_and_leaves_inputs_alone(max_norm):
    grads = _grads()
    copies = {key: g.copy() for key, g in grads.items()}
    clipped, _ = optimizers.clip_grad_norm(grads, max_norm)
    assert clipped is not grads and set(clipped) == set(grads)
    for key in grads:
        assert clipped[key] is not grads[key] and not np.shares_memory(clipped[key], grads[key])
        np.testing.assert_array_equal(grads[key], copies[key])


def test_clip_keeps_float32():
    clipped, _ = optimizers.clip_grad_norm({"a": np.ones(4, dtype=np.float32)}, 1.0)
    assert clipped["a"].dtype == np.float32


def test_clip_negative_max_norm_raises_value_error():
    with pytest.raises(ValueError, match="max_norm"):
        optimizers.clip_grad_norm(_grads(), -1.0)


# --- schedules ------------------------------------------------------------------------------


@pytest.mark.parametrize("epoch, expected", [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (20, 0.025), (35, 0.0125)])
def test_step_decay_with_defaults_halves_every_ten_epochs(epoch, expected):
    assert schedules.step_decay(epoch, 0.1) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "epoch, expected", [(0, 1.0), (5, 0.55), (10, 0.1), (11, 0.1), (1000, 0.1)]
)
def test_cosine_annealing_at_start_middle_end_and_after(epoch, expected):
    assert schedules.cosine_annealing(epoch, 10, 1.0, lr_min=0.1) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("epoch, expected", [(0, 0.025), (1, 0.05), (3, 0.1), (4, 0.1), (100, 0.1)])
def test_linear_warmup_reaches_base_lr_at_the_last_warmup_epoch(epoch, expected):
    assert schedules.linear_warmup(epoch, 4, 0.1) == pytest.approx(expected, rel=1e-15)


def test_linear_warmup_of_one_epoch_is_constant():
    assert [schedules.linear_warmup(e, 1, 0.3) for e in range(3)] == [0.3, 0.3, 0.3]


@pytest.mark.parametrize(
    "epoch, expected", [(0, 0.25), (3, 1.0), (4, 1.0), (9, 0.5), (14, 0.0), (15, 0.0), (500, 0.0)]
)
def test_warmup_cosine_at_known_points(epoch, expected):
    # warmup 4 epochs to 1.0; cosine over epochs 4 .. 14, halfway at 9
    assert schedules.warmup_cosine(epoch, 14, 4, 1.0) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_warmup_cosine_ends_at_lr_min():
    assert schedules.warmup_cosine(20, 20, 5, 0.5, lr_min=0.02) == pytest.approx(0.02, rel=1e-15)
    assert schedules.warmup_cosine(21, 20, 5, 0.5, lr_min=0.02) == 0.02


@pytest.mark.parametrize(
    "call",
    [
        lambda: schedules.step_decay(np.int64(12), np.float64(0.1)),
        lambda: schedules.cosine_annealing(np.int64(3), np.int64(10), np.float32(0.1)),
        lambda: schedules.linear_warmup(np.int64(1), 5, np.float64(0.1)),
        lambda: schedules.warmup_cosine(np.int64(7), 10, 2, np.float32(0.1)),
    ],
    ids=["step_decay", "cosine_annealing", "linear_warmup", "warmup_cosine"],
)
def test_schedules_return_python_floats_even_for_numpy_inputs(call):
    assert type(call()) is float


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: schedules.step_decay(-1, 0.1), "epoch"),
        (lambda: schedules.step_decay(0, -0.1), "initial_lr"),
        (lambda: schedules.step_decay(0, 0.1, drop_factor=0.0), "drop_factor"),
        (lambda: schedules.step_decay(0, 0.1, epochs_drop=0), "epochs_drop"),
        (lambda: schedules.cosine_annealing(-1, 10, 0.1), "epoch"),
        (lambda: schedules.cosine_annealing(0, 0, 0.1), "total_epochs"),
        (lambda: schedules.cosine_annealing(0, 10, 0.1, lr_min=-0.01), "lr_min"),
        (lambda: schedules.cosine_annealing(0, 10, 0.1, lr_min=0.2), "lr_max"),
        (lambda: schedules.linear_warmup(-1, 5, 0.1), "epoch"),
        (lambda: schedules.linear_warmup(0, 0, 0.1), "warmup_epochs"),
        (lambda: schedules.linear_warmup(0, 5, -0.1), "base_lr"),
        (lambda: schedules.warmup_cosine(-1, 10, 2, 0.1), "epoch"),
        (lambda: schedules.warmup_cosine(0, 10, 0, 0.1), "warmup_epochs"),
        (lambda: schedules.warmup_cosine(0, 10, 10, 0.1), "total_epochs"),
        (lambda: schedules.warmup_cosine(0, 10, 12, 0.1), "total_epochs"),
        (lambda: schedules.warmup_cosine(0, 10, 2, 0.1, lr_min=-1.0), "lr_min"),
        (lambda: schedules.warmup_cosine(0, 10, 2, 0.1, lr_min=0.5), "lr_max"),
    ],
)
def test_invalid_schedule_argument_raises_value_error_naming_it(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --- EarlyStopping --------------------------------------------------------------------------


@pytest.mark.parametrize("mode, best", [("min", math.inf), ("max", -math.inf)])
def test_early_stopping_attributes_before_any_call(mode, best):
    stopper = EarlyStopping(mode=mode)
    assert (stopper.best, stopper.best_epoch, stopper.counter, stopper.best_weights, stopper.stopped) == (
        best, None, 0, None, False,
    )
    assert (stopper.patience, stopper.min_delta, stopper.mode, stopper.restore_best) == (10, 0.0, mode, True)


def _history(stopper, metrics):
    return [stopper(metric) for metric in metrics]


def test_min_mode_stops_after_patience_calls_without_a_lower_metric():
    stopper = EarlyStopping(patience=3, mode="min")
    assert _history(stopper, [5.0, 4.0, 4.5, 3.0, 3.0, 3.5, 3.2]) == [False] * 6 + [True]
    assert (stopper.best, stopper.best_epoch, stopper.counter, stopper.stopped) == (3.0, 3, 3, True)


def test_max_mode_stops_after_patience_calls_without_a_higher_metric():
    stopper = EarlyStopping(patience=2, mode="max")
    assert _history(stopper, [0.5, 0.7, 0.6, 0.8, 0.8, 0.1]) == [False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch, stopper.counter) == (0.8, 3, 2)


def test_an_improvement_resets_the_counter():
    stopper = EarlyStopping(patience=5)
    _history(stopper, [1.0, 2.0, 2.0, 0.5])
    assert (stopper.counter, stopper.best_epoch) == (0, 3)


@pytest.mark.parametrize("mode, metrics", [("min", [1.0, 0.5, 0.25, 0.0]), ("max", [1.0, 1.5, 1.75, 2.0])])
def test_min_delta_requires_a_margin_larger_than_min_delta(mode, metrics):
    # min_delta 0.5: the 2nd metric beats 1.0 by exactly 0.5 (no), the 3rd by 0.75 (yes),
    # the 4th beats the new best 0.25 / 1.75 by only 0.25 (no).
    stopper = EarlyStopping(patience=10, min_delta=0.5, mode=mode)
    _history(stopper, metrics)
    assert (stopper.best, stopper.best_epoch, stopper.counter) == (metrics[2], 2, 1)


def test_an_equal_metric_is_not_an_improvement():
    stopper = EarlyStopping(patience=10)
    _history(stopper, [1.0, 1.0])
    assert (stopper.best_epoch, stopper.counter) == (0, 1)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_a_nan_metric_never_improves_and_counts(mode):
    stopper = EarlyStopping(patience=2, mode=mode)
    assert _history(stopper, [float("nan"), float("nan")]) == [False, True]
    assert (stopper.best_epoch, stopper.counter) == (None, 2)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_the_first_finite_metric_improves_even_after_nan(mode):
    stopper = EarlyStopping(patience=5, mode=mode, min_delta=1.0)
    _history(stopper, [float("nan"), 123.0])
    assert (stopper.best, stopper.best_epoch, stopper.counter) == (123.0, 1, 0)


def test_a_nan_after_the_best_keeps_the_best():
    stopper = EarlyStopping(patience=5)
    _history(stopper, [0.3, float("nan")])
    assert (stopper.best, stopper.best_epoch, stopper.counter) == (0.3, 0, 1)


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_best_weights_are_deep_copies(kind):
    arrays = [np.zeros(3), np.ones((2, 2))]
    weights = arrays if kind == "list" else {"W": arrays[0], "b": arrays[1]}
    stopper = EarlyStopping()
    stopper(1.0, weights=weights)
    arrays[0] += 5.0
    arrays[1][0, 0] = -1.0
    best = stopper.best_weights if kind == "list" else [stopper.best_weights["W"], stopper.best_weights["b"]]
    np.testing.assert_array_equal(best[0], np.zeros(3))
    np.testing.assert_array_equal(best[1], np.ones((2, 2)))
    assert type(stopper.best_weights) is type(weights)


def test_best_weights_are_those_of_the_best_call():
    stopper = EarlyStopping(patience=10)
    for epoch, metric in enumerate([3.0, 1.0, 2.0, 1.5]):
        stopper(metric, weights={"W": np.full(2, float(epoch))})
    np.testing.assert_array_equal(stopper.best_weights["W"], [1.0, 1.0])


def test_restore_best_false_keeps_no_weights():
    stopper = EarlyStopping(restore_best=False)
    stopper(1.0, weights=[np.zeros(2)])
    assert stopper.best_weights is None and stopper.best == 1.0


def test_an_improvement_without_weights_keeps_the_previous_best_weights():
    stopper = EarlyStopping()
    stopper(2.0, weights=[np.zeros(2)])
    stopper(1.0)
    np.testing.assert_array_equal(stopper.best_weights[0], np.zeros(2))
    assert stopper.best == 1.0


def test_calls_after_stopping_keep_counting_and_an_improvement_clears_stopped():
    stopper = EarlyStopping(patience=1)
    assert _history(stopper, [1.0, 2.0, 3.0]) == [False, True, True]
    assert stopper.counter == 2
    assert stopper(0.5) is False and stopper.stopped is False and stopper.best_epoch == 3


@pytest.mark.parametrize(
    "kwargs, name",
    [({"patience": 0}, "patience"), ({"min_delta": -0.1}, "min_delta"), ({"mode": "avg"}, "mode")],
)
def test_invalid_early_stopping_argument_raises_value_error_naming_it(kwargs, name):
    with pytest.raises(ValueError, match=name):
        EarlyStopping(**kwargs)
