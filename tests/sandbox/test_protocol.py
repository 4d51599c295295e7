"""The wire format carries plain data only, and refuses everything else."""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np
import pytest

from autograder.sandbox.protocol import Handle, ProtocolError, Rng, copy_plain, decode, encode, read_message, write_message


def _round_trip(value):
    return decode(encode(value))


@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2**70, 1.5, "text", [], (), {}, [1, (2.0, "x")], {"a": [None, {"b": 3}]}])
def test_plain_values_round_trip_unchanged(value):
    assert _round_trip(value) == value and type(_round_trip(value)) is type(value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_round_trip(value):
    got = _round_trip(value)
    assert (math.isnan(got) and math.isnan(value)) or got == value


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_, np.complex128])
def test_arrays_round_trip_with_their_dtype_and_shape(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    got = _round_trip({"x": (array,)})["x"][0]
    assert type(got) is np.ndarray and got.dtype == array.dtype and np.array_equal(got, array)


@pytest.mark.parametrize("array", [np.array(2.5), np.zeros((0, 3)), np.array(["ab", ""]), np.array([b"x"]),
                                   np.arange(6, dtype=">i4"), np.asfortranarray(np.arange(6.0).reshape(2, 3))], ids=repr)
def test_unusual_arrays_round_trip_exactly(array):
    got = _round_trip(array)
    assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array)
    assert got.flags.writeable and got.flags.owndata


def test_rng_and_handle_markers_round_trip():
    assert _round_trip([Rng(3), Handle(5)]) == [Rng(3), Handle(5)]


class Label(str):
    def __str__(self):
        return "not the text"


@pytest.mark.parametrize("value", [None, True, 7, 2**70, -0.0, math.inf, "text", Label("text"), [1, (2.0, "x")], {"a": [None, {"b": 3}]},
                                   (Rng(3), Handle(5)), np.arange(6.0).reshape(2, 3).T, np.array(["ab", ""]), np.arange(3, dtype=">i4")], ids=repr)
def test_copy_plain_gives_what_crossing_the_wire_gives(value):
    crossed, copied = _round_trip(value), copy_plain(value)
    assert type(copied) is type(crossed) and repr(copied) == repr(crossed)
    if isinstance(value, np.ndarray):
        assert copied.dtype == crossed.dtype and copied.flags.c_contiguous and copied.flags.owndata and copied is not value


@pytest.mark.parametrize("value", [np.array([1, "a"], dtype=object), np.float64(1.0), {1: 2}, object(), [np.zeros(2).view(np.recarray)]], ids=repr)
def test_copy_plain_refuses_what_the_wire_refuses(value):
    with pytest.raises(TypeError) as refused:
        encode(value)
    with pytest.raises(TypeError, match=str(refused.value)[:20]):
        copy_plain(value)


def test_object_arrays_are_refused():
    with pytest.raises(TypeError, match="dtype object"):
        encode(np.array([1, "a"], dtype=object))


def test_ndarray_subclasses_are_refused_by_the_encoder():
    class Lying(np.ndarray):
        pass

    with pytest.raises(TypeError, match="Lying"):
        encode(np.zeros(2).view(Lying))


def test_dict_keys_must_be_strings():
    with pytest.raises(TypeError, match="dict keys must be str"):
        encode({1: 2})


def _payload(header) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw


@pytest.mark.parametrize("header", [{"P": "pickle"}, {"A": 0}, [1, 2], {"L": [1], "T": [2]}, {"F": "1e400"}])
def test_unknown_or_malformed_nodes_are_refused(header):
    with pytest.raises(ProtocolError):
        decode(_payload(header))


def _array_payload(index, dtype, shape, blob: bytes) -> bytes:
    return _payload({"A": [index, dtype, shape]}) + struct.pack(">Q", len(blob)) + blob


@pytest.mark.parametrize("node", [(0, "|O8", [1]), (0, "<V8", [1]), (0, "<M8", [1]), (0, "<f8", [2]), (0, "<f8", [-1]),
                                  (1, "<f8", [1]), (0, "<f8", "1"), (0, "f8, i4", [1])], ids=repr)
def test_malformed_arrays_are_refused(node):
    with pytest.raises(ProtocolError, match="bad array"):
        decode(_array_payload(*node, np.zeros(1).tobytes()))


def test_messages_are_framed_on_a_stream():
    stream = io.BytesIO()
    write_message(stream, {"op": "call", "args": [np.ones(2)]})
    write_message(stream, "second")
    stream.seek(0)
    assert np.array_equal(read_message(stream)["args"][0], np.ones(2))
    assert read_message(stream) == "second"
    with pytest.raises(EOFError):
        read_message(stream)
