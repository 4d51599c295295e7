"""The command line: ``autograder <command>`` (also ``python -m autograder <command>``).

This layer only parses options and forwards to the library; library errors
(``AutograderError``) become one ``Error: ...`` line and exit status 2.
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path

import click

from autograder import __version__
from autograder.errors import AutograderError


class _Group(click.Group):
    """Turns library errors into one clean line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AutograderError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="autograder")
def cli() -> None:
    """Release, grade and report on the regularization and optimization assignments."""


@cli.command("release")
@click.argument("assignment")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder to write the release into.")
@click.option("--force", is_flag=True, help="Write into OUT even if it exists and is not empty (its contents are replaced).")
def release_command(assignment: str, out: Path, force: bool) -> None:
    """Write the student release of ASSIGNMENT into OUT.

    The release holds the stub modules (each solution replaced by a TODO),
    the public tests, a gradient-check helper and a README for students.

    Example: autograder release regularization --out build/regularization-release
    """
    from autograder.release import write_release

    summary = write_release(assignment, out, force=force)
    click.echo(summary.describe())


@cli.command("grade")
@click.argument("assignment")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--out", "out", default=Path("results.json"), show_default=True, type=click.Path(path_type=Path), help="Where to write Gradescope's results.json.")
@click.option("--in-process", is_flag=True, help="Run the student's code in this process (development only: no isolation).")
def grade_command(assignment: str, submission: Path, out: Path, in_process: bool) -> None:
    """Grade SUBMISSION (a folder of .py files, or a .zip of one) against ASSIGNMENT's hidden graders.

    Writes Gradescope's results.json to OUT and prints a summary per item.
    Exits with status 0 whenever grading itself worked, whatever the score.

    Example: autograder grade regularization student-42/ --out results.json
    """
    from autograder.sandbox.cpus import single_threaded_blas

    single_threaded_blas()  # before NumPy is imported
    from autograder.sandbox.client import ForkServer

    # first thing: the workers' fork server imports NumPy while this process imports pytest and collects the graders
    server = None if in_process else ForkServer()
    try:
        from autograder.grading.results import SubmissionGrade, write_results_json
        from autograder.grading.runner import grade
        from autograder.grading.summary import summarize

        try:
            result = grade(assignment, submission, isolated=not in_process, server=server)
        except AutograderError as exc:  # nothing was graded; results.json still says why
            write_results_json(SubmissionGrade(assignment, output=f"Grading failed: {exc}", grader_error=True), out)
            raise
    finally:
        if server is not None:  # closed already, unless grading failed before it took the server over
            server.close()
    write_results_json(result, out)
    click.echo(summarize(result))
    click.echo(f"results.json written to {out}")
    if result.details:
        click.echo(f"Details (for instructors; not in the student's output):\n{result.details}", err=True)
    if result.grader_error:
        sys.exit(1)


@cli.command("grade-all")
@click.argument("assignment")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Folder for the results.json files, gradebook.csv and report.html.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1, 64), help="Submissions graded at once.")
@click.option("--regrade", is_flag=True, help="Grade again the submissions that already have results.")
def grade_all_command(assignment: str, submissions: Path, out: Path, jobs: int, regrade: bool) -> None:
    """Grade every submission in SUBMISSIONS (one folder or zip per student, or a Gradescope export).

    Writes OUT/<student>.json as each finishes, then OUT/gradebook.csv and
    OUT/report.html. Interrupted runs resume: a rerun skips the students that
    already have results unless --regrade.

    Example: autograder grade-all regularization class-submissions/ --out results/ --jobs 2
    """
    from autograder.sandbox.cpus import single_threaded_blas

    single_threaded_blas()  # before NumPy is imported: the grading processes get it too
    from tqdm import tqdm

    from autograder.batch.gradebook import load_rows, write_gradebook
    from autograder.batch.report import write_report
    from autograder.batch.run import grade_all, print_line_progress
    from autograder.course import load_assignment

    loaded = load_assignment(assignment)
    bar = None
    if sys.stderr.isatty():
        def progress(done: int, total: int, student: str) -> None:
            nonlocal bar
            bar = bar or tqdm(total=total, unit="submission", desc="grading")
            bar.update(1)
    else:
        progress = print_line_progress()
    try:
        run = grade_all(assignment, submissions, out, jobs=jobs, regrade=regrade, on_progress=progress)
    finally:
        if bar is not None:
            bar.close()
    rows = load_rows(loaded, out, run.entries)
    write_gradebook(loaded, rows, out / "gradebook.csv")
    write_report(loaded, rows, out / "report.html")
    click.echo(
        f"Graded {len(run.graded)} submissions in {run.seconds:.1f} s ({len(run.skipped)} already graded, "
        f"{len(run.failed)} grader errors){'; INTERRUPTED: rerun the same command to resume' if run.interrupted else ''}."
    )
    click.echo(f"Gradebook: {out / 'gradebook.csv'}\nReport:    {out / 'report.html'}")
    if run.interrupted:
        sys.exit(130)


