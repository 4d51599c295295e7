"""Hidden graders of schedules.py: whole epoch ranges against the reference, floats, invalid arguments."""

from __future__ import annotations

import pytest

from autograder.grading.checks import assert_python_float


def _schedule(name):
    return pytest.mark.item(f"schedules.{name}")


def _all(s, name, epochs, **kwargs):
    return s.call_each(f"schedules.{name}", [((epoch,), kwargs) for epoch in epochs])  # the loop of calls, in one round trip


CASES = [
    ("step_decay", dict(initial_lr=0.1), range(0, 45)),
    ("step_decay", dict(initial_lr=1.0, drop_factor=0.3, epochs_drop=7), range(0, 30)),
    ("cosine_annealing", dict(total_epochs=20, lr_max=0.1), range(0, 26)),
    ("cosine_annealing", dict(total_epochs=7, lr_max=1.0, lr_min=0.2), range(0, 12)),
    ("linear_warmup", dict(warmup_epochs=5, base_lr=0.4), range(0, 10)),
    ("linear_warmup", dict(warmup_epochs=1, base_lr=0.01), range(0, 4)),
    ("warmup_cosine", dict(total_epochs=30, warmup_epochs=5, lr_max=0.1), range(0, 36)),
    ("warmup_cosine", dict(total_epochs=12, warmup_epochs=3, lr_max=2.0, lr_min=0.5), range(0, 16)),
    ("warmup_cosine", dict(total_epochs=2, warmup_epochs=1, lr_max=1.0), range(0, 5)),
]


@pytest.mark.parametrize(
    "name, kwargs, epochs",
    [pytest.param(n, k, e, marks=_schedule(n), id=f"{n}({', '.join(f'{a}={b}' for a, b in k.items())})") for n, k, e in CASES],
)
def test_schedule_over_every_epoch_matches_the_reference(compare, name, kwargs, epochs):
    """matches the reference at every epoch, past the end included"""
    got, _ = compare(lambda s: _all(s, name, epochs, **kwargs), rtol=1e-9, atol=1e-12, what=f"the learning rates of epochs {epochs.start} to {epochs.stop - 1}",
                     inputs=f"{name}(epoch, {', '.join(f'{a}={b}' for a, b in kwargs.items())}); entry i is epoch i")
    for value in got[:1]:
        assert_python_float(value, f"{name}(...)")


INVALID = [
    ("step_decay", dict(epoch=-1, initial_lr=0.1), "epoch=-1"),
    ("step_decay", dict(epoch=3, initial_lr=0.1, epochs_drop=0), "epochs_drop=0"),
    ("cosine_annealing", dict(epoch=-2, total_epochs=10, lr_max=0.1), "epoch=-2"),
    ("cosine_annealing", dict(epoch=2, total_epochs=0, lr_max=0.1), "total_epochs=0"),
    ("linear_warmup", dict(epoch=-1, warmup_epochs=5, base_lr=0.1), "epoch=-1"),
    ("linear_warmup", dict(epoch=1, warmup_epochs=0, base_lr=0.1), "warmup_epochs=0"),
    ("warmup_cosine", dict(epoch=-1, total_epochs=10, warmup_epochs=2, lr_max=0.1), "epoch=-1"),
    ("warmup_cosine", dict(epoch=1, total_epochs=10, warmup_epochs=0, lr_max=0.1), "warmup_epochs=0"),
    ("warmup_cosine", dict(epoch=1, total_epochs=0, warmup_epochs=1, lr_max=0.1), "total_epochs=0"),
    ("step_decay", dict(epoch=3, initial_lr=0.1, epochs_drop=-5), "epochs_drop=-5"),
    ("cosine_annealing", dict(epoch=2, total_epochs=-10, lr_max=0.1), "total_epochs=-10"),
    ("linear_warmup", dict(epoch=1, warmup_epochs=-3, base_lr=0.1), "warmup_epochs=-3"),
    ("warmup_cosine", dict(epoch=1, total_epochs=10, warmup_epochs=-2, lr_max=0.1), "warmup_epochs=-2"),
]


@pytest.mark.parametrize(
    "name, kwargs, what", [pytest.param(n, k, w, marks=_schedule(n), id=f"{n}({w})") for n, k, w in INVALID]
)
def test_invalid_epoch_or_count_raises_value_error(submission, name, kwargs, what):
    """rejects a negative epoch or a non-positive count with ValueError"""
    with submission.raises(ValueError, f"for {what}"):
        submission.call(f"schedules.{name}", **kwargs)
