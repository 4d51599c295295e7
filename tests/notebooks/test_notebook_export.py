"""What `autograder export nbgrader` and `autograder export otter` write (the tools themselves: the round-trip tests)."""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from autograder.cli import cli
from autograder.notebooks import to_nbgrader, to_otter
from autograder.notebooks.items import GradedItem, GradedTest

ITEMS = [
    GradedItem("optimizers.SGD", (
        GradedTest("optimizers.SGD: matches torch.optim.SGD [momentum=0.9]", "optimizers.SGD", 1.5),
        GradedTest("optimizers.SGD: rejects a negative lr", "optimizers.SGD", 0.5),
    )),
    GradedItem("schedules.step_decay", (
        GradedTest("schedules.step_decay: matches the closed form", "schedules.step_decay", 2 / 3),
        GradedTest("schedules.step_decay: rejects a negative epoch", "schedules.step_decay", 4 / 3),
    )),
]


@pytest.fixture(autouse=True)
def canned_items(monkeypatch):
    """The engine's test list, canned: these tests are about the exported files only."""
    monkeypatch.setattr(to_nbgrader, "graded_items", lambda assignment: ITEMS)
    monkeypatch.setattr(to_otter, "graded_items", lambda assignment: ITEMS)


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def test_nbgrader_source_has_one_graded_cell_per_item_worth_its_points(tmp_path):
    to_nbgrader.export_nbgrader("optimization", tmp_path)
    nb = nbformat.read(tmp_path / "source/optimization/optimization.ipynb", as_version=4)
    items = {_meta(c)["grade_id"]: c for c in nb.cells if _meta(c).get("grade_id", "").startswith(("optimizers-", "schedules-"))}
    assert {key: _meta(cell)["points"] for key, cell in items.items()} == {"optimizers-SGD": 2.0, "schedules-step_decay": 2.0}
    cell = items["optimizers-SGD"]
    assert _meta(cell)["grade"] and _meta(cell)["locked"] and not _meta(cell)["solution"]
    assert cell.source.splitlines()[1:] == [
        "### BEGIN HIDDEN TESTS",
        "from autograder.notebooks.kernel import item_score",
        "item_score('optimization', 'optimizers.SGD')",
        "### END HIDDEN TESTS",
    ]


def test_nbgrader_source_marks_solutions_checks_and_written_answers(tmp_path):
    to_nbgrader.export_nbgrader("optimization", tmp_path)
    nb = nbformat.read(tmp_path / "source/optimization/optimization.ipynb", as_version=4)
    by_id = {_meta(c)["grade_id"]: _meta(c) for c in nb.cells if _meta(c)}
    assert by_id["opt-q-steps-answer"] == {"grade": False, "grade_id": "opt-q-steps-answer", "locked": False, "schema_version": 3, "solution": True}
    assert by_id["opt-q-steps-check"] == {"grade": True, "grade_id": "opt-q-steps-check", "locked": True, "points": 1, "schema_version": 3, "solution": False}
    assert by_id["valley"] == {"grade": True, "grade_id": "valley", "locked": False, "points": 2, "schema_version": 3, "solution": True}
    assert by_id["opt-rosen-run"]["locked"] and not by_id["opt-rosen-run"]["grade"]
    assert all("autograder" not in cell.metadata for cell in nb.cells)


def test_nbgrader_source_passes_nbgraders_own_metadata_validation(tmp_path):
    nbgraderformat = pytest.importorskip("nbgrader.nbgraderformat")
    to_nbgrader.export_nbgrader("optimization", tmp_path)
    nb = nbformat.read(tmp_path / "source/optimization/optimization.ipynb", as_version=4)
    nbgraderformat.MetadataValidator().validate_nb(nb)


def test_nbgrader_source_holds_the_stub_modules(tmp_path):
    to_nbgrader.export_nbgrader("optimization", tmp_path)
    folder = tmp_path / "source/optimization"
    assert sorted(p.name for p in folder.iterdir()) == ["early_stopping.py", "optimization.ipynb", "optimizers.py", "schedules.py"]
    stub = (folder / "schedules.py").read_text()
    assert "raise NotImplementedError" in stub and "### BEGIN SOLUTION" not in stub


