"""The command line: ``autograder <command>`` (also ``python -m autograder <command>``).

This layer only parses options and forwards to the library; library errors
(``AutograderError``) become one ``Error: ...`` line and exit status 2.
"""

from __future__ import annotations

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


def main() -> None:
    cli(prog_name="autograder")
