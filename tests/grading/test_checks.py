"""The graders' checks: each failure message says what to fix."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.checks import (
    ALPHA,
    assert_array,
    assert_close,
    assert_finite,
    assert_gradient_matches_numeric,
    beta_fit_check,
    binomial_check,
    covers_all_outcomes,
    is_close,
)


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as error:
        check(*args, **kwargs)
    return str(error.value)


def test_close_values_pass_within_the_tolerance():
    assert_close(np.float32(1.0001), 1.0, rtol=1e-3, atol=0)


NASTY = [0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, -1e300, 1.7e308, -1.7e308, np.inf, -np.inf, np.nan, 1 + 1e-9, 2.9999999, 3.0]
"""Zeros, tiny and huge values (differences that overflow), infinities and NaN."""


@pytest.mark.parametrize("rtol, atol", [(0, 0), (1e-8, 1e-10), (1e-5, 2e-5), (0.5, 0), (0, 1.0)])
@pytest.mark.parametrize("equal_nan", [False, True])
@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_closeness_is_numpys_isclose_entry_by_entry(rtol, atol, equal_nan):
    for got in NASTY:
        for expected in NASTY:
            agree = bool(np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan))
            assert is_close(got, expected, rtol=rtol, atol=atol, equal_nan=equal_nan) == agree, (got, expected)
            pair = (np.array([got, 1.0]), np.array([expected, 1.0]))
            assert is_close(*pair, rtol=rtol, atol=atol, equal_nan=equal_nan) == agree, (got, expected)


def test_an_array_mismatch_shows_the_input_entries_largest_errors_and_tolerance():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = np.array([[1.0, 2.5], [3.0, 8.0]])
    assert _message(assert_close, got, expected, rtol=1e-7, atol=0, inputs="W = [[1, 2], [3, 4]]") == (
        "the output differs from the expected values in 2 of 4 entries (shape (2, 2)).\n"
        "First differences: at (0, 1): expected 2, got 2.5, at (1, 1): expected 4, got 8.\n"
        "Largest absolute error 4 at (1, 1); largest relative error 1 at (1, 1).\n"
        "Input: W = [[1, 2], [3, 4]]\n"
        "Tolerance: rtol=1e-07, atol=0."
    )


def test_a_part_of_a_tuple_named_as_an_expression_takes_its_index_directly():
    assert _message(assert_close, (1.0, np.ones(2)), (1.0, np.zeros(2)), rtol=0, atol=0, what="(loss, dlogits)").startswith(
        "(loss, dlogits)[1] differs from the expected values in 2 of 2 entries"
    )


def test_a_part_of_a_value_named_by_a_phrase_takes_its_index_after_a_comma():
    got, expected = ({"W": np.ones(2)}, 30), ({"W": np.zeros(2)}, 30)
    assert _message(assert_close, got, expected, rtol=0, atol=0, what="(params, t) after 30 steps").startswith(
        "(params, t) after 30 steps, at [0]['W'], differs from the expected values in 2 of 2 entries"
    )


def test_no_relative_error_is_given_where_zero_was_expected():
    assert "Largest absolute error 1 at (0,).\n" in _message(assert_close, np.ones(2), np.zeros(2), rtol=0, atol=0)


def test_a_scalar_mismatch_shows_its_absolute_and_relative_error():
    assert _message(assert_close, 1.5, 1.0, rtol=0, atol=0, what="the penalty").startswith(
        "the penalty is wrong: expected 1, got 1.5 (absolute error 0.5, relative error 0.5)"
    )


def test_a_wrong_shape_is_named():
    assert _message(assert_close, np.zeros(3), np.zeros((3, 1)), rtol=0, atol=0).startswith(
        "the output should have shape (3, 1), got shape (3,)"
    )


def test_a_missing_tuple_element_is_named():
    assert _message(assert_close, (np.zeros(2),), (np.zeros(2), {"x": 1.0}), rtol=0, atol=0).startswith(
        "the output should be a tuple of 2 values, got a tuple of 1 values"
    )


def test_an_integer_array_where_floats_are_due_is_refused():
    assert _message(assert_array, np.arange(3), shape=(3,), what="dx") == "dx should be a floating point array, got dtype int64"


def test_non_finite_entries_are_listed():
    assert _message(assert_finite, [1.0, np.nan], what="the loss") == "the loss should be finite, but 1 of 2 entries are not: nan at (1,)"


def test_a_wrong_gradient_is_caught_by_central_differences():
    x = np.array([0.5, -1.0, 2.0])
    assert_gradient_matches_numeric(lambda z: np.tanh(z), x, 1 - np.tanh(x) ** 2, np.ones(3))
    assert "compared with central differences" in _message(assert_gradient_matches_numeric, lambda z: np.tanh(z), x, np.ones(3), np.ones(3))


def test_a_binomial_count_far_from_p_fails_stating_the_false_failure_rate():
    binomial_check(5010, 10000, 0.5, what="kept entries")
    message = _message(binomial_check, 6000, 10000, 0.5, what="kept entries")
    assert message.startswith("kept entries: 6000 of 10000 (0.6000), but the probability should be 0.5")
    assert "fails a correct one with probability below 1e-09" in message


def test_draws_not_from_the_beta_distribution_fail():
    rng = np.random.default_rng(0)
    beta_fit_check(rng.beta(0.4, 0.4, 2000), 0.4, 0.4, what="lam")
    assert "do not follow Beta(0.4, 0.4)" in _message(beta_fit_check, rng.uniform(size=2000), 0.4, 0.4, what="lam")


def test_a_draw_that_is_not_a_number_fails_the_beta_check():
    assert "expected a number from every draw, got (0.5, 0.5)" in _message(beta_fit_check, [0.2, (0.5, 0.5)], 1.0, 1.0, what="lam")


def _passes(check, *args, **kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except AssertionError:
        return False
    return True


def _scipy_verdict(test) -> bool:
    return test().pvalue >= ALPHA


@pytest.mark.parametrize("p, trials", [(0.5, 10000), (0.7, 10000), (0.3, 2000), (0.8, 2000)])
def test_the_binomial_verdict_is_scipys_exact_test_at_every_count_near_the_threshold(p, trials):
    from scipy import stats

    for successes in range(int(p * trials) - 400, int(p * trials) + 401, 3):
        passed = _passes(binomial_check, successes, trials, p, what="count")
        assert passed == _scipy_verdict(lambda: stats.binomtest(successes, trials, p)), successes


@pytest.mark.parametrize("a, shift", [(0.2, 0.0), (1.0, 0.0), (4.0, 0.0), (1.0, 0.15), (4.0, 0.1), (0.2, 0.2)])
def test_the_beta_verdict_is_scipys_kolmogorov_smirnov_test(a, shift):
    from scipy import stats

    rng = np.random.default_rng(int(a * 10 + shift * 100))
    for _ in range(20):
        samples = np.clip(rng.beta(a, a, 300) + shift * rng.random(300), 0, 1)
        passed = _passes(beta_fit_check, samples, a, a, what="lam")
        assert passed == _scipy_verdict(lambda: stats.kstest(samples, stats.beta(a, a).cdf))


def test_an_outcome_never_observed_is_named():
    assert _message(covers_all_outcomes, {0, 1}, {0, 1, 2}, what="offsets") == (
        "offsets: these allowed outcomes never occurred over many draws: [2]"
    )
