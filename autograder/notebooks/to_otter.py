"""Export an assignment as an otter-grader master notebook (``otter assign`` input).

The master notebook is the assignment's notebook in otter's format:

- an ``ASSIGNMENT CONFIG`` cell: the student's modules are ``student_files``
  (submitted in the zip beside the notebook, never in the autograder zip), no
  PDFs, ``otter assign`` runs the tests against the reference;
- each question between ``BEGIN QUESTION``/``END QUESTION`` cells: its prompt,
  its solution in a SOLUTION block (``# BEGIN SOLUTION`` markers), and its
  checks as hidden test cases worth their points; written answers are manual
  questions;
- at the module-checks place, one question per contract item with one hidden
  test case per grader test, worth the test's share of the item's points; the
  test case calls ``kernel.check_test``, which grades the student's modules with
  ``autograder grade`` and fails with that test's feedback.

Beside it go the reference modules without markers (the ``student_files`` that
``otter assign`` grades its solution notebook with) and ``starter/``, the stub
modules to hand out with ``student/<assignment>.ipynb``. They are not otter
``files``: otter copies those over the submission at grading time.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from autograder.course import Assignment, load_assignment
from autograder.notebooks.export import (
    ExportSummary,
    module_of,
    plain_copy,
    prepare_folder,
    questions_of,
    write_solutions,
    write_stubs,
)
from autograder.notebooks.items import GradedItem, graded_items
from autograder.notebooks.source import BEGIN_SOLUTION, END_SOLUTION, ModuleChecks, Question, hidden_code, load_notebook

STARTER = "starter"


def export_otter(assignment_name: str, out: Path, *, force: bool = False, root: Path | None = None) -> ExportSummary:
    """Write the otter master notebook of ``assignment_name``, its solution modules and starter files to ``out``.

    Raises:
        UnknownAssignmentError: no such assignment.
        OutputExistsError: ``out`` is not empty and ``force`` is False.
        NotebookError: the assignment's notebook is malformed (the message names the cell).
        AutograderError: the reference does not pass its own graders.
    """
    assignment = load_assignment(assignment_name, root)
    nb, parts = load_notebook(assignment)
    items = graded_items(assignment)
    out = Path(out)
    prepare_folder(out, force=force, option="--out")

    modules = write_solutions(assignment, out)
    write_stubs(assignment, out / STARTER)
    cells = [_raw("# ASSIGNMENT CONFIG", _assignment_config(assignment, modules))]
    for part in parts:
        if isinstance(part, Question):
            cells.extend(_question_cells(part))
        elif isinstance(part, ModuleChecks):
            cells.append(plain_copy(part.cell))
            for item in items:
                cells.extend(_item_cells(assignment, item))
        else:
            cells.append(plain_copy(part))
    original = {cell.id for cell in nb.cells}
    for index, cell in enumerate(cells):
        if cell.id not in original:
            cell.id = f"otter-{index}"  # generated cells: stable ids, so that an export is reproducible
    master = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    master.nbformat_minor = nb.nbformat_minor
    nbformat.validate(master)
    nbformat.write(master, out / f"{assignment.name}.ipynb")

    return ExportSummary(
        "otter-grader",
        assignment.name,
        out,
        items,
        questions_of(parts),
        next_steps=[
            f"cd {out}",
            f"otter assign {assignment.name}.ipynb dist   # dist/autograder/ (autograder zip), dist/student/",
            f"hand out dist/student/ together with the modules in {out / STARTER}/",
            f"otter run -a dist/autograder/{assignment.name}-autograder_*.zip SUBMISSION.zip   # one submission",
            "Grading needs this package installed where otter runs: the module tests call `autograder grade`.",
        ],
    )


def _assignment_config(assignment: Assignment, modules: list[str]) -> dict:
    return {
        "name": assignment.name,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": {
            "pdf": False,
            "run_tests": False,
            "instructions": "Submit the zip file: it holds this notebook and your modules "
            + ", ".join(modules)
            + ".",
        },
        "student_files": modules,
        "generate": {"pdf": False, "show_hidden": True, "show_stdout": True},
        "run_tests": True,
        "solutions_pdf": False,
        "template_pdf": False,
        "tests": {"files": False, "ok_format": True},
    }


def _raw(header: str, config: dict | None = None) -> NotebookNode:
    text = header if config is None else header + "\n" + yaml.safe_dump(config, sort_keys=False).rstrip()
    return new_raw_cell(text)


def _question_cells(question: Question) -> list[NotebookNode]:
    config: dict = {"name": question.id}
    if question.written:
        config.update(manual=True, points=question.points)
    cells = [_raw("# BEGIN QUESTION", config), plain_copy(question.prompt), _raw("# BEGIN SOLUTION")]
    for cell in question.answers:
        cell = plain_copy(cell)
        if cell.cell_type == "code":
            cell.source = _otter_solution_markers(cell.source)
        cells.append(cell)
    cells.append(_raw("# END SOLUTION"))
    if question.checks:
        cells.append(_raw("# BEGIN TESTS"))
        for check in question.checks:
            cells.append(_test_cell(hidden_code(check), check.metadata["autograder"]["points"]))
        cells.append(_raw("# END TESTS"))
    cells.append(_raw("# END QUESTION"))
    return cells


def _otter_solution_markers(source: str) -> str:
    """nbgrader's ``### BEGIN SOLUTION`` lines as otter's ``# BEGIN SOLUTION``, indentation kept."""
    lines = []
    for line in source.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        if line.strip() == BEGIN_SOLUTION:
            line = indent + "# BEGIN SOLUTION"
        elif line.strip() == END_SOLUTION:
            line = indent + "# END SOLUTION"
        lines.append(line)
    return "\n".join(lines)


def _test_cell(code: str, points: float) -> NotebookNode:
    header = f'""" # BEGIN TEST CONFIG\npoints: {points!r}\nhidden: true\n""" # END TEST CONFIG'
    return new_code_cell(header + "\n" + code)


def _item_cells(assignment: Assignment, item: GradedItem) -> list[NotebookNode]:
    prompt = new_markdown_cell(
        f"**`{item.name}`** ({item.points:g} points): graded by the hidden tests of "
        f"`{module_of(item.name)}.py` when you submit."
    )
    cells = [_raw("# BEGIN QUESTION", {"name": item.name}), prompt, _raw("# BEGIN TESTS")]
    for test in item.tests:
        code = f"from autograder.notebooks.kernel import check_test\ncheck_test({assignment.name!r}, {test.name!r})"
        cells.append(_test_cell(code, test.points))
    cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
    return cells
