"""``call_each`` sends many calls in a few round trips and behaves exactly like the loop of ``call`` it replaces."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.submission import BATCH_CALLS, StudentError, Submission
from autograder.sandbox.client import Limits

STUDENT = '''
import numpy as np

calls = []

def draw(x, rng=None):
    calls.append(len(calls))
    if x < 0:
        raise ValueError(f"x must be >= 0, got {x}")
    return float(x), rng.random(2) if rng is not None else None

def count():
    return len(calls)

def grow(items):
    items.append(len(items))
    return len(items)

def draw_with_extra(x):
    return float(x), object()

class Layer:
    def __init__(self):
        self.seen = 0

    def forward(self, x):
        self.seen += 1
        return np.asarray(x) * self.seen
'''


@pytest.fixture(params=["worker", "in process"])
def sub(request, tmp_path):
    (tmp_path / "student.py").write_text(textwrap.dedent(STUDENT))
    if request.param == "worker":
        submission = Submission.isolated(tmp_path, Limits(call_seconds=5, memory_mib=1024))
    else:
        submission = Submission.in_process_from_folder(tmp_path)
    with submission:
        yield submission


def test_call_each_returns_what_a_loop_of_calls_returns(sub):
    arguments = [((float(x),), {"rng": sub.rng(x)}) for x in range(2 * BATCH_CALLS + 5)]
    batched = sub.call_each("student.draw", arguments)
    looped = [sub.call("student.draw", *args, **kwargs) for args, kwargs in arguments]
    assert len(batched) == len(looped) == len(arguments)
    for (x1, noise1), (x2, noise2) in zip(batched, looped):
        assert type(x1) is float and x1 == x2 and type(noise1) is np.ndarray and np.array_equal(noise1, noise2)


def test_the_first_failing_call_raises_as_call_would_and_the_later_ones_do_not_run(sub):
    with pytest.raises(StudentError, match=r"student.draw\(...\) raised ValueError: x must be >= 0, got -1.0") as raised:
        sub.call_each("student.draw", [((1.0,), {}), ((-1.0,), {}), ((2.0,), {})])
    assert raised.value.exc_type == "ValueError"
    assert sub.call("student.count") == 2


def test_call_each_on_an_object_calls_its_method_in_order(sub):
    layer = sub.new("student.Layer")
    outputs = layer.call_each("forward", [((np.ones(2),), {}) for _ in range(3)])
    assert [o.tolist() for o in outputs] == [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    assert layer.get("seen") == 3


def test_get_of_several_attributes_returns_their_values_as_one_get_after_another(sub):
    layer = sub.new("student.Layer")
    layer.set_each({"seen": 2, "scale": 0.5})
    assert layer.get("seen", "scale") == (2, 0.5)
    with pytest.raises(StudentError, match=r"^Layer.missing raised AttributeError.*missing"):
        layer.get("seen", "missing", "scale")


def test_no_calls_make_no_round_trip(sub):
    assert sub.call_each("student.draw", []) == []


def test_repeat_returns_what_a_loop_of_calls_with_one_generator_returns(sub):
    repeated = sub.repeat("student.draw", BATCH_CALLS + 5, (2.0,), {"rng": sub.put(sub.rng(7))})
    shared = sub.put(sub.rng(7))
    looped = [sub.call("student.draw", 2.0, rng=shared) for _ in range(BATCH_CALLS + 5)]
    assert len(repeated) == len(looped) == BATCH_CALLS + 5
    for (x1, noise1), (x2, noise2) in zip(repeated, looped):
        assert x1 == x2 == 2.0 and np.array_equal(noise1, noise2)


def test_repeat_gives_every_call_the_same_argument_objects_as_a_loop_would(sub):
    assert sub.repeat("student.grow", 3, ([],)) == [1, 2, 3]


def test_repeat_of_a_function_that_does_not_exist_raises_as_its_first_call_would(sub):
    with pytest.raises(StudentError, match="AttributeError"):
        sub.repeat("student.missing", 3)


def test_repeat_with_a_part_returns_that_element_of_each_result(sub):
    assert sub.repeat("student.draw", 3, (4.0,), part=0) == [4.0, 4.0, 4.0]


def test_repeat_with_a_part_does_not_convert_the_elements_left_out(sub):
    assert sub.repeat("student.draw_with_extra", 2, (4.0,), part=0) == [4.0, 4.0]


def test_repeat_returns_a_result_too_short_for_the_part_whole(sub):
    assert sub.repeat("student.draw", 2, (4.0,), part=5) == [(4.0, None), (4.0, None)]


def test_repeat_raises_at_the_first_failing_call(sub):
    with pytest.raises(StudentError, match=r"student.draw\(...\) raised ValueError: x must be >= 0, got -1.0"):
        sub.repeat("student.draw", 3, (-1.0,))
    assert sub.call("student.count") == 1


def test_repeat_makes_one_generator_of_an_rng_argument_and_every_call_draws_from_it(sub):
    repeated = sub.repeat("student.draw", BATCH_CALLS + 5, (1.0,), {"rng": sub.rng(3)})
    shared = sub.put(sub.rng(3))
    looped = [sub.call("student.draw", 1.0, rng=shared) for _ in range(BATCH_CALLS + 5)]
    assert [noise.tolist() for _, noise in repeated] == [noise.tolist() for _, noise in looped]
    assert len({tuple(noise) for _, noise in repeated}) == BATCH_CALLS + 5


def test_repeat_makes_one_round_trip(sub):
    assert _round_trips(sub, lambda: sub.repeat("student.draw", 3 * BATCH_CALLS, (1.0,), {"rng": sub.rng(3)})) == 1


def test_sequence_returns_what_its_calls_and_reads_return_in_order(sub):
    layer = sub.new("student.Layer")
    out, seen, again = layer.sequence(("forward", np.ones(2)), "seen", ("forward", np.ones(2)))
    assert out.tolist() == [1.0, 1.0] and seen == 1 and again.tolist() == [2.0, 2.0]


def test_sequence_sets_attributes_and_leaves_them_out_of_what_it_returns(sub):
    layer = sub.new("student.Layer")
    out, scale = layer.sequence({"seen": 4, "scale": 0.5}, ("forward", np.ones(1)), "scale")
    assert out.tolist() == [5.0] and scale == 0.5


def test_sequence_makes_one_round_trip(sub):
    layer = sub.new("student.Layer")
    assert _round_trips(sub, lambda: layer.sequence({"seen": 1}, ("forward", np.ones(1)), "seen", ("forward", np.ones(1)))) == 1


def test_sequence_raises_the_error_of_its_first_failing_step_by_name_and_runs_no_later_step(sub):
    layer = sub.new("student.Layer")
    with pytest.raises(StudentError, match=r"^Layer.missing\(...\) raised AttributeError"):
        layer.sequence(("forward", np.ones(1)), ("missing",), ("forward", np.ones(1)))
    assert layer.get("seen") == 1


def test_sequence_refuses_a_step_it_cannot_read(sub):
    layer = sub.new("student.Layer")
    with pytest.raises(TypeError, match="a step is"):
        layer.sequence(["forward", 1.0])


def _round_trips(sub, make_them) -> int:
    """How many requests ``make_them()`` sends to ``sub``'s backend."""
    sent = []
    request = sub.backend.request
    sub.backend.request = lambda command: sent.append(command) or request(command)
    try:
        make_them()
    finally:
        sub.backend.request = request
    return len(sent)
