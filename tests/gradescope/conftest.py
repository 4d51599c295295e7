"""Helpers for the Gradescope tests: a tiny course, unpacking a zip as Gradescope does, running its scripts."""

from __future__ import annotations

import os
import stat
import subprocess
import venv
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from autograder.gradescope.build import package_root
from autograder.gradescope.requirements import pinned_requirements

DUMMY_FILES = {
    "assignments/dummy/assignment.toml": 'modules = ["adder"]\n\n[points]\n"adder.add" = 2\n\n[limits]\nsubmission_seconds = 100\n',
    "assignments/dummy/mistakes.toml": "",
    "assignments/dummy/graders/test_adder.py": "def test_add():\n    pass\n",
    "assignments/dummy/graders/data/cases.json": "[]\n",
    "assignments/dummy/public_tests/test_adder.py": "def test_add():\n    pass\n",
    "assignments/dummy/examples/correct/adder.py": "def add(a, b):\n    return a + b\n",
    "assignments/dummy/graders/__pycache__/test_adder.cpython-311.pyc": "",
    "reference/dummy/adder.py": "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n",
    "tests/test_course.py": "def test_nothing():\n    pass\n",
}


@pytest.fixture
def dummy_course(tmp_path) -> Path:
    """A course with one assignment, ``dummy``, holding everything an assignment folder may hold."""
    root = tmp_path / "course"
    for name, text in DUMMY_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def unpack(zip_path: Path, folder: Path) -> Path:
    """Extract like unzip(1) does: files, then the Unix permissions stored in the zip."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, folder))
            mode = info.external_attr >> 16
            if mode:
                target.chmod(stat.S_IMODE(mode))
    return folder


@dataclass
class GradescopeRoot:
    """A folder laid out like Gradescope's /autograder."""

    root: Path
    python: str
    """The Python the scripts run with (AUTOGRADER_PYTHON)."""

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"

    def environment(self, **extra: str) -> dict[str, str]:
        """This environment without PYTHONPATH; the root and the Python in AUTOGRADER_ROOT and AUTOGRADER_PYTHON."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_") and k != "PYTHONPATH"}
        env["AUTOGRADER_ROOT"] = str(self.root)
        env["AUTOGRADER_PYTHON"] = self.python
        env.update(extra)
        return env

    def run(self, script: str, timeout: float = 900, **extra: str) -> subprocess.CompletedProcess:
        """Run ``source/<script>`` as Gradescope does, from the root folder."""
        return subprocess.run(
            [str(self.source / script)],
            cwd=self.root,
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture
def gradescope_root(tmp_path):
    """Unpack a zip under a fresh Gradescope-like root: ``make(zip_path, python) -> GradescopeRoot``."""

    def make(zip_path: Path, python: str | Path, name: str = "autograder") -> GradescopeRoot:
        layout = GradescopeRoot(tmp_path / name, str(python))
        unpack(zip_path, layout.source)
        layout.submission.mkdir(parents=True)
        return layout

    return make


@pytest.fixture(scope="session")
def make_image_python():
    """``make(folder) -> python``: see ``image_python``."""
    return lambda folder: image_python(folder, package_root() / "pyproject.toml")


@pytest.fixture(scope="session")
def image(tmp_path_factory, make_image_python) -> Path:
    """A Gradescope-like Python without the autograder package (run_autograder puts the zip's on PYTHONPATH)."""
    return make_image_python(tmp_path_factory.mktemp("image") / "venv")


def image_python(folder: Path, pyproject: Path) -> Path:
    """A Python laid out like the Gradescope image after setup.sh, built without network.

    A fresh virtual environment whose one site-packages holds exactly the
    distributions requirements.txt pins (linked from this environment), plus
    pip and setuptools, as a Gradescope image has. Nothing else: not the
    autograder package (setup.sh installs it), not torch. Returns its python.
    """
    venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    python = folder / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip())
    names = [line.split("==")[0] for line in pinned_requirements(pyproject) if "==" in line]
    for name in [*names, "pip", "setuptools"]:
        dist = metadata.distribution(name)
        tops = {Path(str(file)).parts[0] for file in dist.files or []}
        for top in sorted(tops):
            if top in ("..", "__pycache__") or top.endswith(".pth") or (site / top).exists():
                continue
            (site / top).symlink_to(dist.locate_file(top))
    return python
