"""The NumPy tails behind the statistical checks' quick verdict agree with SciPy's."""

import numpy as np
import pytest
from scipy import special

from autograder.grading import tails
from autograder.grading.tails import beta_cdf, binomial_cdf, binomial_sf, smirnov_sf

CASES = [(0, 10, 0.5), (3, 10, 0.3), (4990, 10000, 0.5), (6000, 10000, 0.5), (6800, 10000, 0.7), (100, 2000, 0.1), (1990, 2000, 0.99)]


LOADED_SCIPY = tails._scipy_special
"""What the tails use once SciPy is imported (as this module does)."""


@pytest.fixture(autouse=True)
def without_scipy(monkeypatch):
    """The tails computed here, as when nothing has imported SciPy."""
    monkeypatch.setattr(tails, "_scipy_special", lambda: None)


@pytest.mark.parametrize("k, n, p", CASES)
def test_binomial_cdf_matches_scipy(k, n, p):
    assert binomial_cdf(k, n, p) == pytest.approx(special.bdtr(k, n, p), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("k, n, p", CASES)
def test_binomial_sf_matches_scipy(k, n, p):
    assert binomial_sf(k, n, p) == pytest.approx(special.bdtrc(k - 1, n, p), rel=1e-9, abs=1e-300)


def test_binomial_tails_outside_the_support_are_0_and_1():
    assert (binomial_cdf(-1, 10, 0.5), binomial_cdf(10, 10, 0.5), binomial_sf(0, 10, 0.5), binomial_sf(11, 10, 0.5)) == (0.0, 1.0, 1.0, 0.0)


@pytest.mark.parametrize("a, b", [(0.2, 0.2), (0.4, 0.4), (1.0, 1.0), (2.0, 5.0), (50.0, 0.5)])
def test_beta_cdf_matches_scipy(a, b):
    x = np.concatenate([[0.0, 1e-12, 0.5, 1 - 1e-9, 1.0], np.random.default_rng(0).random(200)])
    np.testing.assert_allclose(beta_cdf(x, a, b), special.betainc(a, b, x), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("n, d", [(1, 0.3), (10, 0.2), (300, 0.05), (300, 0.2), (1000, 0.1), (5000, 0.02), (300, 0.0), (300, 1.0)])
def test_smirnov_sf_matches_scipy(n, d):
    assert smirnov_sf(n, d) == pytest.approx(special.smirnov(n, d), rel=1e-9, abs=1e-300)


def test_once_scipy_is_imported_the_binomial_tails_and_the_beta_cdf_are_scipys(monkeypatch):
    monkeypatch.setattr(tails, "_scipy_special", LOADED_SCIPY)
    x = np.random.default_rng(1).random(50)
    assert binomial_cdf(6800, 10000, 0.7) == special.bdtr(6800, 10000, 0.7)
    assert binomial_sf(6800, 10000, 0.7) == special.bdtrc(6799, 10000, 0.7)
    assert np.array_equal(beta_cdf(x, 0.2, 0.2), special.betainc(0.2, 0.2, x))
