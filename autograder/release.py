"""Write the student release of an assignment, generated from the reference.

A release folder holds:

- one stub module per reference module, each solution region replaced by a
  fenced TODO (``autograder.markers.make_stub``), docstrings kept;
- ``tests/``: the assignment's public tests, and ``pytest.ini`` so that a bare
  ``pytest`` in the folder runs them against the stubs beside it;
- ``gradient_check.py``: the numerical gradient checker (``autograder.gradcheck``);
- ``README.md``: what to implement, how to run the tests, what to submit.

Nothing else reaches it: no solution line, no hidden grader, no reference file.
The folder is built next to its destination and moved into place at the end, so
a failure leaves the destination as it was.
"""

from __future__ import annotations

import shutil
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import gradcheck
from autograder.course import Assignment, load_assignment
from autograder.errors import AutograderError, OutputExistsError
from autograder.markers import find_regions, make_stub

PYTEST_INI = "[pytest]\npythonpath = .\ntestpaths = tests\naddopts = -ra\n"
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class ReleaseSummary:
    """What ``write_release`` wrote."""

    assignment: str
    out: Path
    todos: dict[str, list[str]] = field(default_factory=dict)
    """Per module, the qualified names of the functions left for the student."""
    public_tests: list[str] = field(default_factory=list)
    """File names of the public tests, under ``tests/``."""

    def describe(self) -> str:
        count = sum(len(names) for names in self.todos.values())
        return (
            f"Wrote the {self.assignment!r} release to {self.out}: "
            f"{len(self.todos)} stub modules with {count} TODOs, "
            f"{len(self.public_tests)} public test files, README.md, gradient_check.py."
        )


def write_release(assignment_name: str, out: Path, *, force: bool = False, root: Path | None = None) -> ReleaseSummary:
    """Write the release of ``assignment_name`` into ``out``.

    Raises:
        UnknownAssignmentError: no such assignment (the message lists the known ones).
        OutputExistsError: ``out`` exists and is not empty, and ``force`` is False.
        MarkerError: a reference file has unbalanced or misplaced markers (file and line).
    """
    assignment = load_assignment(assignment_name, root)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputExistsError(
            f"{out} exists and is not empty; choose another --out, or pass --force to replace its contents"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a release is meant to be shared
        summary = _build(assignment, staging)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    summary.out = out
    return summary


def _build(assignment: Assignment, folder: Path) -> ReleaseSummary:
    summary = ReleaseSummary(assignment.name, folder)
    for module in assignment.modules:
        path = assignment.reference_file(module)
        source = path.read_text(encoding="utf-8")
        summary.todos[module] = [region.function for region in find_regions(source, path)]
        (folder / path.name).write_text(make_stub(source, path), encoding="utf-8")

    tests = folder / "tests"
    tests.mkdir()
    public = sorted(assignment.public_tests_folder.glob("test_*.py"))
    if not public:
        raise AutograderError(
            f"{assignment.public_tests_folder} holds no test_*.py files; "
            "a release needs the public tests students run"
        )
    for test in public:
        shutil.copyfile(test, tests / test.name)
        summary.public_tests.append(test.name)

    shutil.copyfile(gradcheck.__file__, folder / "gradient_check.py")
    (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    (folder / "README.md").write_text(_student_readme(assignment, summary), encoding="utf-8")
    return summary


def _student_readme(assignment: Assignment, summary: ReleaseSummary) -> str:
    todo_list = "\n".join(
        f"- `{module}.py`: " + ", ".join(f"`{name}`" for name in names)
        for module, names in summary.todos.items()
    )
    template = string.Template((_TEMPLATES / "student_README.md").read_text(encoding="utf-8"))
    return template.substitute(
        title=assignment.title,
        summary=str(assignment.config.get("summary", "")).strip(),
        todo_list=todo_list,
        first_module=assignment.modules[0],
        submit_list="\n".join(f"- `{module}.py`" for module in assignment.modules),
    )
