"""Grade one submission: prepare it, run the hidden graders against it, collect the grade."""

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

import pytest

from autograder.course import load_assignment
from autograder.errors import AutograderError
from autograder.grading.plugin import GradingPlugin
from autograder.grading.results import SubmissionGrade
from autograder.grading.submission import Submission
from autograder.sandbox.client import Limits, SpareWorkers
from autograder.submissions import prepare_submission

NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
PYTEST_OPTIONS = ["-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--assert=plain", "-o", "addopts=", "-s", "--tb=line"]
"""How the graders run. Feedback is the message of a check's exception, never pytest's report, so
pytest does as little as it can per test: no capture (``-s``: our own redirect keeps its output),
one-line tracebacks in its log (a long one costs 50 ms per failed test: a stub fails 157)."""
UNUSED_PLUGINS = ["warnings", "logging", "unraisableexception", "threadexception", "faulthandler",
                  "python_path", "junitxml", "doctest", "pastebin", "setuponly", "setupplan", "stepwise"]
"""Built-in plugins that cost time on every test or run and that graders do not use: warnings are
ignored once around the whole run instead of per test, logs go to pytest's log like the rest,
unraisableexception would collect the garbage of the whole process after every submission (80 ms),
and the rest serve command-line options the runner never passes. Fixtures a grader may use
(``tmp_path``, ``monkeypatch``, ``recwarn``) stay."""


def limits_for(config: dict) -> Limits:
    """The worker limits of ``[limits]`` in assignment.toml."""
    table = config.get("limits", {})
    return Limits(
        call_seconds=float(table.get("call_seconds", Limits.call_seconds)),
        submission_seconds=float(table.get("submission_seconds", Limits.submission_seconds)),
        cpu_seconds=int(table.get("submission_seconds", Limits.cpu_seconds)),
        memory_mib=int(table.get("memory_mib", Limits.memory_mib)),
    )


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
    out workers started ahead of time.
    """
    started = time.monotonic()
    assignment = load_assignment(assignment_name)
    result = SubmissionGrade(assignment.name)
    workdir = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
    try:
        prepared = prepare_submission(Path(submission_path), assignment.modules, workdir / "submission")
        result.output = "\n".join(prepared.notes)
        if isolated:
            submission = Submission.isolated(prepared.folder, limits or limits_for(assignment.config), spares)
        else:
            submission = Submission.in_process_from_folder(prepared.folder)
        with submission:
            plugin = GradingPlugin(assignment, submission)
            code, log = _run_pytest(assignment.folder, plugin)
        result.tests = plugin.outcomes
        if plugin.problems:
            _fail(result, f"the graders of {assignment.name!r} are misconfigured:\n" + "\n".join(plugin.problems))
        elif code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            # pytest's log may quote the hidden graders: for instructors only.
            _fail(result, f"the graders of {assignment.name!r} could not run (pytest exit code {int(code)})", details=log[-3000:])
    except AutograderError:
        raise  # a usage error (no such submission): nothing was graded
    except Exception as error:  # a fault of the grader, not of the student: say so, lose nothing
        _fail(result, f"{type(error).__name__}: {error}", details=traceback.format_exc())
    finally:
        result.execution_time = time.monotonic() - started
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _run_pytest(graders_root: Path, plugin: GradingPlugin) -> tuple[int, str]:
    """Run the graders under ``graders_root/graders`` with ``plugin``; pytest's own output is kept, not printed.

    Plugins installed in this Python are not loaded (one that reorders or
    reseeds tests would change grades); asserts are not rewritten (feedback is
    the assert's message, never the grader's expression); and the grader
    modules are forgotten afterwards, so a later run imports them afresh.
    When pytest could not run the graders, they are collected once more with
    full tracebacks, for the instructors (``--tb=line`` keeps one line).
    """
    arguments = [str(graders_root / "graders"), "--rootdir", str(graders_root), *PYTEST_OPTIONS]
    arguments += [option for name in UNUSED_PLUGINS for option in ("-p", f"no:{name}")]
    code, log = _pytest_main(arguments, plugin, graders_root)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        _, again = _pytest_main([*arguments, "--collect-only", "--tb=short"], None, graders_root)
        log += "\n--- the graders collected again, with tracebacks ---\n" + again
    return code, log


def _pytest_main(arguments: list[str], plugin: GradingPlugin | None, graders_root: Path) -> tuple[int, str]:
    log = io.StringIO()
    before = set(sys.modules)
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = pytest.main(arguments, plugins=[plugin] if plugin else [])
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


def _fail(result: SubmissionGrade, message: str, details: str = "") -> None:
    result.grader_error = True
    result.details = details
    result.output = (result.output + "\n" if result.output else "") + (
        f"Grading failed: {message}\nThis is a problem with the autograder, not a verdict on your code; please tell your instructors."
    )
