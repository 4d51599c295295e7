"""Unpacking what students upload: folders, one sub-folder, zips, and what is refused (with the note saying why)."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from autograder.course import course_root
from autograder.errors import AutograderError
from autograder.submissions import MAX_FILE_BYTES, prepare_submission

MODULES = ["penalties", "dropout"]
REFERENCE = course_root() / "reference" / "regularization" / "penalties.py"


@pytest.fixture
def upload(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


def _zip(path, entries):
    """A zip of ``{name: text or bytes}``; a value ``("link", target)`` makes a symlink entry."""
    with zipfile.ZipFile(path, "w") as z:
        for name, content in entries.items():
            if isinstance(content, tuple):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, content[1])
            else:
                z.writestr(name, content)
    return path


# --- what is taken ------------------------------------------------------------------------------------


def test_files_at_the_top_level_are_found(tmp_path, upload):
    (upload / "penalties.py").write_text("x = 1\n")
    (upload / "notes.txt").write_text("ignored")
    prepared = prepare_submission(upload, MODULES, tmp_path / "out")
    assert prepared.found == ["penalties"] and sorted(os.listdir(prepared.folder)) == ["penalties.py"]
    assert prepared.notes == ["Not found in the submission: dropout.py."]


def test_files_inside_one_sub_folder_are_found(tmp_path, upload):
    (upload / "my-work").mkdir()
    (upload / "my-work" / "dropout.py").write_text("x = 1\n")
    assert prepare_submission(upload, MODULES, tmp_path / "out").found == ["dropout"]


def test_a_zip_with_files_in_one_folder_is_unpacked(tmp_path):
    archive = _zip(tmp_path / "s.zip", {"hw/penalties.py": "x = 1\n", "hw/dropout.py": "y = 2\n", "__MACOSX/hw/._dropout.py": "junk"})
    prepared = prepare_submission(archive, MODULES, tmp_path / "out")
    assert sorted(prepared.found) == sorted(MODULES) and (prepared.folder / "dropout.py").read_text() == "y = 2\n"


def test_a_coding_line_is_honoured(tmp_path, upload):
    source = "# -*- coding: latin-1 -*-\n# Zoë\nx = 1\n".encode("latin-1")
    (upload / "penalties.py").write_bytes(source)
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == ["penalties"] and (prepared.folder / "penalties.py").read_bytes() == source


def test_a_utf8_byte_order_mark_is_accepted(tmp_path, upload):
    (upload / "penalties.py").write_bytes("\ufeffx = 'Zoë'\n".encode("utf-8"))
    assert prepare_submission(upload, ["penalties"], tmp_path / "out").found == ["penalties"]


def test_a_misnamed_file_gets_a_did_you_mean_hint(tmp_path, upload):
    (upload / "Penalties.py").write_text("x = 1\n")
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.notes == ["Not found in the submission: penalties.py (did you mean Penalties.py? rename it to penalties.py)."]


def test_a_missing_submission_is_a_usage_error(tmp_path):
    with pytest.raises(AutograderError, match="does not exist; pass a folder of .py files or a .zip of one"):
        prepare_submission(tmp_path / "nope", MODULES, tmp_path / "out")


# --- links are never followed -------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/etc/passwd", str(REFERENCE)], ids=["etc-passwd", "reference"])
def test_a_symlinked_module_is_never_followed(tmp_path, upload, target):
    (upload / "penalties.py").symlink_to(target)
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and os.listdir(prepared.folder) == []
    assert prepared.notes == ["penalties.py is a symbolic link, not a file, so it was not followed; submit the file itself."]


def test_a_symlinked_sub_folder_is_never_entered(tmp_path, upload):
    (upload / "my-work").symlink_to(REFERENCE.parent, target_is_directory=True)
    prepared = prepare_submission(upload, MODULES, tmp_path / "out")
    assert prepared.found == [] and os.listdir(prepared.folder) == []
    assert prepared.notes[0] == "my-work is a symbolic link to a folder, so it was not followed; submit the folder itself."


@pytest.mark.parametrize("target", ["/etc/passwd", str(REFERENCE)], ids=["etc-passwd", "reference"])
def test_a_zip_symlink_entry_is_never_followed(tmp_path, target):
    archive = _zip(tmp_path / "s.zip", {"penalties.py": ("link", target), "notes.txt": ("link", "/etc/shadow")})
    prepared = prepare_submission(archive, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and os.listdir(prepared.folder) == []
    assert prepared.notes == [
        "The zip entry 'penalties.py' is a symbolic link, not a file, so it was not followed; zip the file itself.",
        "The zip entries 'notes.txt' are symbolic links, so they were ignored.",
    ]


def test_a_fifo_named_like_a_module_is_ignored_without_blocking(tmp_path, upload):
    os.mkfifo(upload / "penalties.py")
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and prepared.notes == ["penalties.py is not a regular file (a folder?), so it was ignored."]


# --- zip entries that point elsewhere ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../penalties.py", "/etc/penalties.py", "hw/../../penalties.py", "..\\penalties.py", "C:/penalties.py"])
def test_zip_entries_escaping_the_folder_are_skipped(tmp_path, name):
    archive = _zip(tmp_path / "s.zip", {name: "x = 1\n"})
    prepared = prepare_submission(archive, MODULES, tmp_path / "out" / "sub")
    assert prepared.found == []
    assert prepared.notes[0] == f"The zip entries {name!r} have an unsafe path (absolute, or with '..' or '\\'), so they were ignored."
    assert os.listdir(tmp_path / "out") == ["sub"] and os.listdir(tmp_path / "out" / "sub") == []


def test_many_unsafe_entries_are_named_once_with_a_count(tmp_path):
    archive = _zip(tmp_path / "s.zip", {f"../{i}.py": "x" for i in range(8)})
    prepared = prepare_submission(archive, MODULES, tmp_path / "out")
    assert prepared.notes[0] == ("The zip entries '../0.py', '../1.py', '../2.py', '../3.py', '../4.py' and 3 more "
                                 "have an unsafe path (absolute, or with '..' or '\\'), so they were ignored.")


def test_a_corrupt_zip_entry_is_refused_with_a_note(tmp_path):
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("penalties.py", "x = 1  # SOME TEXT\n")
    archive.write_bytes(archive.read_bytes().replace(b"SOME TEXT", b"MORE TEXT"))  # the CRC no longer matches
    prepared = prepare_submission(archive, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and os.listdir(prepared.folder) == []
    assert prepared.notes == ["penalties.py could not be read from the zip (Bad CRC-32 for file 'penalties.py'), so it was ignored; zip your files again."]


# --- size and content ------------------------------------------------------------------------------------


def test_an_oversized_file_is_ignored_with_a_note(tmp_path, upload):
    (upload / "penalties.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and prepared.notes == [
        "penalties.py is larger than 1024 KiB (1.0 MiB), so it was ignored; submit only your source code, without data or output pasted into it."
    ]


def test_an_oversized_zip_entry_is_ignored_without_being_unpacked(tmp_path):
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("penalties.py", b"#" * (100 * 2**20))  # 100 MiB, about 100 KiB compressed
    prepared = prepare_submission(archive, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and os.listdir(prepared.folder) == []
    assert prepared.notes[0].startswith("penalties.py is larger than 1024 KiB (100.0 MiB), so it was ignored")


def test_a_binary_file_named_py_is_refused_and_not_reported_missing(tmp_path, upload):
    (upload / "penalties.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (upload / "dropout.py").write_text("x = 1\n")
    prepared = prepare_submission(upload, MODULES, tmp_path / "out")
    assert prepared.found == ["dropout"] and os.listdir(prepared.folder) == ["dropout.py"]
    assert prepared.notes == [
        "penalties.py is not a text file (it holds NUL bytes: a compiled or binary file?), so it was ignored; submit the Python source file."
    ]


@pytest.mark.parametrize("text, line", [("x = 1\n\n# Zoë\n", 3), ("# Zoë\nx = 1\n", 1)], ids=["later-line", "first-line"])
def test_a_file_that_is_not_utf8_is_refused_naming_the_byte_and_line(tmp_path, upload, text, line):
    (upload / "penalties.py").write_bytes(text.encode("latin-1"))
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and prepared.notes == [
        f"penalties.py is not UTF-8 text (byte 0xeb on line {line} cannot be decoded), so it was ignored; "
        "save it as UTF-8 (in your editor: save with encoding UTF-8) and submit it again."
    ]


def test_an_unknown_declared_encoding_is_refused(tmp_path, upload):
    (upload / "penalties.py").write_text("# coding: klingon\nx = 1\n")
    prepared = prepare_submission(upload, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and prepared.notes[0].startswith("penalties.py declares an encoding Python does not know")


def test_a_binary_zip_entry_is_refused_too(tmp_path):
    archive = _zip(tmp_path / "s.zip", {"penalties.py": bytes(range(256))})
    prepared = prepare_submission(archive, ["penalties"], tmp_path / "out")
    assert prepared.found == [] and prepared.notes[0].startswith("penalties.py is not a text file (it holds NUL bytes")
