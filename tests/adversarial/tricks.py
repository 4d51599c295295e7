"""The adversarial corpus of issue 5: one malicious (or broken) submission per trick.

Every submission is for the ``optimization`` assignment and attacks one
module (``Trick.attacks``): that module is the untouched stub with a payload of
``payloads.py`` appended, or a broken file, and the other modules are the
correct example's, so a test can check both that the attacked module earns no
more than the stub and that the other modules keep their points. A few tricks
attack several modules at once (a zip of symlinks, a folder symlink).

``build(folder, context)`` writes the submission under ``folder`` and returns
the path to grade (the folder, or a zip beside it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.course import course_root

from . import payloads as p

ASSIGNMENT = "optimization"
MODULES = ["optimizers", "schedules", "early_stopping"]
EXAMPLES = course_root() / "assignments" / ASSIGNMENT / "examples"


@dataclass(frozen=True)
class Context:
    """What a submission is built with."""

    token: str
    """``PWNED-<hex>``: in the name or content of everything a payload writes."""
    course: Path
    """The course root the grader uses (a throwaway copy for tricks that delete files)."""
    known: list[str] = field(default_factory=list)
    """Folders a student could know or guess: the course root, the grader's working directory, HOME."""


@dataclass(frozen=True)
class Trick:
    """One malicious or broken submission."""

    name: str
    attacks: tuple[str, ...]
    """The modules it replaces; the others are the correct example's."""
    build: Callable[[Path, Context], Path]
    call_seconds: float = 2.0
    """Per-call limit to grade it with: 1 s for tricks that hang every test of their module."""
    course_copy: bool = False
    """Grade against a throwaway copy of the course: the trick tries to delete files of it."""
    own_process: bool = False
    """Grade in a child process: the trick kills its parent, which without a sandbox is the grader."""
    note: str = ""
    """Text the grade's output must hold: what submission preparation tells the student."""


def render(code: str, module: str, context: Context) -> str:
    return (code.replace("@TOKEN@", context.token).replace("@KNOWN@", json.dumps(context.known))
            .replace("@ASSIGNMENT@", ASSIGNMENT).replace("@MODULE@", module))


