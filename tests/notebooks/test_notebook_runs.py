"""Each notebook runs top to bottom with the reference modules, quickly, and draws its figures."""

from __future__ import annotations

import copy

import pytest

from autograder.course import load_assignment
from autograder.notebooks.source import load_notebook

from notebook_helpers import errors, execute, write_modules

pytest.importorskip("nbclient")

FIGURES = {"optimization": 4, "regularization": 3}


@pytest.fixture(scope="module", params=sorted(FIGURES))
def executed(request, tmp_path_factory):
    """(assignment, executed notebook, seconds) with the reference modules beside it."""
    name = request.param
    folder = write_modules(name, tmp_path_factory.mktemp(name))
    nb, _ = load_notebook(load_assignment(name))
    nb = copy.deepcopy(nb)
    seconds = execute(nb, folder, timeout=120)
    return name, nb, seconds


def _outputs(nb):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_notebook_finishes_without_an_error_and_its_checks_pass_on_the_reference(executed):
    _, nb, _ = executed
    assert errors(nb) == []


def test_notebook_runs_in_under_two_minutes(executed):
    _, _, seconds = executed
    assert seconds < 120


def test_notebook_draws_its_figures(executed):
    name, nb, _ = executed
    images = [out for out in _outputs(nb) if "image/png" in out.get("data", {})]
    assert len(images) == FIGURES[name]


def test_notebook_writes_nothing_to_stderr(executed):
    _, nb, _ = executed
    assert [out.text for out in _outputs(nb) if out.output_type == "stream" and out.name == "stderr"] == []
