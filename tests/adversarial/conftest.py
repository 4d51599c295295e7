"""Fixtures of the adversarial corpus: a subreaper test process, baseline scores, and a guard per trick.

The test process makes itself a child subreaper, so that no process a
submission starts can leave its subtree (a setsid or double-forked daemon is
re-parented to it, not to init); ``descendants(os.getpid())`` then sees them
all. The guard of a trick grades it, then checks and cleans: processes left,
files left wherever a payload may write (``payloads.PRELUDE``), the grader's
own temporary folders, memory used.

``ADVERSARIAL_SANDBOX=fallback`` in the environment grades every local trick
as on a host where the worker cannot have namespaces (a container without
CAP_SYS_ADMIN), to see what the fallback confinement holds.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from autograder.course import course_root
from autograder.grading.results import SubmissionGrade, TestOutcome
from autograder.grading.runner import grade
from autograder.sandbox.client import Limits
from autograder.sandbox import jail
from autograder.sandbox.jail import descendants, proc_stat

from .tricks import ASSIGNMENT, EXAMPLES, MODULES, Context, Trick, copy_course, snapshot

PR_SET_CHILD_SUBREAPER = 36
MEMORY_MIB = 1024
CHILD_SECONDS = 300
"""Wall-time limit of a grading run in a child process (``Guard.grade_in_child``)."""


def limits(call_seconds: float = 2.0) -> Limits:
    return Limits(call_seconds=call_seconds, cpu_seconds=20, memory_mib=MEMORY_MIB)


def module_scores(result: SubmissionGrade) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for test in result.tests:
        scores[test.item.split(".")[0]] += test.score
    return {m: round(scores[m], 4) for m in MODULES}


@dataclasses.dataclass(frozen=True)
class Baseline:
    stub: dict[str, float]
    """Points per module of the untouched stub."""
    correct: dict[str, float]
    """Points per module of the correct example."""


@pytest.fixture(scope="session")
def subreaper():
    """This process adopts every orphan of its subtree; zombies it adopted are reaped at the end."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.fail(f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}")
    yield
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    reap_zombies()


@pytest.fixture(scope="session", autouse=True)
def sandbox_level():
    """The confinement the workers get: the host's best, or the fallback with ADVERSARIAL_SANDBOX=fallback."""
    level = os.environ.get("ADVERSARIAL_SANDBOX", "")
    if level not in ("", "fallback"):
        pytest.fail(f"ADVERSARIAL_SANDBOX must be 'fallback' or unset, got {level!r}")
    patch = pytest.MonkeyPatch()
    if level == "fallback":
        patch.setattr(jail, "namespaces_available", lambda: False)
    yield level or "best"
    patch.undo()


@pytest.fixture(scope="session")
def baseline(subreaper) -> Baseline:
    """The stub's and the correct example's points per module, graded once."""
    stub = grade(ASSIGNMENT, EXAMPLES / "stub", limits=limits())
    correct = grade(ASSIGNMENT, EXAMPLES / "correct", limits=limits())
    assert not stub.grader_error and not correct.grader_error, stub.output + correct.output
    assert correct.score == correct.max_score > 0, "the correct example should get full marks"
    return Baseline(module_scores(stub), module_scores(correct))


def reap_zombies() -> None:
    """Wait for exited children this process adopted (subprocess waits for its own)."""
    for pid in list_children(os.getpid()):
        stat = proc_stat(pid)
        if stat and stat[0] == b"Z":
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def list_children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def processes_with(token: str) -> list[int]:
    """Every process on the machine whose command line holds ``token``."""
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid() and token in cmdline(int(p))]


