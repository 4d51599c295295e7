"""A few tricks of the corpus through the real autograder zip, run as Gradescope runs it (``run_autograder``).

The layout is simulated under a temporary root standing for ``/autograder``
(see ``tests/gradescope/``): the zip unpacked into ``source/``, the
submission's files in ``submission/``, ``setup.sh`` run once for the module's
Gradescope-like Python, then ``run_autograder`` per trick, which runs the
grader as ``python -m autograder grade ... --out <root>/results/results.json``.
The payloads are told the layout (a student knows Gradescope's), so they aim
at that results path and the unpacked graders and reference.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from autograder.gradescope.build import build_autograder_zip
from autograder.gradescope.schema import validate_results_file

from .tricks import ASSIGNMENT, MODULES, Context, by_name


def _gradescope_helpers():
    """``tests/gradescope/conftest.py`` as a plain module (its image builder, its unzip, its layout record)."""
    path = Path(__file__).resolve().parent.parent / "gradescope" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_gradescope_test_helpers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


helpers = _gradescope_helpers()

GRADESCOPE_TRICKS = ["fake_results_printed", "write_results_json_everywhere", "read_grader_cmdline", "detached_daemon",
                     "os_exit_at_import", "lying_float_subclass"]


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory, subreaper):
    """(zip, python): the autograder zip and a Gradescope-like Python that setup.sh has prepared."""
    folder = tmp_path_factory.mktemp("gradescope-adversarial")
    zip_path = build_autograder_zip(ASSIGNMENT, folder / "autograder.zip")
    python = helpers.image_python(folder / "image", helpers.package_root() / "pyproject.toml")
    layout = _layout(folder / "setup-root", zip_path, python)
    setup = layout.run("setup.sh", AUTOGRADER_OFFLINE="1")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return zip_path, python


def _layout(root: Path, zip_path: Path, python) -> "helpers.GradescopeRoot":
    layout = helpers.GradescopeRoot(root, str(python))
    helpers.unpack(zip_path, layout.source)
    layout.submission.mkdir(parents=True)
    return layout


@pytest.mark.parametrize("name", GRADESCOPE_TRICKS)
def test_trick_under_run_autograder_earns_nothing_and_leaves_nothing(name, tmp_path, gradescope, guard, baseline):
    trick = by_name(name)
    layout = _layout(tmp_path / "autograder", *gradescope)
    known = [str(layout.root), str(layout.source), str(layout.root / "results")]
    built = trick.build(tmp_path / "built", Context(guard.token, layout.source, known))
    for path in built.iterdir():
        shutil.copyfile(path, layout.submission / path.name)
    try:
        run = layout.run("run_autograder", timeout=300, TMPDIR=str(guard.scratch))
        results_text = layout.results.read_text() if layout.results.exists() else ""
        _check_results(guard, trick, layout, run, results_text, baseline)
    finally:
        guard.check_and_clean(extra_places=[layout.root])
    assert not guard.problems, f"{name} under run_autograder:\n- " + "\n- ".join(guard.problems)


def _check_results(guard, trick, layout, run, text, baseline) -> None:
    problems = guard.problems
    try:
        results = validate_results_file(layout.results)
    except Exception as exc:  # whatever makes it invalid is the finding
        problems.append(f"results.json is not valid: {exc}; run_autograder printed {run.stdout[-300:]!r}")
        return
    if guard.token in text:
        problems.append(f"results.json holds what the submission wrote: {text[:200]!r}")
    extra = results.get("extra_data", {})
    if extra.get("grader_error") or "autograder_failure" in extra:
        problems.append(f"grading failed: {results.get('output', '')[-300:]!r}; {run.stderr[-300:]!r}")
    scores = defaultdict(float)
    for item, (score, _) in extra.get("items", {}).items():
        scores[item.split(".")[0]] += score
    for module in MODULES:
        if module in trick.attacks and scores[module] > baseline.stub[module] + 1e-9:
            problems.append(f"{module} scored {scores[module]} > the stub's {baseline.stub[module]}")
        elif module not in trick.attacks and abs(scores[module] - baseline.correct[module]) > 1e-6:
            problems.append(f"the untouched module {module} scored {scores[module]} instead of {baseline.correct[module]}")
    if results.get("score", 0) > sum(baseline.stub[m] if m in trick.attacks else baseline.correct[m] for m in MODULES) + 1e-9:
        problems.append(f"the total score {results['score']} is more than the stub's module with the others correct")
    if f"LEAK-{guard.token}" in json.dumps(results):
        leak = text[text.index(f"LEAK-{guard.token}"):][:300]
        problems.append(f"the submission reports success: {leak!r}")
    left = sorted(p.name for p in (layout.root / "results").iterdir())
    if left != ["results.json"]:
        problems.append(f"results/ holds {left}, not results.json alone")
