"""The wire format between the trusted process and the worker: plain data, never pickle.

A message is framed as an 8-byte big-endian length followed by the payload. The
payload is a 4-byte big-endian header length, a UTF-8 JSON header, then the
binary blobs the header refers to, each an 8-byte length and the raw bytes of
an array in C order (``ndarray.tobytes()``); its dtype and shape are in the
header. (``numpy.save``/``numpy.load`` would carry the same, but parsing their
header costs 60 us per array, more than the rest of a call.)

In the JSON header, JSON scalars (null, true/false, numbers, strings) stand for
themselves, and every container is tagged so nothing is ambiguous::

    {"L": [...]}          a list              {"T": [...]}      a tuple
    {"D": [[key, v]...]}  a dict, str keys    {"A": [i, dtype, shape]}  the i-th blob, an ndarray
                                              (dtype as ``dtype.str``, e.g. "<f8"; shape a list of ints)
    {"R": seed}           an Rng(seed)        {"H": id}         a handle to an object in the worker
    {"F": "nan"}          a non-finite float ("nan", "inf", "-inf")

``decode`` accepts exactly these and nothing else, so whatever the worker sends
becomes None, bool, int, float, str, list, tuple, dict, a plain ndarray (never a
subclass, never object dtype), ``Rng`` or ``Handle``.
"""

from __future__ import annotations

import functools
import json
import math
import re
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024
ARRAY_DTYPE = re.compile(r"[<>|][biufcUS][0-9]{1,6}")
"""The dtypes an array may have on the wire: booleans, numbers, fixed-width strings; never object or structured."""


_JSON = json.JSONEncoder(allow_nan=False, separators=(",", ":"))
"""One encoder for every message (``json.dumps`` with an option builds a new one each time)."""


class ProtocolError(Exception):
    """A message that is not in the wire format (from a broken or hostile peer)."""


@dataclass(frozen=True)
class Rng:
    """Stands for ``numpy.random.default_rng(seed)``, created where the value lands."""

    seed: int


@dataclass(frozen=True)
class Handle:
    """Refers to an object that lives in the worker (a student's class instance)."""

    id: int


def encode(value: Any) -> bytes:
    """The payload for ``value`` (see the module docstring); TypeError for anything else."""
    blobs: list[bytes] = []
    header = _JSON.encode(_to_json(value, blobs)).encode()
    parts = [struct.pack(">I", len(header)), header]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def decode(payload: bytes) -> Any:
    """The value of a payload; ProtocolError unless it is exactly in the wire format."""
    try:
        (size,) = struct.unpack_from(">I", payload, 0)
        header = json.loads(payload[4 : 4 + size].decode())
        blobs, offset = [], 4 + size
        while offset < len(payload):
            (length,) = struct.unpack_from(">Q", payload, offset)
            blobs.append(payload[offset + 8 : offset + 8 + length])
            offset += 8 + length
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
    return _from_json(header, blobs)


def write_message(stream: BinaryIO, value: Any) -> None:
    payload = encode(value)
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def read_message(stream: BinaryIO) -> Any:
    """The next message of ``stream``; EOFError when the peer has closed it."""
    prefix = _read_exactly(stream, 8)
    (length,) = struct.unpack(">Q", prefix)
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes exceeds the limit of {MAX_MESSAGE_BYTES}")
    return decode(_read_exactly(stream, length))


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    chunks, missing = [], n
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            raise EOFError("the peer closed the connection")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def copy_plain(value: Any) -> Any:
    """``decode(encode(value))`` without the bytes: the same plain values, arrays copied, TypeError for the same values.

    For the in-process backend (the reference and the catalogued mistakes),
    which would otherwise encode and decode every command and every reply.
    """
    if value is None or type(value) in (bool, int, float, Rng, Handle):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass crosses as its plain text
    if type(value) is list:
        return [copy_plain(v) for v in value]
    if type(value) is tuple:
        return tuple(copy_plain(v) for v in value)
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("dict keys must be str")
        return {k: copy_plain(v) for k, v in value.items()}
    if type(value) is np.ndarray:
        check_array(value)
        return np.array(value, copy=True, order="C")
    raise TypeError(f"a value of type {type(value).__name__} cannot cross the boundary")


def check_array(value: np.ndarray) -> None:
    """TypeError unless the array's dtype may cross: booleans, numbers, fixed-width strings."""
    if value.dtype.hasobject or value.dtype.kind not in "biufcUS":
        raise TypeError(f"arrays of dtype {value.dtype} cannot cross the boundary")


def _to_json(value: Any, blobs: list[bytes]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"F": repr(value)}
    if type(value) is list:
        return {"L": [_to_json(v, blobs) for v in value]}
    if type(value) is tuple:
        return {"T": [_to_json(v, blobs) for v in value]}
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("dict keys must be str")
        return {"D": [[k, _to_json(v, blobs)] for k, v in value.items()]}
    if type(value) is np.ndarray:
        check_array(value)
        blobs.append(value.tobytes(order="C"))
        return {"A": [len(blobs) - 1, value.dtype.str, list(value.shape)]}
    if type(value) is Rng:
        return {"R": int(value.seed)}
    if type(value) is Handle:
        return {"H": int(value.id)}
    raise TypeError(f"a value of type {type(value).__name__} cannot cross the boundary")


def _from_json(node: Any, blobs: list[bytes]) -> Any:
    if type(node) is not dict:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        raise ProtocolError(f"unexpected JSON node of type {type(node).__name__}")
    if len(node) != 1:
        raise ProtocolError("unexpected JSON object of several keys")
    (tag, body), = node.items()
    if tag == "L" and isinstance(body, list):
        return [_from_json(v, blobs) for v in body]
    if tag == "T" and isinstance(body, list):
        return tuple([_from_json(v, blobs) for v in body])
    if tag == "D" and isinstance(body, list):
        result = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ProtocolError("malformed dict entry")
            result[pair[0]] = _from_json(pair[1], blobs)
        return result
    if tag == "A" and isinstance(body, list) and len(body) == 3:
        return _array(*body, blobs)
    if tag == "R" and type(body) is int:
        return Rng(body)
    if tag == "H" and type(body) is int:
        return Handle(body)
    if tag == "F" and body in ("nan", "inf", "-inf"):
        return float(body)
    raise ProtocolError(f"unknown tag {tag!r}")


@functools.lru_cache(maxsize=256)
def _dtype(name: str) -> np.dtype | None:
    return np.dtype(name) if ARRAY_DTYPE.fullmatch(name) else None


def _array(index: Any, dtype: Any, shape: Any, blobs: list[bytes]) -> np.ndarray:
    """The array of an ``{"A": [index, dtype, shape]}`` node: a plain, writeable ndarray of its own."""
    if not (type(index) is int and 0 <= index < len(blobs)):
        raise ProtocolError(f"bad array: no blob {index!r}")
    kind = _dtype(dtype) if isinstance(dtype, str) else None
    if kind is None:
        raise ProtocolError(f"bad array: dtype {dtype!r} is not a plain boolean, number or string dtype")
    if not (isinstance(shape, list) and len(shape) <= 64 and all(type(n) is int and n >= 0 for n in shape)):
        raise ProtocolError(f"bad array: shape {shape!r}")
    blob = blobs[index]
    if len(blob) != math.prod(shape) * kind.itemsize:
        raise ProtocolError(f"bad array: {len(blob)} bytes for shape {tuple(shape)} and dtype {dtype}")
    if kind.itemsize == 0:  # empty strings: nothing to read
        return np.zeros(shape, dtype=kind)
    return np.frombuffer(blob, dtype=kind).reshape(shape).copy()
