"""The records of a graded submission, and the one function that turns them into Gradescope's results.json."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TestOutcome:
    """One hidden test's result."""

    __test__ = False  # not a test class, though its name starts with "Test"

    name: str
    """What students see: ``"<item>: <description> [<case>]"``."""
    item: str
    """The contract item it grades, e.g. ``"penalties.l1_gradient"``."""
    max_score: float
    """Its share of the item's points."""
    passed: bool
    feedback: str = ""
    """Why it failed, for the student; empty when it passed."""
    duration: float = 0.0
    """Seconds."""
    diagnosis: str = ""
    """The id of the known mistake the output matched, if any."""
    timed_out: bool = False
    """The student's code hit a time limit (per call, or CPU time)."""

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0


@dataclass
class ItemScore:
    """The points of one contract item."""

    item: str
    score: float
    max_score: float
    feedback: str
    """The first failing test's feedback, or empty."""


@dataclass
class SubmissionGrade:
    """A graded submission."""

    assignment: str
    tests: list[TestOutcome] = field(default_factory=list)
    execution_time: float = 0.0
    output: str = ""
    """A message for the whole submission (what went wrong if grading failed)."""
    grader_error: bool = False
    """True when grading itself failed (not the student's code)."""
    details: str = ""
    """For instructors only, when grading failed: pytest's log or a traceback of trusted code (never in ``output``)."""

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 4)

    def items(self) -> list[ItemScore]:
        """Per contract item, in the order the tests ran."""
        by_item: dict[str, ItemScore] = {}
        for test in self.tests:
            entry = by_item.setdefault(test.item, ItemScore(test.item, 0.0, 0.0, ""))
            entry.score += test.score
            entry.max_score += test.max_score
            if not test.passed and not entry.feedback:
                entry.feedback = test.feedback
        for entry in by_item.values():  # round once, at the end: shares like 4/9 add up exactly
            entry.score, entry.max_score = round(entry.score, 4), round(entry.max_score, 4)
        return list(by_item.values())


def to_gradescope(grade: SubmissionGrade) -> dict[str, Any]:
    """Gradescope's results.json for ``grade``."""
    return {
        "score": grade.score,
        "execution_time": round(grade.execution_time, 3),
        "output": grade.output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "assignment": grade.assignment,
            "grader_error": grade.grader_error,
            "timed_out": any(test.timed_out for test in grade.tests),
            "items": {item.item: [item.score, item.max_score] for item in grade.items()},
            "diagnoses": sorted({test.diagnosis for test in grade.tests if test.diagnosis}),
            **({"grader_details": grade.details} if grade.details else {}),
        },
        "tests": [
            {
                "name": test.name,
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.passed else "failed",
                "output": test.feedback,
                "visibility": "visible",
            }
            for test in grade.tests
        ],
    }


def write_results_json(grade: SubmissionGrade, path: Path) -> None:
    """Write ``to_gradescope(grade)`` to ``path`` atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(to_gradescope(grade), f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
