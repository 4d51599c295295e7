"""What the exported notebooks' hidden cells call when nbgrader or otter-grader grades them.

Both run inside the notebook's kernel, in the folder holding the student's
notebook and modules. The modules are graded by ``autograder grade`` itself, in
its own process (and so in its sandbox), once per kernel; the cells then read
its results.json:

- ``item_score(assignment, item)`` (nbgrader: one cell per contract item)
  prints the item's score and the feedback of each failed test, and returns the
  score, which nbgrader takes as the cell's partial credit;
- ``check_test(assignment, test)`` (otter: one test case per hidden test)
  raises ``AssertionError`` with the test's feedback if it did not pass.

So the points and the feedback are exactly those of ``autograder grade`` on the
same files. Only the modules named in ``assignment.toml`` are copied to the
folder that is graded; the notebook and anything else beside them are not.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from autograder.course import load_assignment

GRADE_TIMEOUT_SECONDS = 900
_results_cache: dict[tuple[str, str, str], dict[str, Any]] = {}


class GradingFailed(RuntimeError):
    """``autograder grade`` did not produce results (not a verdict on the student's code)."""


def grade_folder(assignment: str, folder: str | os.PathLike = ".") -> dict[str, Any]:
    """The results.json of ``autograder grade`` on the assignment's modules in ``folder`` (cached)."""
    modules = load_assignment(assignment).modules
    folder = Path(folder).resolve()
    files = {f"{module}.py": folder / f"{module}.py" for module in modules}
    digest = hashlib.sha256()
    for name, path in files.items():
        digest.update(name.encode() + (path.read_bytes() if path.is_file() else b"<missing>"))
    key = (assignment, str(folder), digest.hexdigest())
    if key not in _results_cache:
        _results_cache[key] = run_grade(assignment, files)
    return _results_cache[key]


def run_grade(assignment: str, files: dict[str, Path]) -> dict[str, Any]:
    """Run ``autograder grade`` on copies of ``files`` (name -> path; missing paths are left out)."""
    with tempfile.TemporaryDirectory(prefix="autograder-notebook-") as tmp:
        submission = Path(tmp) / "submission"
        submission.mkdir()
        for name, path in files.items():
            if path.is_file():
                shutil.copyfile(path, submission / name)
        results_path = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "autograder", "grade", assignment, str(submission), "--out", str(results_path)]
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=GRADE_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            raise GradingFailed(f"autograder grade took longer than {GRADE_TIMEOUT_SECONDS} s") from exc
        if proc.returncode != 0 or not results_path.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise GradingFailed(f"autograder grade {assignment} exited with status {proc.returncode}:\n{tail}")
        return json.loads(results_path.read_text(encoding="utf-8"))


def item_of(test_name: str) -> str:
    """The contract item a test grades: its name up to the first ': '."""
    return test_name.split(": ", 1)[0]


def item_score(assignment: str, item: str, folder: str | os.PathLike = ".") -> float:
    """Print the item's result and the feedback of its failed tests; return its score."""
    tests = [test for test in grade_folder(assignment, folder)["tests"] if item_of(test["name"]) == item]
    if not tests:
        raise GradingFailed(f"autograder grade reported no test of {item!r}; is the export out of date?")
    score = sum(test["score"] for test in tests)
    possible = sum(test["max_score"] for test in tests)
    failed = [test for test in tests if test["score"] < test["max_score"]]
    print(f"{item}: {score:g} / {possible:g} points; {len(tests) - len(failed)} of {len(tests)} tests passed.")
    for test in failed:
        print(f"\nFAILED {test['name']} ({test['score']:g} / {test['max_score']:g})")
        print(textwrap.indent(test.get("output", "").rstrip(), "    "))
    # Rounded like the engine's per-item scores; nbgrader refuses more than the cell's points.
    return min(round(score, 4), round(possible, 4))


def check_test(assignment: str, name: str, folder: str | os.PathLike = ".") -> None:
    """Raise ``AssertionError`` with the feedback of test ``name`` unless it passed."""
    for test in grade_folder(assignment, folder)["tests"]:
        if test["name"] == name:
            if test["score"] < test["max_score"]:
                raise AssertionError(test.get("output", "").rstrip() or f"{name} failed")
            return
    raise GradingFailed(f"autograder grade reported no test named {name!r}; is the export out of date?")
