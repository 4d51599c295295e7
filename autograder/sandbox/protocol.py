"""The wire format between the trusted process and the worker: plain data, never pickle.

A message is framed as an 8-byte big-endian length followed by the payload. The
payload is a 4-byte big-endian header length, a UTF-8 JSON header, then the
binary blobs the header refers to, each an 8-byte length and the bytes of
``numpy.save(..., allow_pickle=False)``.

In the JSON header, JSON scalars (null, true/false, numbers, strings) stand for
themselves, and every container is tagged so nothing is ambiguous::

    {"L": [...]}          a list              {"T": [...]}      a tuple
    {"D": [[key, v]...]}  a dict, str keys    {"A": i}          the i-th blob, an ndarray
    {"R": seed}           an Rng(seed)        {"H": id}         a handle to an object in the worker
    {"F": "nan"}          a non-finite float ("nan", "inf", "-inf")

``decode`` accepts exactly these and nothing else, so whatever the worker sends
becomes None, bool, int, float, str, list, tuple, dict, a plain ndarray (never a
subclass, never object dtype), ``Rng`` or ``Handle``.
"""

from __future__ import annotations

import io
import json
import math
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024


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
    header = json.dumps(_to_json(value, blobs), allow_nan=False).encode()
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
        if value.dtype.hasobject or value.dtype.kind not in "biufcUS":
            raise TypeError(f"arrays of dtype {value.dtype} cannot cross the boundary")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        blobs.append(buffer.getvalue())
        return {"A": len(blobs) - 1}
    if type(value) is Rng:
        return {"R": int(value.seed)}
    if type(value) is Handle:
        return {"H": int(value.id)}
    raise TypeError(f"a value of type {type(value).__name__} cannot cross the boundary")


def _from_json(node: Any, blobs: list[bytes]) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not (isinstance(node, dict) and len(node) == 1):
        raise ProtocolError(f"unexpected JSON node of type {type(node).__name__}")
    (tag, body), = node.items()
    if tag == "L" and isinstance(body, list):
        return [_from_json(v, blobs) for v in body]
    if tag == "T" and isinstance(body, list):
        return tuple(_from_json(v, blobs) for v in body)
    if tag == "D" and isinstance(body, list):
        result = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ProtocolError("malformed dict entry")
            result[pair[0]] = _from_json(pair[1], blobs)
        return result
    if tag == "A" and type(body) is int and 0 <= body < len(blobs):
        try:
            array = np.load(io.BytesIO(blobs[body]), allow_pickle=False)
        except ValueError as exc:
            raise ProtocolError(f"bad array: {exc}") from None
        return np.array(array, copy=True)  # a plain, writeable ndarray
    if tag == "R" and type(body) is int:
        return Rng(body)
    if tag == "H" and type(body) is int:
        return Handle(body)
    if tag == "F" and body in ("nan", "inf", "-inf"):
        return float(body)
    raise ProtocolError(f"unknown tag {tag!r}")
