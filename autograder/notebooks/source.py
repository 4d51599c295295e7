"""Read an assignment's notebook (``assignments/<name>/notebook/<name>.ipynb``) and check its cell roles.

The notebook is the one source of both exports. It runs as is, top to bottom,
next to the student's modules (or the reference). Cells that the exports treat
specially carry ``metadata["autograder"]``::

    {"kind": "prompt",   "question": "steps_to_reach"}              the question's text (markdown)
    {"kind": "solution", "question": "steps_to_reach"}              code the student writes; the
        solution lies between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines
    {"kind": "check",    "question": "steps_to_reach", "points": 1} an autograded check of the
        answer; its code lies between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``
        (only comments outside), and raises AssertionError with feedback on a wrong answer
    {"kind": "written",  "question": "valley", "points": 2}         a written answer, graded by a
        person (markdown; its text is the model answer)
    {"kind": "module-checks"}                                       where the exports put one
        autograded cell per contract item, graded by the hidden graders (markdown, once)

A question is a run of consecutive cells: its prompt, then its answer cells
(solution cells, or one written cell), then, for code answers, its checks.
Every other cell is handed out unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.course import Assignment
from autograder.errors import AutograderError

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
KINDS = ("prompt", "solution", "check", "written", "module-checks")


class NotebookError(AutograderError):
    """An assignment notebook that the exports cannot use (the message names the cell)."""


@dataclass
class Question:
    """One question of the notebook: a prompt, its answer cells and, for code answers, checks."""

    id: str
    prompt: NotebookNode
    answers: list[NotebookNode] = field(default_factory=list)
    """Solution cells (code), or the one written cell (markdown)."""
    checks: list[NotebookNode] = field(default_factory=list)

    @property
    def written(self) -> bool:
        """True for a manually graded written answer."""
        return kind(self.answers[0]) == "written"

    @property
    def points(self) -> float:
        cells = self.answers if self.written else self.checks
        return float(sum(cell.metadata["autograder"]["points"] for cell in cells))


@dataclass
class ModuleChecks:
    """The place of the per-item cells (the markdown cell that introduces them)."""

    cell: NotebookNode


Part = NotebookNode | Question | ModuleChecks
"""One element of the notebook in order: a plain cell, a question, or the module checks."""


def notebook_path(assignment: Assignment) -> Path:
    return assignment.folder / "notebook" / f"{assignment.name}.ipynb"


def kind(cell: NotebookNode) -> str | None:
    """The cell's role (one of KINDS), or None for a plain cell."""
    return cell.get("metadata", {}).get("autograder", {}).get("kind")


def load_notebook(assignment: Assignment) -> tuple[NotebookNode, list[Part]]:
    """The assignment's notebook and its parts; ``NotebookError`` if a cell is malformed."""
    path = notebook_path(assignment)
    if not path.is_file():
        raise NotebookError(f"{assignment.name!r} has no notebook; expected {path}")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types for a broken file
        raise NotebookError(f"{path}: not a valid notebook: {exc}") from exc
    return nb, parse_parts(nb, path)


