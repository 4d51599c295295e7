"""Find the submissions of a class: one folder or zip per student, or a Gradescope export.

A plain class folder holds one sub-folder or ``.zip`` per student; its name
(without ``.zip``) is the student id. A Gradescope "Export Submissions"
folder (or its zip) holds ``submission_metadata.yml`` and one
``submission_<id>/`` folder per submission; names and emails come from the
metadata.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.errors import AutograderError

METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class Entry:
    """One student's submission."""

    student: str
    """The id: the folder or zip name, or Gradescope's submission folder."""
    path: Path
    name: str = ""
    email: str = ""


def discover(submissions: Path, scratch: Path) -> list[Entry]:
    """The submissions under ``submissions``, sorted by student id; a zipped export is unpacked into ``scratch``."""
    submissions = Path(submissions)
    if not submissions.exists():
        raise AutograderError(f"{submissions} does not exist; pass a folder of submissions or a Gradescope export")
    if submissions.is_file():
        if not zipfile.is_zipfile(submissions):
            raise AutograderError(f"{submissions} is neither a folder nor a zip of a Gradescope export")
        target = scratch / "export"
        if not target.exists():
            _safe_extract(submissions, target)
        inner = [p for p in target.iterdir() if p.is_dir()]
        submissions = inner[0] if not (target / METADATA).exists() and len(inner) == 1 else target
    if (submissions / METADATA).is_file():
        return _from_gradescope_export(submissions)
    entries = [
        Entry(p.name[:-4] if p.suffix == ".zip" else p.name, p)
        for p in submissions.iterdir()
        if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".zip")
    ]
    if not entries:
        raise AutograderError(f"{submissions} holds no submission folders or zips (one per student expected)")
    return sorted(entries, key=lambda e: e.student)


def _from_gradescope_export(folder: Path) -> list[Entry]:
    try:
        metadata = yaml.safe_load((folder / METADATA).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AutograderError(f"{folder / METADATA} is not valid YAML: {exc}") from exc
    entries = []
    for key, info in metadata.items():
        submitters = (info or {}).get(":submitters") or (info or {}).get("submitters") or [{}]
        first = submitters[0] or {}
        pick = lambda field: str(first.get(f":{field}") or first.get(field) or "")  # noqa: E731
        path = folder / str(key)
        if path.is_dir():
            entries.append(Entry(str(key), path, pick("name"), pick("email")))
    return sorted(entries, key=lambda e: e.student)


def _safe_extract(archive: Path, target: Path) -> None:
    target.mkdir(parents=True)
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            parts = Path(info.filename).parts
            if info.filename.startswith("/") or ".." in parts:
                continue
            z.extract(info, target)
