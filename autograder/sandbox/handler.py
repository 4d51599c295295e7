"""Execute one command on the student's modules; shared by the worker and the in-process backend.

A command is a dict (after decoding)::

    {"op": "call",   "module": "penalties", "name": "l1_gradient", "args": [...], "kwargs": {...}}
                     (with "return_inputs": true the reply is (result, args, kwargs) after the call)
    {"op": "new",    "module": "optimizers", "name": "Adam", "args": [...], "kwargs": {...}}
    {"op": "method", "handle": 3, "name": "step", "args": [...], "kwargs": {...}}
    {"op": "import", "module": "penalties"}             (imports the module now; replies None, or its import error)
    {"op": "put",    "value": [...]}                    (keeps a value in the worker; replies a handle)
    {"op": "get",    "handle": 3, "name": "params"}
    {"op": "set",    "handle": 3, "name": "training", "value": False}
    {"op": "batch",  "commands": [command, ...]}       (any of the above, run in order)
    {"op": "repeat", "command": command, "times": 300, "part": 2}
                     (one command run ``times`` times; "part", if not null: of a
                     result that is a tuple or list that long, only that element)

The reply is ``{"ok": value}`` with the value converted to plain data, or
``{"error": {...}}`` describing an exception raised by the student's code
(``kind`` "student") or a module that cannot be imported (``kind`` "import").
A batch replies ``{"ok": [value, ...]}``, one value per command; it stops at
the first command that fails and replies that command's error, with its
``index`` added, exactly as if the commands had been sent one by one (a
statistical check gathers its hundreds of samples in one round trip). A
repeat replies as the batch of its ``times`` copies of the command would,
less what ``part`` leaves out (the draws of a random function, with nothing
sent per draw); a call or method is given its arguments once, so every run
gets the same objects, as in a loop.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from autograder.sandbox.protocol import Handle, Rng, check_array

MAX_MESSAGE_CHARS = 2000
_AS_IS = {np.ndarray, float, int, bool, str, type(None)}
"""What ``Handler._live`` passes on unchanged (decoded values are exactly these types, never subclasses)."""


class Handler:
    """Holds the student's modules and the objects handed out as handles."""

    def __init__(self, load_module: Callable[[str], ModuleType], folder: Path | None = None, on_call: Callable[[int], None] | None = None):
        """``on_call(index)`` is told before each call of a batch or repeat starts (the worker's ``Progress.start``)."""
        self._load_module = load_module
        self._modules: dict[str, ModuleType | dict] = {}
        self._objects: dict[int, Any] = {}
        self._folder = str(folder) if folder else None
        self._on_call = on_call or _nothing

    @classmethod
    def for_folder(cls, folder: Path, on_call: Callable[[int], None] | None = None) -> "Handler":
        """Import each module from ``folder/<name>.py`` on first use."""

        def load(name: str) -> ModuleType:
            path = Path(folder) / f"{name}.py"
            if not path.is_file():
                raise FileNotFoundError(f"{name}.py was not submitted")
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # so the student's modules can import each other
            spec.loader.exec_module(module)
            return module

        return cls(load, folder, on_call)

    @classmethod
    def for_modules(cls, modules: Mapping[str, ModuleType]) -> "Handler":
        def load(name: str) -> ModuleType:
            if name not in modules:
                raise FileNotFoundError(f"{name}.py was not submitted")
            return modules[name]

        return cls(load)

    def handle(self, command: dict) -> dict:
        """The reply to ``command``; exceptions in student code become error replies."""
        op = command.get("op")
        if op == "batch" and isinstance(command.get("commands"), list):
            return self._batch(command["commands"])
        if op == "repeat":
            times, part = command.get("times"), command.get("part")
            if not (isinstance(command.get("command"), dict) and type(times) is int and times >= 0 and (part is None or (type(part) is int and part >= 0))):
                return _protocol_error("a repeat holds a command, a number of times and a part (an index, or null)")
            return self._repeat(command["command"], times, part)
        return self._one(command)

    def _repeat(self, command: dict, times: int, part: int | None) -> dict:
        """``times`` runs of ``command``, replied as their batch would be; a function or method is looked up and
        given its arguments once, as in a loop (every run gets the same objects; 2 us a run instead of 7)."""
        if command.get("op") not in ("call", "method") or command.get("return_inputs"):
            return self._batch(itertools.repeat(command, times), part)
        try:
            function, args, kwargs = self._callable(command)
        except Exception:  # the first run fails (if there is one): the batch says how
            return self._batch(itertools.repeat(command, min(times, 1)), part)
        values = []
        for index in range(times):
            self._on_call(index)
            try:
                values.append(to_plain(_part(function(*args, **kwargs), part)))
            except (Exception, SystemExit) as exc:  # as _one reports it
                return {"error": {**self._describe(exc, "student"), "index": index}}
        return {"ok": values}

    def _batch(self, commands: Iterable, part: int | None = None) -> dict:
        values = []
        for index, command in enumerate(commands):
            self._on_call(index)
            reply = self._one(command, part) if isinstance(command, dict) else _protocol_error("a batch holds commands (dicts)")
            if "error" in reply:
                return {"error": {**reply["error"], "index": index}}
            values.append(reply["ok"])
        return {"ok": values}

    def _one(self, command: dict, part: int | None = None) -> dict:
        """The reply to one command, of which only ``part`` (see ``_part``) when given."""
        op = command.get("op")
        try:
            if op in ("call", "new", "method"):
                function, args, kwargs = self._callable(command)
                result = function(*args, **kwargs)
                if command.get("return_inputs"):  # the arguments as the call left them
                    result = (result, *_plain_inputs(command, args, kwargs))
                if op == "new":
                    self._objects[len(self._objects) + 1] = result
                    return {"ok": Handle(len(self._objects))}
            elif op == "import":
                self._module(command["module"])
                result = None
            elif op == "put":  # keep a value in the worker, to pass it by reference and mutate it later
                self._objects[len(self._objects) + 1] = self._live(command["value"])
                return {"ok": Handle(len(self._objects))}
            elif op == "get":
                result = getattr(self._objects[command["handle"]], command["name"])
            elif op == "set":
                setattr(self._objects[command["handle"]], command["name"], self._live(command["value"]))
                result = None
            else:
                return _protocol_error(f"unknown op {op!r}")
            return {"ok": to_plain(_part(result, part))}
        except _ImportFailure as failure:
            return {"error": failure.record}
        except (Exception, SystemExit) as exc:  # everything the student's code raises is reported; sys.exit() fails that call only
            return {"error": self._describe(exc, "student")}

    def _callable(self, command: dict) -> tuple[Callable, list, dict]:
        """The function (``call``), class (``new``) or bound method (``method``) of ``command``, and its live arguments."""
        if command["op"] == "method":
            function = getattr(self._objects[command["handle"]], command["name"])
        else:
            function = getattr(self._module(command["module"]), command["name"])
        return function, self._live(command["args"]), self._live(command["kwargs"])

    def _module(self, name: str) -> ModuleType:
        cached = self._modules.get(name)
        if isinstance(cached, dict):
            raise _ImportFailure(cached)
        if cached is None:
            try:
                cached = self._load_module(name)
            except BaseException as exc:  # SyntaxError, SystemExit at import, anything
                record = self._describe(exc, "import")
                record["module"] = name
                self._modules[name] = record
                raise _ImportFailure(record) from None
            self._modules[name] = cached
        return cached

    def _live(self, value: Any) -> Any:
        """Arguments as the student's code sees them: Rng -> Generator, Handle -> the object."""
        if type(value) in _AS_IS:
            return value
        if isinstance(value, Rng):
            return np.random.default_rng(value.seed)
        if isinstance(value, Handle):
            return self._objects[value.id]
        if isinstance(value, list):
            return [self._live(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._live(v) for v in value)
        if isinstance(value, dict):
            return {k: self._live(v) for k, v in value.items()}
        return value

    def _describe(self, exc: BaseException, kind: str) -> dict:
        frames = traceback.extract_tb(exc.__traceback__)
        if self._folder:
            frames = [f for f in frames if f.filename.startswith(self._folder)]
        where = "; ".join(f"{Path(f.filename).name}, line {f.lineno}, in {f.name}" for f in frames[-3:])
        if isinstance(exc, SyntaxError):
            where = ""  # its message already says file and line
        message = str(exc)
        if isinstance(exc, SystemExit):
            message = f"the code called sys.exit({exc.code!r})"
        return {
            "kind": kind,
            "type": type(exc).__name__,
            "mro": [cls.__name__ for cls in type(exc).__mro__],
            "message": message[:MAX_MESSAGE_CHARS],
            "where": where,
        }


def _nothing(index: int) -> None:
    pass


def _plain_inputs(command: dict, args: list, kwargs: dict) -> tuple[list, dict]:
    """The arguments after a call, except those that were generators or handles (None in their place)."""
    sent = lambda value: isinstance(value, (Rng, Handle))  # noqa: E731
    return (
        [None if sent(before) else after for before, after in zip(command["args"], args)],
        {k: None if sent(command["kwargs"][k]) else v for k, v in kwargs.items()},
    )


def _part(result: Any, part: int | None) -> Any:
    """With ``part``, of a result that is a tuple or list longer than that, only that element (picked before the
    result becomes plain data: the rest is neither copied nor checked)."""
    return result[part] if part is not None and isinstance(result, (tuple, list)) and len(result) > part else result


def _protocol_error(message: str) -> dict:
    return {"error": {"kind": "protocol", "type": "ValueError", "mro": [], "message": message, "where": ""}}


class _ImportFailure(Exception):
    def __init__(self, record: dict):
        self.record = record


def to_plain(value: Any, depth: int = 0) -> Any:
    """``value`` as plain data: ndarrays (subclasses too) as base copies, NumPy scalars as Python ones."""
    if depth > 20:
        raise TypeError("the value is nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic):
        return to_plain(value.item(), depth + 1) if not isinstance(value, np.void) else _unplain(value)
    if isinstance(value, np.ndarray):
        check_array(value)  # refused here, in the call that returned it, not when the reply is sent
        return np.array(np.asarray(value), copy=True, subok=False)
    for base in (bool, int, float, str):  # a subclass of a builtin: keep the value only
        if isinstance(value, base):
            return base(value)
    if isinstance(value, (list, tuple)):
        plain = [to_plain(v, depth + 1) for v in value]
        return plain if isinstance(value, list) else tuple(plain)
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    return _unplain(value)


def _unplain(value: Any) -> Any:
    raise TypeError(
        f"returned an object of type {type(value).__name__}; expected NumPy arrays, numbers, "
        "booleans, None, or tuples, lists and dicts of those"
    )
