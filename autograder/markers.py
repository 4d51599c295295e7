"""Solution markers in the reference: find them strictly, and turn regions into TODO stubs.

A reference file marks each solution with nbgrader's markers, on lines of their own::

    def l2_gradient(W, lam):
        \"\"\"...the handout...\"\"\"
        ### BEGIN SOLUTION
        return lam * W
        ### END SOLUTION

Regions lie inside a function body and do not nest; anything else is a
``MarkerError`` naming the file and line. ``make_stub`` replaces each region
by a fenced TODO that raises ``NotImplementedError``, so the stub imports, its
docstrings stay, and calling an unfinished function says what is missing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import MarkerError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"

_WIDTH = 79  # the fence ends at column 79 whatever the indentation


@dataclass(frozen=True)
class SolutionRegion:
    """One solution region of a reference file."""

    begin: int
    """1-based line number of the ``### BEGIN SOLUTION`` line."""
    end: int
    """1-based line number of the ``### END SOLUTION`` line."""
    indent: str
    """The whitespace in front of the markers (the body's indentation)."""
    function: str
    """Qualified name of the function holding the region, e.g. ``"BatchNorm1d.forward"``."""


def find_regions(source: str, path: Path | str = "<source>") -> list[SolutionRegion]:
    """The solution regions of ``source``, in file order; ``MarkerError`` if malformed."""
    functions = _function_spans(source, path)
    regions: list[SolutionRegion] = []
    open_line: int | None = None
    open_indent = ""
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if "BEGIN SOLUTION" in text or "END SOLUTION" in text:
            if text not in (BEGIN, END):
                raise MarkerError(
                    f"{path}:{number}: malformed marker {text!r}; "
                    f"write exactly {BEGIN!r} or {END!r} on a line of its own"
                )
        if open_line is not None and text and text not in (BEGIN, END) and not line.startswith(open_indent):
            if not text.startswith("#"):
                raise MarkerError(
                    f"{path}:{number}: this line is indented less than the region opened at line "
                    f"{open_line}; close the region with {END!r} before the function ends"
                )
        if text == BEGIN:
            if open_line is not None:
                raise MarkerError(
                    f"{path}:{number}: {BEGIN!r} inside the region opened at line {open_line}; "
                    f"close that region with {END!r} first (regions do not nest)"
                )
            open_line = number
            open_indent = line[: len(line) - len(line.lstrip())]
        elif text == END:
            if open_line is None:
                raise MarkerError(f"{path}:{number}: {END!r} without a {BEGIN!r} before it")
            function = _enclosing_function(functions, open_line)
            if function is None:
                raise MarkerError(
                    f"{path}:{open_line}: solution region (lines {open_line}-{number}) is not inside "
                    "a function body; move it into the function the student writes"
                )
            regions.append(SolutionRegion(open_line, number, open_indent, function))
            open_line = None
    if open_line is not None:
        raise MarkerError(f"{path}:{open_line}: {BEGIN!r} is never closed; add {END!r} after the solution")
    return regions


def make_stub(source: str, path: Path | str = "<source>") -> str:
    """``source`` with every solution region replaced by a fenced TODO raising NotImplementedError."""
    lines = source.splitlines(keepends=True)
    module = Path(str(path)).name
    for region in reversed(find_regions(source, path)):
        lines[region.begin - 1 : region.end] = _todo_block(region, module)
    stub = "".join(lines)
    try:
        ast.parse(stub)
    except SyntaxError as exc:  # a region that was not a whole block of statements
        raise MarkerError(f"{path}: the stub is not valid Python ({exc}); check the regions' boundaries") from exc
    return stub


def strip_markers(source: str, path: Path | str = "<source>") -> str:
    """``source`` without its marker lines: the solution as a student would write it."""
    find_regions(source, path)  # validate
    return "".join(
        line for line in source.splitlines(keepends=True) if line.strip() not in (BEGIN, END)
    )


def solution_lines(source: str, path: Path | str = "<source>") -> list[str]:
    """The stripped, non-blank lines inside the regions (what must never reach a student)."""
    lines = source.splitlines()
    return [
        lines[i].strip()
        for region in find_regions(source, path)
        for i in range(region.begin, region.end - 1)
        if lines[i].strip()
    ]


def _todo_block(region: SolutionRegion, module: str) -> list[str]:
    pad = region.indent
    fence = f"{pad}{'#' * (_WIDTH - len(pad))}\n"
    footer = f"{pad}#{'END OF YOUR CODE':^{_WIDTH - len(pad) - 1}}".rstrip() + "\n"
    message = f"`{region.function}` in {module} is not implemented yet: fill in its TODO region."
    return [
        fence,
        f"{pad}# TODO: Implement `{region.function}` as its docstring describes.\n",
        fence,
        f"{pad}raise NotImplementedError({message!r})\n",
        fence,
        footer,
        fence,
    ]


def _function_spans(source: str, path: Path | str) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, innermost last."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise MarkerError(f"{path}:{exc.lineno}: not valid Python: {exc.msg}") from exc
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")

    visit(tree, "")
    return spans


def _enclosing_function(spans: list[tuple[int, int, str]], begin: int) -> str | None:
    # A function's last line is its last statement, so an END marker after it is
    # still inside; make_stub's final parse catches a region that leaks out.
    inside = [span for span in spans if span[0] < begin <= span[1]]
    if not inside:
        return None
    return max(inside, key=lambda span: span[0])[2]  # the innermost starts last
