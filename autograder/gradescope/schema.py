"""Check a results.json against Gradescope's format (``results.schema.json``).

Gradescope rejects a results.json that is not strict JSON (``NaN`` and
``Infinity`` are not JSON, though Python's ``json`` writes them) or whose fields
have the wrong types; the submission then shows an autograder failure instead
of a score. ``results_problems`` finds both, one readable line per problem.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


class InvalidResultsError(AutograderError):
    """A results.json that Gradescope would not accept."""


@lru_cache(maxsize=1)
def results_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of Gradescope's results.json."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def results_problems(results: Any) -> list[str]:
    """Why Gradescope would reject ``results`` (parsed JSON), one line each; empty if none."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(results_schema())
    problems = []
    for error in sorted(validator.iter_errors(results), key=lambda e: [str(part) for part in e.absolute_path]):
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        problems.append(f"results{where}: {error.message}")
    return problems


def parse_strict_json(text: str) -> Any:
    """``json.loads`` that refuses ``NaN``, ``Infinity`` and ``-Infinity``, as Gradescope does."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not valid JSON (a score or a value was not finite)")

    return json.loads(text, parse_constant=refuse)


def validate_results_file(path: Path) -> dict[str, Any]:
    """Read ``path`` and return its results if Gradescope would accept them.

    Raises:
        InvalidResultsError: the file is missing, not strict JSON, or breaks the
            schema; the message lists every problem.
    """
    path = Path(path)
    try:
        results = parse_strict_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidResultsError(f"{path} does not exist; the grader wrote no results") from None
    except ValueError as exc:
        raise InvalidResultsError(f"{path} is not valid JSON: {exc}") from None
    problems = results_problems(results)
    if problems:
        raise InvalidResultsError(f"{path} is not in Gradescope's format:\n  " + "\n  ".join(problems))
    return results
