"""What the nbgrader and otter-grader exports share: the output folder, the stubs, a summary."""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from autograder.course import Assignment
from autograder.errors import OutputExistsError
from autograder.markers import make_stub, strip_markers
from autograder.notebooks.items import GradedItem
from autograder.notebooks.source import Part, Question


@dataclass
class ExportSummary:
    """What an export wrote, and what the instructor does next."""

    tool: str
    assignment: str
    folder: Path
    """The folder holding the exported notebook."""
    items: list[GradedItem]
    questions: list[Question]
    next_steps: list[str] = field(default_factory=list)

    @property
    def module_points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def notebook_points(self) -> float:
        return sum(q.points for q in self.questions if not q.written)

    @property
    def manual_points(self) -> float:
        return sum(q.points for q in self.questions if q.written)

    def describe(self) -> str:
        tests = sum(len(item.tests) for item in self.items)
        lines = [
            f"Wrote the {self.assignment!r} {self.tool} export to {self.folder}:",
            f"  {len(self.items)} contract items ({tests} hidden tests, {self.module_points:g} points, "
            "the same as `autograder grade`),",
            f"  {sum(not q.written for q in self.questions)} autograded notebook answers ({self.notebook_points:g} points), "
            f"{sum(q.written for q in self.questions)} written answers graded by hand ({self.manual_points:g} points).",
        ]
        if self.next_steps:
            lines.append("Next:")
            lines.extend(f"  {step}" for step in self.next_steps)
        return "\n".join(lines)


def prepare_folder(folder: Path, *, force: bool, option: str) -> None:
    """Create ``folder``; refuse a non-empty one unless ``force`` (then empty it)."""
    if folder.exists() and not folder.is_dir():
        raise OutputExistsError(f"{folder} exists and is not a folder; choose another {option}")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise OutputExistsError(
                f"{folder} exists and is not empty; choose another {option}, or pass --force to replace its contents"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)


def write_stubs(assignment: Assignment, folder: Path) -> list[str]:
    """Write the student's starting modules (solutions replaced by TODOs) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for module in assignment.modules:
        path = assignment.reference_file(module)
        (folder / path.name).write_text(make_stub(path.read_text(encoding="utf-8"), path), encoding="utf-8")
        names.append(path.name)
    return names


def write_solutions(assignment: Assignment, folder: Path) -> list[str]:
    """Write the reference modules without their solution markers into ``folder``."""
    names = []
    for module in assignment.modules:
        path = assignment.reference_file(module)
        (folder / path.name).write_text(strip_markers(path.read_text(encoding="utf-8"), path), encoding="utf-8")
        names.append(path.name)
    return names


def plain_copy(cell: NotebookNode) -> NotebookNode:
    """A deep copy of ``cell`` without this package's metadata."""
    cell = copy.deepcopy(cell)
    cell.metadata.pop("autograder", None)
    return cell


def questions_of(parts: list[Part]) -> list[Question]:
    return [part for part in parts if isinstance(part, Question)]


def module_of(item: str) -> str:
    """The module an item belongs to: ``"optimizers.Adam"`` -> ``"optimizers"``."""
    return item.split(".", 1)[0]
