"""nbgrader ``autograde`` and otter-grader ``otter run`` on the same assignment, through their notebook exports.

Each tool grades one student who submits the reference modules and the
notebook with every answer filled in. Both run the student's notebook (the
course's experiments) in a Jupyter kernel and then the hidden cells, which run
``autograder grade`` on the modules once: so their time is the notebook's plus
ours. Setting up (``generate_assignment``, ``otter assign``) is not counted.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from autograder.bench.measure import Measured, run
from autograder.course import load_assignment
from autograder.markers import strip_markers
from autograder.sandbox.cpus import SINGLE_THREADED


def tool_env() -> dict[str, str]:
    """This Python's scripts first on PATH (nbgrader runs ``alembic``), one BLAS thread (the notebooks multiply small matrices)."""
    env = {**os.environ, **SINGLE_THREADED}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def write_modules(assignment: str, folder: Path) -> Path:
    """The reference modules as a student submits them (no solution markers)."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = load_assignment(assignment)
    for module in spec.modules:
        path = spec.reference_file(module)
        (folder / path.name).write_text(strip_markers(path.read_text(encoding="utf-8"), path), encoding="utf-8")
    return folder


def nbgrader_autograde(assignment: str, workdir: Path, student: str = "student") -> Measured:
    """``nbgrader autograde`` of one submission in a fresh nbgrader course."""
    import nbformat

    from autograder.notebooks.to_nbgrader import answered_release, export_nbgrader

    course = workdir / "nbgrader-course"
    export_nbgrader(assignment, course, force=True)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"], cwd=course, env=tool_env())
    notebook = answered_release(course, assignment)
    folder = write_modules(assignment, course / "submitted" / student / assignment)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    return run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"], cwd=course, env=tool_env())


def otter_run(assignment: str, workdir: Path) -> Measured:
    """``otter run`` of one submission against the autograder zip of ``otter assign``."""
    import nbformat

    from autograder.notebooks.to_otter import export_otter

    master = workdir / "otter-master"
    export_otter(assignment, master, force=True)
    run([sys.executable, "-m", "otter", "assign", "--no-run-tests", f"{assignment}.ipynb", "dist"], cwd=master, env=tool_env())
    dist = master / "dist"
    (autograder_zip,) = (dist / "autograder").glob("*.zip")
    solved = nbformat.read(dist / "autograder" / f"{assignment}.ipynb", as_version=4)
    notebook = nbformat.read(dist / "student" / f"{assignment}.ipynb", as_version=4)
    solutions = [c for c in solved.cells if c.cell_type == "code" and "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    answers = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    for answer, solution in zip([c for c in answers if c.cell_type == "code"], solutions):
        answer.source = solution.source
    for answer in answers:
        if answer.cell_type == "markdown":
            answer.source = "My answer, in my words."
    modules = write_modules(assignment, workdir / "otter-student")
    submission = workdir / "otter-student.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        archive.writestr(f"{assignment}.ipynb", nbformat.writes(notebook))
        for module in sorted(modules.glob("*.py")):
            archive.write(module, module.name)
    out = workdir / "otter-results"
    out.mkdir(exist_ok=True)
    return run([sys.executable, "-m", "otter", "run", "-a", str(autograder_zip), "-o", str(out), str(submission)], cwd=workdir, env=tool_env())
