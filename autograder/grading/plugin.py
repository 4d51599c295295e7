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

from types import ModuleType
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
    """Collects one ``TestOutcome`` per grader test of the submission given to ``start``; pass it to ``pytest.main(plugins=[...])``."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self.points: dict[str, float] = {k: float(v) for k, v in assignment.config.get("points", {}).items()}
        self.catalogue: list[Mistake] = load_catalogue(assignment)
        self.outcomes: list[TestOutcome] = []
        """The outcomes of the submission being graded."""
        self.problems: list[str] = []
        """Configuration problems (a test without an item, an item without tests)."""
        self._max_scores: dict[str, float] = {}
        self._names: dict[str, tuple[str, str]] = {}
        """nodeid -> (name, item) of each grader test, worked out once."""
        self._mistakes: dict[str, list[Mistake]] = {}
        for mistake in self.catalogue:
            self._mistakes.setdefault(mistake.item, []).append(mistake)
        self._test: pytest.Item | None = None
        """The test being set up or run (fixtures need it; asking pytest for ``request`` costs more)."""
        self._submission: Submission | None = None
        self._reference_modules: dict[str, ModuleType] | None = None
        self._variant_modules: dict[str, dict[str, ModuleType]] = {}
        """Loaded once per session: trusted modules that no grader call changes (it gets and returns copies)."""
        self._reference: Submission | None = None
        self._variants: dict[str, Submission] = {}

    def start(self, submission: Submission) -> list[TestOutcome]:
        """Grade ``submission`` next; returns its (empty) outcomes, filled as its tests run.

        The reference and the variants are driven through fresh ``Submission``
        objects: what the graders create in them (objects behind handles)
        does not outlive the pass.
        """
        self._submission = submission
        self.outcomes = []
        self._reference = None
        self._variants = {}
        return self.outcomes

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
        self._names = {test.nodeid: (_name_of(test), _item_of(test)) for test in items if test.nodeid in self._max_scores}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._test = item

    # --- fixtures --------------------------------------------------------------

    @pytest.fixture(scope="session")
    def submission(self) -> Submission:
        return self._submission

    @pytest.fixture(scope="session")
    def reference(self) -> Submission:
        return self._reference_submission()

    @pytest.fixture
    def mistakes(self) -> list[Mistake]:
        return self._mistakes_of(self._test)

    # hint and compare act for the test running when they are called: made once per pass, not once per test

    @pytest.fixture(scope="session")
    def hint(self):
        """``hint(mistake_id)``: the hint text of a catalogued mistake, for a property check that recognised it."""

        def hint(mistake_id: str) -> str:
            found = [m for m in self.catalogue if m.id == mistake_id]
            if not found:
                raise KeyError(f"no mistake {mistake_id!r} in {self.assignment.name}/mistakes.toml")
            self._test.user_properties.append(("diagnosis", mistake_id))
            return f"Hint: {found[0].hint}"

        return hint

    @pytest.fixture(scope="session")
    def compare(self):
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
            mistake = diagnose(got, driver, self._mistakes_of(self._test), self._variant, same)
            if mistake is not None:
                self._test.user_properties.append(("diagnosis", mistake.id))
                message += f"\nHint: {mistake.hint}"
            raise AssertionError(message)

        return compare

    # --- outcomes --------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        self.record(item, report.when, report.passed, call.excinfo.value if call.excinfo is not None else None, report.duration)

    def record(self, test: pytest.Item, when: str, passed: bool, error: BaseException | None, seconds: float) -> None:
        """Make one phase of ``test`` its outcome: the call, or a setup that failed (``error``: what it raised)."""
        if test.nodeid not in self._max_scores:
            return
        if when == "call" or (when == "setup" and not passed):
            name, contract_item = self._names[test.nodeid]
            self.outcomes.append(
                TestOutcome(
                    name=name,
                    item=contract_item,
                    max_score=self._max_scores[test.nodeid],
                    passed=passed,
                    feedback="" if passed else _feedback(error),
                    duration=seconds,
                    diagnosis="" if passed else dict(test.user_properties).get("diagnosis", ""),
                    timed_out=isinstance(error, WorkerCrashed) and error.timed_out,
                )
            )

    # --- helpers ----------------------------------------------------------------

    def _mistakes_of(self, test: pytest.Item | None) -> list[Mistake]:
        if test is None:
            return []
        item = self._names[test.nodeid][1] if test.nodeid in self._names else _item_of(test)
        return list(self._mistakes.get(item, []))

    def _modules(self, mistake: Mistake | None = None) -> dict[str, ModuleType]:
        """The reference's modules, with ``mistake``'s variant of its module, if given."""
        if self._reference_modules is None:
            self._reference_modules = {m: load_reference_module(self.assignment, m) for m in self.assignment.modules}
        if mistake is None:
            return self._reference_modules
        if mistake.id not in self._variant_modules:
            self._variant_modules[mistake.id] = {**self._reference_modules, mistake.module: mistake.load(self.assignment)}
        return self._variant_modules[mistake.id]

    def _reference_submission(self) -> Submission:
        if self._reference is None:
            self._reference = Submission.from_modules(self._modules())
        return self._reference

    def _variant(self, mistake: Mistake) -> Submission:
        if mistake.id not in self._variants:
            self._variants[mistake.id] = Submission.from_modules(self._modules(mistake))
        return self._variants[mistake.id]


def _item_of(test: pytest.Item) -> str:
    marker = test.get_closest_marker("item")
    return marker.args[0] if marker and marker.args else ""


def _name_of(test: pytest.Item) -> str:
    doc = (getattr(test, "function", None).__doc__ or "").strip().splitlines()
    description = doc[0].rstrip(".") if doc else test.originalname.removeprefix("test_").replace("_", " ")
    case = f" [{test.callspec.id}]" if hasattr(test, "callspec") else ""
    return f"{_item_of(test)}: {description}{case}"


def _feedback(error: BaseException | None) -> str:
    if error is None:
        return "the test failed"
    if isinstance(error, (AssertionError, SubmissionFailure)):
        return str(error).strip() or "the check failed"
    return f"the grader could not check this: {type(error).__name__}: {error}"