def _correct_except(folder: Path, *modules: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for other in MODULES:
        if other not in modules:
            shutil.copyfile(EXAMPLES / "correct" / f"{other}.py", folder / f"{other}.py")
    return folder


def malicious(modules: tuple[str], payload: str, prelude: bool = True) -> Callable[[Path, Context], Path]:
    """The stub of the module with ``payload`` appended (after the prelude of helpers); the other modules correct."""
    (module,) = modules

    def build(folder: Path, context: Context) -> Path:
        _correct_except(folder, module)
        stub = (EXAMPLES / "stub" / f"{module}.py").read_text()
        code = stub + "\n\n" + (p.PRELUDE if prelude else "") + payload
        (folder / f"{module}.py").write_text(render(code, module, context))
        return folder

    return build


def raw(modules: tuple[str], content: Callable[[Context], bytes | str]) -> Callable[[Path, Context], Path]:
    """The module replaced by ``content`` (bytes or text); the other modules correct."""
    (module,) = modules

    def build(folder: Path, context: Context) -> Path:
        _correct_except(folder, module)
        data = content(context)
        (folder / f"{module}.py").write_bytes(data if isinstance(data, bytes) else data.encode())
        return folder

    return build


# --- ordinary broken submissions ------------------------------------------------------------------------


def _missing(folder: Path, context: Context) -> Path:
    return _correct_except(folder, "schedules")


def _wrong_names(context: Context) -> str:
    """The correct schedules, every function renamed to camelCase (stepDecay, ...)."""
    text = (EXAMPLES / "correct" / "schedules.py").read_text()
    camel = lambda m: re.sub(r"_([a-z])", lambda c: c.group(1).upper(), m.group(0))  # noqa: E731
    return re.sub(r"\b(step_decay|cosine_annealing|linear_warmup|warmup_cosine)\b", camel, text)


def _binary(context: Context) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64


def _latin1(context: Context) -> bytes:
    """The correct module with a Latin-1 comment and no coding line (``python early_stopping.py`` refuses to run it)."""
    return ("# Abgabe von Zoë Müller\n" + (EXAMPLES / "correct" / "early_stopping.py").read_text()).encode("latin-1")


def _hundred_mb(context: Context) -> bytes:
    return (EXAMPLES / "stub" / "schedules.py").read_bytes() + b"\n#" + b"x" * (100 * 2**20) + b"\n"


def _zip_unsafe(folder: Path, context: Context) -> Path:
    """A zip whose schedules.py comes only under absolute, '..' and Windows-style paths (a zip slip)."""
    archive = folder.parent / "submission.zip"
    code = render(p.PRELUDE + p.WRITE_RESULTS_JSON, "schedules", context)
    t = context.token
    with zipfile.ZipFile(archive, "w") as z:
        for other in ("optimizers", "early_stopping"):
            z.write(EXAMPLES / "correct" / f"{other}.py", f"{other}.py")
        for name in (f"/tmp/{t}-abs/schedules.py", f"/tmp/{t}-abs.py", f"../../../../../../tmp/{t}-dotdot/schedules.py",
                     f"../../{t}-dotdot.py", f"hw/../../../{t}-inner/schedules.py", f"..\\..\\{t}-win\\schedules.py",
                     f"C:/{t}-drive/schedules.py", "../schedules.py", "/schedules.py"):
            z.writestr(name, code)
    return archive


def _symlink(target: Callable[[Context], Path]) -> Callable[[Path, Context], Path]:
    def build(folder: Path, context: Context) -> Path:
        _correct_except(folder, "schedules")
        (folder / "schedules.py").symlink_to(target(context))
        return folder

    return build


def _folder_symlink_to_reference(folder: Path, context: Context) -> Path:
    """The submission is one sub-folder, a symlink to the reference folder (graders follow one sub-folder)."""
    folder.mkdir(parents=True)
    (folder / "my-work").symlink_to(context.course / "reference" / ASSIGNMENT, target_is_directory=True)
    return folder


def _zip_symlinks(folder: Path, context: Context) -> Path:
    """A zip whose schedules.py and early_stopping.py are symlink entries: to the reference and to /etc/passwd."""
    archive = folder.parent / "submission.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(EXAMPLES / "correct" / "optimizers.py", "optimizers.py")
        for name, target in (("schedules.py", context.course / "reference" / ASSIGNMENT / "schedules.py"),
                             ("early_stopping.py", Path("/etc/passwd"))):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, str(target))
    return archive


def _reference_file(context: Context) -> Path:
    return context.course / "reference" / ASSIGNMENT / "schedules.py"


ES, SCH, OPT = ("early_stopping",), ("schedules",), ("optimizers",)

