"""Grading a class: simulate, grade-all (resumable), gradebook.csv and report.html."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.batch.simulate import simulate

ASSIGNMENT = "optimization"  # the faster of the two to grade


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    manifest = simulate(ASSIGNMENT, 8, root / "subs", seed=3)
    result = _cli("grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(root / "results"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return root, manifest, result


def _cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=900, **kwargs)


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
    with open(root / "results" / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student"] for r in rows] == sorted(manifest)
    assert "optimizers.Adam" in rows[0] and rows[0]["max_total"] == "100"
    for row in rows:
        kind = manifest[row["student"]]["kind"]
        assert row["status"] == "graded"
        assert (float(row["total"]) == 100) == (kind == "correct"), row
        if kind == "mistake":
            assert float(row[manifest[row["student"]]["item"]]) < float(row["total"])  # that item lost points


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.images, self.text, self._in_heading = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self._in_heading = tag == "h2"
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        (self.headings if self._in_heading else self.text).append(data)
        self._in_heading = False


def test_the_report_is_self_contained_and_names_the_planted_mistakes(graded_class):
    root, manifest, _ = graded_class
    page = _Page()
    page.feed((root / "results" / "report.html").read_text())
    assert page.headings[:2] == ["Score distribution", "Per item"]
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    planted = {e["mistake"] for e in manifest.values() if e["kind"] == "mistake"}
    assert planted and planted <= set(page.text)


def test_a_rerun_skips_what_is_graded_and_regrades_what_is_missing(graded_class):
    root, manifest, _ = graded_class
    missing = sorted(manifest)[0]
    (root / "results" / f"{missing}.json").unlink()
    result = _cli("grade-all", ASSIGNMENT, str(root / "subs"), "--out", str(root / "results"))
    assert result.returncode == 0
    assert f"Graded 1 submissions" in result.stdout and f"({len(manifest) - 1} already graded" in result.stdout


def test_an_interrupted_run_loses_nothing_and_resumes(tmp_path):
    simulate(ASSIGNMENT, 6, tmp_path / "subs", seed=5)
    command = [sys.executable, "-m", "autograder", "grade-all", ASSIGNMENT, str(tmp_path / "subs"), "--out", str(tmp_path / "results"), "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 600
    while not list((tmp_path / "results").glob("student-*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    process.communicate(timeout=300)
    done_first = {p.stem for p in (tmp_path / "results").glob("student-*.json")}
    assert 1 <= len(done_first) < 6
    for path in (tmp_path / "results").glob("student-*.json"):
        json.loads(path.read_text())  # every file written is whole
    resumed = _cli("grade-all", ASSIGNMENT, str(tmp_path / "subs"), "--out", str(tmp_path / "results"))
    assert resumed.returncode == 0
    assert f"Graded {6 - len(done_first)} submissions" in resumed.stdout
    assert len(list((tmp_path / "results").glob("student-*.json"))) == 6
