"""Make sure Gradescope gets a valid results.json, whatever happened to the grader.

``run_autograder`` runs this file as a script once the grader has exited::

    python3 fallback.py RESULTS EXIT_STATUS LOG TIMEOUT_SECONDS

If RESULTS holds results Gradescope accepts, they stay. Otherwise (the grader
crashed, timed out, or wrote something invalid) RESULTS becomes a zero score
whose output tells the student that the autograder failed. The details (exit
status, the end of the grader's error output) go to standard output, which
Gradescope shows to instructors only, and to ``extra_data``: a traceback of
trusted code is never shown to students. An invalid file is kept beside it as
``results.json.invalid``.

Only the standard library is needed, so this works even when what broke is the
grader's own dependencies.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LOG_TAIL_LINES = 40
TIMEOUT_STATUSES = (124, 137)  # timeout(1): stopped with SIGTERM, or SIGKILL after --kill-after

STUDENT_MESSAGE = (
    "The autograder could not grade this submission: {what}. This is a problem with the "
    "autograder, not a verdict on your code. Your instructors can see the details; "
    "please let them know."
)


def problems_with(path: Path) -> list[str]:
    """Why Gradescope would reject the results at ``path``; empty if it would accept them."""
    try:
        import jsonschema  # noqa: F401  (the schema check below needs it)

        from autograder.gradescope.schema import InvalidResultsError, validate_results_file
    except ImportError:  # the package or jsonschema is what is broken
        return _basic_problems(path)
    try:
        validate_results_file(path)
    except InvalidResultsError as exc:
        return [str(exc)]
    return []


def _basic_problems(path: Path) -> list[str]:
    """The checks that need no third-party library: strict JSON, and a score or tests."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not valid JSON")

    try:
        results = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    except FileNotFoundError:
        return [f"{path} does not exist; the grader wrote no results"]
    except ValueError as exc:
        return [f"{path} is not valid JSON: {exc}"]
    if not isinstance(results, dict):
        return [f"{path} does not hold a JSON object"]
    score = results.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return []
    if isinstance(results.get("tests"), list):
        return []
    return [f"{path} has neither a numeric 'score' nor a list of 'tests'"]


def fallback_results(exit_status: int, problems: list[str], log_tail: str, timeout_seconds: str) -> dict:
    """The zero-score results that replace missing or invalid ones."""
    if exit_status in TIMEOUT_STATUSES:
        what = f"grading took longer than {timeout_seconds} seconds and was stopped"
    elif exit_status != 0:
        what = f"the grader stopped with an internal error (exit status {exit_status})"
    else:
        what = "the grader finished without writing valid results"
    return {
        "score": 0.0,
        "output": STUDENT_MESSAGE.format(what=what),
        "tests": [],
        "extra_data": {"autograder_failure": {"exit_status": exit_status, "problems": problems, "log_tail": log_tail}},
    }


def ensure_results(results_path: Path, exit_status: int, log_path: Path | None, timeout_seconds: str = "?") -> bool:
    """Keep valid results, or write the fallback. True when the grader's results were kept."""
    results_path = Path(results_path)
    problems = problems_with(results_path)
    if not problems:
        return True
    log_tail = ""
    if log_path is not None and Path(log_path).is_file():
        lines = Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines()
        log_tail = "\n".join(lines[-LOG_TAIL_LINES:])
    if results_path.exists():
        results_path.replace(results_path.with_name(results_path.name + ".invalid"))
    results = fallback_results(exit_status, problems, log_tail, timeout_seconds)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    partial = results_path.with_name(results_path.name + ".partial")
    partial.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    partial.replace(results_path)
    print(f"run_autograder: no valid results from the grader (exit status {exit_status}); wrote a zero score.")
    for problem in problems:
        print(f"  {problem}")
    return False


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: fallback.py RESULTS EXIT_STATUS LOG TIMEOUT_SECONDS", file=sys.stderr)
        return 2
    results, status, log, timeout_seconds = argv
    ensure_results(Path(results), int(status), Path(log), timeout_seconds)
    return 0


if __name__ == "__main__":
    # Run as a script: import the bundled package (for the full check) rather
    # than this file's siblings as top-level modules.
    sys.path[0] = str(Path(__file__).resolve().parents[2])
    sys.exit(main(sys.argv[1:]))
