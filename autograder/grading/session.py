"""Grade a stream of submissions in one pytest session: the graders are collected once, run once per submission.

    grade_each("regularization", folders, on_grade)   # on_grade(folder, SubmissionGrade | AutograderError)

pytest starts, imports the hidden graders and collects their tests once. Then
``StreamPlugin.pytest_runtestloop`` takes the submissions one at a time from
the iterable (lazily: the first is asked for once the graders are collected)
and makes one pass per submission: prepare it into a fresh folder, open it (an
isolated worker, or this process), run every grader test (``run_pass`` of
``autograder.grading.testrun``: through pytest's own test protocol, or the
short way), hand back its grade, remove the folder.

Nothing of one student reaches the next. The last test of a pass tears down
every fixture, session-scoped ones included, so the ``submission`` fixture is
created again; each test's request, fixture values and properties (the
diagnosis) are reset before it runs; the outcomes start empty. The reference
and the catalogued mistakes stay loaded for the whole stream (trusted,
deterministic modules); each pass drives them through a fresh ``Submission``,
with copies of plain data, so the objects a pass creates in them go with it.

A fault of the grader while one submission is graded makes that submission a
grader error, and the stream goes on. When the session itself fails (a grader
file that does not import, no grader test, Ctrl-C), every submission not yet
handed back is a grader error, with pytest's log for the instructors in
``details``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Callable, Iterable

import pytest

from autograder.course import Assignment, load_assignment
from autograder.errors import AutograderError
from autograder.grading.plugin import GradingPlugin
from autograder.grading.results import SubmissionGrade
from autograder.grading.submission import Submission, SubmissionFailure
from autograder.grading.testrun import plain_tests, run_pass
from autograder.sandbox.client import ForkServer, Limits, SpareWorkers
from autograder.submissions import prepare_submission

NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
PYTEST_OPTIONS = ["-p", "no:cacheprovider", "--import-mode=importlib", "--assert=plain", "-o", "addopts=", "-s"]
"""How the graders run. Feedback is the message of a check's exception, never pytest's report, so
pytest does as little as it can per test: no capture (``-s``: our own redirect keeps its output)."""
UNUSED_PLUGINS = ["terminal", "warnings", "logging", "unraisableexception", "threadexception", "faulthandler",
                  "python_path", "junitxml", "doctest", "pastebin", "setuponly", "setupplan", "stepwise"]
"""Built-in plugins that cost time on every test or run and that graders do not use: the terminal
reporter would keep every report of the stream and write a line per test (collection errors are
kept by ``StreamPlugin`` instead), warnings are ignored once around the whole run instead of per
test, logs go to pytest's log like the rest, unraisableexception would collect the garbage of the
whole process after every submission (80 ms), and the rest serve command-line options the runner
never passes. Fixtures a grader may use (``tmp_path``, ``monkeypatch``, ``recwarn``) stay."""
LOG_CHARS = 64 * 1024
"""How much of what pytest and the graders print is kept for the instructors (the end of it)."""

OnGrade = Callable[[Path, "SubmissionGrade | AutograderError"], None]
"""Called with each submission of the stream and its grade, or the AutograderError that says why it could not be opened."""


def limits_for(config: dict) -> Limits:
    """The worker limits of ``[limits]`` in assignment.toml."""
    table = config.get("limits", {})
    return Limits(
        call_seconds=float(table.get("call_seconds", Limits.call_seconds)),
        submission_seconds=float(table.get("submission_seconds", Limits.submission_seconds)),
        cpu_seconds=int(table.get("submission_seconds", Limits.cpu_seconds)),
        memory_mib=int(table.get("memory_mib", Limits.memory_mib)),
    )


def grade_each(
    assignment_name: str, submissions: Iterable[Path], on_grade: OnGrade, *, isolated: bool = True, limits: Limits | None = None,
    cpu: int | None = None, server: ForkServer | None = None,
) -> None:
    """Grade every submission of ``submissions`` (folders or zips) in one pytest session; see the module docstring.

    ``on_grade(submission, grade)`` receives each one as soon as it is graded,
    in order; a submission that cannot be opened (no such file, not a zip)
    comes with the ``AutograderError`` that says why instead. The student's
    code runs in an isolated worker (``isolated=True``, always for real
    grading: the workers are forked from a fork server that starts first, and
    imports NumPy while the graders are collected) or in this process
    (development). ``limits`` overrides the assignment's ``[limits]``. Once
    the tests start, this process and its workers share one CPU: ``cpu``, or
    by default the one it runs on then. ``server``, a fork server started
    earlier, is taken over (see ``SpareWorkers``). An exception raised by
    ``on_grade`` ends the stream and is raised here.
    """
    assignment = load_assignment(assignment_name)
    limits = limits or limits_for(assignment.config)
    workers = SpareWorkers(limits, cpu, server) if isolated else None
    try:
        grading = GradingPlugin(assignment)

        def open_submission(folder: Path) -> Submission:
            return Submission.isolated(folder, limits, workers) if isolated else Submission.in_process_from_folder(folder)

        stream = StreamPlugin(grading, submissions, open_submission, on_grade)
        code, log = _run_pytest(assignment.folder, [grading, stream])
    finally:
        if workers is not None:
            workers.close()
    if stream.callback_error is not None:
        raise stream.callback_error
    if stream.exhausted:
        return
    # the session ended before the stream did: every submission not handed back is a grader error
    if stream.collect_errors:
        log += "\n--- errors collecting the graders ---\n" + "\n".join(stream.collect_errors)
    if grading.problems:
        message, details = _misconfigured(assignment, grading.problems), ""
    else:  # pytest's log may quote the hidden graders: for instructors only
        message, details = f"the graders of {assignment.name!r} could not run (pytest exit code {int(code)})", log[-3000:]
    if stream.current is not None:
        path, result = stream.current
        record_grader_error(result, message, details)
        on_grade(path, result)
    for path in stream.submissions:
        on_grade(path, _not_graded(assignment, path, message, details))


def record_grader_error(result: SubmissionGrade, message: str, details: str = "") -> None:
    """Mark ``result`` as a failure of grading itself, telling the student it is not a verdict on their code."""
    result.grader_error = True
    result.details = details
    result.output = (result.output + "\n" if result.output else "") + (
        f"Grading failed: {message}\nThis is a problem with the autograder, not a verdict on your code; please tell your instructors."
    )


class StreamPlugin:
    """Runs the collected grader tests once per submission and hands back each grade; pass it to ``pytest.main`` with a ``GradingPlugin``."""

    def __init__(self, grading: GradingPlugin, submissions: Iterable[Path], open_submission: Callable[[Path], Submission], on_grade: OnGrade):
        self.grading = grading
        self.submissions = iter(submissions)
        self._open = open_submission
        self._on_grade = on_grade
        self.exhausted = False
        """Every submission was handed back."""
        self.current: tuple[Path, SubmissionGrade] | None = None
        """The submission being graded when the session ended (Ctrl-C, ``pytest.exit``), not handed back."""
        self.collect_errors: list[str] = []
        """What pytest said of each grader file or folder it could not collect (short tracebacks)."""
        self.callback_error: BaseException | None = None
        self._plain: set[str] = set()
        """The tests that run the short way (``autograder.grading.testrun``)."""

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"ERROR collecting {report.nodeid or '.'}\n{report.longreprtext}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.testsfailed:  # as pytest's own loop: graders that did not all collect are not run
            raise session.Interrupted(f"{session.testsfailed} error{'s' if session.testsfailed != 1 else ''} during collection")
        if not session.items:
            return True
        # one-line tracebacks in the reports pytest still formats (a grader's fault, a fixture's error: failed checks
        # get pytest_runtest_makereport's below), which nobody reads and a long one costs 50 ms;
        # set after collection, whose errors keep their short tracebacks for the instructors
        session.config.option.tbstyle = "line"
        self._plain = plain_tests(session, [self.grading, self])
        for path in self.submissions:
            graded = self._grade(session, path)
            try:
                self._on_grade(path, graded)
            except BaseException as error:  # not a fault of grading: ends the stream, raised by grade_each
                self.callback_error = error
                return True
        self.exhausted = True
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
        """A test that failed a check: pytest's report, with the exception's message for the traceback it would format (2 ms, for no reader).

        Feedback is that message (see ``GradingPlugin``); anything else, a
        fault of the grader included, gets pytest's own report.
        """
        if call.when != "call" or call.excinfo is None or not isinstance(call.excinfo.value, (AssertionError, SubmissionFailure)):
            return None
        sections = [(f"Captured {key} {when}", content) for when, key, content in item._report_sections]
        return pytest.TestReport(
            item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed", call.excinfo.exconly(), "call",
            sections, call.duration, call.start, call.stop, item.user_properties,
        )

    def _grade(self, session: pytest.Session, path: Path) -> SubmissionGrade | AutograderError:
        """One pass: the grade of the submission at ``path``."""
        started = time.monotonic()
        assignment = self.grading.assignment
        result = SubmissionGrade(assignment.name)
        workdir = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
        self.current = (path, result)
        try:
            prepared = prepare_submission(Path(path), assignment.modules, workdir / "submission")
            result.output = "\n".join(prepared.notes)
            with self._open(prepared.folder) as submission:
                result.tests = self.grading.start(submission)
                run_pass(session, self.grading, self._plain)
            if self.grading.problems:
                record_grader_error(result, _misconfigured(assignment, self.grading.problems))
        except AutograderError as error:  # a usage error (no such submission): nothing was graded
            self.current = None
            return error
        except Exception as error:  # a fault of the grader, not of the student: say so, lose nothing, go on
            record_grader_error(result, f"{type(error).__name__}: {error}", details=traceback.format_exc())
        finally:
            result.execution_time = time.monotonic() - started
            shutil.rmtree(workdir, ignore_errors=True)
        self.current = None
        return result


def _not_graded(assignment: Assignment, path: Path, message: str, details: str) -> SubmissionGrade | AutograderError:
    """The grade of a submission the session ended before: its notes and the grader error."""
    started = time.monotonic()
    result = SubmissionGrade(assignment.name)
    workdir = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
    try:
        result.output = "\n".join(prepare_submission(Path(path), assignment.modules, workdir / "submission").notes)
    except AutograderError as error:
        return error
    except Exception:  # the grader error below says enough
        pass
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    record_grader_error(result, message, details)
    result.execution_time = time.monotonic() - started
    return result


def _misconfigured(assignment: Assignment, problems: list[str]) -> str:
    return f"the graders of {assignment.name!r} are misconfigured:\n" + "\n".join(problems)


def _run_pytest(graders_root: Path, plugins: list) -> tuple[int, str]:
    """Run the graders under ``graders_root/graders`` with ``plugins``; returns pytest's exit code and the end of what was printed.

    Plugins installed in this Python are not loaded (one that reorders or
    reseeds tests would change grades); asserts are not rewritten (feedback is
    the assert's message, never the grader's expression); and the grader
    modules are forgotten afterwards, so a later run imports them afresh.
    """
    arguments = [str(graders_root / "graders"), "--rootdir", str(graders_root), *PYTEST_OPTIONS]
    arguments += [option for name in UNUSED_PLUGINS for option in ("-p", f"no:{name}")]
    log = _Tail(LOG_CHARS)
    before = set(sys.modules)
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = pytest.main(arguments, plugins=plugins)
    finally:
        if autoload is None:
            del os.environ[NO_AUTOLOAD]
        else:
            os.environ[NO_AUTOLOAD] = autoload
        graders = (graders_root / "graders").resolve()
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            places = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or [])]
            if any(place and Path(place).resolve().is_relative_to(graders) for place in places):
                del sys.modules[name]
    return code, log.getvalue()


class _Tail(io.StringIO):
    """A text stream that keeps only the last ``limit`` characters written (a long stream prints without end)."""

    def __init__(self, limit: int):
        super().__init__()
        self._limit = limit

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.tell() > 2 * self._limit:
            kept = self.getvalue()[-self._limit :]
            self.seek(0)
            self.truncate()
            super().write(kept)
        return written
