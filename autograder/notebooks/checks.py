"""Value checks for the notebooks' autograded answers, with feedback a student can act on.

A check cell recomputes an answer from the student's own results (so that a
mistake in a module does not cost the notebook answer too) and calls one of
these; a mismatch raises ``AssertionError`` naming the entry, the expected and
the received value, and how the expected one was computed::

    expect_equal(steps_to_reach, {"SGD": None, "Adam": 914},
                 what="steps_to_reach", how="the first index whose f is below 1e-2")

Dicts are compared key by key, so the message names the first wrong entry.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def expect_equal(got: Any, expected: Any, *, what: str, how: str = "") -> None:
    """Raise ``AssertionError`` unless ``got`` equals ``expected`` exactly (ints, strings, None, dicts)."""
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    _compare(got, expected, what, how, tolerance=None)


def expect_close(got: Any, expected: Any, *, what: str, how: str = "", rtol: float = 1e-7, atol: float = 0.0) -> None:
    """Like ``expect_equal``, but numbers may differ by ``atol + rtol * |expected|``."""
    __tracebackhide__ = True
    _compare(got, expected, what, how, tolerance=(rtol, atol))


def _compare(got: Any, expected: Any, what: str, how: str, tolerance: tuple[float, float] | None) -> None:
    __tracebackhide__ = True
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            _fail(f"{what} should be a dict, got {type(got).__name__}", how)
        missing = [key for key in expected if key not in got]
        extra = [key for key in got if key not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {missing!r}")
            if extra:
                parts.append(f"unexpected keys {extra!r}")
            _fail(f"{what} should have the keys {list(expected)!r}: {', '.join(parts)}", how)
        for key, value in expected.items():
            _compare(got[key], value, f"{what}[{key!r}]", how, tolerance)
        return
    got = _plain(got)
    if expected is None or isinstance(expected, (str, bool)):
        if got != expected or type(got) is not type(expected):
            _fail(f"{what} should be {expected!r}, got {got!r}", how)
        return
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        _fail(f"{what} should be the number {expected!r}, got {got!r} of type {type(got).__name__}", how)
    if tolerance is None:
        if got != expected:
            _fail(f"{what} should be {expected!r}, got {got!r}", how)
        return
    rtol, atol = tolerance
    if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
        _fail(
            f"{what} should be {expected!r}, got {got!r} "
            f"(difference {abs(got - expected):.3g}; allowed atol={atol:g} + rtol={rtol:g} * |expected|)",
            how,
        )


def _plain(value: Any) -> Any:
    """NumPy scalars and 0-d arrays as Python numbers; anything else unchanged."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    return value


def _fail(message: str, how: str) -> None:
    __tracebackhide__ = True
    raise AssertionError(f"{message}. Expected: {how}." if how else message)
