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
from pathlib import Path

import pytest

from autograder.course import load_assignment
from autograder.errors import AutograderError
from autograder.grading.plugin import GradingPlugin
from autograder.grading.results import SubmissionGrade
from autograder.grading.submission import Submission
from autograder.sandbox.client import Limits
from autograder.submissions import prepare_submission

NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def limits_for(config: dict) -> Limits:
    """The worker limits of ``[limits]`` in assignment.toml."""
    table = config.get("limits", {})
    return Limits(
        call_seconds=float(table.get("call_seconds", Limits.call_seconds)),
        cpu_seconds=int(table.get("submission_seconds", Limits.cpu_seconds)),
        memory_mib=int(table.get("memory_mib", Limits.memory_mib)),
    )


def grade(assignment_name: str, submission_path: Path, *, isolated: bool = True) -> SubmissionGrade:
    """Grade the submission at ``submission_path`` (a folder or a zip).

    The student's code runs in a separate worker process (``isolated=True``,
    always for real grading) or in this one (``isolated=False``, for
    development). Problems with the graders themselves set ``grader_error``
    and are described in ``output``; problems with the student's code only
    cost points.
    """
    started = time.monotonic()
    assignment = load_assignment(assignment_name)
    result = SubmissionGrade(assignment.name)
    workdir = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
    try:
        prepared = prepare_submission(Path(submission_path), assignment.modules, workdir / "submission")
        result.output = "\n".join(prepared.notes)
        if isolated:
            submission = Submission.isolated(prepared.folder, limits_for(assignment.config))
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
    """
    log = io.StringIO()
    before = set(sys.modules)
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            code = pytest.main(
                [str(graders_root / "graders"), "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--assert=plain",
                 "--rootdir", str(graders_root), "-o", "addopts=", "-W", "ignore"],
                plugins=[plugin],
            )
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
