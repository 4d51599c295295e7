"""A synthetic class: correct submissions in several styles, one-mistake ones, stubs and broken ones.

``simulate(assignment, n, out, seed)`` writes ``out/student-0001/ ...`` (one
folder of module files per student) and, beside it, ``<out>-manifest.json``
saying what each is (kept outside ``out`` so that ``grade-all`` sees only
submissions): ``{"kind": "correct" | "mistake" | "stub" | "broken", "style" | "mistake" | "problem": ...}``.
Correct styles are the reference and the correct corpus submissions under
``tests/corpus/<assignment>/correct_*`` when the course has them; mistakes come
from the assignment's catalogue.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from autograder.course import Assignment, course_root, load_assignment
from autograder.errors import OutputExistsError
from autograder.grading.mistakes import load_catalogue
from autograder.markers import make_stub, strip_markers

SHARES = (("correct", 0.4), ("mistake", 0.4), ("stub", 0.1), ("broken", 0.1))


def simulate(assignment_name: str, n: int, out: Path, *, seed: int = 0, force: bool = False) -> dict[str, dict]:
    """Write ``n`` submissions into ``out`` and return the manifest."""
    if n < 1:
        raise ValueError(f"n must be a positive number of submissions, got {n}")
    assignment = load_assignment(assignment_name)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise OutputExistsError(f"{out} exists and is not empty; choose another --out, or pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    reference = {m: strip_markers(assignment.reference_file(m).read_text(), assignment.reference_file(m)) for m in assignment.modules}
    styles = _styles(assignment)
    catalogue = load_catalogue(assignment)
    manifest = {}
    for index in range(1, n + 1):
        student = f"student-{index:04d}"
        kind = rng.choices([k for k, _ in SHARES], weights=[w for _, w in SHARES])[0]
        modules = dict(reference)
        if kind == "correct":
            style = rng.choice(sorted(styles))
            modules.update(styles[style])
            entry = {"kind": "correct", "style": style}
        elif kind == "mistake":
            mistake = rng.choice(catalogue)
            modules[mistake.module] = strip_markers(mistake.patched_source(assignment))
            entry = {"kind": "mistake", "mistake": mistake.id, "item": mistake.item}
        elif kind == "stub":
            modules = {m: make_stub(assignment.reference_file(m).read_text(), assignment.reference_file(m)) for m in assignment.modules}
            entry = {"kind": "stub"}
        else:
            victim = rng.choice(assignment.modules)
            problem = rng.choice(["syntax error", "missing module"])
            if problem == "syntax error":
                modules[victim] = modules[victim] + "\ndef broken(:\n"
            else:
                del modules[victim]
            entry = {"kind": "broken", "problem": problem, "module": victim}
        folder = out / student
        folder.mkdir()
        for module, source in modules.items():
            (folder / f"{module}.py").write_text(source, encoding="utf-8")
        manifest[student] = entry
    (out.parent / f"{out.name}-manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def _styles(assignment: Assignment) -> dict[str, dict[str, str]]:
    styles = {"reference": {}}
    corpus = course_root() / "tests" / "corpus" / assignment.name
    for folder in sorted(corpus.glob("correct_*")) if corpus.is_dir() else []:
        styles[folder.name.removeprefix("correct_")] = {p.stem: p.read_text() for p in folder.glob("*.py")}
    return styles
