"""The pytest plugin that turns the hidden graders' test runs into graded outcomes.

Every grader test carries ``@pytest.mark.item("module.item", weight=1)``. The
item's points (``[points]`` of ``assignment.toml``) are split across its tests
in proportion to their weights. Fixtures:

- ``submission``: the student's ``Submission`` (normally an isolated worker);
- ``reference``: the reference, driven through the same API, in this process;
- ``compare(driver, *, rtol, atol, inputs)``: runs ``driver`` on both, checks
  they agree, and on a mismatch names the known mistake the output matches;
- ``mistakes``: the catalogue entries of the test's item;
- ``hint(mistake_id)``: a catalogued mistake's hint, for property checks that
  recognise a mistake from the student's own random draws.

The feedback of a failed test is the message of the exception only: never a
traceback of the grader, never the reference's source.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from autograder.course import Assignment, load_reference_module
from autograder.grading.checks import is_close, mismatch
from autograder.grading.mistakes import Mistake, diagnose, load_catalogue
from autograder.grading.results import TestOutcome
from autograder.grading.submission import StudentError, Submission, SubmissionFailure, WorkerCrashed

Driver = Callable[[Submission], Any]


class ReferenceFailed(RuntimeError):
    """The reference raised on a grader's input: the grader is wrong, not the student."""


class GradingPlugin:
    """Collects one ``TestOutcome`` per grader test; pass it to ``pytest.main(plugins=[...])``."""

    def __init__(self, assignment: Assignment, submission: Submission, notes: list[str] | None = None):
        self.assignment = assignment
        self._submission = submission
        self.points: dict[str, float] = {k: float(v) for k, v in assignment.config.get("points", {}).items()}
        self.catalogue: list[Mistake] = load_catalogue(assignment)
        self.outcomes: list[TestOutcome] = []
        self.problems: list[str] = []
        """Configuration problems (a test without an item, an item without tests)."""
        self._max_scores: dict[str, float] = {}
        self._reference: Submission | None = None
        self._variants: dict[str, Submission] = {}
        self._notes = notes or []

    # --- configuration -------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "item(name, weight=1): the contract item a grader test grades")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        weights: dict[str, dict[str, float]] = {}
        for test in items:
            marker = test.get_closest_marker("item")
            if marker is None or not marker.args:
                self.problems.append(f"{test.nodeid}: grader test without @pytest.mark.item(...)")
                continue
            item = marker.args[0]
            if item not in self.points:
                self.problems.append(f"{test.nodeid}: item {item!r} is not in [points] of {self.assignment.name}/assignment.toml")
                continue
            weights.setdefault(item, {})[test.nodeid] = float(marker.kwargs.get("weight", 1))
        for item in self.points:
            if item not in weights:
                self.problems.append(f"item {item!r} has points but no grader test")
        for item, tests in weights.items():
            total = sum(tests.values())
            for nodeid, weight in tests.items():
                self._max_scores[nodeid] = self.points[item] * weight / total

    # --- fixtures --------------------------------------------------------------

    @pytest.fixture(scope="session")
    def submission(self) -> Submission:
        return self._submission

    @pytest.fixture(scope="session")
    def reference(self) -> Submission:
        return self._reference_submission()

    @pytest.fixture
    def mistakes(self, request: pytest.FixtureRequest) -> list[Mistake]:
        return [m for m in self.catalogue if m.item == _item_of(request.node)]

    @pytest.fixture
    def hint(self, request: pytest.FixtureRequest):
        """``hint(mistake_id)``: the hint text of a catalogued mistake, for a property check that recognised it."""

        def hint(mistake_id: str) -> str:
            found = [m for m in self.catalogue if m.id == mistake_id]
            if not found:
                raise KeyError(f"no mistake {mistake_id!r} in {self.assignment.name}/mistakes.toml")
            request.node.user_properties.append(("diagnosis", mistake_id))
            return f"Hint: {found[0].hint}"

        return hint

    @pytest.fixture
    def compare(self, request: pytest.FixtureRequest, mistakes: list[Mistake]):
        def compare(driver: Driver, *, rtol: float, atol: float, inputs: str = "", what: str = "the output", equal_nan: bool = False):
            try:
                expected = driver(self._reference_submission())
            except SubmissionFailure as error:  # a grader bug: never blame the student, never show where in the reference
                cause = f"{error.exc_type}: {error.message}" if isinstance(error, StudentError) else type(error).__name__
                raise ReferenceFailed(f"the reference itself fails on this input ({cause})") from None
            got = driver(self._submission)
            problem = mismatch(got, expected, rtol=rtol, atol=atol, what=what, equal_nan=equal_nan)
            if problem is None:
                return got, expected
            message = problem + (f"\nInput: {inputs}" if inputs else "") + f"\nTolerance: rtol={rtol:g}, atol={atol:g}."
            same = lambda a, b: is_close(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)  # noqa: E731
            mistake = diagnose(got, driver, mistakes, self._variant, same)
            if mistake is not None:
                request.node.user_properties.append(("diagnosis", mistake.id))
                message += f"\nHint: {mistake.hint}"
            raise AssertionError(message)

        return compare

    # --- outcomes --------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        if item.nodeid not in self._max_scores:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            feedback = "" if report.passed else _feedback(call)
            self.outcomes.append(
                TestOutcome(
                    name=_name_of(item),
                    item=_item_of(item),
                    max_score=self._max_scores[item.nodeid],
                    passed=report.passed,
                    feedback=feedback,
                    duration=report.duration,
                    diagnosis="" if report.passed else dict(item.user_properties).get("diagnosis", ""),
                    timed_out=call.excinfo is not None and isinstance(call.excinfo.value, WorkerCrashed) and _is_timeout(str(call.excinfo.value)),
                )
            )

    # --- helpers ----------------------------------------------------------------

    def _reference_modules(self) -> dict:
        return {m: load_reference_module(self.assignment, m) for m in self.assignment.modules}

    def _reference_submission(self) -> Submission:
        if self._reference is None:
            self._reference = Submission.from_modules(self._reference_modules())
        return self._reference

    def _variant(self, mistake: Mistake) -> Submission:
        if mistake.id not in self._variants:
            modules = self._reference_modules()
            modules[mistake.module] = mistake.load(self.assignment)
            self._variants[mistake.id] = Submission.from_modules(modules)
        return self._variants[mistake.id]


def _item_of(test: pytest.Item) -> str:
    marker = test.get_closest_marker("item")
    return marker.args[0] if marker and marker.args else ""


def _name_of(test: pytest.Item) -> str:
    doc = (getattr(test, "function", None).__doc__ or "").strip().splitlines()
    description = doc[0].rstrip(".") if doc else test.originalname.removeprefix("test_").replace("_", " ")
    case = f" [{test.callspec.id}]" if hasattr(test, "callspec") else ""
    return f"{_item_of(test)}: {description}{case}"


def _feedback(call: pytest.CallInfo) -> str:
    if call.excinfo is None:
        return "the test failed"
    error = call.excinfo.value
    if isinstance(error, (AssertionError, SubmissionFailure)):
        return str(error).strip() or "the check failed"
    return f"the grader could not check this: {type(error).__name__}: {error}"


def _is_timeout(message: str) -> bool:
    return "longer than the limit" in message or "CPU-time limit" in message