class Guard:
    """Grades one trick, then finds (and removes) whatever it left behind."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.token = f"PWNED-{uuid.uuid4().hex[:16]}"
        self.tmp_path = tmp_path
        self.problems: list[str] = []
        # The grader's temporary folders go into a folder of their own, to check it leaves none behind.
        # Readable and traversable by others, as /tmp is, so that a worker running as nobody behaves as usual.
        self.scratch = Path(tempfile.mkdtemp(prefix="adversarial-grader-tmp-"))
        self.scratch.chmod(0o711)
        monkeypatch.setattr(tempfile, "tempdir", str(self.scratch))
        self.course = course_root()
        self.monkeypatch = monkeypatch
        self.home = Path(os.path.expanduser("~"))
        self.cwd = Path.cwd()
        self._course_before: dict | None = None
        self._maxrss_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    # --- building and grading ------------------------------------------------------------------------

    def context(self, trick: Trick) -> Context:
        if trick.course_copy:
            self.course = copy_course(self.tmp_path / f"course-{self.token}")
            self.monkeypatch.setenv("AUTOGRADER_COURSE_ROOT", str(self.course))
            self._course_before = snapshot(self.course)
            known = [str(self.course)]  # never the repository itself: this trick deletes what it finds
        else:
            known = [str(self.course), str(self.cwd), str(self.cwd.parent), str(self.home)]
        return Context(self.token, self.course, sorted(set(known)))

    def grade(self, trick: Trick, path: Path) -> SubmissionGrade | None:
        if not trick.own_process:
            return grade(ASSIGNMENT, path, limits=limits(trick.call_seconds))
        return self.grade_in_child(path, trick.call_seconds)

    def grade_in_child(self, path: Path, call_seconds: float = 2.0, isolated: bool = True) -> SubmissionGrade | None:
        """Grade in a child process of its own session; None (and a problem) if that process was killed or hung.

        ``isolated=False`` runs the student's code in that child itself, as an
        unsandboxed grader would; where the host allows namespaces, the child
        gets a PID namespace and ``/proc`` of its own, so that the payloads see
        the grading processes, as they would on a grading host, and not
        whatever else this machine runs.
        """
        script = (
            "import dataclasses, faulthandler, json, os, sys\n"
            f"faulthandler.dump_traceback_later({CHILD_SECONDS - 10}, exit=False)  # where it hangs, should it\n"
            "from autograder.grading.runner import grade\n"
            "from autograder.sandbox import jail\n"
            "from autograder.sandbox.client import Limits\n"
            "if os.environ.get('ADVERSARIAL_SANDBOX') == 'fallback':\n"
            "    jail.namespaces_available = lambda: False\n"
            "r = grade(sys.argv[1], sys.argv[2], limits=Limits(**json.loads(sys.argv[3])), isolated=sys.argv[4] == 'isolated')\n"
            "print('\\nRESULT ' + json.dumps(dataclasses.asdict(r)))\n"
        )
        env = {**os.environ, "TMPDIR": str(self.scratch)}
        lim = json.dumps(dataclasses.asdict(limits(call_seconds)))
        command = [sys.executable, "-c", script, ASSIGNMENT, str(path), lim, "isolated" if isolated else "in-process"]
        if not isolated and jail.namespaces_available():
            command = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", *command]
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CHILD_SECONDS,
                                  start_new_session=True)
        except subprocess.TimeoutExpired as hung:
            stderr = hung.stderr.decode(errors="replace") if isinstance(hung.stderr, bytes) else hung.stderr or ""
            self.problems.append(f"the grading process did not end within {CHILD_SECONDS} s; stderr: {stderr[-3000:]}")
            return None
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            self.problems.append(f"the grading process ended with status {done.returncode} before writing a grade: "
                                 f"the submission killed the grader. stderr: {done.stderr[-300:]!r}")
            return None
        data = json.loads(lines[-1][len("RESULT "):])
        data["tests"] = [TestOutcome(**t) for t in data["tests"]]
        return SubmissionGrade(**data)

    # --- checks ---------------------------------------------------------------------------------------

    def check_grade(self, trick: Trick, result: SubmissionGrade, baseline: Baseline) -> None:
        if result.grader_error:
            self.problems.append(f"grader_error is set: {result.output[-400:]!r}; details: {result.details[-400:]!r}")
        scores = module_scores(result)
        for module in MODULES:
            if module in trick.attacks and scores[module] > baseline.stub[module] + 1e-9:
                earned = [t.name for t in result.tests if t.passed and t.item.startswith(module + ".")]
                self.problems.append(f"{module} scored {scores[module]} > the stub's {baseline.stub[module]}: {earned[:4]}")
            elif module not in trick.attacks and abs(scores[module] - baseline.correct[module]) > 1e-6:
                failed = [f"{t.name}: {t.feedback[:160]}" for t in result.tests if t.item.startswith(module + ".") and not t.passed]
                self.problems.append(f"the untouched module {module} scored {scores[module]} instead of {baseline.correct[module]}; "
                                     f"first failures: {failed[:2]}")
        texts = [result.output] + [t.feedback for t in result.tests]
        leaks = sorted({text[text.index(f"LEAK-{self.token}"):][:300] for text in texts if f"LEAK-{self.token}" in text})
        if leaks:
            self.problems.append(f"the submission reports success: {leaks[:3]}")
        if trick.note and trick.note not in result.output:
            self.problems.append(f"the output should tell the student {trick.note!r}; it is {result.output[:300]!r}")
        if len(result.output) > 100_000 or any(len(t.feedback) > 20_000 for t in result.tests):
            self.problems.append(f"the feedback is not capped: output of {len(result.output)} characters")

    def check_and_clean(self, extra_places: list[Path] = ()) -> None:
        """Processes, files, temporary folders, memory and the course: report, then remove what was left."""
        self._check_processes()
        found = self._stray_files(extra_places)
        time.sleep(0.1)  # a daemon still alive would write again
        found |= self._stray_files(extra_places)
        if found:
            self.problems.append(f"files left outside the submission's folder: {sorted(map(str, found))[:8]}")
        for path in found:
            _remove(path)
        left = list(self.scratch.iterdir()) if self.scratch.exists() else []
        if left:
            self.problems.append(f"the grader left its temporary folders behind: {[p.name for p in left][:5]}")
        shutil.rmtree(self.scratch, ignore_errors=True)
        maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        if maxrss > MEMORY_MIB * 1.25 and self._maxrss_before // 1024 <= MEMORY_MIB * 1.25:
            self.problems.append(f"a worker used {maxrss} MiB of memory, though the limit is {MEMORY_MIB} MiB")
        if self._course_before is not None and snapshot(self.course) != self._course_before:
            self.problems.append("files of the course (graders, reference, configuration) were changed or deleted")

    def _check_processes(self) -> None:
        deadline = time.monotonic() + 2.0
        while True:
            reap_zombies()
            left = sorted(set(descendants(os.getpid())) | set(processes_with(self.token)))
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # a worker being killed right now
        if left:
            self.problems.append(f"processes still running after grading: {[(p, cmdline(p)[:120]) for p in left][:5]}")
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
            reap_zombies()

    def _stray_files(self, extra_places: list[Path]) -> set[Path]:
        """Files or folders named with the token, and results.json files holding it, wherever a payload writes."""
        shallow = [Path(p) for p in ("/", "/tmp", "/var/tmp", "/dev/shm", "/root", "/autograder", "/autograder/results")]
        shallow += [self.home, self.cwd, self.cwd.parent, self.course, self.course / "results", *extra_places]
        deep = [Path("/tmp"), self.course, *extra_places]
        found: set[Path] = set()
        for place in shallow:
            found |= self._marked(place, depth=1)
        for place in deep:
            found |= self._marked(place, depth=3)
        watched = [*extra_places] + ([self.course] if self.course != course_root() else [])
        return {p for p in found if not _inside(p, self.tmp_path) or any(_inside(p, w) for w in watched)}

    def _marked(self, folder: Path, depth: int) -> set[Path]:
        found: set[Path] = set()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return found
        for entry in entries:
            path = Path(entry.path)
            if self.token in entry.name:
                found.add(path)
            elif entry.name == "results.json":
                try:
                    if self.token in path.read_text(errors="replace")[:100_000]:
                        found.add(path)
                except OSError:
                    pass
            elif depth > 1 and entry.is_dir(follow_symlinks=False) and entry.name not in (".git", ".venv", "node_modules"):
                found |= self._marked(path, depth - 1)
        return found

def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


@pytest.fixture
def guard(tmp_path, monkeypatch, subreaper) -> Guard:
    g = Guard(tmp_path, monkeypatch)
    yield g
    shutil.rmtree(g.scratch, ignore_errors=True)
