"""Build the autograder zip that Gradescope's "Configure Autograder" page takes.

Gradescope unpacks the zip into ``/autograder/source/``, runs ``setup.sh`` once
to build its image, then ``run_autograder`` for every submission. The zip's top
level:

- ``setup.sh``: installs ``requirements.txt`` and the bundled package (image build time);
- ``run_autograder``: grades ``/autograder/submission`` into
  ``/autograder/results/results.json``, and writes a valid one even if grading fails;
- ``requirements.txt``: the runtime dependencies, pinned to the versions
  installed here (never torch);
- ``pyproject.toml``, ``README.md``, ``autograder/``: the package, as in this repository;
- ``assignments/<name>/``: ``assignment.toml``, ``mistakes.toml`` and ``graders/``
  (not the examples, not the public tests);
- ``reference/<name>/``: the reference modules the graders compare with.

The same sources give the same bytes: entries are sorted, with fixed timestamps
and permissions. The zip is written next to ``out_path`` and moved into place,
so a failure leaves no half-written zip.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import autograder
from autograder.course import Assignment, load_assignment
from autograder.errors import AutograderError
from autograder.gradescope.requirements import import_names, pinned_requirements

TEMPLATES = Path(__file__).parent / "templates"
SCRIPTS = ("setup.sh", "run_autograder")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold
DEFAULT_GRADE_TIMEOUT = 540  # under Gradescope's default limit of 10 minutes
TIMEOUT_MARGIN = 60  # seconds on top of [limits] submission_seconds
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def build_autograder_zip(assignment_name: str, out_path: Path, *, root: Path | None = None) -> Path:
    """Write the Gradescope autograder zip of ``assignment_name`` to ``out_path``; return the path.

    Raises:
        UnknownAssignmentError: no such assignment (the message lists the known ones).
        AutograderError: the assignment has no hidden graders, the package is not
            a source checkout, or a runtime dependency is not installed.
    """
    assignment = load_assignment(assignment_name, root)
    if not _NAME.match(assignment.name):
        raise AutograderError(
            f"assignment name {assignment.name!r} may only hold letters, digits, '-' and '_', "
            "since run_autograder passes it to the shell; rename its folder"
        )
    entries = autograder_entries(assignment)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    os.close(handle)
    try:
        _write_zip(entries, Path(partial))
        os.chmod(partial, 0o644)  # mkstemp makes it private; the zip is meant to be uploaded
        os.replace(partial, out_path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return out_path


def package_root() -> Path:
    """The source checkout holding ``pyproject.toml`` and the ``autograder`` package."""
    folder = Path(autograder.__file__).resolve().parent.parent
    if not (folder / "pyproject.toml").is_file():
        raise AutograderError(
            f"no pyproject.toml beside the autograder package in {folder}; build the zip from a "
            "source checkout of the autograder (pip install -e .), not from an installed copy"
        )
    return folder


def autograder_entries(assignment: Assignment) -> dict[str, bytes]:
    """Every file of the zip: its name in the archive and its contents."""
    source = package_root()
    graders = assignment.folder / "graders"
    if not sorted(graders.glob("test_*.py")):
        raise AutograderError(
            f"{graders} holds no test_*.py files; the Gradescope autograder grades with the hidden "
            f"graders, so write assignments/{assignment.name}/graders/test_<module>.py first"
        )
    entries: dict[str, bytes] = {}
    for name in ("pyproject.toml", "README.md"):  # setuptools needs the readme pyproject names
        if (source / name).is_file():
            entries[name] = (source / name).read_bytes()
    entries.update(_tree(source / "autograder", "autograder"))
    prefix = f"assignments/{assignment.name}"
    for name in ("assignment.toml", "mistakes.toml"):
        if (assignment.folder / name).is_file():
            entries[f"{prefix}/{name}"] = (assignment.folder / name).read_bytes()
    entries.update(_tree(graders, f"{prefix}/graders"))
    entries.update(_tree(assignment.reference_folder, f"reference/{assignment.name}"))

    pyproject = source / "pyproject.toml"
    entries["requirements.txt"] = _requirements_txt(pyproject).encode()
    values = {
        "ASSIGNMENT": assignment.name,
        "GRADE_TIMEOUT": str(grade_timeout(assignment)),
        "IMPORTS": ", ".join(import_names(pyproject)),
        "PYTHON_MAJOR": str(sys.version_info.major),
        "PYTHON_MINOR": str(sys.version_info.minor),
    }
    for script in SCRIPTS:
        entries[script] = _render(TEMPLATES / script, values).encode()
    return entries


def grade_timeout(assignment: Assignment) -> int:
    """Seconds run_autograder lets grading run: the assignment's own limit plus a margin."""
    seconds = assignment.config.get("limits", {}).get("submission_seconds")
    return DEFAULT_GRADE_TIMEOUT if seconds is None else int(seconds) + TIMEOUT_MARGIN


def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    """The files under ``folder``, without caches and hidden files."""
    files = {}
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(part == "__pycache__" or part.startswith(".") for part in parts):
            continue
        if path.is_file() and path.suffix not in (".pyc", ".pyo"):
            files[f"{prefix}/{'/'.join(parts)}"] = path.read_bytes()
    return files


def _requirements_txt(pyproject: Path) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = (
        "# The autograder's runtime dependencies, pinned to the versions installed where\n"
        f"# this zip was built (Python {version}). Generated by `autograder build`; torch,\n"
        "# which only checks the reference, is not needed to grade.\n"
    )
    return header + "".join(f"{line}\n" for line in pinned_requirements(pyproject))


def _render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise AutograderError(f"{template}: placeholder {leftover.group()} has no value")
    return text


def _write_zip(entries: dict[str, bytes], path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = 3  # Unix, so that unzip applies the permissions below
            mode = 0o755 if name in SCRIPTS else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
