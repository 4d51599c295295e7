"""The worker's progress record: what the client believes of it."""

from __future__ import annotations

import math
import time

import pytest

from autograder.sandbox.progress import Progress


@pytest.fixture
def progress():
    record = Progress.create()
    yield record
    record.close()


def test_the_record_says_which_call_started_last_and_when(progress):
    sent = time.monotonic()
    progress.start(4)
    index, started = progress.running(calls=10, sent=sent, now=time.monotonic())
    assert index == 4 and sent <= started <= time.monotonic()


def test_a_start_before_the_request_counts_from_the_request(progress):
    progress.start(1)
    sent = time.monotonic() + 5
    assert progress.running(calls=3, sent=sent, now=sent + 1) == (1, sent)


def test_a_start_in_the_future_counts_from_now(progress):
    now = time.monotonic() - 5
    progress.start(2)
    assert progress.running(calls=3, sent=now - 1, now=now) == (2, now)


@pytest.mark.parametrize("index", [-1, 3, 2**62])
def test_an_index_outside_the_request_makes_no_sense(progress, index):
    progress.start(index)
    assert progress.running(calls=3, sent=0.0, now=time.monotonic()) is None


@pytest.mark.parametrize("started", [math.nan, math.inf, -math.inf])
def test_a_start_that_is_not_a_number_makes_no_sense(progress, started):
    from autograder.sandbox.progress import RECORD

    RECORD.pack_into(progress._memory, 0, 0, started)
    assert progress.running(calls=3, sent=0.0, now=time.monotonic()) is None
