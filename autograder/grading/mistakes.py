"""The catalogue of known mistakes: small wrong variants of the reference, and their diagnosis.

``assignments/<name>/mistakes.toml`` lists entries like::

    [[mistake]]
    id = "l2-gradient-doubled"
    item = "penalties.l2_gradient"
    module = "penalties"
    hint = "Your gradient is twice the expected one: the penalty has a factor 0.5, so its gradient is lam * W."
    replace = "return lam * _as_float(W)"
    with = "return 2 * lam * _as_float(W)"

``replace`` must occur exactly once in the reference module; replacing it gives
the wrong variant. Variants serve twice: at grading time (loaded in the trusted
process, they tell which mistake a wrong output matches) and in the tests (each
is a one-mistake submission).
"""

from __future__ import annotations

import functools
import hashlib
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from autograder.course import Assignment, tomllib
from autograder.errors import AutograderError
from autograder.grading.submission import SubmissionFailure

FIELDS = ("id", "item", "module", "hint", "replace", "with")


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake."""

    id: str
    item: str
    module: str
    hint: str
    replace: str
    with_: str

    def patched_source(self, assignment: Assignment) -> str:
        """The reference module's source with this mistake in it."""
        source = assignment.reference_file(self.module).read_text(encoding="utf-8")
        return source.replace(self.replace, self.with_, 1)

    def load(self, assignment: Assignment) -> types.ModuleType:
        """The wrong variant as a module (trusted code: it is the reference with one change)."""
        source = self.patched_source(assignment)
        name = f"mistake.{assignment.name}.{self.id}.{hashlib.sha1(source.encode()).hexdigest()[:12]}"
        if name not in sys.modules:
            module = types.ModuleType(self.module)
            module.__file__ = f"<mistake {self.id}>"
            exec(compile(source, module.__file__, "exec"), module.__dict__)
            sys.modules[name] = module
        return sys.modules[name]


def catalogue_path(assignment: Assignment) -> Path:
    return assignment.folder / "mistakes.toml"


def load_catalogue(assignment: Assignment) -> list[Mistake]:
    """The assignment's mistakes, validated; an empty list when it has no catalogue."""
    path = catalogue_path(assignment)
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("mistake", [])
    except tomllib.TOMLDecodeError as exc:
        raise AutograderError(f"{path}: not valid TOML: {exc}") from exc
    points = assignment.config.get("points", {})
    mistakes, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        label = f"{path}: mistake #{number} ({entry.get('id', 'no id')})"
        # `with` may be empty: a forgotten line is a mistake too.
        missing = [f for f in FIELDS if not isinstance(entry.get(f), str) or (f != "with" and not entry[f])]
        if missing:
            raise AutograderError(f"{label} lacks {', '.join(missing)}; every entry needs {', '.join(FIELDS)}")
        if entry["id"] in seen:
            raise AutograderError(f"{label}: the id is used twice; ids must be unique")
        seen.add(entry["id"])
        if points and entry["item"] not in points:
            raise AutograderError(f"{label}: item {entry['item']!r} is not in [points] of {assignment.folder / 'assignment.toml'}")
        if entry["module"] not in assignment.modules:
            raise AutograderError(f"{label}: module {entry['module']!r} is not one of {assignment.modules}")
        source = assignment.reference_file(entry["module"]).read_text(encoding="utf-8")
        count = source.count(entry["replace"])
        if count != 1:
            raise AutograderError(
                f"{label}: `replace` occurs {count} times in {assignment.reference_file(entry['module'])}; "
                "it must occur exactly once (quote more of the line)"
            )
        mistake = Mistake(entry["id"], entry["item"], entry["module"], entry["hint"], entry["replace"], entry["with"])
        error = _syntax_error(mistake.patched_source(assignment))
        if error is not None:
            raise AutograderError(f"{label}: the patched {entry['module']}.py is not valid Python ({error.msg}, line {error.lineno}); fix `with`")
        mistakes.append(mistake)
    return mistakes


@functools.lru_cache(maxsize=1024)
def _syntax_error(source: str) -> SyntaxError | None:
    """Why ``source`` does not compile, or None; remembered, as a process that grades one submission at a time loads the catalogue each time."""
    try:
        compile(source, "<mistake>", "exec")
    except SyntaxError as exc:
        return exc
    return None


def diagnose(got: Any, driver: Callable[[Any], Any], candidates: Iterable[Mistake], variant: Callable[[Mistake], Any],
             same: Callable[[Any, Any], bool]) -> Mistake | None:
    """The first catalogued mistake whose variant, run through ``driver``, gives the student's output ``got``.

    ``variant(mistake)`` is the wrong variant as a ``Submission``; ``same(got,
    wrong)`` compares outputs (with the check's tolerances). A variant that
    fails on the input (raises, or its driver does) matches nothing.
    """
    for mistake in candidates:
        try:
            wrong = driver(variant(mistake))
        except SubmissionFailure:
            continue
        if same(got, wrong):
            return mistake
    return None
