"""Grade one submission: a stream of one through ``autograder.grading.session``, the one way submissions are graded.

``grade`` serves ``autograder grade``, Gradescope and the tests; ``grade-all``
streams a whole class through ``session.grade_each`` in each grading process.
"""

from __future__ import annotations

import time
from pathlib import Path

from autograder.course import load_assignment
from autograder.errors import AutograderError
from autograder.grading.results import SubmissionGrade
from autograder.grading.session import grade_each, limits_for
from autograder.sandbox.client import Limits, SpareWorkers

__all__ = ["grade", "limits_for"]


def grade(
    assignment_name: str, submission_path: Path, *, isolated: bool = True, limits: Limits | None = None, spares: SpareWorkers | None = None
) -> SubmissionGrade:
    """Grade the submission at ``submission_path`` (a folder or a zip).

    The student's code runs in a separate worker process (``isolated=True``,
    always for real grading) or in this one (``isolated=False``, for
    development). Problems with the graders themselves set ``grader_error``
    and are described in ``output``; problems with the student's code only
    cost points. ``limits`` overrides the assignment's ``[limits]`` (tests, benchmarks);
    ``spares`` (a grading loop's ``SpareWorkers``, with the same limits) hands
    out workers started ahead of time. A submission that cannot be opened
    raises ``AutograderError``: nothing was graded.
    """
    started = time.monotonic()
    own_spares = None
    if isolated and spares is None:  # one worker, started now: it imports numpy while pytest collects the graders
        own_spares = SpareWorkers(limits or limits_for(load_assignment(assignment_name).config))
    graded: list[SubmissionGrade | AutograderError] = []
    try:
        grade_each(assignment_name, [Path(submission_path)], lambda _, outcome: graded.append(outcome),
                   isolated=isolated, limits=limits, spares=spares or own_spares)
    finally:
        if own_spares is not None:
            own_spares.close()
    (outcome,) = graded
    if isinstance(outcome, AutograderError):
        raise outcome
    outcome.execution_time = time.monotonic() - started
    return outcome
