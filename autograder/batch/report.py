"""The class report: one self-contained HTML page (plots embedded as PNG data URIs, no external resource).

Sections, each a ``<section id=...>`` with an ``<h2>``:

- ``distribution``: the histogram of total scores, mean and median;
- ``items``: per contract item the mean score and the pass rate (the share of
  submissions with full marks on it), and the share of its checks passed;
- ``mistakes``: the catalogued mistakes the graders diagnosed, most frequent
  first, with who made them;
- ``validation``: the items whose ValueError checks fail most often, counting
  the submissions whose item otherwise runs (passes some other check), so
  that untouched stubs and crashes do not drown the missing validations;
- ``timing``: the slowest submissions and the ones that timed out;
- ``errors``: grader errors, the submissions the graders could not grade.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from autograder.batch.gradebook import Row  # noqa: E402
from autograder.batch.run import STATUS_ERROR, STATUS_GRADED, STATUS_TIMEOUT  # noqa: E402
from autograder.course import Assignment  # noqa: E402
from autograder.grading.mistakes import load_catalogue  # noqa: E402

MAX_LISTED = 30
"""Students named per line before "and N more"."""
SLOWEST = 10

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #4a7ab5;padding-bottom:.2em}
p.summary{font-size:1.1em}p.note{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#e8eef6}tr:nth-child(even) td{background:#fafafa}td.num,th.num{text-align:right;white-space:nowrap}
td.item,span.id{font-family:ui-monospace,monospace;white-space:nowrap}div.hint{color:#555;font-size:.85em;margin-top:.2em}td.students{font-size:.9em;width:30%}span.who{white-space:nowrap}
img{max-width:100%;height:auto;display:block}
"""


def write_report(assignment: Assignment, rows: list[Row], path: Path) -> None:
    """Write the report on ``rows`` (one per graded submission) to ``path``."""
    points = assignment.config.get("points", {})
    title = f"{assignment.title}: class report"
    body = [f"<h1>{_e(title)}</h1>", _summary(rows, points)]
    body += [
        _section("distribution", "Score distribution", _distribution(rows, points)),
        _section("items", "Per item", _items(rows, points)),
        _section("mistakes", "Most frequent diagnosed mistakes", _mistakes(rows, assignment)),
        _section("validation", "Items most often failing validation (ValueError checks)", _validation(rows, points)),
        _section("timing", "Timing", _timing(rows)),
        _section("errors", "Grader errors", _errors(rows)),
    ]
    page = (
        f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    tmp = Path(path).with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)


# --- the sections ---------------------------------------------------------------------------------------


def _summary(rows: list[Row], points: dict) -> str:
    statuses = Counter(r.status for r in rows)
    counts = f"{statuses[STATUS_GRADED]} graded, {statuses[STATUS_TIMEOUT]} timed out, {statuses[STATUS_ERROR]} with a grader error"
    return f"<p class='summary'>{len(rows)} submissions: {counts}. The assignment is worth {sum(points.values()):g} points.</p>"


def _distribution(rows: list[Row], points: dict) -> str:
    total = sum(points.values())
    scores = [r.total for r in rows]
    mean = statistics.fmean(scores) if scores else 0.0
    median = statistics.median(scores) if scores else 0.0
    full = sum(1 for s in scores if s >= total - 1e-9)
    text = f"<p>Mean {mean:.1f} / {total:g}, median {median:.1f}; {full} of {len(scores)} with full marks.</p>"
    return text + _histogram(scores, total, mean)


def _items(rows: list[Row], points: dict) -> str:
    checks = defaultdict(lambda: [0, 0])  # item -> [passed, run]
    for row in rows:
        for test in row.results.get("tests", []):
            tally = checks[_item_of(test)]
            tally[0] += test.get("status") == "passed"
            tally[1] += 1
    lines = [
        "<table><tr><th>item</th><th class='num'>points</th><th class='num'>mean score</th><th class='num'>mean %</th>"
        "<th class='num'>pass rate (full marks)</th><th class='num'>checks passed</th></tr>"
    ]
    for item, max_points in points.items():
        earned = [r.items[item] for r in rows]
        mean = statistics.fmean(earned) if earned else 0.0
        full = sum(1 for e in earned if e >= max_points - 1e-9)
        passed, run = checks[item]
        lines.append(
            f"<tr><td class='item'>{_e(item)}</td><td class='num'>{max_points:g}</td><td class='num'>{mean:.2f}</td>"
            f"<td class='num'>{_percent(mean, max_points)}</td><td class='num'>{_percent(full, len(rows))}</td>"
            f"<td class='num'>{_percent(passed, run)}</td></tr>"
        )
    return "\n".join(lines) + "</table>"


