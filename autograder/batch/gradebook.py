"""The class gradebook: one CSV row per student, one column per contract item.

Columns, in order:

- ``student``: the submission's id (its folder or zip name, or Gradescope's
  ``submission_<id>`` folder); its results are ``RESULTS_DIR/<student>.json``;
- ``name``, ``email``, ``sid``: the submitter, from a Gradescope export's
  ``submission_metadata.yml`` (empty for a plain class folder). A group
  submission gives one row per member, with the same ``student`` and points;
- one column per contract item, in ``assignment.toml``'s order, e.g.
  ``penalties.l2_gradient``: the points earned on it;
- ``total``: the points earned, out of ``max_total``;
- ``max_total``: the assignment's total points;
- ``status``: ``graded`` (the points are the grade), ``grader error`` (grading
  failed, not the student's code: read ``output`` in that student's
  results.json, fix, and rerun with ``--regrade``), or ``timed out`` (a call
  into the student's code hit its time limit; the points are what the rest of
  the code earned).

The file is CSV with a header row, numbers with a dot as decimal separator,
in UTF-8 with a byte-order mark (so that Excel, too, reads accented names
right): a spreadsheet opens it as is, and Canvas or Gradescope imports can map
``email`` or ``sid`` (or ``student``) to their roster and ``total`` to a grade
column.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder.batch.discover import Entry, Submitter
from autograder.batch.run import PEOPLE_FILE, status_of
from autograder.course import Assignment


@dataclass
class Row:
    """One graded submission (a group's is one row here, one line per member in the CSV)."""

    student: str
    people: list[Submitter]
    """Who submitted it; empty for a plain class folder."""
    items: dict[str, float]
    """Points earned per contract item."""
    total: float
    status: str
    """``graded``, ``grader error`` or ``timed out``."""
    results: dict = field(repr=False)
    """The student's results.json."""

    @property
    def name(self) -> str:
        return "; ".join(p.name for p in self.people if p.name)

    @property
    def label(self) -> str:
        """The id, with the names when known: ``submission_12 (Ada Lovelace)``."""
        return f"{self.student} ({self.name})" if self.name else self.student


def load_rows(assignment: Assignment, results_dir: Path, entries: list[Entry] | None = None) -> list[Row]:
    """One row per graded submission in ``results_dir``, sorted by student id.

    With ``entries`` (what ``grade_all`` discovered), only their results are
    read and the submitters come from them; without, every results file is
    read and names and emails come from ``PEOPLE_FILE``.
    """
    results_dir = Path(results_dir)
    if entries is not None:
        people = {e.student: list(e.submitters) for e in entries}
        paths = [results_dir / f"{e.student}.json" for e in entries]
    else:
        known = json.loads((results_dir / PEOPLE_FILE).read_text()) if (results_dir / PEOPLE_FILE).is_file() else {}
        people = {s: [Submitter(p.get("name", ""), p.get("email", ""))] for s, p in known.items() if p.get("name") or p.get("email")}
        paths = [p for p in results_dir.glob("*.json") if not p.name.startswith(".")]  # PEOPLE_FILE is hidden
    points = assignment.config.get("points", {})
    rows = []
    for path in sorted(p for p in paths if p.is_file()):
        results = json.loads(path.read_text(encoding="utf-8"))
        scores = results.get("extra_data", {}).get("items", {})
        rows.append(Row(
            student=path.stem,
            people=people.get(path.stem, []),
            items={item: float(scores.get(item, [0.0])[0]) for item in points},
            total=float(results.get("score", 0.0)),
            status=status_of(results),
            results=results,
        ))
    return rows


def write_gradebook(assignment: Assignment, rows: list[Row], path: Path) -> None:
    """Write the CSV (atomically) with the columns of the module docstring."""
    points = assignment.config.get("points", {})
    max_total = sum(points.values())
    tmp = Path(path).with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "name", "email", "sid", *points, "total", "max_total", "status"])
        for row in rows:
            scores = [*(_number(row.items[i]) for i in points), _number(row.total), _number(max_total), row.status]
            for person in row.people or [Submitter()]:
                writer.writerow([row.student, person.name, person.email, person.sid, *scores])
    tmp.replace(path)


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")
