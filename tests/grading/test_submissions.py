"""Unpacking what students upload: folders, one sub-folder, zips, and unsafe entries."""

from __future__ import annotations

import os
import zipfile

import pytest

from autograder.errors import AutograderError
from autograder.submissions import MAX_FILE_BYTES, prepare_submission

MODULES = ["penalties", "dropout"]


def test_files_at_the_top_level_are_found(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "penalties.py").write_text("x = 1\n")
    (tmp_path / "in" / "notes.txt").write_text("ignored")
    prepared = prepare_submission(tmp_path / "in", MODULES, tmp_path / "out")
    assert prepared.found == ["penalties"] and sorted(os.listdir(prepared.folder)) == ["penalties.py"]
    assert prepared.notes == ["Not found in the submission: dropout.py."]


def test_files_inside_one_sub_folder_are_found(tmp_path):
    (tmp_path / "in" / "my-work").mkdir(parents=True)
    (tmp_path / "in" / "my-work" / "dropout.py").write_text("x = 1\n")
    assert prepare_submission(tmp_path / "in", MODULES, tmp_path / "out").found == ["dropout"]


def test_a_symlink_is_ignored_with_a_note(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "penalties.py").symlink_to("/etc/passwd")
    prepared = prepare_submission(tmp_path / "in", MODULES, tmp_path / "out")
    assert prepared.found == [] and "penalties.py is not a regular file" in prepared.notes[0]


def test_an_oversized_file_is_ignored_with_a_note(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "penalties.py").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    prepared = prepare_submission(tmp_path / "in", MODULES, tmp_path / "out")
    assert prepared.found == [] and "larger than" in prepared.notes[0]


def test_a_zip_with_files_in_one_folder_is_unpacked(tmp_path):
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hw/penalties.py", "x = 1\n")
        z.writestr("hw/dropout.py", "y = 2\n")
        z.writestr("__MACOSX/hw/._dropout.py", "junk")
    prepared = prepare_submission(archive, MODULES, tmp_path / "out")
    assert sorted(prepared.found) == sorted(MODULES) and (prepared.folder / "dropout.py").read_text() == "y = 2\n"


@pytest.mark.parametrize("name", ["../penalties.py", "/etc/penalties.py"])
def test_zip_entries_escaping_the_folder_are_skipped(tmp_path, name):
    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(name, "x = 1\n")
    prepared = prepare_submission(archive, MODULES, tmp_path / "out" / "sub")
    assert prepared.found == [] and "unsafe path" in prepared.notes[0]
    assert not (tmp_path / "out" / "penalties.py").exists()


def test_a_missing_submission_is_a_usage_error(tmp_path):
    with pytest.raises(AutograderError, match="does not exist; pass a folder of .py files or a .zip of one"):
        prepare_submission(tmp_path / "nope", MODULES, tmp_path / "out")
