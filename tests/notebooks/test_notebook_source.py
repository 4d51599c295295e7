"""The assignments' notebooks: stored without outputs, and their cell roles well formed."""

from __future__ import annotations

import copy

import nbformat
import pytest

from autograder.course import load_assignment
from autograder.notebooks.source import ModuleChecks, NotebookError, Question, hidden_code, load_notebook, parse_parts

ASSIGNMENTS = ["optimization", "regularization"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_notebook_has_autograded_and_written_questions_and_one_module_checks_place(name):
    nb, parts = load_notebook(load_assignment(name))
    questions = [part for part in parts if isinstance(part, Question)]
    assert sum(isinstance(part, ModuleChecks) for part in parts) == 1
    assert sum(not q.written for q in questions) == 3
    assert sum(q.written for q in questions) == 3
    assert sum(q.points for q in questions if not q.written) == 3
    assert sum(q.points for q in questions if q.written) == 6


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_notebook_is_valid_nbformat_4_without_outputs(name):
    nb, _ = load_notebook(load_assignment(name))
    assert nb.nbformat == 4
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_notebook_generates_its_data_and_downloads_nothing(name):
    nb, _ = load_notebook(load_assignment(name))
    source = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    for needle in ("urllib", "requests", "http://", "https://", "np.load(", "read_csv"):
        assert needle not in source


def _notebook() -> nbformat.NotebookNode:
    nb, _ = load_notebook(load_assignment("optimization"))
    return copy.deepcopy(nb)


def _cell(nb, cell_id):
    return next(cell for cell in nb.cells if cell.id == cell_id)


def test_a_check_cell_with_code_outside_its_hidden_region_is_refused():
    nb = _notebook()
    _cell(nb, "opt-q-steps-check").source += "\nprint('visible')"
    with pytest.raises(NotebookError, match=r"cell \d+ \(id opt-q-steps-check\), line \d+: only comments may stand outside"):
        parse_parts(nb)


def test_an_unclosed_solution_region_is_refused():
    nb = _notebook()
    cell = _cell(nb, "opt-q-steps-answer")
    cell.source = cell.source.replace("### END SOLUTION", "")
    with pytest.raises(NotebookError, match="'### BEGIN SOLUTION' is never closed"):
        parse_parts(nb)


def test_answer_cells_must_follow_their_prompt():
    nb = _notebook()
    answer = _cell(nb, "opt-q-steps-answer")
    nb.cells.remove(answer)
    nb.cells.insert(1, answer)
    with pytest.raises(NotebookError, match="does not follow its prompt"):
        parse_parts(nb)


def test_stored_outputs_are_refused():
    nb = _notebook()
    _cell(nb, "opt-setup").outputs = [nbformat.v4.new_output("stream", text="hi")]
    with pytest.raises(NotebookError, match="has stored outputs; clear all outputs"):
        parse_parts(nb)


def test_hidden_code_is_the_code_between_the_markers():
    cell = nbformat.v4.new_code_cell("# note\n### BEGIN HIDDEN TESTS\nx = 1\nassert x\n### END HIDDEN TESTS")
    assert hidden_code(cell) == "x = 1\nassert x"
