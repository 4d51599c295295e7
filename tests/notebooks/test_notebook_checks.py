"""The notebooks' value checks: what they accept, and the feedback when they do not."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.notebooks.checks import expect_close, expect_equal


def test_expect_equal_names_the_first_wrong_entry_and_how_it_was_computed():
    with pytest.raises(AssertionError) as info:
        expect_equal({"SGD": None, "Adam": 915}, {"SGD": None, "Adam": 914}, what="steps", how="the first index below 5e-2")
    assert str(info.value) == "steps['Adam'] should be 914, got 915. Expected: the first index below 5e-2."


def test_expect_equal_lists_missing_and_unexpected_keys():
    with pytest.raises(AssertionError) as info:
        expect_equal({"L1": 3, "l2": 4}, {"L1": 3, "L2": 4}, what="small_weights")
    assert str(info.value) == "small_weights should have the keys ['L1', 'L2']: missing keys ['L2'], unexpected keys ['l2']"


def test_expect_equal_accepts_numpy_integers_for_ints():
    expect_equal({"L1": np.int64(52)}, {"L1": 52}, what="small_weights")


def test_expect_equal_tells_none_from_zero():
    with pytest.raises(AssertionError, match=r"steps\['SGD'\] should be None, got 0"):
        expect_equal({"SGD": 0}, {"SGD": None}, what="steps")


def test_expect_equal_refuses_a_non_number_for_a_number():
    with pytest.raises(AssertionError, match="best_rate should be the number 0.5, got '0.5' of type str"):
        expect_equal("0.5", 0.5, what="best_rate")


def test_expect_close_accepts_differences_within_the_tolerance():
    expect_close({5: 0.1 + 1e-12}, {5: 0.1}, rtol=1e-9, what="gap")


def test_expect_close_reports_the_difference_and_the_tolerance():
    with pytest.raises(AssertionError) as info:
        expect_close({5: 0.2}, {5: 0.1}, rtol=1e-9, atol=1e-12, what="gap")
    assert str(info.value) == "gap[5] should be 0.1, got 0.2 (difference 0.1; allowed atol=1e-12 + rtol=1e-09 * |expected|)"
