"""Find the submissions of a class: one folder or zip per student, or a Gradescope export.

A plain class folder holds one sub-folder or ``.zip`` per student; its name
(without ``.zip``) is the student id.

A Gradescope "Export Submissions" download (a zip, or the folder it unpacks
to) holds ``submission_metadata.yml`` and one ``submission_<id>/`` folder per
submission, all usually under one top folder (``assignment_<id>_export/``),
sometimes beside macOS's ``__MACOSX/`` and ``.DS_Store``. The metadata maps
each folder to its submitters, Ruby-style keys with a leading colon::

    submission_216975964:
      :submitters:
      - :name: Ada Lovelace
        :sid: '06758767'
        :email: ada@example.edu
      - :name: Alan Turing          # a group submission: several submitters
        ...
      :created_at: 2023-12-02 02:52:07.938335000 Z
      :score: 0.0
      :results: {...}               # what Gradescope's autograder gave
      :history: [...]               # earlier submissions

The submission folder's name is the student id of the results; the
submitters give the gradebook its names, emails and sids (one row each).
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.errors import AutograderError

METADATA = "submission_metadata.yml"
NOISE = ("__MACOSX",)
"""Folders archivers add beside the submissions (hidden ones, like ``.DS_Store``, are skipped too)."""


@dataclass(frozen=True)
class Submitter:
    """One person behind a submission, from a Gradescope export's metadata."""

    name: str = ""
    email: str = ""
    sid: str = ""
    """The student id the course gave (Gradescope's ``:sid:``), as text: leading zeros kept."""


@dataclass(frozen=True)
class Entry:
    """One submission to grade."""

    student: str
    """The id: the folder or zip name, or Gradescope's ``submission_<id>`` folder."""
    path: Path
    submitters: tuple[Submitter, ...] = ()
    """Who submitted it (a Gradescope export); empty for a plain class folder."""

    @property
    def name(self) -> str:
        """The submitters' names, joined by "; " for a group."""
        return "; ".join(s.name for s in self.submitters if s.name)

    @property
    def email(self) -> str:
        """The submitters' emails, joined by "; " for a group."""
        return "; ".join(s.email for s in self.submitters if s.email)


def discover(submissions: Path, scratch: Path) -> list[Entry]:
    """The submissions under ``submissions``, sorted by student id; a zip (an export, or a class folder) is unpacked into ``scratch``."""
    submissions = Path(submissions)
    if not submissions.exists():
        raise AutograderError(f"{submissions} does not exist; pass a folder of submissions or a Gradescope export")
    if submissions.is_file():
        if not zipfile.is_zipfile(submissions):
            raise AutograderError(f"{submissions} is neither a folder nor a zip of a Gradescope export")
        submissions = _unpacked(submissions, Path(scratch))
        inner = [p for p in _children(submissions) if p.is_dir()]
        if _export_root(submissions) is None and len(inner) == 1 and not any(p.is_file() for p in _children(submissions)):
            submissions = inner[0]  # a zipped class folder
    export = _export_root(submissions)
    if export is not None:
        return _from_gradescope_export(export)
    entries = [Entry(p.name[:-4] if p.suffix == ".zip" else p.name, p) for p in _children(submissions) if p.is_dir() or p.suffix == ".zip"]
    if not entries:
        raise AutograderError(f"{submissions} holds no submission folders or zips (one per student expected)")
    return sorted(entries, key=lambda e: e.student)


def _children(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in NOISE]


def _export_root(folder: Path) -> Path | None:
    """The folder holding the metadata: ``folder`` itself, or its one sub-folder (the export's top folder)."""
    if (folder / METADATA).is_file():
        return folder
    inner = [p for p in _children(folder) if p.is_dir()]
    if len(inner) == 1 and (inner[0] / METADATA).is_file():
        return inner[0]
    return None


def _from_gradescope_export(folder: Path) -> list[Entry]:
    metadata = _load_metadata(folder / METADATA)
    entries = {}
    for key, info in metadata.items():
        path = folder / str(key)
        if path.is_dir() and not str(key).startswith("."):
            entries[str(key)] = Entry(str(key), path, _submitters(info))
    for path in _children(folder):  # a folder the metadata forgot is still graded
        if path.is_dir() and path.name not in entries:
            entries[path.name] = Entry(path.name, path)
    if not entries:
        raise AutograderError(f"{folder} holds {METADATA} but no submission folders")
    return sorted(entries.values(), key=lambda e: e.student)


class _MetadataLoader(yaml.SafeLoader):
    """YAML's safe loader that reads a tag it does not know (``!ruby/object:...``) as the plain value it tags."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_MetadataLoader.add_multi_constructor("!", _untagged)


_DOCUMENT_END = re.compile(r"^\.\.\.[ \t]*$", re.MULTILINE)


def _load_metadata(path: Path) -> dict:
    """The metadata as one mapping; Gradescope sometimes splits it into several YAML documents (``...`` lines)."""
    merged: dict = {}
    text = _DOCUMENT_END.sub("---", path.read_text(encoding="utf-8"))  # PyYAML wants "---" before a document that follows "..."
    try:
        for document in yaml.load_all(text, Loader=_MetadataLoader):
            if document is None:
                continue
            if not isinstance(document, dict):
                raise AutograderError(f"{path} is not Gradescope's submission metadata: expected a mapping of submission folders")
            merged.update(document)
    except yaml.YAMLError as exc:
        raise AutograderError(f"{path} is not valid YAML: {exc}") from exc
    return merged


def _submitters(info) -> tuple[Submitter, ...]:
    info = info if isinstance(info, dict) else {}
    people = info.get(":submitters", info.get("submitters")) or []
    found = []
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict):
            field = lambda key: str(person.get(f":{key}", person.get(key)) or "")  # noqa: E731
            found.append(Submitter(field("name"), field("email"), field("sid")))
    return tuple(found)


def _unpacked(archive: Path, scratch: Path) -> Path:
    """``archive`` unpacked into ``scratch`` once (renamed into place whole, so an interrupted unpacking is redone)."""
    stat = archive.stat()
    target = scratch / f"{archive.stem}-{stat.st_size}-{int(stat.st_mtime)}"
    if target.is_dir():
        return target
    partial = scratch / f".{target.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            parts = Path(info.filename).parts
            if info.filename.startswith("/") or "\\" in info.filename or ".." in parts:
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link: never created
                continue
            z.extract(info, partial)
    os.replace(partial, target)
    return target
