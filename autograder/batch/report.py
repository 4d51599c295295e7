"""The class report: one self-contained HTML page (plots embedded as PNG data URIs).

It shows the score distribution, per-item mean and pass rate, the most frequent
diagnosed mistakes with who made them, the items most often failing on invalid
arguments (ValueError checks), timing (slowest submissions, time-outs) and
grader errors.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder.batch.gradebook import Row  # noqa: E402
from autograder.batch.run import STATUS_ERROR, STATUS_TIMEOUT  # noqa: E402
from autograder.course import Assignment  # noqa: E402
from autograder.grading.mistakes import load_catalogue  # noqa: E402


def write_report(assignment: Assignment, rows: list[Row], path: Path) -> None:
    points = assignment.config.get("points", {})
    total = sum(points.values())
    esc = html.escape
    parts = [f"<h1>{esc(assignment.title)}: class report</h1>", f"<p>{len(rows)} submissions.</p>"]

    scores = [r.total for r in rows]
    mean = sum(scores) / len(scores) if scores else 0.0
    parts += ["<h2>Score distribution</h2>", f"<p>Mean {mean:.1f} / {total:g}; median {_median(scores):.1f}.</p>", _histogram(scores, total)]

    parts.append("<h2>Per item</h2><table><tr><th>item</th><th>points</th><th>mean</th><th>full marks</th></tr>")
    for item, max_points in points.items():
        earned = [r.items[item] for r in rows]
        full = sum(1 for e in earned if e >= max_points - 1e-9)
        parts.append(f"<tr><td>{esc(item)}</td><td>{max_points:g}</td><td>{_mean(earned):.2f}</td><td>{100 * full / max(len(rows), 1):.0f}%</td></tr>")
    parts.append("</table>")

    hints = {m.id: m for m in load_catalogue(assignment)}
    who = defaultdict(list)
    for row in rows:
        for mistake in row.results.get("extra_data", {}).get("diagnoses", []):
            who[mistake].append(row.student)
    parts.append("<h2>Most frequent diagnosed mistakes</h2><table><tr><th>mistake</th><th>item</th><th>count</th><th>students</th></tr>")
    for mistake, students in sorted(who.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        item = hints[mistake].item if mistake in hints else ""
        parts.append(f"<tr><td class='id'>{esc(mistake)}</td><td>{esc(item)}</td><td>{len(students)}</td><td>{esc(', '.join(students[:30]))}{' ...' if len(students) > 30 else ''}</td></tr>")
    parts.append("</table>")

    invalid = Counter()
    for row in rows:
        for test in row.results.get("tests", []):
            if test.get("status") == "failed" and ("ValueError" in test.get("name", "") or "raises value error" in test.get("name", "").lower() or "expected ValueError" in test.get("output", "")):
                invalid[test["name"].split(":")[0]] += 1
    parts.append("<h2>Items most often failing on invalid arguments</h2><table><tr><th>item</th><th>submissions failing a ValueError check</th></tr>")
    parts += [f"<tr><td>{esc(item)}</td><td>{count}</td></tr>" for item, count in invalid.most_common(10)]
    parts.append("</table>")

    slow = sorted(rows, key=lambda r: -float(r.results.get("execution_time", 0)))[:10]
    timeouts = [r.student for r in rows if r.status == STATUS_TIMEOUT]
    parts.append("<h2>Timing</h2><table><tr><th>slowest submissions</th><th>seconds</th></tr>")
    parts += [f"<tr><td>{esc(r.student)}</td><td>{float(r.results.get('execution_time', 0)):.2f}</td></tr>" for r in slow]
    parts.append(f"</table><p>Timed out: {len(timeouts)}{': ' + esc(', '.join(timeouts)) if timeouts else ''}.</p>")

    errors = [r for r in rows if r.status == STATUS_ERROR]
    parts.append(f"<h2>Grader errors</h2><p>{len(errors)} submissions.</p><ul>")
    parts += [f"<li>{esc(r.student)}: {esc(r.results.get('output', '')[:300])}</li>" for r in errors]
    parts.append("</ul>")

    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        + esc(assignment.title)
        + " class report</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        "th{background:#eee}td.id{font-family:monospace}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )
    Path(path).write_text(page, encoding="utf-8")


def _histogram(scores: list[float], total: float) -> str:
    figure, axes = plt.subplots(figsize=(8, 3.5))
    axes.hist(scores, bins=20, range=(0, total), color="#4a7ab5", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("submissions")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='histogram of scores' src='data:image/png;base64,{data}'>"


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
