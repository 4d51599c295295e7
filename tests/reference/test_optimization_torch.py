"""The `optimization` reference agrees with PyTorch: optimizers, gradient clipping, schedules.

Each optimizer runs side by side with its ``torch.optim`` twin for 30 steps in
float64, on two parameter arrays of different shapes, with gradients that
depend on the current parameters (a quadratic bowl) plus seeded noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.course import load_reference_module

torch = pytest.importorskip(
    "torch", reason="the reference is checked against PyTorch; `make test` installs torch==2.13.0"
)

optimizers = load_reference_module("optimization", "optimizers")
schedules = load_reference_module("optimization", "schedules")
lr_scheduler = torch.optim.lr_scheduler

STEPS = 30
RTOL, ATOL = 1e-10, 1e-13


def _initial_params() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(5)}


def _gradients(params: dict[str, np.ndarray], step: int) -> dict[str, np.ndarray]:
    """Gradient of sum((p - 0.5)**2) at the current parameters, plus noise fixed by ``step``."""
    rng = np.random.default_rng(1000 + step)
    return {key: 2.0 * (p - 0.5) + 0.3 * rng.standard_normal(p.shape) for key, p in params.items()}


def _run_side_by_side(name, kwargs, torch_cls, torch_kwargs, dtype=np.float64, rtol=RTOL, atol=ATOL):
    params = {key: p.astype(dtype) for key, p in _initial_params().items()}
    ours = getattr(optimizers, name)(params, **kwargs)
    tensors = {key: torch.tensor(p.copy(), requires_grad=True) for key, p in params.items()}
    theirs = torch_cls(list(tensors.values()), **torch_kwargs)
    for step in range(STEPS):
        grads = _gradients(params, step)
        for key, tensor in tensors.items():
            tensor.grad = torch.from_numpy(grads[key].astype(dtype))
        ours.step(grads)
        theirs.step()
        for key, tensor in tensors.items():
            np.testing.assert_allclose(
                params[key], tensor.detach().numpy(), rtol=rtol, atol=atol,
                err_msg=f"{name}({kwargs}): params[{key!r}] after step {step + 1}",
            )
    return params


OPTIMIZER_CASES = {
    "sgd": ("SGD", {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    "sgd-momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd-nesterov": (
        "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    ),
    "sgd-weight-decay": ("SGD", {"lr": 0.1, "weight_decay": 0.05}, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.05}),
    "sgd-nesterov-weight-decay": (
        "SGD", {"lr": 0.03, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
        torch.optim.SGD, {"lr": 0.03, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
    ),
    "adagrad-defaults": ("AdaGrad", {}, torch.optim.Adagrad, {}),
    "adagrad": ("AdaGrad", {"lr": 0.3, "eps": 1e-6}, torch.optim.Adagrad, {"lr": 0.3, "eps": 1e-6}),
    "rmsprop-defaults": ("RMSProp", {}, torch.optim.RMSprop, {}),
    "rmsprop": (
        "RMSProp", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6},
        torch.optim.RMSprop, {"lr": 0.005, "alpha": 0.9, "eps": 1e-6},
    ),
    "adam-defaults": ("Adam", {}, torch.optim.Adam, {}),
    "adam-betas": ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}, torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99)}),
    "adam-weight-decay": (
        "Adam", {"lr": 0.02, "betas": (0.85, 0.995), "eps": 1e-7, "weight_decay": 0.1},
        torch.optim.Adam, {"lr": 0.02, "betas": (0.85, 0.995), "eps": 1e-7, "weight_decay": 0.1},
    ),
    "adamw-defaults": ("AdamW", {}, torch.optim.AdamW, {}),
    "adamw": (
        "AdamW", {"lr": 0.02, "betas": (0.85, 0.995), "weight_decay": 0.2},
        torch.optim.AdamW, {"lr": 0.02, "betas": (0.85, 0.995), "weight_decay": 0.2},
    ),
}


@pytest.mark.parametrize("case", OPTIMIZER_CASES.values(), ids=OPTIMIZER_CASES.keys())
def test_optimizer_matches_torch_step_by_step(case):
    name, kwargs, torch_cls, torch_kwargs = case
    params = _run_side_by_side(name, kwargs, torch_cls, torch_kwargs)
    assert not np.allclose(params["W"], _initial_params()["W"]), "the run should move the parameters"


@pytest.mark.parametrize("name, torch_cls", [("SGD", torch.optim.SGD), ("Adam", torch.optim.Adam)])
def test_float32_parameters_match_torch_in_float32(name, torch_cls):
    kwargs = {"lr": 0.01, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    params = _run_side_by_side(name, kwargs, torch_cls, kwargs, dtype=np.float32, rtol=1e-5, atol=1e-6)
    assert all(p.dtype == np.float32 for p in params.values())


def _torch_clip(grads: dict[str, np.ndarray], max_norm: float):
    tensors = []
    for g in grads.values():
        tensor = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        tensor.grad = torch.from_numpy(g.copy())
        tensors.append(tensor)
    total_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return {key: t.grad.numpy() for key, t in zip(grads, tensors)}, float(total_norm)


@pytest.mark.parametrize("max_norm", [0.0, 0.5, 2.0, 1e3], ids=["zero", "clips", "clips-less", "no-clip"])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(3)
    grads = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(5), "c": rng.standard_normal((2, 2, 2))}
    clipped, total_norm = optimizers.clip_grad_norm(grads, max_norm)
    expected, expected_norm = _torch_clip(grads, max_norm)
    assert total_norm == pytest.approx(expected_norm, rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(clipped[key], expected[key], rtol=1e-12, atol=1e-15, err_msg=key)


def _torch_lrs(make_scheduler, epochs: int, lr: float) -> list[float]:
    """The rate of each epoch 0 .. epochs - 1: read before the epoch's ``scheduler.step()``."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("initial_lr, drop_factor, epochs_drop", [(0.1, 0.5, 10), (0.3, 0.1, 3), (1.0, 0.9, 1)])
