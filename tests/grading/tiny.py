"""A tiny throwaway course (one module, two items, one catalogued mistake) for the engine's tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from autograder.grading.results import SubmissionGrade

REFERENCE = '''
def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    secret_factor = 2
    return secret_factor * x
    ### END SOLUTION

def half(x):
    ### BEGIN SOLUTION
    return x / 2
    ### END SOLUTION
'''

GRADERS = '''
import pytest

@pytest.mark.item("tiny.double", weight=3)
def test_double_of_three(compare):
    """doubles 3"""
    compare(lambda s: s.call("tiny.double", 3.0), rtol=0, atol=0, inputs="x = 3")

@pytest.mark.item("tiny.double")
def test_double_of_zero(compare):
    """doubles 0"""
    compare(lambda s: s.call("tiny.double", 0.0), rtol=0, atol=0, inputs="x = 0")

@pytest.mark.item("tiny.half")
def test_half(compare):
    """halves 4"""
    compare(lambda s: s.call("tiny.half", 4.0), rtol=0, atol=0, inputs="x = 4")
'''

CONFIG = '''
title = "Tiny"
modules = ["tiny"]
[points]
"tiny.double" = 8
"tiny.half" = 2
'''

MISTAKES = '''
[[mistake]]
id = "triple"
item = "tiny.double"
module = "tiny"
hint = "You multiply by three."
replace = "secret_factor = 2"
with = "secret_factor = 3"
'''


CORRECT = "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n"
TRIPLES = "def double(x):\n    return 3 * x\ndef half(x):\n    return x / 2\n"
"""Matches the catalogued mistake "triple": its failed test carries that diagnosis."""


def make_course(root: Path, *, graders: str = GRADERS, mistakes: str = MISTAKES, config: str = CONFIG) -> Path:
    """Write the tiny course under ``root``; point ``AUTOGRADER_COURSE_ROOT`` at it to use it."""
    (root / "assignments" / "tiny" / "graders").mkdir(parents=True)
    (root / "reference" / "tiny").mkdir(parents=True)
    (root / "reference" / "tiny" / "tiny.py").write_text(textwrap.dedent(REFERENCE))
    (root / "assignments" / "tiny" / "assignment.toml").write_text(config)
    (root / "assignments" / "tiny" / "mistakes.toml").write_text(mistakes)
    (root / "assignments" / "tiny" / "graders" / "test_tiny.py").write_text(graders)
    return root


def submit(folder: Path, source: str) -> Path:
    """A submission folder holding ``tiny.py`` with ``source``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.py").write_text(textwrap.dedent(source))
    return folder


def verdict(result: SubmissionGrade) -> tuple:
    """Everything of a grade but the times."""
    tests = [(t.name, t.item, t.max_score, t.passed, t.feedback, t.diagnosis, t.timed_out) for t in result.tests]
    return result.score, result.output, result.grader_error, result.details, tests
