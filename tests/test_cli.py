"""The command line: help everywhere, one clean error line, ``python -m autograder``."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from autograder.cli import cli
from autograder.course import course_root


def _commands() -> list[str]:
    return sorted(cli.commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_unknown_assignment_is_one_error_line_with_exit_status_2(tmp_path):
    result = CliRunner().invoke(cli, ["release", "nope", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: unknown assignment 'nope'; known assignments: optimization, regularization "
        f"(an assignment is a folder under {course_root()}/assignments holding assignment.toml)"
    ]


def test_release_reports_what_it_wrote(tmp_path):
    result = CliRunner().invoke(cli, ["release", "optimization", "--out", str(tmp_path / "rel")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote the 'optimization' release to {tmp_path / 'rel'}: 3 stub modules")


def test_python_dash_m_autograder_is_the_same_command_line():
    result = subprocess.run([sys.executable, "-m", "autograder", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "release" in result.stdout
