"""Issue 5's corpus, graded end to end: no trick earns marks, breaks the grader, or leaves anything behind.

Each trick attacks one module of an otherwise correct ``optimization``
submission (see ``tricks.py``). Graded with ``runner.grade`` and small
limits, it must: earn no more on that module than the untouched stub, leave
the other modules' points as the correct example's, not set
``grader_error``, tell the student what submission preparation refused, and
leave no process running and no file outside its own temporary folder
(``conftest.Guard``). All problems of a trick are reported together.
"""

from __future__ import annotations

import pytest

from .conftest import module_scores
from .tricks import REAL_WITHOUT_SANDBOX, TRICKS, by_name


@pytest.mark.parametrize("trick", TRICKS, ids=[t.name for t in TRICKS])
def test_trick_earns_nothing_breaks_nothing_and_leaves_nothing(trick, tmp_path, guard, baseline):
    submission = trick.build(tmp_path / "submission", guard.context(trick))
    try:
        result = guard.grade(trick, submission)
        if result is not None:
            guard.check_grade(trick, result, baseline)
    finally:
        guard.check_and_clean()
    assert not guard.problems, f"{trick.name}:\n- " + "\n- ".join(guard.problems)


@pytest.mark.parametrize("name", REAL_WITHOUT_SANDBOX)
def test_trick_is_a_real_attempt_it_earns_marks_without_the_sandbox(name, tmp_path, guard, baseline):
    """Graded with the student's code in the grading process (isolated=False), these tricks earn marks or leak: the corpus is not made of duds."""
    trick = by_name(name)
    submission = trick.build(tmp_path / "submission", guard.context(trick))
    try:
        result = guard.grade_in_child(submission, isolated=False)
    finally:
        guard.check_and_clean()
    assert result is not None, guard.problems
    (module,) = trick.attacks
    leaked = any(f"LEAK-{guard.token}" in t.feedback for t in result.tests)
    assert module_scores(result)[module] > baseline.stub[module] or leaked, result.output
