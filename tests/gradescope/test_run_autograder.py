"""setup.sh and run_autograder, run from an unpacked zip under a Gradescope-like root.

The grader itself is replaced by small stand-ins (the unpacked package's
``__main__.py``), so that these tests pin down the scripts' own promises: the
command they run, and a valid results.json whatever the grader does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from autograder.gradescope.build import build_autograder_zip
from autograder.gradescope.fallback import _basic_problems, ensure_results
from autograder.gradescope.schema import validate_results_file


@pytest.fixture
def layout(dummy_course, tmp_path, gradescope_root, image):
    return gradescope_root(build_autograder_zip("dummy", tmp_path / "autograder.zip", root=dummy_course), image)


def _grader_stand_in(layout, body: str) -> None:
    """Make ``python3 -m autograder`` in the unpacked source run ``body`` (with sys, json, os, time imported)."""
    (layout.source / "autograder" / "__main__.py").write_text(
        "import json, os, sys, time\n" + textwrap.dedent(body)
    )


def test_setup_in_offline_mode_installs_the_bundled_package_once_when_only_it_is_missing(
    layout, make_image_python, tmp_path
):
    python = make_image_python(tmp_path / "image")
    first = layout.run("setup.sh", AUTOGRADER_OFFLINE="1", AUTOGRADER_PYTHON=str(python))
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith(
        f"setup.sh: offline mode; installed the bundled autograder package into {python} without the package index."
    )
    installed = subprocess.run(
        [str(python), "-I", "-c", "import autograder.gradescope.build as m; print(m.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.strip()
    assert "/site-packages/autograder/" in installed  # a regular install, as on Gradescope
    second = layout.run("setup.sh", AUTOGRADER_OFFLINE="1", AUTOGRADER_PYTHON=str(python))
    assert second.returncode == 0, second.stderr
    assert second.stdout == (
        "setup.sh: offline mode, and numpy, scipy, pytest, click, tqdm, jsonschema, matplotlib, yaml, autograder all import "
        f"with {python}; nothing to install.\n"
    )


def test_setup_in_offline_mode_fails_with_advice_when_something_is_missing(layout, tmp_path):
    python = tmp_path / "python-without-numpy"
    python.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'numpy'\" >&2\nexit 1\n")
    python.chmod(0o755)
    result = layout.run("setup.sh", AUTOGRADER_OFFLINE="1", AUTOGRADER_PYTHON=str(python))
    assert result.returncode == 1
    assert "No module named 'numpy'" in result.stderr
    assert result.stderr.rstrip().endswith(
        f"setup.sh: offline mode, but the import above failed with {python}; unset AUTOGRADER_OFFLINE "
        f"to install from the package index, or install {layout.source}/requirements.txt first."
    )


def test_run_autograder_grades_the_submission_folder_with_the_unpacked_course(layout):
    _grader_stand_in(layout, """
        out = sys.argv[sys.argv.index("--out") + 1]
        extra = {"argv": sys.argv[1:], "course": os.environ["AUTOGRADER_COURSE_ROOT"], "cwd": os.getcwd()}
        json.dump({"score": 2.0, "tests": [], "extra_data": extra}, open(out, "w"))
    """)
    result = layout.run("run_autograder")
    assert result.returncode == 0, result.stderr
    extra = validate_results_file(layout.results)["extra_data"]
    assert extra == {
        "argv": ["grade", "dummy", str(layout.submission), "--out", str(layout.results)],
        "course": str(layout.source),
        "cwd": str(layout.root),
    }


def test_valid_results_are_kept_whatever_the_graders_exit_status(layout):
    _grader_stand_in(layout, """
        json.dump({"score": 1.5, "tests": [{"score": 1.5, "max_score": 2}]}, open(sys.argv[-1], "w"))
        sys.exit(1)
    """)
    layout.run("run_autograder")
    assert validate_results_file(layout.results) == {"score": 1.5, "tests": [{"score": 1.5, "max_score": 2}]}


def test_a_crashing_grader_gives_a_valid_zero_score_without_its_traceback(layout):
    _grader_stand_in(layout, 'raise RuntimeError("reference detail the student must not see")\n')
    result = layout.run("run_autograder")
    assert result.returncode == 0
    results = validate_results_file(layout.results)
    assert results["score"] == 0
    assert results["output"].startswith(
        "The autograder could not grade this submission: the grader stopped with an internal error (exit status 1)."
    )
    assert "reference detail" not in results["output"]
    assert "RuntimeError: reference detail" in results["extra_data"]["autograder_failure"]["log_tail"]
    assert "RuntimeError: reference detail" in result.stderr  # Gradescope shows it to instructors


def test_a_grader_running_out_of_time_gives_a_valid_zero_score(layout):
    _grader_stand_in(layout, "time.sleep(60)\n")
    layout.run("run_autograder", AUTOGRADER_GRADE_TIMEOUT="1")
    results = validate_results_file(layout.results)
    assert results["score"] == 0
    assert "grading took longer than 1 seconds and was stopped" in results["output"]


def test_results_gradescope_would_reject_are_replaced_and_kept_aside(layout):
    _grader_stand_in(layout, 'open(sys.argv[-1], "w").write(json.dumps({"score": float("nan")}))\n')
    result = layout.run("run_autograder")
    results = validate_results_file(layout.results)
    assert results["score"] == 0
    assert "without writing valid results" in results["output"]
    assert (layout.results.parent / "results.json.invalid").read_text() == '{"score": NaN}'
    assert "NaN is not valid JSON" in result.stdout


def test_results_of_an_earlier_run_are_never_reported_again(layout):
    layout.results.parent.mkdir(parents=True)
    layout.results.write_text(json.dumps({"score": 100.0}))
    _grader_stand_in(layout, "sys.exit(3)\n")
    layout.run("run_autograder")
    assert validate_results_file(layout.results)["score"] == 0


def test_without_a_working_python_a_minimal_valid_results_json_is_written(layout, tmp_path):
    result = layout.run("run_autograder", AUTOGRADER_PYTHON=str(tmp_path / "no-python"))
    assert result.returncode == 0
    results = validate_results_file(layout.results)
    assert results["score"] == 0
    assert results["output"].startswith("The autograder could not grade this submission")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "does not exist; the grader wrote no results"),
        ("{", "is not valid JSON"),
        ('{"score": Infinity}', "is not valid JSON: Infinity is not valid JSON"),
        ("[1]", "does not hold a JSON object"),
        ('{"output": "x"}', "has neither a numeric 'score' nor a list of 'tests'"),
    ],
)
def test_the_dependency_free_check_finds_what_gradescope_rejects_most(tmp_path, text, problem):
    path = tmp_path / "results.json"
    if text is not None:
        path.write_text(text)
    [found] = _basic_problems(path)
    assert found.startswith(str(path)) and problem in found


def test_the_dependency_free_check_accepts_a_score(tmp_path):
    path = tmp_path / "results.json"
    path.write_text('{"score": 0}')
    assert _basic_problems(path) == []


def test_without_jsonschema_valid_results_are_still_kept(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema now fails
    path = tmp_path / "results.json"
    path.write_text('{"score": 3}')
    assert ensure_results(path, 0, None) is True
    assert path.read_text() == '{"score": 3}'
