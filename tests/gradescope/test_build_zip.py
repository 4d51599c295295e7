"""The Gradescope autograder zip (``autograder build``): exactly what grading needs, nothing else."""

from __future__ import annotations

import fnmatch
import re
import stat
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

import autograder
from autograder.cli import cli
from autograder.course import course_root, known_assignments, load_assignment
from autograder.errors import AutograderError, UnknownAssignmentError
from autograder.gradescope.build import DEFAULT_GRADE_TIMEOUT, build_autograder_zip

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PACKAGE = Path(autograder.__file__).resolve().parent
REPOSITORY = PACKAGE.parent


def _package_files() -> set[str]:
    """The package's files as the zip should name them: no caches."""
    return {
        "autograder/" + path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture
def dummy_zip(dummy_course, tmp_path) -> Path:
    return build_autograder_zip("dummy", tmp_path / "out" / "autograder.zip", root=dummy_course)


def _names(zip_path: Path) -> set[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return set(archive.namelist())


def _read(zip_path: Path, name: str) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name).decode()


def test_the_zip_holds_exactly_the_scripts_the_package_the_graders_and_the_reference(dummy_zip):
    assert _names(dummy_zip) == {
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        "pyproject.toml",
        "README.md",
        "assignments/dummy/assignment.toml",
        "assignments/dummy/mistakes.toml",
        "assignments/dummy/graders/test_adder.py",
        "assignments/dummy/graders/data/cases.json",
        "reference/dummy/adder.py",
    } | _package_files()


def test_the_zip_has_no_examples_public_tests_framework_tests_or_caches(dummy_zip):
    for name in _names(dummy_zip):
        assert "/examples/" not in name
        assert "/public_tests/" not in name
        assert not name.startswith("tests/")
        assert "__pycache__" not in name and not name.endswith(".pyc")


def test_nothing_in_the_zip_is_or_requires_torch(dummy_zip):
    assert not [name for name in _names(dummy_zip) if "torch" in name.lower()]
    requirement_lines = [
        line for line in _read(dummy_zip, "requirements.txt").splitlines() if line and not line.startswith("#")
    ]
    assert not [line for line in requirement_lines if "torch" in line.lower()]


def test_requirements_pin_the_installed_versions_of_the_runtime_dependencies(dummy_zip):
    lines = [line for line in _read(dummy_zip, "requirements.txt").splitlines() if line and not line.startswith("#")]
    pins = dict(line.split("==") for line in lines if "==" in line)
    for name in ("numpy", "scipy", "pytest", "click", "tqdm", "jsonschema"):
        assert pins[name] == metadata.version(name)
    assert lines == sorted(lines, key=lambda line: line.split("==")[0].split(">")[0].lower())


def test_the_scripts_are_executable_and_everything_else_is_not(dummy_zip):
    with zipfile.ZipFile(dummy_zip) as archive:
        modes = {info.filename: stat.S_IMODE(info.external_attr >> 16) for info in archive.infolist()}
    assert modes.pop("setup.sh") == 0o755
    assert modes.pop("run_autograder") == 0o755
    assert set(modes.values()) == {0o644}


def test_the_scripts_grade_this_assignment_with_its_time_limit(dummy_zip):
    run_autograder = _read(dummy_zip, "run_autograder")
    assert run_autograder.startswith("#!/usr/bin/env bash\n")
    assert '-m autograder grade dummy "$ROOT/submission" --out "$RESULTS"' in run_autograder
    assert 'GRADE_TIMEOUT="${AUTOGRADER_GRADE_TIMEOUT:-160}"' in run_autograder  # 100 s + 60 s margin
    for script in ("setup.sh", "run_autograder"):
        assert not re.search(r"@[A-Z_]+@", _read(dummy_zip, script)), f"{script} kept a placeholder"


def test_without_limits_grading_stops_within_gradescopes_default_ten_minutes(dummy_course, tmp_path):
    config = dummy_course / "assignments/dummy/assignment.toml"
    config.write_text('modules = ["adder"]\n')
    run_autograder = _read(build_autograder_zip("dummy", tmp_path / "a.zip", root=dummy_course), "run_autograder")
    assert f'GRADE_TIMEOUT="${{AUTOGRADER_GRADE_TIMEOUT:-{DEFAULT_GRADE_TIMEOUT}}}"' in run_autograder
    assert DEFAULT_GRADE_TIMEOUT < 600


def test_entries_are_sorted_with_fixed_timestamps(dummy_zip):
    with zipfile.ZipFile(dummy_zip) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_building_twice_gives_the_same_bytes(dummy_course, tmp_path):
    first = build_autograder_zip("dummy", tmp_path / "first.zip", root=dummy_course)
    second = build_autograder_zip("dummy", tmp_path / "second.zip", root=dummy_course)
    assert first.read_bytes() == second.read_bytes()


def test_an_existing_zip_is_replaced_and_no_partial_file_is_left(dummy_course, tmp_path):
    out = tmp_path / "autograder.zip"
    out.write_text("old")
    build_autograder_zip("dummy", out, root=dummy_course)
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autograder.zip", "course"]


def test_an_assignment_without_graders_is_refused(dummy_course, tmp_path):
    for grader in (dummy_course / "assignments/dummy/graders").glob("test_*.py"):
        grader.unlink()
    with pytest.raises(AutograderError) as caught:
        build_autograder_zip("dummy", tmp_path / "a.zip", root=dummy_course)
    assert str(caught.value) == (
        f"{dummy_course / 'assignments/dummy/graders'} holds no test_*.py files; the Gradescope "
        "autograder grades with the hidden graders, so write "
        "assignments/dummy/graders/test_<module>.py first"
    )
    assert not (tmp_path / "a.zip").exists()


def test_an_unknown_assignment_is_refused(dummy_course, tmp_path):
    with pytest.raises(UnknownAssignmentError):
        build_autograder_zip("nope", tmp_path / "a.zip", root=dummy_course)


def test_the_cli_builds_the_zip_and_says_where(dummy_course, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(dummy_course))
    out = tmp_path / "autograder.zip"
    result = CliRunner().invoke(cli, ["build", "dummy", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote the 'dummy' Gradescope autograder to {out}: {len(_names(out))} files.\n"


def test_the_cli_reports_a_missing_grader_folder_in_one_line(dummy_course, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(dummy_course))
    for grader in (dummy_course / "assignments/dummy/graders").glob("test_*.py"):
        grader.unlink()
    result = CliRunner().invoke(cli, ["build", "dummy", "--out", str(tmp_path / "a.zip")])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1


def test_the_schema_and_script_templates_ship_as_package_data():
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["autograder.gradescope"]
    for shipped in ("results.schema.json", "templates/setup.sh", "templates/run_autograder"):
        assert (PACKAGE / "gradescope" / shipped).is_file()
        assert any(fnmatch.fnmatch(shipped, pattern) for pattern in patterns), shipped


@pytest.mark.parametrize("assignment", known_assignments())
def test_a_real_assignment_ships_its_graders_and_every_reference_module(assignment, tmp_path):
    graders = sorted(p.name for p in (course_root() / "assignments" / assignment / "graders").glob("test_*.py"))
    if not graders:
        pytest.skip(f"assignments/{assignment}/graders/ has no graders yet")
    loaded = load_assignment(assignment)
    names = _names(build_autograder_zip(assignment, tmp_path / "a.zip"))
    assert {f"reference/{assignment}/{module}.py" for module in loaded.modules} <= names
    assert {f"assignments/{assignment}/graders/{name}" for name in graders} <= names
    assert f"assignments/{assignment}/assignment.toml" in names
    assert not [name for name in names if "/examples/" in name or "/public_tests/" in name]
