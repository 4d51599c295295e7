"""END TO END: the real autograder zip, run as Gradescope runs it, on real submissions.

For each assignment: build the zip, unpack it into ``<root>/source/``, put a
submission into ``<root>/submission/``, run ``setup.sh`` and then
``run_autograder`` with ``AUTOGRADER_ROOT=<root>``, and check
``<root>/results/results.json`` against Gradescope's schema. The reference's
own modules must get full marks; an empty submission folder must get 0, in a
results.json that is still valid.

The Python they run with is laid out like the Gradescope image (see
``image_python``): one site-packages holding exactly the pinned requirements,
into which setup.sh (offline mode, no network) installs the bundled package as
a regular, non-editable install. Grading with this repository's editable
install instead would hide problems that only an installed copy has.

These tests need the grading engine (``autograder grade``) and the
assignment's hidden graders; until both exist they are skipped, saying which
is missing.
"""

from __future__ import annotations

import shutil

import pytest

from autograder.cli import cli
from autograder.course import course_root, known_assignments, load_assignment
from autograder.gradescope.build import build_autograder_zip
from autograder.gradescope.schema import validate_results_file


def _skip_unless_gradable(assignment: str) -> None:
    if "grade" not in cli.commands:
        pytest.skip("the grading engine (autograder grade) is not there yet")
    if not list((course_root() / "assignments" / assignment / "graders").glob("test_*.py")):
        pytest.skip(f"assignments/{assignment}/graders/ has no graders yet")


@pytest.fixture(scope="module", params=known_assignments())
def built(request, tmp_path_factory):
    """(assignment, zip path), built once per assignment."""
    _skip_unless_gradable(request.param)
    out = tmp_path_factory.mktemp("zip") / f"{request.param}-autograder.zip"
    return request.param, build_autograder_zip(request.param, out)


@pytest.fixture(scope="module")
def image(tmp_path_factory, make_image_python) -> str:
    """The python of a Gradescope-like image of its own: setup.sh installs the package into it."""
    return str(make_image_python(tmp_path_factory.mktemp("gradescope-image") / "venv"))


def _grade(built, image, gradescope_root, submission_files) -> dict:
    assignment, zip_path = built
    layout = gradescope_root(zip_path, image)
    for path in submission_files:
        shutil.copyfile(path, layout.submission / path.name)
    setup = layout.run("setup.sh", AUTOGRADER_OFFLINE="1")
    assert setup.returncode == 0, setup.stderr
    run = layout.run("run_autograder")
    assert run.returncode == 0, run.stderr
    results = validate_results_file(layout.results)
    assert "autograder_failure" not in results.get("extra_data", {}), run.stdout + run.stderr
    return results


def _score(results: dict) -> float:
    return results.get("score", sum(test.get("score", 0.0) for test in results["tests"]))


def _max_score(results: dict) -> float:
    return sum(test.get("max_score", 0.0) for test in results["tests"])


def test_end_to_end_the_reference_gets_full_marks(built, image, gradescope_root):
    assignment = load_assignment(built[0])
    results = _grade(built, image, gradescope_root, [assignment.reference_file(m) for m in assignment.modules])
    assert results["tests"], "the graders produced no tests"
    assert _max_score(results) > 0
    failed = [f"{test['name']}: {test.get('output', '')}" for test in results["tests"] if test.get("score") != test.get("max_score")]
    assert failed == [], f"{len(failed)} tests failed; the first: {failed[0] if failed else ''}"
    assert _score(results) == pytest.approx(_max_score(results))
    points = assignment.config.get("points")
    if points:
        assert _max_score(results) == pytest.approx(sum(points.values()))


def test_end_to_end_an_empty_submission_gets_zero_in_a_valid_results_json(built, image, gradescope_root):
    results = _grade(built, image, gradescope_root, [])
    assert results["tests"], "an empty submission should fail every test, not skip them"
    assert _score(results) == 0
    assert _max_score(results) > 0


def test_end_to_end_a_partly_wrong_example_gets_partial_credit(built, image, gradescope_root):
    assignment = load_assignment(built[0])
    example = assignment.folder / "examples" / "partly_wrong"
    if not example.is_dir():
        pytest.skip(f"assignments/{assignment.name}/examples/partly_wrong/ does not exist yet")
    results = _grade(built, image, gradescope_root, sorted(example.glob("*.py")))
    assert 0 < _score(results) < _max_score(results)


def test_setup_byte_compiles_the_graders_the_reference_and_the_package_once_for_every_grade(built, image, gradescope_root):
    assignment, zip_path = built
    layout = gradescope_root(zip_path, image)
    setup = layout.run("setup.sh", AUTOGRADER_OFFLINE="1")
    assert setup.returncode == 0, setup.stderr
    for folder in (layout.source / "assignments" / assignment / "graders", layout.source / "reference" / assignment, layout.source / "autograder"):
        compiled = {path.name.split(".")[0] for path in (folder / "__pycache__").glob("*.pyc")}
        assert {path.stem for path in folder.glob("*.py")} <= compiled, folder
