"""Which call of a batch or repeat the worker is running, and since when: each call keeps its own time limit.

A batch (``call_each``, ``RemoteObject.sequence``) or a repeat makes many calls
in one round trip, and the client allows the round trip the sum of their
limits. Alone, that would let one call that never ends run for all of them
(a ``forward`` that loops forever, first of a sequence of five, would cost
five limits). So before each call the worker writes the call's index and the
time it starts (``time.monotonic``, one clock for every process of the
machine) into a few bytes of memory it shares with the client, and the
client, while it waits, ends the worker as soon as one call has run past its
limit, naming that call. Writing costs the worker well under a microsecond a
call, and wakes nobody.

The record is the worker's word, so the client never believes more than it
can check: a start before the request was sent counts from the request, and a
worker that writes nonsense is ended at once. Lying can win a worker no more
time than the sum of its calls' limits, which it was given anyway.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
import time

RECORD = struct.Struct("=qd")
"""The index of the call being run (a signed 64-bit integer) and when it started (seconds of ``time.monotonic``)."""


class Progress:
    """The shared record, mapped from ``fd`` (a memfd: ``Progress.create``, passed to the worker by the fork server)."""

    def __init__(self, fd: int):
        self.fd = fd
        self._memory = mmap.mmap(fd, RECORD.size)

    @classmethod
    def create(cls) -> "Progress":
        fd = os.memfd_create("autograder-progress", os.MFD_CLOEXEC)
        os.ftruncate(fd, RECORD.size)
        return cls(fd)

    def start(self, index: int) -> None:
        """Call ``index`` starts now."""
        RECORD.pack_into(self._memory, 0, index, time.monotonic())

    def read(self) -> tuple[int, float]:
        """(index, start) as last written; read until two reads agree, so never half of one write and half of the next."""
        while True:
            first, second = self._memory[: RECORD.size], self._memory[: RECORD.size]
            if first == second:
                return RECORD.unpack(first)

    def running(self, calls: int, sent: float, now: float) -> tuple[int, float] | None:
        """The call that runs now and when it started, as far as the client may believe it; None if the record is nonsense.

        ``calls`` is how many calls the request made and ``sent`` when it was
        sent: an index outside ``range(calls)`` or a start that is not a number is
        nonsense; a start is counted from no earlier than ``sent`` and no later than ``now``.
        """
        index, started = self.read()
        if not (0 <= index < calls and math.isfinite(started)):
            return None
        return index, min(max(started, sent), now)

    def close(self) -> None:
        self._memory.close()
        os.close(self.fd)
