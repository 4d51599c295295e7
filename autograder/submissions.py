"""Turn what a student uploaded (a folder, or a zip) into a clean folder of their module files.

A submission holds the student's ``.py`` files at its top level, or inside
exactly one sub-folder (as students often zip a folder). Only the
assignment's module files are taken, and each only if it is safe to hand to
the worker:

- a regular file: a symbolic link is never followed (not to ``/etc/passwd``,
  not to the reference), nor a sub-folder that is a link; in a zip, symlink
  entries are skipped;
- in a zip, a plain relative path: entries with an absolute path, a drive
  letter, a backslash or ``..`` are skipped. Nothing is ever extracted: the
  wanted entries are read into files of fixed names in the new folder;
- at most ``MAX_FILE_BYTES`` (the size a zip declares is not trusted: reading
  stops one byte past the cap);
- Python source text: no NUL bytes, and decodable in its declared encoding
  (UTF-8 unless a PEP 263 coding line says otherwise; ``python file.py``
  refuses such a file too, though an import may let it through).

A module refused for one of these reasons is left out, so it fails to import
and loses its own points only; ``PreparedSubmission.notes`` tells the student
why and what to do, and reaches their feedback.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tokenize
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.errors import AutograderError

MAX_FILE_BYTES = 1024 * 1024
MAX_NAMES_LISTED = 5
"""How many skipped zip entries a note names before it counts the rest."""
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class PreparedSubmission:
    folder: Path
    """A fresh folder holding the module files found."""
    found: list[str] = field(default_factory=list)
    """Module names found, e.g. ``["penalties", "dropout"]``."""
    notes: list[str] = field(default_factory=list)
    """What was skipped and why, for the student."""
    refused: list[str] = field(default_factory=list)
    """Module names present but not taken (a link, too large, not text); their notes say why."""
    seen: list[str] = field(default_factory=list)
    """Names of the ``.py`` files the submission holds, for "did you mean" hints."""


def prepare_submission(source: Path, modules: list[str], dest: Path) -> PreparedSubmission:
    """Copy the module files of ``source`` (a folder or a .zip) into the new folder ``dest``."""
    source = Path(source)
    if not source.exists() and not source.is_symlink():
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
    missing = [m for m in modules if m not in prepared.found and m not in prepared.refused]
    if missing:
        prepared.notes.append("Not found in the submission: " + ", ".join(_with_hint(f"{m}.py", prepared.seen) for m in missing) + ".")
    return prepared


# --- the two kinds of upload ------------------------------------------------------------------------


def _from_folder(source: Path, wanted: dict[str, str], prepared: PreparedSubmission) -> None:
    root = _files_folder(source, wanted, prepared)
    prepared.seen = sorted(p.name for p in root.iterdir() if p.name.endswith(".py"))
    for name, module in wanted.items():
        path = root / name
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            _refuse(prepared, module, f"{name} is a symbolic link, not a file, so it was not followed; submit the file itself.")
        elif not stat.S_ISREG(info.st_mode):
            _refuse(prepared, module, f"{name} is not a regular file (a folder?), so it was ignored.")
        elif info.st_size > MAX_FILE_BYTES:
            _refuse(prepared, module, _too_large(name, info.st_size))
        else:
            _take(name, module, _read_regular_file(path), prepared)


def _files_folder(source: Path, wanted: dict[str, str], prepared: PreparedSubmission) -> Path:
    """``source``, or its one sub-folder when the files are in there; linked sub-folders are never entered."""
    entries = list(source.iterdir())
    if any(p.name in wanted for p in entries):
        return source
    folders = [p for p in entries if p.is_dir() and not p.name.startswith((".", "__"))]
    for link in (p for p in folders if p.is_symlink()):
        prepared.notes.append(f"{link.name} is a symbolic link to a folder, so it was not followed; submit the folder itself.")
    folders = [p for p in folders if not p.is_symlink()]
    return folders[0] if len(folders) == 1 else source


def _read_regular_file(path: Path) -> bytes | None:
    """At most ``MAX_FILE_BYTES + 1`` bytes of ``path``; None if it was swapped for a link or a non-file meanwhile."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        return f.read(MAX_FILE_BYTES + 1)