TRICKS = [
    # What the grader reads: output and results files.
    Trick("fake_results_printed", ES, malicious(ES, p.FAKE_RESULTS_PRINTED)),
    Trick("flood_output_120_mib", ES, malicious(ES, p.FLOOD_OUTPUT)),
    Trick("write_results_json_everywhere", ES, malicious(ES, p.WRITE_RESULTS_JSON)),
    Trick("read_grader_cmdline", SCH, malicious(SCH, p.READ_GRADER_CMDLINE)),
    Trick("detached_daemon", ES, malicious(ES, p.DAEMON)),
    # What the grader compares with.
    Trick("patch_numpy_pytest_json", SCH, malicious(SCH, p.PATCH_NUMPY_PYTEST_JSON)),
    Trick("lying_float_subclass", SCH, malicious(SCH, p.LYING_FLOAT)),
    Trick("lying_ndarray_subclass", OPT, malicious(OPT, p.LYING_NDARRAY)),
    Trick("frames_and_gc", SCH, malicious(SCH, p.FRAMES_AND_GC)),
    Trick("reduce_payloads", SCH, malicious(SCH, p.REDUCE_PAYLOADS)),
    # What the grader keeps secret.
    Trick("import_reference", SCH, malicious(SCH, p.IMPORT_REFERENCE)),
    Trick("read_reference_by_path", SCH, malicious(SCH, p.READ_REFERENCE_BY_PATH)),
    Trick("find_reference_by_scan", SCH, malicious(SCH, p.FIND_REFERENCE_BY_SCAN)),
    Trick("read_hidden_tests", SCH, malicious(SCH, p.READ_HIDDEN_TESTS)),
    Trick("delete_test_files", ES, malicious(ES, p.DELETE_TEST_FILES), course_copy=True),
    # Ending, hanging or exhausting the worker, or the grader.
    Trick("sys_exit_at_import", ES, malicious(ES, p.SYS_EXIT)),
    Trick("sys_exit_in_call", SCH, malicious(SCH, p.in_call(p.SYS_EXIT))),
    Trick("os_exit_at_import", ES, malicious(ES, p.OS_EXIT)),
    Trick("os_exit_in_call", SCH, malicious(SCH, p.in_call(p.OS_EXIT))),
    Trick("loop_ignoring_sigterm_at_import", ES, malicious(ES, p.LOOP_IGNORING_SIGTERM), call_seconds=1.0),
    Trick("loop_ignoring_sigterm_in_call", SCH, malicious(SCH, p.in_call(p.LOOP_IGNORING_SIGTERM)), call_seconds=1.0),
    Trick("allocate_tens_of_gib_at_import", ES, malicious(ES, p.ALLOCATE_TENS_OF_GIB)),
    Trick("allocate_tens_of_gib_in_call", SCH, malicious(SCH, p.in_call(p.ALLOCATE_TENS_OF_GIB))),
    Trick("thread_blocks_exit", ES, malicious(ES, p.THREAD_BLOCKS_EXIT)),
    Trick("kill_parent_in_call", SCH, malicious(SCH, p.in_call(p.KILL_PARENT)), own_process=True),
    # Ordinary broken submissions.
    Trick("syntax_error", ES, malicious(ES, "\ndef (:\n", prelude=False)),
    Trick("missing_module", SCH, _missing, note="Not found in the submission: schedules.py."),
    Trick("wrong_names", SCH, raw(SCH, _wrong_names)),
    Trick("binary_file_named_py", ES, raw(ES, _binary), note="early_stopping.py is not a text file"),
    Trick("latin1_file_without_coding_line", ES, raw(ES, _latin1), note="early_stopping.py is not UTF-8 text"),
    Trick("file_of_100_mb", SCH, raw(SCH, _hundred_mb), note="schedules.py is larger than"),
    Trick("zip_with_absolute_and_dotdot_paths", SCH, _zip_unsafe, note="have an unsafe path"),
    Trick("symlink_to_etc_passwd", SCH, _symlink(lambda c: Path("/etc/passwd")), note="schedules.py is a symbolic link"),
    Trick("symlink_to_reference", SCH, _symlink(_reference_file), note="schedules.py is a symbolic link"),
    Trick("folder_symlink_to_reference", tuple(MODULES), _folder_symlink_to_reference, note="my-work is a symbolic link"),
    Trick("zip_with_symlink_entries", SCH + ES, _zip_symlinks, note="'schedules.py' is a symbolic link"),
]
"""Every trick of issue 5, in the order the report lists them."""

REAL_WITHOUT_SANDBOX = ["patch_numpy_pytest_json", "frames_and_gc", "import_reference", "read_reference_by_path",
                        "find_reference_by_scan", "read_hidden_tests"]
"""Tricks that succeed when the student's code runs in the grader's process (they earn marks, or report a leak):
proof they are real attempts. Those that write files or end processes are left out: that would be done for real."""


def by_name(name: str) -> Trick:
    return next(t for t in TRICKS if t.name == name)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Mode and bytes of every file under ``folder``: to check a trick changed nothing there."""
    result = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            result[str(path.relative_to(folder))] = (stat.S_IMODE(path.stat().st_mode), path.read_bytes())
    return result


def copy_course(destination: Path) -> Path:
    """A throwaway course root holding the assignment and its reference (for tricks that delete files)."""
    for part in (Path("assignments") / ASSIGNMENT, Path("reference") / ASSIGNMENT):
        shutil.copytree(course_root() / part, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
    os.chmod(destination, 0o755)
    return destination