def parse_parts(nb: NotebookNode, path: Path | str = "<notebook>") -> list[Part]:
    """Group the cells of ``nb`` into plain cells, questions and the module-checks place."""
    parts: list[Part] = []
    current: Question | None = None
    seen: set[str] = set()
    modules = 0
    for index, cell in enumerate(nb.cells):
        where = f"{path}: cell {index} (id {cell.get('id', '?')})"
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            raise NotebookError(f"{where} has stored outputs; clear all outputs before saving the source notebook")
        role = kind(cell)
        if role is None:
            if "autograder" in cell.get("metadata", {}):
                raise NotebookError(f"{where}: metadata 'autograder' needs a 'kind', one of {', '.join(KINDS)}")
            current = None
            parts.append(cell)
            continue
        if role not in KINDS:
            raise NotebookError(f"{where}: unknown kind {role!r}; use one of {', '.join(KINDS)}")
        if role == "module-checks":
            _expect_type(cell, "markdown", where)
            modules += 1
            current = None
            parts.append(ModuleChecks(cell))
            continue
        question = cell.metadata["autograder"].get("question")
        if not question:
            raise NotebookError(f"{where}: a {role} cell needs metadata autograder.question")
        if role == "prompt":
            _expect_type(cell, "markdown", where)
            if question in seen:
                raise NotebookError(f"{where}: question {question!r} is defined twice; question ids are unique")
            seen.add(question)
            current = Question(question, cell)
            parts.append(current)
            continue
        if current is None or current.id != question:
            raise NotebookError(
                f"{where}: this {role} cell of question {question!r} does not follow its prompt; "
                "a question's cells are consecutive: prompt, answers, checks"
            )
        _check_cell(current, cell, role, where)
    for question in (part for part in parts if isinstance(part, Question)):
        if not question.answers:
            raise NotebookError(f"{path}: question {question.id!r} has no answer cell")
        if not question.written and not question.checks:
            raise NotebookError(f"{path}: question {question.id!r} has solution cells but no check cell")
    if modules != 1:
        raise NotebookError(f"{path}: needs exactly one module-checks cell (found {modules})")
    return parts


def _check_cell(question: Question, cell: NotebookNode, role: str, where: str) -> None:
    if role == "solution":
        _expect_type(cell, "code", where)
        if question.checks or (question.answers and question.written):
            raise NotebookError(f"{where}: a solution cell must come before the checks and not mix with written answers")
        _regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, where, outside_only_comments=False)
        question.answers.append(cell)
    elif role == "written":
        _expect_type(cell, "markdown", where)
        if question.answers:
            raise NotebookError(f"{where}: a written question has exactly one written cell and no solution cells")
        _expect_points(cell, where)
        question.answers.append(cell)
    else:  # check
        _expect_type(cell, "code", where)
        if not question.answers or question.written:
            raise NotebookError(f"{where}: a check cell follows the solution cells of a code question")
        _regions(cell.source, BEGIN_HIDDEN, END_HIDDEN, where, outside_only_comments=True)
        _expect_points(cell, where)
        question.checks.append(cell)


def _expect_type(cell: NotebookNode, cell_type: str, where: str) -> None:
    if cell.cell_type != cell_type:
        raise NotebookError(f"{where}: a {kind(cell)} cell must be a {cell_type} cell, not {cell.cell_type}")


def _expect_points(cell: NotebookNode, where: str) -> None:
    points = cell.metadata["autograder"].get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise NotebookError(f"{where}: metadata autograder.points must be a positive number, got {points!r}")


def _regions(source: str, begin: str, end: str, where: str, *, outside_only_comments: bool) -> None:
    """Check that ``source`` has balanced, non-nested begin/end lines (at least one region)."""
    inside, count = False, 0
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if text == begin:
            if inside:
                raise NotebookError(f"{where}, line {number}: {begin!r} inside an open region (regions do not nest)")
            inside, count = True, count + 1
        elif text == end:
            if not inside:
                raise NotebookError(f"{where}, line {number}: {end!r} without a {begin!r} before it")
            inside = False
        elif outside_only_comments and not inside and text and not text.startswith("#"):
            raise NotebookError(
                f"{where}, line {number}: only comments may stand outside {begin!r} ... {end!r}; "
                "move this line into the region"
            )
    if inside:
        raise NotebookError(f"{where}: {begin!r} is never closed; add {end!r}")
    if count == 0:
        raise NotebookError(f"{where}: no {begin!r} ... {end!r} region")


def hidden_code(cell: NotebookNode) -> str:
    """The code between the hidden-test markers of a check cell (markers and comments outside dropped)."""
    lines, inside = [], False
    for line in cell.source.splitlines():
        if line.strip() == BEGIN_HIDDEN:
            inside = True
        elif line.strip() == END_HIDDEN:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)
