"""Graders' random inputs are drawn once per grading process and cannot be changed."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.inputs import normal


def test_an_input_is_the_seeded_draw_scaled_shifted_and_cast():
    expected = (np.random.default_rng(4).standard_normal((3, 2)) * 2.0 - 1.0).astype(np.float32)
    got = normal(4, (3, 2), 2.0, -1.0, np.float32)
    assert got.dtype == np.float32 and np.array_equal(got, expected)


def test_the_same_arguments_give_the_very_same_array():
    assert normal(5, (4,)) is normal(5, (4,))


def test_an_input_cannot_be_changed_in_place():
    with pytest.raises(ValueError, match="read-only"):
        normal(6, (2,))[0] = 1.0