def _from_zip(source: Path, wanted: dict[str, str], prepared: PreparedSubmission) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        prepared.notes.append(f"The zip could not be opened ({exc}); zip your files again and resubmit.")
        return
    with archive:
        unsafe, links, entries = [], [], []
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if _unsafe(info.filename):
                unsafe.append(info.filename)
            elif stat.S_ISLNK(info.external_attr >> 16):
                links.append(info.filename)
            elif not info.is_dir() and "__MACOSX" not in path.parts:
                if path.name.endswith(".py"):
                    prepared.seen.append(path.name)
                if path.name in wanted:
                    entries.append((path, info))
        if unsafe:
            prepared.notes.append(f"The zip entries {_listed(unsafe)} have an unsafe path (absolute, or with '..' or '\\'), so they were ignored.")
        for name in links:
            if PurePosixPath(name).name in wanted:
                _refuse(prepared, wanted[PurePosixPath(name).name],
                        f"The zip entry {name!r} is a symbolic link, not a file, so it was not followed; zip the file itself.")
        others = [name for name in links if PurePosixPath(name).name not in wanted]
        if others:
            prepared.notes.append(f"The zip entries {_listed(others)} are symbolic links, so they were ignored.")
        depth = min((len(path.parts) for path, _ in entries), default=0)
        for path, info in entries:
            if len(path.parts) != depth or depth > 2:
                continue  # only the top level, or the one folder the files are in
            module = wanted[path.name]
            if module in prepared.found:
                prepared.notes.append(f"The zip holds {path.name} more than once; the first was used.")
            elif info.file_size > MAX_FILE_BYTES:
                _refuse(prepared, module, _too_large(path.name, info.file_size))
            else:
                try:
                    with archive.open(info) as src:
                        data = src.read(MAX_FILE_BYTES + 1)
                except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as exc:
                    _refuse(prepared, module, f"{path.name} could not be read from the zip ({exc}), so it was ignored; zip your files again.")
                    continue
                _take(path.name, module, data, prepared)


def _unsafe(name: str) -> bool:
    """A zip entry name that could point outside the folder it is unpacked into."""
    return name.startswith("/") or "\\" in name or bool(_DRIVE.match(name)) or ".." in PurePosixPath(name).parts or "\0" in name


# --- taking one file ------------------------------------------------------------------------------------


def _take(name: str, module: str, data: bytes | None, prepared: PreparedSubmission) -> None:
    """Write ``data`` as ``name`` in the new folder, unless it is too large or not Python source text."""
    if data is None:
        _refuse(prepared, module, f"{name} is not a regular file, so it was ignored.")
        return
    if len(data) > MAX_FILE_BYTES:
        _refuse(prepared, module, _too_large(name, len(data)))
        return
    problem = _not_source_text(data)
    if problem:
        _refuse(prepared, module, f"{name} {problem}")
        return
    with open(prepared.folder / name, "xb") as f:
        f.write(data)
    prepared.found.append(module)


def _not_source_text(data: bytes) -> str | None:
    """Why ``data`` is not Python source text (the rest of the student's note), or None when it is."""
    if b"\0" in data:
        return ("is not a text file (it holds NUL bytes: a compiled or binary file?), so it was ignored; "
                "submit the Python source file.")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown codec, or a first line that is not UTF-8
        if "unknown encoding" in str(exc):
            return f"declares an encoding Python does not know ({exc}), so it was ignored; remove the coding line and save it as UTF-8."
        encoding = "utf-8"
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"is not {label} text (byte 0x{data[exc.start]:02x} on line {line} cannot be decoded), so it was ignored; "
                f"save it as UTF-8 (in your editor: save with encoding UTF-8) and submit it again.")
    return None


def _refuse(prepared: PreparedSubmission, module: str, note: str) -> None:
    prepared.refused.append(module)
    prepared.notes.append(note)


def _too_large(name: str, size: int) -> str:
    return (f"{name} is larger than {MAX_FILE_BYTES // 1024} KiB ({size / 2**20:.1f} MiB), so it was ignored; "
            "submit only your source code, without data or output pasted into it.")


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:MAX_NAMES_LISTED])
    return shown + (f" and {len(names) - MAX_NAMES_LISTED} more" if len(names) > MAX_NAMES_LISTED else "")


def _with_hint(name: str, seen: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), [s.lower() for s in seen if s != name], n=1, cutoff=0.75)
    if not close:
        return name
    original = next(s for s in seen if s.lower() == close[0])
    return f"{name} (did you mean {original}? rename it to {name})"
