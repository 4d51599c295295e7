"""Export an assignment as an nbgrader course assignment: ``source/<assignment>/`` and the course config.

The source notebook is the assignment's notebook with nbgrader's cell metadata:

- solution cells: nbgrader solution cells (``### BEGIN SOLUTION`` regions are
  nbgrader's own markers);
- check cells: autograded test cells worth their points, the code in a hidden
  test region;
- written answers: manually graded markdown answer cells;
- at the module-checks place, one autograded test cell per contract item, worth
  the item's points; its hidden code calls ``kernel.item_score``, which grades
  the student's modules with ``autograder grade`` and returns the item's score,
  which nbgrader takes as partial credit;
- every other cell read-only (``locked``), so autograding runs the notebook's
  own experiment code.

Beside the notebook go the stub modules (the students' starting files). The
course's ``nbgrader_config.py`` gets two managed lines: ``exclude_overwriting``,
so that ``nbgrader autograde`` keeps the student's modules instead of copying
the stubs over them, and a cell timeout long enough to grade the modules.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from autograder.course import Assignment, load_assignment
from autograder.notebooks.export import (
    ExportSummary,
    module_of,
    plain_copy,
    prepare_folder,
    questions_of,
    write_stubs,
)
from autograder.notebooks.items import GradedItem, graded_items
from autograder.notebooks.source import BEGIN_HIDDEN, END_HIDDEN, ModuleChecks, NotebookError, Question, load_notebook

CONFIG_NAME = "nbgrader_config.py"
MARK = "# autograder export"
CELL_TIMEOUT = 600  # seconds; the first module cell grades every module at once
_GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_CONFIG_HEADER = f"""\
# nbgrader configuration of this course. `autograder export nbgrader` keeps the
# lines ending in "{MARK}..." up to date; edit everything else freely.
c = get_config()  # noqa: F821
"""


def export_nbgrader(assignment_name: str, course: Path, *, force: bool = False, root: Path | None = None) -> ExportSummary:
    """Write ``course/source/<assignment>/`` and update ``course/nbgrader_config.py``.

    Raises:
        UnknownAssignmentError: no such assignment.
        OutputExistsError: ``source/<assignment>/`` is not empty and ``force`` is False.
        NotebookError: the assignment's notebook is malformed (the message names the cell).
        AutograderError: the reference does not pass its own graders.
    """
    assignment = load_assignment(assignment_name, root)
    nb, parts = load_notebook(assignment)
    items = graded_items(assignment)
    course = Path(course)
    folder = course / "source" / assignment.name
    prepare_folder(folder, force=force, option="--course")

    cells: list[NotebookNode] = []
    for part in parts:
        if isinstance(part, Question):
            cells.extend(_question_cells(part))
        elif isinstance(part, ModuleChecks):
            cells.append(_locked(part.cell))
            cells.extend(_item_cell(assignment, item) for item in items)
        else:
            cells.append(_locked(part))
    source_nb = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    source_nb.nbformat_minor = nb.nbformat_minor
    nbformat.validate(source_nb)
    nbformat.write(source_nb, folder / f"{assignment.name}.ipynb")
    stubs = write_stubs(assignment, folder)
    update_config(course / CONFIG_NAME, assignment.name, stubs)

    return ExportSummary(
        "nbgrader",
        assignment.name,
        folder,
        items,
        questions_of(parts),
        next_steps=[
            f"cd {course}",
            f"nbgrader generate_assignment {assignment.name}      # release/{assignment.name}/: notebook and stub modules",
            f"nbgrader autograde {assignment.name}                # after collecting submitted/<student>/{assignment.name}/",
            "Grading needs this package installed where nbgrader runs: the module cells call `autograder grade`.",
        ],
    )


def answered_release(course: Path, assignment: str) -> NotebookNode:
    """The notebook ``nbgrader generate_assignment`` released in ``course``, answered as a student who did it all would.

    Every code answer is the source notebook's solution; every written answer
    is a stand-in sentence. For the tests and the benchmark, which submit it.
    """
    source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in source.cells if "nbgrader" in cell.metadata}
    notebook = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = solutions[meta["grade_id"]] if cell.cell_type == "code" else "My answer, in my words."
    return notebook


def _nbgrader(cell: NotebookNode, grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> NotebookNode:
    if not _GRADE_ID.match(grade_id):
        raise NotebookError(
            f"{grade_id!r} cannot be an nbgrader grade_id (letters, digits, '_' and '-' only); rename the cell or question"
        )
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def _locked(cell: NotebookNode) -> NotebookNode:
    return _nbgrader(plain_copy(cell), cell.id, locked=True)


def _question_cells(question: Question) -> list[NotebookNode]:
    cells = [_locked(question.prompt)]
    for cell in question.answers:
        meta = cell.metadata["autograder"]
        if question.written:
            cells.append(_nbgrader(plain_copy(cell), question.id, grade=True, solution=True, points=meta["points"]))
        else:
            cells.append(_nbgrader(plain_copy(cell), cell.id, solution=True))
    for cell in question.checks:
        points = cell.metadata["autograder"]["points"]
        cells.append(_nbgrader(plain_copy(cell), cell.id, grade=True, locked=True, points=points))
    return cells


def _item_cell(assignment: Assignment, item: GradedItem) -> NotebookNode:
    source = "\n".join(
        [
            f"# Autograded: `{item.name}` ({item.points:g} points), by the hidden tests of {module_of(item.name)}.py.",
            BEGIN_HIDDEN,
            "from autograder.notebooks.kernel import item_score",
            f"item_score({assignment.name!r}, {item.name!r})",
            END_HIDDEN,
        ]
    )
    grade_id = item_grade_id(item.name)
    return _nbgrader(new_code_cell(source, id=f"item-{grade_id}"[:64]), grade_id, grade=True, locked=True, points=item.points)


def item_grade_id(item: str) -> str:
    """nbgrader's id of an item's cell: the item with '-' for '.' (ids allow letters, digits, '_' and '-')."""
    return item.replace(".", "-")


def update_config(path: Path, assignment: str, module_files: list[str]) -> None:
    """Add or replace this assignment's managed lines in the course's ``nbgrader_config.py``."""
    text = path.read_text(encoding="utf-8") if path.is_file() else _CONFIG_HEADER
    lines = [line for line in text.splitlines() if not line.endswith(f"{MARK}: {assignment}")]
    if not any("Execute.timeout" in line for line in lines):
        lines.append(f"c.Execute.timeout = {CELL_TIMEOUT}  {MARK}: the first module cell grades all modules")
    lines.append(
        f"c.Autograde.exclude_overwriting.update({{{assignment!r}: {module_files!r}}})  {MARK}: {assignment}"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
