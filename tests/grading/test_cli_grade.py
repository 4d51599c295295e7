"""`autograder grade`: results.json, a per-item summary, and exit status 0 whenever grading worked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from tiny import GRADERS, make_course, submit

from autograder.cli import cli
from autograder.sandbox import jail


@pytest.fixture(autouse=True)
def course(tmp_path, monkeypatch):
    root = make_course(tmp_path / "course")
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    return root


def test_a_partly_wrong_submission_gets_a_summary_per_item_and_exit_status_0(tmp_path):
    folder = submit(tmp_path / "s", "def double(x):\n    return 2 * x\ndef half(x):\n    return x\n")
    result = CliRunner().invoke(cli, ["grade", "tiny", str(folder), "--out", str(tmp_path / "results.json"), "--in-process"])
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\(\d+\.\d s\)", "(T s)", result.output).splitlines()
    assert lines == [
        "tiny:",
        "  ok tiny.double      8 / 8",
        "  -- tiny.half        0 / 2      the output is wrong: expected 2, got 4 (absolute error 2, relative error 1)",
        "  Total: 8 / 10 (T s)",
        f"results.json written to {tmp_path / 'results.json'}",
    ]
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 8.0


def test_a_missing_submission_is_one_error_line_and_still_writes_results_json(tmp_path):
    result = CliRunner().invoke(cli, ["grade", "tiny", str(tmp_path / "nope"), "--out", str(tmp_path / "results.json")])
    message = f"submission {tmp_path / 'nope'} does not exist; pass a folder of .py files or a .zip of one"
    assert (result.exit_code, result.output) == (2, f"Error: {message}\n")
    assert json.loads((tmp_path / "results.json").read_text())["output"] == f"Grading failed: {message}"


def test_feedback_of_a_graders_assert_is_its_message_not_the_graders_expression(tmp_path, course):
    graders = course / "assignments" / "tiny" / "graders" / "test_tiny.py"
    graders.write_text(GRADERS.replace('"""halves 4"""', '"""halves 4"""\n    hidden = 4\n    assert hidden == 5, "four is not five"'))
    folder = submit(tmp_path / "s", "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n")
    # A fresh process, as in production: the pytest running this test would rewrite the grader's asserts itself.
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", "tiny", str(folder), "--out", str(tmp_path / "r.json"), "--in-process"],
                         capture_output=True, text=True, env=os.environ)
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "r.json").read_text())["tests"][2]["output"] == "four is not five"


def test_an_isolated_grade_uses_its_fork_server_and_leaves_no_process_behind(tmp_path):
    folder = submit(tmp_path / "s", "def double(x):\n    return 2 * x\ndef half(x):\n    return x / 2\n")
    result = CliRunner().invoke(cli, ["grade", "tiny", str(folder), "--out", str(tmp_path / "results.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 10.0
    assert jail.descendants(os.getpid()) == []


def test_a_grade_that_fails_before_grading_leaves_no_fork_server_behind(tmp_path):
    result = CliRunner().invoke(cli, ["grade", "nope", str(tmp_path), "--out", str(tmp_path / "results.json")])
    assert result.exit_code == 2
    assert jail.descendants(os.getpid()) == []
