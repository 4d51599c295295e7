"""One-sided tail probabilities in NumPy, for the statistical checks' quick verdict.

The checks of ``autograder.grading.checks`` pass at once when a one-sided
tail already shows the two-sided p-value is large; only a check that may
fail asks SciPy for the exact p-value. SciPy's ``special`` alone costs a
third of a second to import, more than grading a submission, so these few
tails are computed here (each agrees with SciPy to about 1e-10 relative,
``tests/grading/test_tails.py``). Once something has imported SciPy (a
failed statistical check, or ``grade-all``'s grading processes at their
start, which grade hundreds of submissions), the binomial tails and the
beta CDF are SciPy's own: 5 us instead of 2 ms.
"""

from __future__ import annotations

import functools
import math
import sys

import numpy as np

TINY = 1e-300
"""Keeps the continued fraction's denominators away from zero (Lentz's method)."""


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), 0 < p < 1 (``scipy.special.bdtr``)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if (special := _scipy_special()) is not None:
        return float(special.bdtr(k, n, p))
    return _log_sum_exp(_binomial_log_pmf(np.arange(k + 1), n, p))


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), 0 < p < 1 (``scipy.special.bdtrc(k - 1, n, p)``)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if (special := _scipy_special()) is not None:
        return float(special.bdtrc(k - 1, n, p))
    return _log_sum_exp(_binomial_log_pmf(np.arange(k, n + 1), n, p))


def beta_cdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """The regularized incomplete beta function I_x(a, b), the CDF of Beta(a, b) (``scipy.special.betainc(a, b, x)``).

    Continued fraction of Numerical Recipes (``betai``), evaluated on the side
    of ``(a + 1) / (a + b + 2)`` where it converges fast.
    """
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    if (special := _scipy_special()) is not None:
        return special.betainc(a, b, x)
    inner = np.clip(x, 1e-300, 1 - 1e-16)
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * np.log(inner) + b * np.log1p(-inner)
    front = np.exp(log_front)
    low = x < (a + 1) / (a + b + 2)
    result = np.empty_like(x)
    result[low] = front[low] * _beta_fraction(a, b, inner[low]) / a
    result[~low] = 1 - front[~low] * _beta_fraction(b, a, 1 - inner[~low]) / b
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, result))


def smirnov_sf(n: int, d: float) -> float:
    """P(D+ >= d) of the one-sided Kolmogorov-Smirnov statistic of n samples (``scipy.special.smirnov``).

    Exact, by the Birnbaum-Tingey formula::

        P(D+ >= d) = d * sum_{j=0}^{floor(n (1 - d))} C(n, j) (1 - d - j/n)^(n - j) (d + j/n)^(j - 1)
    """
    if d <= 0:
        return 1.0
    if d >= 1:
        return 0.0
    j = np.arange(math.floor(n * (1 - d)) + 1)
    with np.errstate(divide="ignore"):
        logs = _log_choose(n, j) + (n - j) * np.log(np.maximum(1 - d - j / n, 0.0)) + (j - 1) * np.log(d + j / n)
    return min(1.0, d * _log_sum_exp(logs))


def _scipy_special():
    """``scipy.special`` if something has imported it already, else None (this module never imports it)."""
    return sys.modules.get("scipy.special")


def _beta_fraction(a: float, b: float, x: np.ndarray, iterations: int = 10_000, eps: float = 1e-15) -> np.ndarray:
    """The continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes ``betacf``)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones_like(x)
    d = _away_from_zero(1 - qab * x / qap) ** -1
    h = d.copy()
    for m in range(1, iterations + 1):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = _away_from_zero(1 + aa * d) ** -1
            c = _away_from_zero(1 + aa / c)
            step = d * c
            h *= step
        if np.all(np.abs(step - 1) < eps):
            break
    return h


def _away_from_zero(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < TINY, TINY, values)


def _binomial_log_pmf(i: np.ndarray, n: int, p: float) -> np.ndarray:
    return _log_choose(n, i) + i * math.log(p) + (n - i) * math.log1p(-p)


def _log_choose(n: int, k: np.ndarray) -> np.ndarray:
    log_factorial = _log_factorials(n)
    return log_factorial[n] - log_factorial[k] - log_factorial[n - k]


@functools.lru_cache(maxsize=16)
def _log_factorials(n: int) -> np.ndarray:
    """log(i!) for i = 0..n (cached: the checks use a few n over and over; never modified)."""
    return np.array([math.lgamma(i + 1) for i in range(n + 1)])


def _log_sum_exp(logs: np.ndarray) -> float:
    top = float(np.max(logs))
    if top == -math.inf:
        return 0.0
    return float(math.exp(top) * np.sum(np.exp(logs - top)))
