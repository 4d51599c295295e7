"""The hidden graders' tests and their points, as the exports need them.

The grading engine decides the tests, their names and how an item's points are
split across its tests (``assignment.toml`` [points], in proportion to test
weights). The exports must not guess any of it, so they ask the engine itself:
they grade the reference with ``autograder grade`` and read every test's name
and ``max_score`` from its results. The reference must pass every test; if it
does not, the export stops, since its points would be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from autograder.course import Assignment
from autograder.errors import AutograderError
from autograder.notebooks.kernel import GradingFailed, item_of, run_grade


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
        """The item's points, rounded to 6 decimals as ``kernel.item_score`` rounds scores."""
        return round(sum(test.points for test in self.tests), 6)


def graded_items(assignment: Assignment) -> list[GradedItem]:
    """The items of ``assignment`` with their tests and points, from grading the reference."""
    files = {f"{module}.py": assignment.reference_file(module) for module in assignment.modules}
    try:
        results = run_grade(assignment.name, files)
    except GradingFailed as exc:
        raise AutograderError(f"could not grade the reference of {assignment.name!r} to list its tests: {exc}") from exc
    items: dict[str, list[GradedTest]] = {}
    names: set[str] = set()
    for test in results.get("tests", []):
        name = test["name"]
        if test.get("max_score") is None:
            continue  # an informational entry, not a graded test
        if name in names:
            raise AutograderError(f"two tests of {assignment.name!r} are both named {name!r}; test names must be unique")
        names.add(name)
        if test["score"] < test["max_score"]:
            raise AutograderError(
                f"the reference of {assignment.name!r} fails {name!r} ({test.get('output', '').strip()[:300]}); "
                "fix the grader or the reference before exporting"
            )
        items.setdefault(item_of(name), []).append(GradedTest(name, item_of(name), float(test["max_score"])))
    if not items:
        raise AutograderError(f"autograder grade reported no tests for {assignment.name!r}; are its graders missing?")
    return [GradedItem(name, tuple(tests)) for name, tests in items.items()]
