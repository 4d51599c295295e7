"""Grading a class: simulate, grade-all (resumable), gradebook.csv."""

from __future__ import annotations

import csv
import json
import shutil

from autograder.batch.simulate import simulate
from autograder.course import load_assignment

ASSIGNMENT = "optimization"  # the faster of the two to grade


def _gradebook(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_simulate_mixes_every_kind_and_writes_a_manifest(tmp_path):
    manifest = simulate(ASSIGNMENT, 40, tmp_path / "subs", seed=1)
    assert {e["kind"] for e in manifest.values()} == {"correct", "mistake", "stub", "broken"}
    assert json.loads((tmp_path / "subs-manifest.json").read_text()) == manifest
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == sorted(manifest)


def test_every_submission_gets_one_results_file(graded_class):
    root, manifest, _ = graded_class
    assert sorted(p.stem for p in (root / "results").glob("student-*.json")) == sorted(manifest)


def test_the_gradebook_has_one_row_per_student_and_a_column_per_item(graded_class):
    root, manifest, _ = graded_class
    rows = _gradebook(root / "results" / "gradebook.csv")
    assert [r["student"] for r in rows] == sorted(manifest)
    assert "optimizers.Adam" in rows[0] and rows[0]["max_total"] == "100"
    for row in rows:
        kind = manifest[row["student"]]["kind"]
        assert row["status"] == "graded"
        assert (float(row["total"]) == 100) == (kind == "correct"), row
        if kind == "mistake":
            assert float(row[manifest[row["student"]]["item"]]) < float(row["total"])  # that item lost points


def test_the_gradebook_columns_are_student_name_email_sid_the_items_total_max_total_status(graded_class):
    root, _, _ = graded_class
    with open(root / "results" / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    items = list(load_assignment(ASSIGNMENT).config["points"])
    assert header == ["student", "name", "email", "sid", *items, "total", "max_total", "status"]


def test_the_total_is_the_sum_of_the_item_columns(graded_class):
    root, _, _ = graded_class
    for row in _gradebook(root / "results" / "gradebook.csv"):
        items = [k for k in row if "." in k]
        assert abs(sum(float(row[k]) for k in items) - float(row["total"])) < 1e-3, row


def test_the_gradebook_is_utf8_with_a_byte_order_mark_for_spreadsheets(graded_class):
    root, _, _ = graded_class
    assert (root / "results" / "gradebook.csv").read_bytes().startswith(b"\xef\xbb\xbfstudent,name,email,sid,")


def test_regrade_grades_every_submission_again(graded_class, tmp_path, cli):
    root, manifest, _ = graded_class
    results = shutil.copytree(root / "results", tmp_path / "results")
    before = {path.name: path.stat().st_mtime_ns for path in results.glob("*.json") if path.stem in manifest}
    result = cli("grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(results), "--regrade")
    assert result.returncode == 0
    assert f"Graded {len(manifest)} submissions" in result.stdout and "(0 already graded" in result.stdout
    after = {path.name: path.stat().st_mtime_ns for path in results.glob("*.json") if path.stem in manifest}
    assert after.keys() == before.keys() and all(after[name] > before[name] for name in before)
    assert [r["student"] for r in _gradebook(results / "gradebook.csv")] == sorted(manifest)


def test_a_rerun_skips_what_is_graded_and_regrades_what_is_missing(graded_class, tmp_path, cli):
    root, manifest, _ = graded_class
    results = shutil.copytree(root / "results", tmp_path / "results")
    (results / f"{sorted(manifest)[0]}.json").unlink()
    result = cli("grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(results))
    assert result.returncode == 0
    assert "Graded 1 submissions" in result.stdout and f"({len(manifest) - 1} already graded" in result.stdout
    assert [r["student"] for r in _gradebook(results / "gradebook.csv")] == sorted(manifest)
