"""Fixtures shared by the framework's own tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A generator seeded alike in every test, so failures reproduce."""
    return np.random.default_rng(0)
