"""The worker: confines itself, imports the student's modules and answers commands over two pipes.

Forked, one per submission, by the fork server (``autograder.sandbox.forkserver``),
which has already imported NumPy and this package. Its first command names
the submission folder::

    {"op": "open", "folder": "/tmp/.../submission"}

and it then confines itself (``autograder.sandbox.jail``, at level
"namespaces", "fallback" or "none") before any student code runs. After that
it reads commands from its command pipe and writes replies to its reply
pipe (its stdin and stdout are left to the student's code, captured by the
client). ``sys.path`` holds the submission folder and the interpreter's own
libraries, nothing of the course.
"""

from __future__ import annotations

import os
import sys

from autograder.sandbox import jail
from autograder.sandbox.handler import Handler
from autograder.sandbox.progress import Progress
from autograder.sandbox.protocol import read_message, write_message


def serve(read_fd: int, write_fd: int, progress_fd: int, home: str, level: str, keep: list[str], failure: str = "") -> None:
    """Confine this process on the submission of the first command, then answer commands until the pipe closes; never returns.

    Before each call of a batch or repeat it writes which call starts to the
    shared record on ``progress_fd`` (``autograder.sandbox.progress``).

    ``keep`` lists the interpreter's folders the "namespaces" view must show
    (``interpreter_paths``); a ``failure`` (its namespaces could not be
    created) is the reply to the first command, and nothing runs.
    """
    commands = os.fdopen(read_fd, "rb", buffering=0)
    replies = os.fdopen(write_fd, "wb")
    progress = Progress(progress_fd)
    try:
        opening = read_message(commands)
    except EOFError:
        os._exit(0)  # a worker that was never used
    folder = str(opening.get("folder", "")) if isinstance(opening, dict) else ""
    try:
        if failure:
            raise jail.JailError(failure)
        if level == "namespaces":
            folder, home = jail.enter_view(folder, home, keep)
            os.environ.update(HOME=home, TMPDIR=home)
        elif level == "fallback":
            jail.become_subreaper()
            folder = jail.enter_copy(folder, home)
    except (OSError, jail.JailError) as exc:
        write_message(replies, {"error": {"kind": "jail", "type": type(exc).__name__, "mro": [], "message": str(exc), "where": ""}})
        os._exit(1)
    sys.path.insert(0, folder)
    write_message(replies, {"ok": None})

    handler = Handler.for_folder(folder, progress.start)
    while True:
        try:
            command = read_message(commands)
        except EOFError:
            break
        reply = handler.handle(command)
        try:
            write_message(replies, reply)
        except TypeError as exc:  # a value to_plain let through but the protocol refuses
            write_message(replies, {"error": {"kind": "student", "type": "TypeError", "mro": ["TypeError"], "message": str(exc), "where": ""}})
    sys.stdout.flush()
    os._exit(0)  # do not wait for threads the student's code may have left behind


def interpreter_paths(course: str, package: str) -> list[str]:
    """The folders the interpreter needs inside the jail: its prefixes, sys.path, the autograder package.

    Packages that site-packages holds as symlinks bring their targets. Never
    the course root or a folder above it (that would show the reference and
    the graders); nested folders are dropped, their parent brings them.
    """
    course = os.path.realpath(course)
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, package, *sys.path}
    folders = [p for p in candidates if p and os.path.isdir(p)]
    for folder in folders[:]:
        with os.scandir(folder) as entries:
            folders += [os.path.realpath(entry.path) for entry in entries if entry.is_symlink() and os.path.exists(entry.path)]
    paths = sorted({os.path.abspath(p) for p in folders})
    safe = [p for p in paths if not (course + "/").startswith(os.path.realpath(p).rstrip("/") + "/")]
    return [p for p in safe if not any(p.startswith(other + "/") for other in safe if other != p)]
