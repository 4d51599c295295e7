"""Public tests of schedules.py: each learning-rate schedule at a few known epochs.

Epochs count from 0. The expected rates are worked out by hand from the
formulas in the docstrings; they catch off-by-one epochs, float instead of
integer division, and what happens after the last epoch.

Run just this file from the release folder:

    pytest tests/test_schedules.py

Passing these tests does not guarantee full marks: the grading checks every
epoch of many settings and the invalid arguments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedules


def _rates(schedule, epochs, **kwargs) -> list[float]:
    return [schedule(epoch, **kwargs) for epoch in epochs]


def test_step_decay_drops_once_every_epochs_drop_epochs():
    epochs = [0, 9, 10, 19, 20, 35]
    got = _rates(schedules.step_decay, epochs, initial_lr=0.1, drop_factor=0.5, epochs_drop=10)
    np.testing.assert_allclose(
        got, [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125], rtol=1e-12,
        err_msg=f"step_decay(epoch, 0.1, drop_factor=0.5, epochs_drop=10) at epochs {epochs}: "
        "0.1 * 0.5 ** (epoch // 10), constant within each block of 10 epochs",
    )


def test_step_decay_defaults_halve_every_ten_epochs():
    got = schedules.step_decay(25, 1.0)
    assert got == pytest.approx(0.25), (
        f"step_decay(25, 1.0) with the defaults drop_factor=0.5, epochs_drop=10: 1.0 * 0.5 ** 2 = 0.25, got {got}"
    )


def test_cosine_annealing_goes_from_lr_max_to_lr_min():
    epochs = [0, 5, 10]
    got = _rates(schedules.cosine_annealing, epochs, total_epochs=10, lr_max=1.0, lr_min=0.1)
    np.testing.assert_allclose(
        got, [1.0, 0.55, 0.1], rtol=1e-12, atol=1e-15,
        err_msg=f"cosine_annealing(epoch, 10, lr_max=1.0, lr_min=0.1) at epochs {epochs}: "
        "lr_max at 0, halfway (0.1 + 0.45) at 5, lr_min at 10",
    )


def test_cosine_annealing_follows_the_cosine_between():
    got = schedules.cosine_annealing(2, total_epochs=8, lr_max=2.0)
    expected = 0.5 * 2.0 * (1 + math.cos(math.pi / 4))  # progress 2/8 = 1/4
    assert got == pytest.approx(expected, rel=1e-12), (
        f"cosine_annealing(2, 8, lr_max=2.0): 0.5 * 2 * (1 + cos(pi * 2 / 8)) = {expected}, got {got}"
    )


def test_cosine_annealing_stays_at_lr_min_after_total_epochs():
    got = _rates(schedules.cosine_annealing, [11, 15, 20], total_epochs=10, lr_max=1.0, lr_min=0.1)
    np.testing.assert_allclose(
        got, [0.1, 0.1, 0.1], rtol=1e-12,
        err_msg="cosine_annealing(epoch, 10, lr_max=1.0, lr_min=0.1) stays at lr_min after epoch 10 (no restart)",
    )


def test_linear_warmup_starts_at_base_lr_over_warmup_epochs():
    epochs = [0, 1, 4, 5, 10]
    got = _rates(schedules.linear_warmup, epochs, warmup_epochs=5, base_lr=1.0)
    np.testing.assert_allclose(
        got, [0.2, 0.4, 1.0, 1.0, 1.0], rtol=1e-12,
        err_msg=f"linear_warmup(epoch, 5, base_lr=1.0) at epochs {epochs}: (epoch + 1) / 5 while epoch < 5, then 1.0",
    )


def test_warmup_cosine_warms_up_then_anneals_over_the_remaining_epochs():
    epochs = [0, 1, 2, 6, 10, 12]
    got = _rates(schedules.warmup_cosine, epochs, total_epochs=10, warmup_epochs=2, lr_max=1.0)
    np.testing.assert_allclose(
        got, [0.5, 1.0, 1.0, 0.5, 0.0, 0.0], rtol=1e-12, atol=1e-15,
        err_msg=f"warmup_cosine(epoch, 10, 2, lr_max=1.0) at epochs {epochs}: warmup 0.5, 1.0; "
        "then cosine with progress (epoch - 2) / 8: 1.0 at epoch 2, 0.5 at 6, 0 at 10 and after",
    )


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("step_decay", {"initial_lr": 0.1}),
        ("cosine_annealing", {"total_epochs": 10, "lr_max": 0.1}),
        ("linear_warmup", {"warmup_epochs": 5, "base_lr": 0.1}),
        ("warmup_cosine", {"total_epochs": 10, "warmup_epochs": 2, "lr_max": 0.1}),
    ],
)
def test_schedule_returns_a_float(name, kwargs):
    got = getattr(schedules, name)(3, **kwargs)
    assert isinstance(got, float), f"{name}(3, **{kwargs}) must return a float, got {type(got).__name__}"


def test_negative_epoch_raises_value_error():
    with pytest.raises(ValueError, match="epoch"):
        schedules.step_decay(-1, 0.1)
