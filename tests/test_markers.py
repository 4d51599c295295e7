"""Solution markers: strict parsing and stub generation (autograder.markers)."""

from __future__ import annotations

import pytest

from autograder.errors import MarkerError
from autograder.markers import find_regions, make_stub, solution_lines, strip_markers

REFERENCE = '''\
import numpy as np


def double(x):
    """Twice ``x``."""
    ### BEGIN SOLUTION
    y = 2 * np.asarray(x)
    return y
    ### END SOLUTION


class Counter:
    def step(self):
        """Count one step."""
        ### BEGIN SOLUTION
        self.t += 1
        ### END SOLUTION
'''


def _run(stub: str, call: str):
    namespace: dict = {}
    exec(compile(stub, "example.py", "exec"), namespace)
    return eval(call, namespace)


def test_find_regions_names_the_enclosing_function():
    assert [r.function for r in find_regions(REFERENCE)] == ["double", "Counter.step"]


def test_find_regions_reports_lines_and_indentation():
    first = find_regions(REFERENCE)[0]
    assert (first.begin, first.end, first.indent) == (6, 9, "    ")


def test_stub_raises_not_implemented_naming_the_function_and_file():
    stub = make_stub(REFERENCE, "example.py")
    with pytest.raises(NotImplementedError, match=r"`double` in example.py is not implemented yet"):
        _run(stub, "double(3)")


def test_stub_keeps_docstrings_and_drops_the_solution():
    stub = make_stub(REFERENCE, "example.py")
    assert '"""Twice ``x``."""' in stub and '"""Count one step."""' in stub
    assert "2 * np.asarray(x)" not in stub and "self.t += 1" not in stub


def test_stub_fences_the_todo_region():
    stub = make_stub(REFERENCE, "example.py")
    assert "# TODO: Implement `Counter.step` as its docstring describes." in stub
    assert stub.count("END OF YOUR CODE") == 2


def test_strip_markers_leaves_working_solution_code():
    assert _run(strip_markers(REFERENCE), "double(3)") == 6


def test_solution_lines_lists_the_code_inside_regions():
    assert solution_lines(REFERENCE) == ["y = 2 * np.asarray(x)", "return y", "self.t += 1"]


def test_nested_begin_is_rejected_with_file_and_line():
    source = REFERENCE.replace("    y = 2", "    ### BEGIN SOLUTION\n    y = 2")
    with pytest.raises(MarkerError, match=r"^ref.py:7: '### BEGIN SOLUTION' inside the region opened at line 6"):
        find_regions(source, "ref.py")


def test_unclosed_begin_is_rejected_with_its_line():
    source = REFERENCE.replace("        ### END SOLUTION\n", "")
    with pytest.raises(MarkerError, match=r"^ref.py:15: '### BEGIN SOLUTION' is never closed"):
        find_regions(source, "ref.py")


def test_end_without_begin_is_rejected_with_its_line():
    source = REFERENCE.replace("    ### BEGIN SOLUTION\n    y = 2", "    y = 2")
    with pytest.raises(MarkerError, match=r"^ref.py:8: '### END SOLUTION' without a '### BEGIN SOLUTION'"):
        find_regions(source, "ref.py")


def test_misspelt_marker_is_rejected():
    source = REFERENCE.replace("    ### END SOLUTION\n\n\nclass", "    ## END SOLUTION\n\n\nclass")
    with pytest.raises(MarkerError, match=r"^ref.py:9: malformed marker '## END SOLUTION'"):
        find_regions(source, "ref.py")


def test_region_outside_a_function_is_rejected():
    source = "### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n"
    with pytest.raises(MarkerError, match=r"^ref.py:1: solution region \(lines 1-3\) is not inside a function"):
        find_regions(source, "ref.py")


def test_region_that_leaks_out_of_its_block_is_rejected():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n\nX = 2\n    ### END SOLUTION\n"
    with pytest.raises(MarkerError, match=r"^ref.py:5: this line is indented less than the region opened at line 2"):
        find_regions(source, "ref.py")