def test_nbgrader_config_keeps_the_students_modules_and_other_lines(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "dl101"\n')
    to_nbgrader.export_nbgrader("optimization", tmp_path)
    to_nbgrader.export_nbgrader("optimization", tmp_path, force=True)
    assert (tmp_path / "nbgrader_config.py").read_text().splitlines() == [
        "c = get_config()",
        'c.CourseDirectory.course_id = "dl101"',
        "c.Execute.timeout = 600  # autograder export: the first module cell grades all modules",
        "c.Autograde.exclude_overwriting.update({'optimization': ['optimizers.py', 'schedules.py', 'early_stopping.py']})"
        "  # autograder export: optimization",
    ]


def test_nbgrader_config_is_read_by_nbgrader(tmp_path):
    pytest.importorskip("nbgrader")
    from traitlets.config.loader import PyFileConfigLoader

    to_nbgrader.export_nbgrader("optimization", tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.Execute.timeout == 600
    assert config.Autograde.exclude_overwriting.get_value({}) == {
        "optimization": ["optimizers.py", "schedules.py", "early_stopping.py"]
    }


def _otter(tmp_path):
    to_otter.export_otter("optimization", tmp_path)
    return nbformat.read(tmp_path / "optimization.ipynb", as_version=4)


def test_otter_master_starts_with_the_assignment_config(tmp_path):
    nb = _otter(tmp_path)
    header, _, body = nb.cells[0].source.partition("\n")
    assert nb.cells[0].cell_type == "raw" and header == "# ASSIGNMENT CONFIG"
    config = yaml.safe_load(body)
    assert config["name"] == "optimization"
    assert config["student_files"] == ["optimizers.py", "schedules.py", "early_stopping.py"]
    assert config["tests"] == {"files": False, "ok_format": True}


def _questions(nb):
    """name -> (config, cells inside the question)."""
    questions, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(cell.source.partition("\n")[2])
            current = questions[config["name"]] = (config, [])
        elif cell.cell_type == "raw" and cell.source == "# END QUESTION":
            current = None
        elif current is not None:
            current[1].append(cell)
    return questions


def _test_points(cell):
    return yaml.safe_load(re.search(r"# BEGIN TEST CONFIG\n(.*?)\"\"\" # END TEST CONFIG", cell.source, re.S).group(1))


def test_otter_master_has_one_question_per_item_and_one_hidden_test_per_grader_test(tmp_path):
    questions = _questions(_otter(tmp_path))
    config, cells = questions["schedules.step_decay"]
    tests = [cell for cell in cells if cell.cell_type == "code"]
    assert [_test_points(cell) for cell in tests] == [{"points": 2 / 3, "hidden": True}, {"points": 4 / 3, "hidden": True}]
    assert tests[1].source.splitlines()[-1] == "check_test('optimization', 'schedules.step_decay: rejects a negative epoch')"


def test_otter_master_turns_answers_into_questions(tmp_path):
    questions = _questions(_otter(tmp_path))
    assert questions["valley"][0] == {"name": "valley", "manual": True, "points": 2.0}
    assert questions["steps_to_reach"][0] == {"name": "steps_to_reach"}
    cells = questions["steps_to_reach"][1]
    solution = next(cell for cell in cells if "steps_to_reach = {}" in cell.source)
    assert "    # BEGIN SOLUTION" in solution.source.splitlines()
    assert "### BEGIN" not in solution.source
    test = next(cell for cell in cells if "BEGIN TEST CONFIG" in cell.source)
    assert _test_points(test) == {"points": 1, "hidden": True}
    assert "### BEGIN HIDDEN TESTS" not in test.source and "expect_equal(" in test.source


def test_otter_export_writes_solution_modules_and_starter_stubs(tmp_path):
    _otter(tmp_path)
    assert "### BEGIN SOLUTION" not in (tmp_path / "optimizers.py").read_text()
    assert "raise NotImplementedError" not in (tmp_path / "optimizers.py").read_text()
    assert "raise NotImplementedError" in (tmp_path / "starter/optimizers.py").read_text()


@pytest.mark.parametrize("tool, option", [("nbgrader", "--course"), ("otter", "--out")])
def test_export_refuses_a_non_empty_folder_without_force(tmp_path, tool, option):
    folder = tmp_path / "source" / "optimization" if tool == "nbgrader" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["export", tool, "optimization", option, str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {folder} exists and is not empty; choose another {option}, or pass --force to replace its contents"
    )
    assert (folder / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_export_commands_have_help_with_an_example(tool):
    result = CliRunner().invoke(cli, ["export", tool, "--help"])
    assert result.exit_code == 0
    assert f"Example: autograder export {tool} optimization" in result.output


def test_export_reports_the_points_it_exported(tmp_path):
    result = CliRunner().invoke(cli, ["export", "otter", "optimization", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        f"Wrote the 'optimization' otter-grader export to {tmp_path / 'o'}:",
        "  2 contract items (4 hidden tests, 4 points, the same as `autograder grade`),",
        "  3 autograded notebook answers (3 points), 3 written answers graded by hand (6 points).",
    ]
