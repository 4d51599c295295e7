"""The hidden graders' tests and their points, as the exports need them.

The grading engine decides the tests, their names and how an item's points are
split across its tests (``assignment.toml`` [points], in proportion to test
weights). The exports must not guess any of it, so they ask the engine itself:
they grade the reference with ``autograder.grading.runner.grade`` and take each
test's name, item and ``max_score`` from its outcomes. The reference must pass
every test; if it does not, the export stops, since its points would be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.course import Assignment
from autograder.errors import AutograderError


@dataclass(frozen=True)
class GradedTest:
    """One hidden grader test, as ``autograder grade`` reports it."""

    name: str
    """The test's name in results.json: ``"<item>: <description> [<parameters>]"``."""
    item: str
    """The contract item it grades, e.g. ``"optimizers.Adam"``."""
    points: float
    """Its share of the item's points."""


@dataclass(frozen=True)
class GradedItem:
    """One contract item and its tests, in the order the engine reports them."""

    name: str
    tests: tuple[GradedTest, ...]

    @property
    def points(self) -> float:
        """The item's points, rounded to 4 decimals as the engine's per-item scores are."""
        return round(sum(test.points for test in self.tests), 4)


def graded_items(assignment: Assignment) -> list[GradedItem]:
    """The items of ``assignment`` with their tests and points, from grading the reference."""
    from autograder.grading.runner import grade  # the engine; imported here, as the CLI does

    result = grade(assignment.name, assignment.reference_folder)
    if result.grader_error:
        raise AutograderError(f"could not grade the reference of {assignment.name!r} to list its tests: {result.output}")
    items: dict[str, list[GradedTest]] = {}
    names: set[str] = set()
    for test in result.tests:
        if test.name in names:
            raise AutograderError(f"two tests of {assignment.name!r} are both named {test.name!r}; test names must be unique")
        names.add(test.name)
        if not test.passed:
            raise AutograderError(
                f"the reference of {assignment.name!r} fails {test.name!r} ({test.feedback.strip()[:300]}); "
                "fix the grader or the reference before exporting"
            )
        items.setdefault(test.item, []).append(GradedTest(test.name, test.item, test.max_score))
    if not items:
        raise AutograderError(f"autograder grade reported no tests for {assignment.name!r}; are its graders missing?")
    return [GradedItem(name, tuple(tests)) for name, tests in items.items()]