def test_step_decay_matches_step_lr(initial_lr, drop_factor, epochs_drop):
    expected = _torch_lrs(lambda o: lr_scheduler.StepLR(o, step_size=epochs_drop, gamma=drop_factor), 40, initial_lr)
    ours = [schedules.step_decay(e, initial_lr, drop_factor=drop_factor, epochs_drop=epochs_drop) for e in range(40)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


COSINE_CASES = [(10, 0.1, 0.0), (7, 1.0, 0.05), (50, 0.3, 1e-3)]


@pytest.mark.parametrize("total_epochs, lr_max, lr_min", COSINE_CASES)
def test_cosine_annealing_matches_stepped_cosine_annealing_lr(total_epochs, lr_max, lr_min):
    # PyTorch steps a recursive form, so the two differ by accumulated rounding only.
    expected = _torch_lrs(
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=total_epochs, eta_min=lr_min), total_epochs + 1, lr_max
    )
    ours = [schedules.cosine_annealing(e, total_epochs, lr_max, lr_min=lr_min) for e in range(total_epochs + 1)]
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12 * lr_max)


@pytest.mark.parametrize("total_epochs, lr_max, lr_min", COSINE_CASES)
def test_cosine_annealing_matches_torch_closed_form(total_epochs, lr_max, lr_min):
    param = torch.zeros(1, requires_grad=True)
    scheduler = lr_scheduler.CosineAnnealingLR(
        torch.optim.SGD([param], lr=lr_max), T_max=total_epochs, eta_min=lr_min
    )
    for epoch in range(total_epochs + 1):
        scheduler.last_epoch = epoch
        expected = scheduler._get_closed_form_lr()[0]  # the formula PyTorch uses for step(epoch)
        assert schedules.cosine_annealing(epoch, total_epochs, lr_max, lr_min=lr_min) == pytest.approx(
            expected, rel=1e-14, abs=1e-16
        )


@pytest.mark.parametrize("warmup_epochs", [2, 3, 5])
def test_linear_warmup_matches_linear_lr(warmup_epochs):
    expected = _torch_lrs(
        lambda o: lr_scheduler.LinearLR(o, start_factor=1 / warmup_epochs, end_factor=1.0, total_iters=warmup_epochs - 1),
        warmup_epochs + 6, 0.2,
    )
    ours = [schedules.linear_warmup(e, warmup_epochs, 0.2) for e in range(warmup_epochs + 6)]
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


@pytest.mark.parametrize("total_epochs, warmup_epochs, lr_max, lr_min", [(10, 3, 0.1, 0.01), (20, 1, 1.0, 0.0), (8, 7, 0.5, 0.1)])
def test_warmup_cosine_matches_sequential_linear_then_cosine(total_epochs, warmup_epochs, lr_max, lr_min):
    def make(optimizer):
        warmup = lr_scheduler.LinearLR(
            optimizer, start_factor=1 / warmup_epochs, end_factor=1.0, total_iters=warmup_epochs - 1
        )
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_epochs - warmup_epochs, eta_min=lr_min)
        return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_epochs])

    expected = _torch_lrs(make, total_epochs + 1, lr_max)
    ours = [
        schedules.warmup_cosine(e, total_epochs, warmup_epochs, lr_max, lr_min=lr_min) for e in range(total_epochs + 1)
    ]
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12 * lr_max)
