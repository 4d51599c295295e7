"""Grade one submission: a stream of one through ``autograder.grading.session``, the one way submissions are graded.

``grade`` serves ``autograder grade``, Gradescope and the tests; ``grade-all``
streams a whole class through ``session.grade_each`` in each grading process.
"""

from __future__ import annotations

import time
from pathlib import Path

from autograder.errors import AutograderError
from autograder.grading.results import SubmissionGrade
from autograder.grading.session import grade_each
from autograder.sandbox.client import ForkServer, Limits


def grade(
    assignment_name: str, submission_path: Path, *, isolated: bool = True, limits: Limits | None = None, server: ForkServer | None = None,
) -> SubmissionGrade:
    """Grade the submission at ``submission_path`` (a folder or a zip).

    The student's code runs in a separate worker process (``isolated=True``,
    always for real grading) or in this one (``isolated=False``, for
    development). Problems with the graders themselves set ``grader_error``
    and are described in ``output``; problems with the student's code only
    cost points. ``limits`` overrides the assignment's ``[limits]`` (tests,
    benchmarks). ``server``: a fork server for the worker, started earlier
    (``autograder grade`` starts it first thing, so that it imports NumPy
    while this process imports pytest); grading takes it over. A submission
    that cannot be opened raises ``AutograderError``: nothing was graded.
    """
    started = time.monotonic()
    graded: list[SubmissionGrade | AutograderError] = []
    grade_each(assignment_name, [Path(submission_path)], lambda _, outcome: graded.append(outcome), isolated=isolated, limits=limits, server=server)
    (outcome,) = graded
    if isinstance(outcome, AutograderError):
        raise outcome
    outcome.execution_time = time.monotonic() - started
    return outcome
