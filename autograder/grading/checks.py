"""Checks the hidden graders make, each failing with feedback a student can act on.

Every check raises ``AssertionError`` whose message is the feedback: what was
checked, on which input, expected versus got (a few entries), and the largest
absolute and relative errors with where they are. Values are compared as
float64 whatever their dtype; graders pass a looser ``rtol`` for float32
inputs (float32 precision, about 1e-4 relative, is allowed there).

Statistical checks state their false-failure rate: each fails a correct
submission with probability at most ``alpha`` (1e-9 by default). Their
verdict is that of SciPy's exact tests; SciPy (half a second to import) is
only imported when a one-sided tail (``autograder.grading.tails``), which
bounds the two-sided p-value from below, cannot already tell that the test
passes.
"""

from __future__ import annotations

import numbers
import re
from typing import Any, Callable, Iterable

import numpy as np
from autograder.gradcheck import numerical_gradient
from autograder.grading.tails import beta_cdf, binomial_cdf, binomial_sf, smirnov_sf

ALPHA = 1e-9


def assert_close(got: Any, expected: Any, *, rtol: float, atol: float, inputs: str = "", what: str = "the output", equal_nan: bool = False, hint: str = "") -> None:
    """``got`` matches ``expected`` (arrays, numbers, None, and tuples/lists/dicts of those) within tolerance.

    ``hint`` (e.g. from the ``hint`` fixture) is appended to the feedback when the check fails.
    """
    problem = mismatch(got, expected, rtol=rtol, atol=atol, what=what, equal_nan=equal_nan)
    if problem:
        context = f"\nInput: {inputs}" if inputs else ""
        extra = f"\n{hint}" if hint else ""
        raise AssertionError(f"{problem}{context}\nTolerance: rtol={rtol:g}, atol={atol:g}.{extra}")


def is_close(got: Any, expected: Any, *, rtol: float, atol: float, equal_nan: bool = False) -> bool:
    return mismatch(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan) is None


def mismatch(got: Any, expected: Any, *, rtol: float, atol: float, what: str = "the output", equal_nan: bool = False) -> str | None:
    """Why ``got`` does not match ``expected``, or None when it does; a part of a tuple or dict is named by its index after ``what``."""
    return _mismatch(got, expected, rtol, atol, what, equal_nan, "")


