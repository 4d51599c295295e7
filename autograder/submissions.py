"""Turn what a student uploaded (a folder, or a zip) into a clean folder of their module files.

A submission holds the student's ``.py`` files at its top level, or inside
exactly one sub-folder (as students often zip a folder). Only the assignment's
module files are copied: regular files (never symlinks), at most
``MAX_FILE_BYTES`` each; zip entries with absolute paths or ``..`` are
skipped. What was skipped is reported in ``PreparedSubmission.notes``, which
reaches the student's feedback.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import AutograderError

MAX_FILE_BYTES = 1024 * 1024


@dataclass
class PreparedSubmission:
    folder: Path
    """A fresh folder holding the module files found."""
    found: list[str] = field(default_factory=list)
    """Module names found, e.g. ``["penalties", "dropout"]``."""
    notes: list[str] = field(default_factory=list)
    """What was skipped and why, for the student."""


def prepare_submission(source: Path, modules: list[str], dest: Path) -> PreparedSubmission:
    """Copy the module files of ``source`` (a folder or a .zip) into the new folder ``dest``."""
    source = Path(source)
    if not source.exists():
        raise AutograderError(f"submission {source} does not exist; pass a folder of .py files or a .zip of one")
    dest.mkdir(parents=True)
    prepared = PreparedSubmission(dest)
    wanted = {f"{m}.py": m for m in modules}
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise AutograderError(f"submission {source} is a file but not a zip; pass a folder of .py files or a .zip of one")
        _from_zip(source, wanted, prepared)
    else:
        _from_folder(source, wanted, prepared)
    missing = [m for m in modules if m not in prepared.found]
    if missing:
        prepared.notes.append("Not found in the submission: " + ", ".join(f"{m}.py" for m in missing) + ".")
    return prepared


def _from_folder(source: Path, wanted: dict[str, str], prepared: PreparedSubmission) -> None:
    root = source
    if not any(p.name in wanted for p in source.iterdir()):
        subfolders = [p for p in source.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__"))]
        if len(subfolders) == 1:
            root = subfolders[0]
    for name, module in wanted.items():
        path = root / name
        if not path.exists() and not path.is_symlink():
            continue
        mode = path.lstat().st_mode
        if not stat.S_ISREG(mode):
            prepared.notes.append(f"{name} is not a regular file (a symlink or a folder?), so it was ignored.")
        elif path.lstat().st_size > MAX_FILE_BYTES:
            prepared.notes.append(f"{name} is larger than {MAX_FILE_BYTES // 1024} KiB, so it was ignored.")
        else:
            shutil.copyfile(path, prepared.folder / name, follow_symlinks=False)
            prepared.found.append(module)


def _from_zip(source: Path, wanted: dict[str, str], prepared: PreparedSubmission) -> None:
    with zipfile.ZipFile(source) as archive:
        entries = []
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
                prepared.notes.append(f"The zip entry {info.filename!r} has an unsafe path, so it was ignored.")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                prepared.notes.append(f"The zip entry {info.filename!r} is a symlink, so it was ignored.")
                continue
            if path.name in wanted and not info.is_dir() and "__MACOSX" not in path.parts:
                entries.append((path, info))
        depths = sorted({len(path.parts) for path, _ in entries})
        for path, info in entries:
            if len(path.parts) != depths[0] or depths[0] > 2:
                continue  # only the top level, or the one folder the files are in
            if info.file_size > MAX_FILE_BYTES:
                prepared.notes.append(f"{path.name} is larger than {MAX_FILE_BYTES // 1024} KiB, so it was ignored.")
                continue
            if wanted[path.name] in prepared.found:
                prepared.notes.append(f"The zip holds {path.name} more than once; the first was used.")
                continue
            with archive.open(info) as src, open(prepared.folder / path.name, "wb") as dst:
                dst.write(src.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES])
            prepared.found.append(wanted[path.name])
