"""A short human summary of a grade: per item, points and the first line of feedback."""

from __future__ import annotations

from autograder.grading.results import SubmissionGrade


def summarize(grade: SubmissionGrade) -> str:
    """One line per contract item, then the total (and what went wrong, if grading failed)."""
    items = grade.items()
    width = max((len(i.item) for i in items), default=10)
    lines = []
    for item in items:
        mark = "ok" if item.score == item.max_score else "--"
        first = item.feedback.strip().splitlines()[0] if item.feedback.strip() else ""
        lines.append(f"  {mark} {item.item:<{width}} {_points(item.score):>6} / {_points(item.max_score):<6} {first[:110]}".rstrip())
    lines.append(f"  Total: {_points(grade.score)} / {_points(grade.max_score)} ({grade.execution_time:.1f} s)")
    if grade.output:
        lines.append("  " + grade.output.replace("\n", "\n  "))
    return f"{grade.assignment}:\n" + "\n".join(lines)


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