@cli.command("simulate")
@click.argument("assignment")
@click.option("--n", "n", default=200, show_default=True, type=click.IntRange(1, 100000), help="Number of submissions.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Folder to write the class into.")
@click.option("--seed", default=0, show_default=True, help="Seed of the mix (same seed, same class).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists and is not empty.")
def simulate_command(assignment: str, n: int, out: Path, seed: int, force: bool) -> None:
    """Write a synthetic class of N submissions: correct ones in several styles, catalogued mistakes, stubs, broken files.

    A manifest of what each submission is goes to OUT-manifest.json, beside OUT.

    Example: autograder simulate regularization --n 200 --out build/class
    """
    from collections import Counter

    from autograder.batch.simulate import simulate

    manifest = simulate(assignment, n, out, seed=seed, force=force)
    kinds = Counter(entry["kind"] for entry in manifest.values())
    click.echo(f"Wrote {n} submissions to {out} ({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))}); manifest {out.parent / (out.name + '-manifest.json')}")


@cli.command("build")
@click.argument("assignment")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="The zip file to write (replaced if it exists).")
def build_command(assignment: str, out: Path) -> None:
    """Write the Gradescope autograder zip of ASSIGNMENT to OUT.

    The zip holds setup.sh, run_autograder, the pinned requirements, the
    autograder package, the hidden graders and the reference; upload it on
    Gradescope's Configure Autograder page.

    Example: autograder build regularization --out build/regularization-autograder.zip
    """
    import zipfile

    from autograder.gradescope.build import build_autograder_zip

    path = build_autograder_zip(assignment, out)
    with zipfile.ZipFile(path) as archive:
        count = len(archive.namelist())
    click.echo(f"Wrote the {assignment!r} Gradescope autograder to {path}: {count} files.")


@cli.group("export")
def export_group() -> None:
    """Export an assignment's notebook for nbgrader or otter-grader.

    The notebook runs the course's experiments on the student's modules; the
    exported notebook also grades the modules, with the same points and
    feedback as `autograder grade`.

    Example: autograder export otter optimization --out build/optimization-otter
    """


@export_group.command("nbgrader")
@click.argument("assignment")
@click.option("--course", "course", required=True, type=click.Path(path_type=Path, file_okay=False), help="The nbgrader course folder (nbgrader_config.py, source/).")
@click.option("--force", is_flag=True, help="Replace source/ASSIGNMENT/ if it exists and is not empty.")
def export_nbgrader_command(assignment: str, course: Path, force: bool) -> None:
    """Write ASSIGNMENT as an nbgrader assignment: COURSE/source/ASSIGNMENT/.

    The source notebook (nbgrader cell metadata, solution and hidden-test
    regions) and the stub modules; COURSE/nbgrader_config.py is created or
    updated so that `nbgrader autograde` keeps the students' modules.

    Example: autograder export nbgrader optimization --course build/course
    """
    from autograder.notebooks.to_nbgrader import export_nbgrader

    click.echo(export_nbgrader(assignment, course, force=force).describe())


@export_group.command("otter")
@click.argument("assignment")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Folder to write the master notebook into.")
@click.option("--force", is_flag=True, help="Write into OUT even if it exists and is not empty (its contents are replaced).")
def export_otter_command(assignment: str, out: Path, force: bool) -> None:
    """Write ASSIGNMENT as an otter-grader master notebook into OUT.

    OUT gets the master notebook for `otter assign`, the reference modules it
    is checked with, and starter/, the stub modules to hand out.

    Example: autograder export otter optimization --out build/optimization-otter
    """
    from autograder.notebooks.to_otter import export_otter

    click.echo(export_otter(assignment, out, force=force).describe())


def main() -> None:
    # Python's last garbage collections at exit walk all that pytest, NumPy and the graders allocated: 80 ms of a
    # 1 s `autograder grade`, for nothing (every file is written and closed by then). Frozen objects are skipped.
    atexit.register(gc.freeze)
    cli(prog_name="autograder")
