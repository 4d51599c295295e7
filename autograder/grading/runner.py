"""Grade one submission: prepare it, run the hidden graders against it, collect the grade."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from autograder.course import load_assignment
from autograder.errors import AutograderError
from autograder.grading.plugin import GradingPlugin
from autograder.grading.results import SubmissionGrade
from autograder.grading.submission import Submission
from autograder.sandbox.client import Limits
from autograder.submissions import prepare_submission


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
        if plugin.problems or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            details = "\n".join(plugin.problems) or log[-3000:]
            _fail(result, f"the graders of {assignment.name!r} could not run (pytest exit code {int(code)}):\n{details}")
    except AutograderError:
        raise  # a usage error (no such submission): nothing was graded
    except Exception as error:  # a fault of the grader, not of the student: say so, lose nothing
        _fail(result, f"{type(error).__name__}: {error}")
    finally:
        result.execution_time = time.monotonic() - started
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _run_pytest(graders_root: Path, plugin: GradingPlugin) -> tuple[int, str]:
    """Run the graders under ``graders_root/graders`` with ``plugin``; pytest's own output is kept, not printed."""
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        code = pytest.main(
            [str(graders_root / "graders"), "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
             "--rootdir", str(graders_root), "-o", "addopts=", "-W", "ignore"],
            plugins=[plugin],
        )
    return code, log.getvalue()


def _fail(result: SubmissionGrade, message: str) -> None:
    result.grader_error = True
    result.output = (result.output + "\n" if result.output else "") + f"Grading failed: {message}"