def _mistakes(rows: list[Row], assignment: Assignment) -> str:
    catalogue = {m.id: m for m in load_catalogue(assignment)}
    who = defaultdict(list)
    for row in rows:
        for mistake in row.results.get("extra_data", {}).get("diagnoses", []):
            who[mistake].append(row)
    if not who:
        return "<p>No catalogued mistake was diagnosed.</p>"
    lines = ["<table><tr><th>mistake</th><th>item</th><th class='num'>submissions</th><th>students</th></tr>"]
    for mistake, made in sorted(who.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        known = catalogue.get(mistake)
        lines.append(
            f"<tr><td><span class='id'>{_e(mistake)}</span><div class='hint'>{_e(known.hint if known else '')}</div></td><td class='item'>{_e(known.item if known else '')}</td>"
            f"<td class='num'>{len(made)}</td><td class='students'>{_students(made)}</td></tr>"
        )
    return "\n".join(lines) + "</table>"


def _validation(rows: list[Row], points: dict) -> str:
    failing = defaultdict(list)  # item -> rows
    checks = defaultdict(Counter)  # item -> failed check -> count
    for row in rows:
        by_item = defaultdict(list)
        for test in row.results.get("tests", []):
            by_item[_item_of(test)].append(test)
        for item, tests in by_item.items():
            runs = any(t.get("status") == "passed" for t in tests if not _is_validation(t))
            failed = [t for t in tests if _is_validation(t) and t.get("status") != "passed"]
            if runs and failed:
                failing[item].append(row)
                checks[item].update({_check_of(t) for t in failed})
    note = (
        "<p class='note'>Submissions that fail one of the item's ValueError checks (invalid arguments must be "
        "rejected) while passing some of its other checks: untouched stubs and crashes are not counted.</p>"
    )
    if not failing:
        return note + "<p>No submission fails a ValueError check of an item that otherwise runs.</p>"
    lines = [note, "<table><tr><th>item</th><th class='num'>submissions</th><th>check failed most</th><th>students</th></tr>"]
    for item, made in sorted(failing.items(), key=lambda kv: (-len(kv[1]), list(points).index(kv[0]) if kv[0] in points else 0)):
        check, _ = checks[item].most_common(1)[0]
        lines.append(
            f"<tr><td class='item'>{_e(item)}</td><td class='num'>{len(made)}</td><td>{_e(check)}</td><td class='students'>{_students(made)}</td></tr>"
        )
    return "\n".join(lines) + "</table>"


def _timing(rows: list[Row]) -> str:
    seconds = [_seconds(r) for r in rows]
    median = statistics.median(seconds) if seconds else 0.0
    lines = [f"<p>Median {median:.2f} s per submission, {sum(seconds):.0f} s in all (grading time of each, as recorded in its results).</p>"]
    lines.append("<h3>Slowest submissions</h3><table><tr><th>student</th><th class='num'>seconds</th><th>status</th></tr>")
    for row in sorted(rows, key=lambda r: (-_seconds(r), r.student))[:SLOWEST]:
        lines.append(f"<tr><td>{_e(row.label)}</td><td class='num'>{_seconds(row):.2f}</td><td>{_e(row.status)}</td></tr>")
    lines.append("</table>")
    timed_out = [r for r in rows if r.status == STATUS_TIMEOUT]
    lines.append(f"<h3>Time-outs</h3><p>{_count(len(timed_out))} with a call that hit its time limit{': ' if timed_out else '.'}{_students(timed_out)}</p>")
    return "\n".join(lines)


def _errors(rows: list[Row]) -> str:
    errors = [r for r in rows if r.status == STATUS_ERROR]
    if not errors:
        return "<p>None: every submission was graded.</p>"
    lines = [f"<p>{_count(len(errors))} could not be graded; each one's results.json says why. Fix the cause and rerun with --regrade.</p><ul>"]
    lines += [f"<li><b>{_e(r.label)}</b>: {_e(r.results.get('output', '').strip()[:400])}</li>" for r in errors]
    return "\n".join(lines) + "</ul>"


# --- helpers --------------------------------------------------------------------------------------------


def _section(key: str, heading: str, content: str) -> str:
    return f"<section id='{key}'><h2>{_e(heading)}</h2>\n{content}\n</section>"


def _histogram(scores: list[float], total: float, mean: float) -> str:
    figure, axes = plt.subplots(figsize=(9, 3.4))
    axes.hist(scores, bins=20, range=(0, total or 1), color="#4a7ab5", edgecolor="white")
    if scores:
        axes.axvline(mean, color="#c0392b", linestyle="--", linewidth=1.5, label=f"mean {mean:.1f}")
        axes.legend(frameon=False, loc="upper left")
    axes.set_xlabel(f"total score (out of {total:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='histogram of the total scores' src='data:image/png;base64,{data}'>"


def _item_of(test: dict) -> str:
    """A test's contract item: its name is ``"<item>: <check> [<case>]"``."""
    return test.get("name", "").split(":", 1)[0]


def _check_of(test: dict) -> str:
    """A test's check, without its item and case: ``rejects a negative lam with ValueError``."""
    return test.get("name", "").split(": ", 1)[-1].split(" [", 1)[0]


def _is_validation(test: dict) -> bool:
    return "ValueError" in test.get("name", "")


def _seconds(row: Row) -> float:
    return float(row.results.get("execution_time") or 0.0)


def _students(rows: list[Row]) -> str:
    labels = [f"<span class='who'>{_e(r.label)}</span>" for r in sorted(rows, key=lambda r: r.student)]
    more = len(labels) - MAX_LISTED
    return ", ".join(labels[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _count(n: int) -> str:
    return f"{n} submission{'' if n == 1 else 's'}"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)
