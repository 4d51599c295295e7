"""Find the course on disk: the assignments, their configuration and the reference.

The course root is the folder holding ``assignments/`` and ``reference/``. It is
the repository this package was installed from, unless the environment variable
``AUTOGRADER_COURSE_ROOT`` names another (the Gradescope zip sets it).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.errors import AutograderError, UnknownAssignmentError

if sys.version_info >= (3, 11):
    import tomllib
else:  # Gradescope's images run Python 3.10
    import tomli as tomllib

CONFIG_NAME = "assignment.toml"


@dataclass(frozen=True)
class Assignment:
    """One assignment: where its files are and what its configuration says."""

    name: str
    """The folder name under ``assignments/``, e.g. ``"regularization"``."""
    folder: Path
    """``assignments/<name>/``: configuration, public tests, graders, examples."""
    reference_folder: Path
    """``reference/<name>/``: the reference modules, with solution markers."""
    config: dict[str, Any]
    """The parsed ``assignment.toml``."""

    @property
    def title(self) -> str:
        return str(self.config.get("title", self.name))

    @property
    def modules(self) -> list[str]:
        """The student's modules, in the order the handout presents them."""
        return list(self.config["modules"])

    @property
    def public_tests_folder(self) -> Path:
        return self.folder / "public_tests"

    def reference_file(self, module: str) -> Path:
        return self.reference_folder / f"{module}.py"


def course_root() -> Path:
    """The folder that holds ``assignments/`` and ``reference/``."""
    override = os.environ.get("AUTOGRADER_COURSE_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parent.parent


def known_assignments(root: Path | None = None) -> list[str]:
    """Names of the folders under ``assignments/`` that hold an ``assignment.toml``."""
    folder = (root or course_root()) / "assignments"
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob(f"*/{CONFIG_NAME}"))


def load_assignment(name: str, root: Path | None = None) -> Assignment:
    """The assignment called ``name``; ``UnknownAssignmentError`` lists the known ones."""
    root = root or course_root()
    folder = root / "assignments" / name
    config_path = folder / CONFIG_NAME
    if not config_path.is_file():
        known = ", ".join(known_assignments(root)) or "none"
        raise UnknownAssignmentError(
            f"unknown assignment {name!r}; known assignments: {known} "
            f"(an assignment is a folder under {root / 'assignments'} holding {CONFIG_NAME})"
        )
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AutograderError(f"{config_path}: not valid TOML: {exc}") from exc
    if not config.get("modules"):
        raise AutograderError(f"{config_path}: 'modules' must list the student's modules")
    assignment = Assignment(name, folder, root / "reference" / name, config)
    for module in assignment.modules:
        if not assignment.reference_file(module).is_file():
            raise AutograderError(
                f"{config_path}: module {module!r} has no reference file "
                f"{assignment.reference_file(module)}; add it or remove it from 'modules'"
            )
    return assignment


def load_reference_module(assignment: Assignment | str, module: str) -> ModuleType:
    """Import the reference module ``module`` of ``assignment`` (an Assignment or its name).

    It is registered as ``reference.<assignment>.<module>`` so that it can never
    be mistaken for a student's module of the same name.
    """
    if isinstance(assignment, str):
        assignment = load_assignment(assignment)
    qualified = f"reference.{assignment.name}.{module}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    path = assignment.reference_file(module)
    spec = importlib.util.spec_from_file_location(qualified, path)
    if spec is None or spec.loader is None:
        raise AutograderError(f"cannot import the reference module {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[qualified]
        raise
    return loaded
