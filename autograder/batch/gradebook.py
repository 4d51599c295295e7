"""The class gradebook: one CSV row per student, one column per contract item.

Columns, in order:

- ``student``: the submission's id (folder or zip name, or Gradescope's);
- ``name``, ``email``: from a Gradescope export's metadata (empty otherwise);
- one column per contract item, e.g. ``penalties.l2_gradient``: the points earned;
- ``total``: the sum, out of ``max_total``;
- ``max_total``: the assignment's total points;
- ``status``: ``graded``, ``grader error`` (see that student's results.json) or
  ``timed out`` (a call hit its time limit; the points are what it earned).

The file is plain UTF-8 CSV with a header row, numbers with a dot as decimal
separator: a spreadsheet opens it as is, and Canvas or Gradescope imports can
map ``student`` or ``email`` to their roster and ``total`` to a grade column.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.batch.run import status_of
from autograder.course import Assignment


@dataclass
class Row:
    student: str
    name: str
    email: str
    items: dict[str, float]
    total: float
    status: str
    results: dict
    """The student's results.json."""


def load_rows(assignment: Assignment, results_dir: Path) -> list[Row]:
    """One row per results.json in ``results_dir``, sorted by student id."""
    results_dir = Path(results_dir)
    people = json.loads((results_dir / "students.json").read_text()) if (results_dir / "students.json").is_file() else {}
    rows = []
    for path in sorted(results_dir.glob("*.json")):
        if path.name == "students.json":
            continue
        results = json.loads(path.read_text())
        scores = results.get("extra_data", {}).get("items", {})
        person = people.get(path.stem, {})
        rows.append(Row(
            student=path.stem,
            name=person.get("name", ""),
            email=person.get("email", ""),
            items={item: float(scores.get(item, [0.0])[0]) for item in assignment.config.get("points", {})},
            total=float(results.get("score", 0.0)),
            status=status_of(results),
            results=results,
        ))
    return rows


def write_gradebook(assignment: Assignment, rows: list[Row], path: Path) -> None:
    points = assignment.config.get("points", {})
    max_total = sum(points.values())
    tmp = Path(path).with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "name", "email", *points, "total", "max_total", "status"])
        for row in rows:
            writer.writerow([row.student, row.name, row.email, *(_number(row.items[i]) for i in points), _number(row.total), _number(max_total), row.status])
    tmp.replace(path)


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")
