"""report.html, parsed: every section the instructor needs, self-contained, and true to the results files.

The simulated class (``graded_class``) checks the histogram, the per-item
table, the diagnosed mistakes against the simulation's manifest, and timing;
the hand-made class (``handmade_class``) has a missing validation, a
time-out and a grader error for the sections that a simulated class leaves
empty.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import pytest

from autograder.course import load_assignment

ASSIGNMENT = "optimization"


class Page(HTMLParser):
    """The parts of the page: per ``<section id>``, its tables (rows of cell texts) and its text; every URL."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, dict] = defaultdict(lambda: {"tables": [], "text": [], "images": []})
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: set[str] = set()
        self._section, self._row, self._cell = None, None, None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.urls += [(tag, name, value) for name, value in attrs.items() if name in ("src", "href", "srcset", "data", "action", "poster")]
        if tag == "section":
            self._section = attrs.get("id")
        elif tag == "table" and self._section:
            self.sections[self._section]["tables"].append([])
        elif tag == "tr" and self._section:
            self._row = []
            self.sections[self._section]["tables"][-1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row.append(self._cell)
        elif tag in ("div", "br", "p", "li") and self._cell is not None:
            self._cell.append(" ")
        elif tag == "img" and self._section:
            self.sections[self._section]["images"].append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row[-1] = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._section:
            self.sections[self._section]["text"].append(data)

    def text(self, section: str) -> str:
        return " ".join(" ".join(self.sections[section]["text"]).split())

    def table(self, section: str, index: int = 0) -> list[dict]:
        """A table of a section as dicts keyed by its header cells."""
        header, *rows = self.sections[section]["tables"][index]
        return [dict(zip(header, row)) for row in rows]


def _page(results: Path) -> Page:
    return Page((results / "report.html").read_text(encoding="utf-8"))


def _results(results: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in results.glob("*.json") if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def simulated(graded_class):
    root, manifest, _ = graded_class
    return _page(root / "results"), manifest, root / "results"


@pytest.fixture(scope="module")
def handmade(handmade_class):
    root, _ = handmade_class
    return _page(root / "results"), root / "results"


# --- self-contained ---------------------------------------------------------------------------------


def test_the_report_has_every_section_in_order(simulated):
    page, _, _ = simulated
    assert list(page.sections) == ["distribution", "items", "mistakes", "validation", "timing", "errors"]


def test_the_report_loads_nothing_from_outside_the_file(simulated):
    page, _, results = simulated
    assert page.urls and all(value.startswith("data:") for _, _, value in page.urls)
    assert not page.tags & {"script", "link", "iframe", "object", "embed"}
    assert "url(" not in (results / "report.html").read_text()


def test_the_score_histogram_is_an_embedded_png_image(simulated):
    page, _, _ = simulated
    (source,) = page.sections["distribution"]["images"]
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    image = matplotlib.image.imread(io.BytesIO(base64.b64decode(source[len(prefix):])), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 600


def test_the_distribution_states_the_mean_and_median_of_the_totals(simulated):
    page, _, results = simulated
    totals = sorted(r["score"] for r in _results(results).values())
    mean, middle = sum(totals) / len(totals), len(totals) // 2
    median = (totals[middle - 1] + totals[middle]) / 2 if len(totals) % 2 == 0 else totals[middle]
    assert f"Mean {mean:.1f} / 100, median {median:.1f}" in page.text("distribution")


# --- per item ---------------------------------------------------------------------------------------


def test_each_item_has_its_mean_score_and_pass_rate(simulated):
    page, _, results = simulated
    with open(results / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        gradebook = list(csv.DictReader(f))
    points = load_assignment(ASSIGNMENT).config["points"]
    table = page.table("items")
    assert [row["item"] for row in table] == list(points)
    for row in table:
        earned = [float(g[row["item"]]) for g in gradebook]
        full = sum(e == points[row["item"]] for e in earned)
        assert row["mean score"] == f"{sum(earned) / len(earned):.2f}", row
        assert row["pass rate (full marks)"] == f"{100 * full / len(earned):.0f}%", row


# --- diagnosed mistakes -----------------------------------------------------------------------------


def _mistake_rows(page: Page) -> dict[str, dict]:
    """mistake id -> its row; the mistake cell holds the id, then its hint."""
    return {row["mistake"].split()[0]: row for row in page.table("mistakes")}


def test_every_planted_mistake_is_reported_with_the_students_who_made_it(simulated):
    page, manifest, _ = simulated
    rows = _mistake_rows(page)
    planted = defaultdict(set)
    for student, entry in manifest.items():
        if entry["kind"] == "mistake":
            planted[entry["mistake"]].add(student)
    assert planted, "the simulated class should hold catalogued mistakes"
    for mistake, students in planted.items():
        assert mistake in rows, f"{mistake} made by {students} is missing from the report"
        listed = set(rows[mistake]["students"].split(", "))
        assert students <= listed
        assert rows[mistake]["submissions"] == str(len(listed))


def test_mistakes_are_listed_most_frequent_first_with_their_item(simulated):
    page, _, _ = simulated
    table = page.table("mistakes")
    counts = [int(row["submissions"]) for row in table]
    assert counts == sorted(counts, reverse=True)
    assert all(row["item"] in load_assignment(ASSIGNMENT).config["points"] for row in table)


def test_no_mistake_is_pinned_on_a_correct_submission(simulated):
    page, manifest, _ = simulated
    correct = {s for s, e in manifest.items() if e["kind"] == "correct"}
    for row in page.table("mistakes"):
        assert not correct & set(row["students"].split(", ")), row


# --- validation -------------------------------------------------------------------------------------


def test_an_item_accepting_invalid_arguments_is_listed_with_its_check_and_student(handmade):
    page, _ = handmade
    assert page.table("validation") == [
        {
            "item": "schedules.step_decay",
            "submissions": "1",
            "check failed most": "rejects a negative epoch or a non-positive count with ValueError",
            "students": "no-validation",
        }
    ]


def test_a_stub_failing_every_check_is_not_counted_as_missing_validation(handmade):
    page, _ = handmade
    assert all("stub" not in row["students"] for row in page.table("validation"))


# --- timing -----------------------------------------------------------------------------------------


def test_the_slowest_submissions_are_listed_slowest_first_with_their_seconds(simulated):
    page, _, results = simulated
    recorded = {student: r["execution_time"] for student, r in _results(results).items()}
    table = page.sections["timing"]["tables"][0]
    assert table[0] == ["student", "seconds", "status"]
    listed = [(row[0], float(row[1])) for row in table[1:]]
    assert [s for s, _ in listed] == sorted(recorded, key=lambda s: (-recorded[s], s))[:10]
    assert all(abs(seconds - recorded[s]) < 0.006 for s, seconds in listed)


def test_the_timed_out_submissions_are_named(handmade):
    page, _ = handmade
    assert "1 submission with a call that hit its time limit: loops-forever" in page.text("timing")


def test_a_class_without_time_outs_says_so(simulated):
    page, _, _ = simulated
    assert "0 submissions with a call that hit its time limit." in page.text("timing")


# --- grader errors ----------------------------------------------------------------------------------


def test_grader_errors_are_listed_with_their_cause(handmade):
    page, _ = handmade
    text = page.text("errors")
    assert text.startswith("Grader errors 1 submission could not be graded")
    assert "corrupt : Grading failed: submission" in text and "corrupt.zip is a file but not a zip" in text


def test_a_class_without_grader_errors_says_so(simulated):
    page, _, _ = simulated
    assert page.text("errors") == "Grader errors None: every submission was graded."
