"""A Gradescope "Export Submissions" download as SUBMISSIONS: the folder, or the zip as downloaded.

The export built here follows real ones: everything under one
``assignment_<id>_export/`` folder, a ``submission_<id>/`` folder per
submission holding the files as uploaded, and ``submission_metadata.yml`` with
Ruby-style keys (``:submitters:``, ``:name:``, ``:sid:``, ``:email:``), quoted
sids with leading zeros, Ruby timestamps, the previous autograder results and
the submission history; a group submission has several submitters. The zip
also carries macOS's ``__MACOSX/`` and ``.DS_Store``.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder.batch.discover import Entry, Submitter, discover
from autograder.batch.simulate import simulate
from autograder.errors import AutograderError

ASSIGNMENT = "optimization"
TOP = "assignment_4242081_export"
# simulated student -> (Gradescope's submission folder, its submitters as (name, sid, email))
SUBMISSIONS = {
    "student-0001": ("submission_216975964", [("Ada Lovelace", "06758767", "ada@example.edu")]),
    "student-0002": ("submission_216996427", [("Alan Turing", "06828527", "alan@example.edu"), ("Grace Hopper", "06488044", "grace@example.edu")]),
    "student-0003": ("submission_217362225", [("Émilie du Châtelet", "06758214", "emilie@example.edu")]),
    "student-0004": ("submission_217191681", [("Kurt Gödel", 333, "kurt@example.edu")]),  # a sid Gradescope did not quote
}


def _entry_yaml(folder: str, people: list) -> str:
    lines = [f"{folder}:", "  :submitters:"]
    for name, sid, email in people:
        sid = f"'{sid}'" if isinstance(sid, str) else sid
        lines += [f"  - :name: {name}", f"    :sid: {sid}", f"    :email: {email}"]
    lines += [
        "  :created_at: 2023-12-02 02:52:07.938335000 Z",
        "  :score: 0.0",
        "  :status: processed",
        "  :results:",
        "    score: 0.0",
        "    tests: []",
        "    output: |-",
        "      =====================================================",
        "      Previous autograder run: Final Score: 0.0",
        "    extra_data: ",
        "    execution_time: ",
        "  :history:",
        "  - :submitters: []",
        "    :created_at: 2023-12-01 06:59:12.419858000 Z",
        "    :score: 0.0",
        "    :status: processed",
        "    :id: 216688425",
    ]
    return "\n".join(lines) + "\n"


def build_export(simulated: Path, into: Path) -> Path:
    """Gradescope's export of the simulated class: ``into/assignment_..._export/``."""
    export = into / TOP
    export.mkdir(parents=True)
    metadata = "---\n"
    for student, (folder, people) in SUBMISSIONS.items():
        shutil.copytree(simulated / student, export / folder)
        metadata += _entry_yaml(folder, people)
    (export / "submission_metadata.yml").write_text(metadata, encoding="utf-8")
    (export / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return export


def zip_export(export: Path, archive: Path) -> Path:
    """The export as Gradescope's download, zipped on a Mac: the top folder, plus ``__MACOSX/``."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(export.rglob("*")):
            z.write(path, f"{TOP}/{path.relative_to(export).as_posix()}")
        z.writestr(f"__MACOSX/{TOP}/._submission_metadata.yml", b"\0\5\26\7")
    return archive


def expected_rows() -> list[dict]:
    return [
        {"student": folder, "name": name, "sid": str(sid), "email": email}
        for folder, people in sorted(SUBMISSIONS.values())
        for name, sid, email in people
    ]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """(the export folder, its zip, the simulated manifest)."""
    root = tmp_path_factory.mktemp("gradescope")
    manifest = simulate(ASSIGNMENT, len(SUBMISSIONS), root / "simulated", seed=11)
    folder = build_export(root / "simulated", root / "download")
    return folder, zip_export(folder, root / f"{TOP}.zip"), manifest


def _gradebook(results: Path) -> list[dict]:
    with open(results / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


# --- finding the submissions ------------------------------------------------------------------------


def test_an_export_folder_gives_one_entry_per_submission_with_its_submitters(export, tmp_path):
    folder, _, _ = export
    entries = discover(folder, tmp_path)
    assert [e.student for e in entries] == sorted(f for f, _ in SUBMISSIONS.values())
    group = next(e for e in entries if e.student == "submission_216996427")
    assert group.submitters == (Submitter("Alan Turing", "alan@example.edu", "06828527"), Submitter("Grace Hopper", "grace@example.edu", "06488044"))
    assert group.path == folder / "submission_216996427"


def test_the_folder_holding_the_export_folder_is_read_as_the_export(export, tmp_path):
    folder, _, _ = export
    assert discover(folder.parent, tmp_path) == discover(folder, tmp_path)


def test_an_export_zip_with_its_top_folder_and_macos_noise_gives_the_same_submissions(export, tmp_path):
    folder, archive, _ = export
    from_zip = discover(archive, tmp_path / "scratch")
    from_folder = discover(folder, tmp_path)
    assert [(e.student, e.submitters) for e in from_zip] == [(e.student, e.submitters) for e in from_folder]
    assert all(sorted(p.name for p in e.path.iterdir()) == sorted(p.name for p in (folder / e.student).iterdir()) for e in from_zip)


def test_sids_keep_their_leading_zeros_and_unquoted_ones_become_text(export, tmp_path):
    folder, _, _ = export
    sids = {s.sid for e in discover(folder, tmp_path) for s in e.submitters}
    assert {"06758767", "333"} <= sids


def test_a_submission_folder_missing_from_the_metadata_is_still_graded(tmp_path):
    (tmp_path / "export" / "submission_1").mkdir(parents=True)
    (tmp_path / "export" / "submission_2").mkdir()
    (tmp_path / "export" / "submission_metadata.yml").write_text("submission_1:\n  :submitters:\n  - :name: Ada\n    :sid: '1'\n")
    assert discover(tmp_path / "export", tmp_path / "scratch") == [
        Entry("submission_1", tmp_path / "export" / "submission_1", (Submitter("Ada", "", "1"),)),
        Entry("submission_2", tmp_path / "export" / "submission_2"),
    ]


def test_metadata_split_into_several_yaml_documents_is_read_whole(tmp_path):
    for folder in ("submission_1", "submission_2"):
        (tmp_path / folder).mkdir()
    (tmp_path / "submission_metadata.yml").write_text(
        "---\nsubmission_1:\n  :submitters:\n  - :name: Ada\n...\nsubmission_2:\n  :submitters:\n  - :name: Alan\n"
    )
    assert [e.name for e in discover(tmp_path, tmp_path / "scratch")] == ["Ada", "Alan"]


def test_ruby_tags_in_the_metadata_are_read_as_plain_values(tmp_path):
    (tmp_path / "submission_1").mkdir()
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada\n  :score: !ruby/object:BigDecimal 18:0.1e2\n"
    )
    assert [e.name for e in discover(tmp_path, tmp_path / "scratch")] == ["Ada"]


def test_metadata_that_is_not_a_mapping_is_refused_with_its_path(tmp_path):
    (tmp_path / "submission_1").mkdir()
    (tmp_path / "submission_metadata.yml").write_text("- a\n- list\n")
    with pytest.raises(AutograderError) as error:
        discover(tmp_path, tmp_path / "scratch")
    assert str(error.value) == f"{tmp_path / 'submission_metadata.yml'} is not Gradescope's submission metadata: expected a mapping of submission folders"


def test_a_half_unpacked_export_is_unpacked_again(export, tmp_path):
    _, archive, _ = export
    scratch = tmp_path / "scratch"
    first = discover(archive, scratch)
    unpacked = next(p for p in scratch.iterdir() if not p.name.startswith("."))
    shutil.move(unpacked, scratch / f".{unpacked.name}.partial")  # as if Ctrl-C struck while unpacking
    (scratch / f".{unpacked.name}.partial" / TOP / "submission_metadata.yml").unlink()
    assert discover(archive, scratch) == first


# --- grading it -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded_export_folder(export, tmp_path_factory, cli):
    folder, _, _ = export
    results = tmp_path_factory.mktemp("graded-folder") / "results"
    outcome = cli("grade-all", ASSIGNMENT, str(folder), "--out", str(results), "--jobs", "2")
    assert outcome.returncode == 0, outcome.stderr
    return results


def test_grading_an_export_folder_gives_one_gradebook_row_per_student_with_name_email_and_sid(graded_export_folder):
    rows = _gradebook(graded_export_folder)
    assert [{k: r[k] for k in ("student", "name", "sid", "email")} for r in rows] == expected_rows()


def test_the_members_of_a_group_submission_get_the_same_points(graded_export_folder):
    group = [r for r in _gradebook(graded_export_folder) if r["student"] == "submission_216996427"]
    assert len(group) == 2
    assert {k: v for k, v in group[0].items() if k not in ("name", "sid", "email")} == {k: v for k, v in group[1].items() if k not in ("name", "sid", "email")}


def test_each_submission_is_graded_as_its_own_files(graded_export_folder, export):
    _, _, manifest = export
    for row in _gradebook(graded_export_folder):
        simulated = next(s for s, (folder, _) in SUBMISSIONS.items() if folder == row["student"])
        assert (float(row["total"]) == 100) == (manifest[simulated]["kind"] == "correct"), row


def test_the_report_names_the_students_of_an_export(graded_export_folder):
    page = (graded_export_folder / "report.html").read_text(encoding="utf-8")
    assert "submission_216996427 (Alan Turing; Grace Hopper)" in page


def test_grading_the_export_zip_gives_the_same_gradebook_as_the_folder(export, graded_export_folder, tmp_path, cli):
    _, archive, _ = export
    outcome = cli("grade-all", ASSIGNMENT, str(archive), "--out", str(tmp_path / "results"), "--jobs", "2")
    assert outcome.returncode == 0, outcome.stderr
    assert (tmp_path / "results" / "gradebook.csv").read_text() == (graded_export_folder / "gradebook.csv").read_text()
