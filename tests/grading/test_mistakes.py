"""The catalogue of known mistakes: validation with messages naming the entry, patched variants, diagnosis."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import MISTAKES, make_course

from autograder.course import load_assignment
from autograder.errors import AutograderError
from autograder.grading.checks import is_close
from autograder.grading.mistakes import diagnose, load_catalogue
from autograder.grading.submission import Submission


@pytest.fixture
def catalogue_path(tmp_path, monkeypatch):
    root = make_course(tmp_path / "course")
    monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(root))
    return root / "assignments" / "tiny" / "mistakes.toml"


def _load(path, text):
    path.write_text(text)
    return load_catalogue(load_assignment("tiny"))


def test_an_entry_lacking_a_field_is_refused_naming_the_entry_and_the_fields(catalogue_path):
    with pytest.raises(AutograderError) as error:
        _load(catalogue_path, MISTAKES.replace('hint = "You multiply by three."\n', ""))
    assert str(error.value) == (
        f"{catalogue_path}: mistake #1 (triple) lacks hint; every entry needs id, item, module, hint, replace, with"
    )


def test_an_item_not_in_points_is_refused(catalogue_path):
    with pytest.raises(AutograderError, match=r"mistake #1 \(triple\): item 'tiny.quadruple' is not in \[points\] of .*assignment.toml"):
        _load(catalogue_path, MISTAKES.replace('item = "tiny.double"', 'item = "tiny.quadruple"'))


def test_a_replace_missing_from_the_reference_is_refused(catalogue_path):
    with pytest.raises(AutograderError, match=r"mistake #1 \(triple\): `replace` occurs 0 times in .*tiny.py; it must occur exactly once"):
        _load(catalogue_path, MISTAKES.replace('replace = "secret_factor = 2"', 'replace = "secret_factor = 7"'))


def test_a_replace_occurring_twice_is_refused(catalogue_path):
    with pytest.raises(AutograderError, match=r"`replace` occurs 2 times in .*tiny.py; it must occur exactly once \(quote more of the line\)"):
        _load(catalogue_path, MISTAKES.replace('replace = "secret_factor = 2"', 'replace = "### END SOLUTION"'))


def test_a_patch_that_breaks_the_syntax_is_refused(catalogue_path):
    with pytest.raises(AutograderError, match=r"mistake #1 \(triple\): the patched tiny.py is not valid Python .*; fix `with`"):
        _load(catalogue_path, MISTAKES.replace('with = "secret_factor = 3"', 'with = "secret_factor = = 3"'))


def test_an_empty_with_deletes_the_snippet(catalogue_path):
    text = MISTAKES.replace('replace = "secret_factor = 2"', 'replace = " x / 2"').replace('with = "secret_factor = 3"', 'with = ""')
    (mistake,) = _load(catalogue_path, text.replace('item = "tiny.double"', 'item = "tiny.half"'))
    assert mistake.load(load_assignment("tiny")).half(4.0) is None


def test_the_variant_is_the_reference_with_the_one_change(catalogue_path):
    (mistake,) = _load(catalogue_path, MISTAKES)
    assert mistake.load(load_assignment("tiny")).double(2.0) == 6.0


def test_diagnose_names_the_mistake_whose_variant_gives_the_students_output(catalogue_path):
    assignment = load_assignment("tiny")
    (mistake,) = _load(catalogue_path, MISTAKES)
    variant = lambda m: Submission.from_modules({"tiny": m.load(assignment)})  # noqa: E731
    driver = lambda s: s.call("tiny.double", np.array([1.0, 2.0]))  # noqa: E731
    same = lambda a, b: is_close(a, b, rtol=1e-12, atol=0)  # noqa: E731
    assert diagnose(np.array([3.0, 6.0]), driver, [mistake], variant, same) is mistake
    assert diagnose(np.array([5.0, 10.0]), driver, [mistake], variant, same) is None
