"""The student release (``autograder release``): contents, public tests, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder import gradcheck
from autograder.course import known_assignments, load_assignment
from autograder.errors import MarkerError, OutputExistsError, UnknownAssignmentError
from autograder.markers import solution_lines, strip_markers
from autograder.release import write_release

ASSIGNMENTS = ["regularization", "optimization"]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def release(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("release") / request.param
    write_release(request.param, out)
    return request.param, out


def _run_public_tests(folder: Path) -> dict[str, str]:
    """Run pytest in ``folder``; map each test id to 'passed', 'failed' or 'error' (with message)."""
    report = folder / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        outcomes[name] = "passed" if problem is None else f"{problem.tag}: {problem.get('message')}"
    return outcomes


def test_both_assignments_are_known():
    assert known_assignments() == sorted(ASSIGNMENTS)


def test_release_holds_stubs_tests_helper_and_readme_only(release):
    name, out = release
    assignment = load_assignment(name)
    expected = {f"{m}.py" for m in assignment.modules} | {"README.md", "gradient_check.py", "pytest.ini"}
    expected |= {f"tests/{p.name}" for p in assignment.public_tests_folder.glob("test_*.py")}
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == expected


def test_release_contains_no_solution_line(release):
    name, out = release
    assignment = load_assignment(name)
    sources = [assignment.reference_file(m) for m in assignment.modules]
    # Lines that also stand outside every region (docstring examples, imports) or in
    # the gradient checker are public; lines without a letter (a lone bracket) say nothing.
    public = {line.strip() for line in Path(gradcheck.__file__).read_text().splitlines()}
    for path in sources:
        secret_here = set(solution_lines(path.read_text(), path))
        public |= {line.strip() for line in strip_markers(path.read_text()).splitlines()} - secret_here
    secret = {
        line
        for path in sources
        for line in solution_lines(path.read_text(), path)
        if any(c.isalpha() for c in line)
    } - public
    assert secret, "the reference has no solution lines to look for"
    for path in out.rglob("*.py"):
        leaked = secret & {line.strip() for line in path.read_text().splitlines()}
        assert not leaked, f"{path.relative_to(out)} contains solution lines: {sorted(leaked)[:5]}"


def test_release_contains_no_marker_grader_or_reference_text(release):
    _, out = release
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text()
            for forbidden in ("BEGIN SOLUTION", "END SOLUTION", "reference/", "import reference", "graders/", "autograder"):
                assert forbidden not in text, f"{path.relative_to(out)} mentions {forbidden!r}"


def test_release_readme_lists_every_module_to_submit(release):
    name, out = release
    readme = (out / "README.md").read_text()
    for module in load_assignment(name).modules:
        assert f"- `{module}.py`" in readme


def test_public_tests_all_fail_on_the_stubs_saying_what_is_not_implemented(release, tmp_path):
    _, out = release
    folder = tmp_path / "stubs"
    shutil.copytree(out, folder)
    outcomes = _run_public_tests(folder)
    assert outcomes, "no public test ran"
    for test, outcome in outcomes.items():
        assert outcome.startswith("failure: ") and "is not implemented yet" in outcome, f"{test}: {outcome}"


def test_public_tests_all_pass_with_the_reference_dropped_in(release, tmp_path):
    name, out = release
    folder = tmp_path / "solved"
    shutil.copytree(out, folder)
    assignment = load_assignment(name)
    for module in assignment.modules:
        shutil.copyfile(assignment.reference_file(module), folder / f"{module}.py")
    outcomes = _run_public_tests(folder)
    assert outcomes
    assert {t: o for t, o in outcomes.items() if o != "passed"} == {}


def test_unknown_assignment_lists_the_known_ones(tmp_path):
    with pytest.raises(UnknownAssignmentError, match=r"unknown assignment 'regularisation'; known assignments: optimization, regularization"):
        write_release("regularisation", tmp_path / "out")


def test_non_empty_output_folder_is_refused_without_force(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match=r"exists and is not empty; choose another --out, or pass --force"):
        write_release("regularization", tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_force_replaces_the_output_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    write_release("optimization", out, force=True)
    assert not (out / "old.txt").exists() and (out / "optimizers.py").is_file()


def test_unbalanced_markers_name_the_file_and_line(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(Path(__file__).parents[1] / "assignments" / "optimization", root / "assignments" / "optimization")
    shutil.copytree(Path(__file__).parents[1] / "reference" / "optimization", root / "reference" / "optimization")
    broken = root / "reference" / "optimization" / "schedules.py"
    lines = broken.read_text().splitlines(keepends=True)
    first_begin = next(i for i, line in enumerate(lines) if line.strip() == "### BEGIN SOLUTION")
    lines.insert(first_begin + 1, lines[first_begin])  # a second BEGIN right inside the first region
    broken.write_text("".join(lines))
    line = first_begin + 2
    with pytest.raises(MarkerError, match=rf"^{broken}:{line}: '### BEGIN SOLUTION' inside the region opened at line {line - 1}"):
        write_release("optimization", tmp_path / "out", root=root)
    assert not (tmp_path / "out").exists()
