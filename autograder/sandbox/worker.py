"""The worker process: imports the student's modules and answers commands over two pipes.

Started by ``autograder.sandbox.client`` as::

    python -I -m autograder.sandbox.worker READ_FD WRITE_FD SUBMISSION_FOLDER COURSE_ROOT

It reads commands from READ_FD and writes replies to WRITE_FD (its stdin and
stdout are left to the student's code, captured by the client). ``sys.path``
holds the submission folder and the interpreter's own libraries, nothing of
the course.
"""

from __future__ import annotations

import os
import signal
import sys


def main(argv: list[str]) -> None:
    read_fd, write_fd, folder, course = int(argv[0]), int(argv[1]), os.path.abspath(argv[2]), os.path.abspath(argv[3])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing us
    # Keep the course root (given by the client) off the path, so that `import reference`
    # or `import assignments` finds nothing; site-packages stay, numpy lives there.
    sys.path[:] = [folder] + [p for p in sys.path if p and os.path.abspath(p) != course]

    from autograder.sandbox.handler import Handler
    from autograder.sandbox.protocol import read_message, write_message

    handler = Handler.for_folder(folder)
    commands = os.fdopen(read_fd, "rb", buffering=0)
    replies = os.fdopen(write_fd, "wb")
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


if __name__ == "__main__":
    main(sys.argv[1:])