def _mismatch(got: Any, expected: Any, rtol: float, atol: float, what: str, equal_nan: bool, index: str) -> str | None:
    name = _indexed(what, index)
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{name} should be a tuple of {len(expected)} values, got {_kind(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _mismatch(g, e, rtol, atol, what, equal_nan, f"{index}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else None
            return f"{name} should be a dict with keys {sorted(expected)}, got {_kind(got) if keys is None else keys}"
        for key in expected:
            problem = _mismatch(got[key], expected[key], rtol, atol, what, equal_nan, f"{index}[{key!r}]")
            if problem:
                return problem
        return None
    if expected is None:
        return None if got is None else f"{name} should be None, got {_kind(got)}"
    if isinstance(expected, (bool, np.bool_)):
        return None if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected) else f"{name} should be {bool(expected)}, got {_kind(got)}"
    return _numeric_mismatch(got, expected, rtol=rtol, atol=atol, what=name, equal_nan=equal_nan)


_EXPRESSION = re.compile(r"[\w.]+(\(.*\)|\[.*\])*|\(.*\)")
"""A name, a call or a tuple: what an index may follow directly."""


def _indexed(what: str, index: str) -> str:
    """``what`` with ``index`` after it: ``out[0]``, ``(loss, dlogits)[1]``; after a phrase, ``(x, y) after the call, at [0]``."""
    if not index:
        return what
    return f"{what}{index}" if _EXPRESSION.fullmatch(what) else f"{what}, at {index},"


def _numeric_mismatch(got: Any, expected: Any, *, rtol: float, atol: float, what: str, equal_nan: bool) -> str | None:
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{what} should be numbers, got {_kind(got)}"
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return f"{what} should have shape {e.shape}, got shape {g.shape}"
    close = _close(g, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return None
    if e.ndim == 0:
        abs_err = abs(g.item() - e.item())
        rel = f", relative error {abs_err / abs(e.item()):.3g}" if e.item() != 0 else ""
        return f"{what} is wrong: expected {e.item():.10g}, got {g.item():.10g} (absolute error {abs_err:.3g}{rel})"
    wrong = np.argwhere(~close)
    with np.errstate(invalid="ignore", over="ignore"):  # infinities: inf - inf, inf / inf
        abs_err = np.where(np.isnan(g) | np.isnan(e), np.inf, np.abs(g - e))
        rel_err = np.where(close | (e == 0), 0.0, abs_err / np.where(e == 0, 1.0, np.abs(e)))  # none where 0 was expected
    worst_abs = np.unravel_index(np.argmax(abs_err), e.shape)
    worst_rel = np.unravel_index(np.argmax(rel_err), e.shape)
    sample = ", ".join(f"at {tuple(int(i) for i in idx)}: expected {e[tuple(idx)]:.8g}, got {g[tuple(idx)]:.8g}" for idx in wrong[:3])
    relative = f"; largest relative error {rel_err[worst_rel]:.3g} at {tuple(int(i) for i in worst_rel)}" if rel_err[worst_rel] > 0 else ""
    return (
        f"{what} differs from the expected values in {len(wrong)} of {e.size} entries (shape {e.shape}).\n"
        f"First differences: {sample}.\n"
        f"Largest absolute error {abs_err[worst_abs]:.3g} at {tuple(int(i) for i in worst_abs)}{relative}."
    )


def _close(g: np.ndarray, e: np.ndarray, *, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """``np.isclose(g, e, ...)`` for float64 arrays, without its 20 us of overhead where every difference is finite (a pass makes hundreds of checks)."""
    with np.errstate(invalid="ignore"):  # inf - inf, as isclose
        difference = np.abs(g - e)
    if np.isfinite(np.add.reduce(difference, axis=None)):  # both finite everywhere: isclose is exactly this
        return difference <= atol + rtol * np.abs(e)
    return np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=equal_nan)  # infinities to match, NaN, or an overflow


def assert_array(value: Any, *, shape: tuple[int, ...] | None = None, kind: str = "f", what: str = "the output") -> np.ndarray:
    """``value`` is an ndarray of ``shape`` whose dtype kind is in ``kind`` ("f" float, "b" bool, "iu" integer)."""
    names = {"f": "floating point", "b": "boolean", "i": "integer", "iu": "integer", "u": "integer"}
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} should be a NumPy array, got {_kind(value)}")
    if value.dtype.kind not in kind:
        raise AssertionError(f"{what} should be a {names.get(kind, kind)} array, got dtype {value.dtype}")
    if shape is not None and value.shape != tuple(shape):
        raise AssertionError(f"{what} should have shape {tuple(shape)}, got {value.shape}")
    return value


def assert_finite(value: Any, *, what: str = "the output") -> None:
    """Every entry of ``value`` is finite (no NaN, no infinity)."""
    v = np.asarray(value, dtype=np.float64)
    bad = np.argwhere(~np.isfinite(v))
    if bad.size:
        where = ", ".join(f"{v[tuple(i)]} at {tuple(int(k) for k in i)}" for i in bad[:3])
        raise AssertionError(f"{what} should be finite, but {len(bad)} of {v.size} entries are not: {where}")


def assert_gradient_matches_numeric(forward: Callable[[np.ndarray], Any], x: np.ndarray, analytic: Any, dout: Any = None, *,
                                    rtol: float = 1e-5, atol: float = 1e-8, h: float = 1e-5, inputs: str = "", what: str = "the gradient") -> None:
    """``analytic`` is the gradient of ``forward`` at ``x``, by central differences in float64.

    With ``dout``, ``analytic`` should be the gradient of ``sum(forward(x) * dout)``
    (what a backward pass returns); without it, ``forward`` returns a number.
    ``forward`` may drive the submission (one call per perturbed entry: keep ``x`` small).
    """
    x = np.array(x, dtype=np.float64)
    f = forward if dout is None else (lambda z: np.sum(np.asarray(forward(z), dtype=np.float64) * np.asarray(dout, dtype=np.float64)))
    numeric = numerical_gradient(lambda z: float(f(z.copy())), x, h)
    assert_close(analytic, numeric, rtol=rtol, atol=atol, what=f"{what} (compared with central differences, h={h:g})", inputs=inputs)


def assert_python_float(value: Any, what: str = "the result") -> float:
    if type(value) is not float:
        raise AssertionError(f"{what} should be a Python float, got {_kind(value)}")
    return value


def binomial_check(successes: int, trials: int, p: float, *, what: str, alpha: float = ALPHA) -> None:
    """Two-sided exact binomial test that ``successes`` of ``trials`` fit probability ``p``.

    A correct submission fails it with probability at most ``alpha`` (1e-9).
    """
    if p in (0.0, 1.0):
        expected = trials * p
        if successes != expected:
            raise AssertionError(f"{what}: expected exactly {expected:g} of {trials}, got {successes}")
        return
    successes, trials = int(successes), int(trials)
    # the two-sided p-value adds the other tail to the observed one: a large observed tail passes at once
    if successes < p * trials:
        tail = binomial_cdf(successes, trials, p)
    else:
        tail = 1.0 if successes == p * trials else binomial_sf(successes, trials, p)
    if tail >= 2 * alpha:
        return
    from scipy import stats

    p_value = stats.binomtest(successes, trials, p).pvalue
    if p_value < alpha:
        raise AssertionError(
            f"{what}: {successes} of {trials} ({successes / trials:.4f}), but the probability should be {p:g} "
            f"(a correct implementation gets a count this far off with probability {p_value:.1e}; "
            f"this check fails a correct one with probability below {alpha:g})"
        )


def beta_fit_check(samples: Iterable[float], a: float, b: float, *, what: str, alpha: float = ALPHA) -> None:
    """Kolmogorov-Smirnov test that ``samples`` come from Beta(a, b); false-failure rate ``alpha`` (1e-9)."""
    samples = list(samples)
    odd = [value for value in samples if not isinstance(value, numbers.Real)]
    if odd:
        raise AssertionError(f"{what}: expected a number from every draw, got {odd[0]!r}")
    samples = np.asarray(samples, dtype=np.float64)
    if np.any((samples < 0) | (samples > 1)) or not np.all(np.isfinite(samples)):
        raise AssertionError(f"{what}: every value should lie in [0, 1]; got values from {samples.min():.4g} to {samples.max():.4g}")
    # the two-sided p-value is at least the one-sided one of the same distance
    n, cdf = samples.size, beta_cdf(np.sort(samples), a, b)
    distance = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)) if n else 1.0
    if n and smirnov_sf(n, distance) >= 2 * alpha:
        return
    from scipy import stats

    p_value = stats.kstest(samples, stats.beta(a, b).cdf).pvalue
    if p_value < alpha:
        raise AssertionError(
            f"{what}: {samples.size} draws (mean {samples.mean():.4f}) do not follow Beta({a:g}, {b:g}) "
            f"(mean {a / (a + b):.4f}); Kolmogorov-Smirnov p-value {p_value:.1e} "
            f"(this check fails a correct implementation with probability below {alpha:g})"
        )


def covers_all_outcomes(observed: Iterable[Any], allowed: Iterable[Any], *, what: str, hint: str = "") -> None:
    """Every allowed outcome was observed, and nothing else."""
    observed, allowed = set(observed), set(allowed)
    extra = f"\n{hint}" if hint else ""
    outside = observed - allowed
    if outside:
        raise AssertionError(f"{what}: got outcomes that are not allowed: {sorted(outside)[:5]}{extra}")
    missing = allowed - observed
    if missing:
        raise AssertionError(f"{what}: these allowed outcomes never occurred over many draws: {sorted(missing)[:5]}{extra}")


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    return f"{type(value).__name__} {value!r}"[:200]
