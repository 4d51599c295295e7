"""Helpers for the notebook tests: modules to grade, `autograder grade` itself, running notebooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from autograder.cli import cli
from autograder.course import load_assignment
from autograder.grading.mistakes import load_catalogue
from autograder.markers import strip_markers

needs_engine = pytest.mark.skipif(
    "grade" not in cli.commands, reason="the grading engine (`autograder grade`) is not installed in this checkout"
)

# The partly wrong submissions: the reference with one mistake of the engine's catalogue (mistakes.toml).
MISTAKES = {"optimization": "adam-without-bias-correction", "regularization": "l2-gradient-doubled"}


def mistake(assignment: str):
    """The catalogue entry MISTAKES[assignment] (id, item, module, replace, with_)."""
    return next(m for m in load_catalogue(load_assignment(assignment)) if m.id == MISTAKES[assignment])


def write_modules(assignment: str, folder: Path, *, wrong: bool = False) -> Path:
    """Write the reference modules (as a student submits them, without markers) into ``folder``.

    With ``wrong``, the module of MISTAKES[assignment] has that mistake.
    """
    folder.mkdir(parents=True, exist_ok=True)
    a = load_assignment(assignment)
    for module in a.modules:
        path = a.reference_file(module)
        text = path.read_text(encoding="utf-8")
        if wrong and module == mistake(assignment).module:
            text = mistake(assignment).patched_source(a)
        (folder / path.name).write_text(strip_markers(text, path), encoding="utf-8")
    return folder


# The notebooks multiply small matrices: one BLAS thread is as fast, and spares the other core.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def tool_env() -> dict[str, str]:
    """The environment for nbgrader or otter: this Python's scripts first on PATH (nbgrader runs `alembic`)."""
    env = {**os.environ, **SINGLE_THREADED}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def grade(assignment: str, folder: Path, tmp_path: Path) -> dict:
    """The results.json that `autograder grade` writes for the modules in ``folder``."""
    out = tmp_path / f"results-{folder.name}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment, str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def item_scores(results: dict) -> dict[str, tuple[float, float]]:
    """Per contract item: (score, max_score) summed over its tests, rounded like the engine's item scores."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for test in results["tests"]:
        if test.get("max_score") is None:
            continue
        item = test["name"].split(": ", 1)[0]
        totals[item][0] += test["score"]
        totals[item][1] += test["max_score"]
    return {item: (round(s, 4), round(m, 4)) for item, (s, m) in totals.items()}


def failed_feedback(results: dict) -> dict[str, str]:
    """The output of every test that lost points, by test name."""
    return {
        test["name"]: test.get("output", "").strip()
        for test in results["tests"]
        if test.get("max_score") is not None and test["score"] < test["max_score"]
    }


def execute(notebook: nbformat.NotebookNode, cwd: Path, timeout: int = 120) -> float:
    """Run ``notebook`` in place with its working directory ``cwd``; return the seconds it took."""
    from nbclient import NotebookClient

    start = time.perf_counter()
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute(env={**os.environ, **SINGLE_THREADED})
    return time.perf_counter() - start


def errors(notebook: nbformat.NotebookNode) -> list[str]:
    """``cell id: ename: evalue`` of every error output."""
    return [
        f"{cell.get('id')}: {out.ename}: {out.evalue}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
