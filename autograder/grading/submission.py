"""What a hidden grader holds: a ``Submission``, driving student code through plain-data commands.

    sub.call("penalties.l1_gradient", W, 0.1)         -> plain value
    obj = sub.new("optimizers.Adam", params, lr=1e-3) -> RemoteObject
    obj.call("step", grads); obj.get("t"); obj.set("training", False)
    w = sub.put(np.ones(3)); sub.call(..., [w]); w.call("fill", 0.0)   (shared, mutable values)
    sub.rng(seed)                                     -> stands for np.random.default_rng(seed)
    with sub.raises(ValueError): sub.call(...)
    sub.call_each("augmentation.mixup", [((x, y), {"rng": sub.rng(s)}) for s in range(300)])  -> [plain value, ...]
    sub.repeat("augmentation.mixup", 300, (x, y), {"rng": sub.rng(0)}, part=2)   -> [lam, ...] (300 draws from one generator)
    obj.call_each("forward", [((x + h,), {}), ((x - h,), {})])                               (same, on an object)
    out, dx, dgamma = obj.sequence({"gamma": g}, ("forward", x), ("backward", dout), "dgamma")   (steps, one round trip)

Each method above is one round trip to the student's code (``call_each``: one
per ``BATCH_CALLS`` calls), and a round trip costs about 0.15 ms in the worker
against a few microseconds in process: a grader that makes several calls in a
row whose arguments do not depend on each other's results can make them in one.

The student's code runs behind a backend: ``WorkerBackend`` (a separate,
limited process; the default for grading) or ``InProcessBackend`` (the same
commands in this process, for the reference, the catalogue of mistakes and
development). Every argument and every result becomes what the wire format
makes of it either way (``copy_plain`` in process: the same values without
the bytes), so both behave alike and graders only ever see plain data.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from autograder.sandbox.client import Limits, SpareWorkers, WorkerBackend, WorkerDied
from autograder.sandbox.handler import Handler
from autograder.sandbox.protocol import Handle, Rng, copy_plain

OVER_LIMIT_RUNS = 2
"""Runs past the per-call limit after which a function's later calls fail at once (once may be one unlucky input)."""
BATCH_CALLS = 100
"""Calls per round trip in ``call_each``; each keeps its own wall-time limit (the round trip gets the sum)."""

Arguments = Iterable[tuple[Sequence[Any], Mapping[str, Any]]]
"""``call_each``'s calls: one ``(args, kwargs)`` pair per call."""


class SubmissionFailure(Exception):
    """The submission did not produce a value; the message is feedback for the student."""


class StudentError(SubmissionFailure):
    """The student's code raised an exception."""

    def __init__(self, exc_type: str, mro: list[str], message: str, where: str, call: str):
        self.exc_type, self.mro, self.message, self.where = exc_type, mro, message, where
        location = f" (at {where})" if where else ""
        super().__init__(f"{call} raised {exc_type}: {message}{location}")


class ModuleUnavailable(SubmissionFailure):
    """A module is missing or cannot be imported (syntax error, crash at import)."""


class WorkerCrashed(SubmissionFailure):
    """The worker died or hit a limit during the call; it is restarted for the next one."""

    def __init__(self, message: str, *, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out
        """A time limit stopped the call (see ``WorkerDied.timed_out``)."""


class InProcessBackend:
    """Executes commands in this process on already imported modules (trusted code only)."""

    def __init__(self, handler: Handler):
        self._handler = handler

    def request(self, command: dict) -> Any:
        return copy_plain(self._handler.handle(copy_plain(command)))  # what crossing the wire would give

    def close(self) -> None:
        pass


@dataclass
class RemoteObject:
    """An object that lives behind the backend (an instance of the student's class)."""

    submission: "Submission"
    handle: Handle
    label: str

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.submission._request(
            {"op": "method", "handle": self.handle.id, "name": method, "args": list(args), "kwargs": kwargs},
            f"{self.label}.{method}(...)",
        )

    def call_each(self, method: str, arguments: Arguments) -> list:
        """``[self.call(method, *args, **kwargs) for args, kwargs in arguments]``, in a few round trips."""
        label = f"{self.label}.{method}(...)"
        commands = [({"op": "method", "handle": self.handle.id, "name": method, "args": list(args), "kwargs": dict(kwargs)}, label) for args, kwargs in arguments]
        return self.submission._request_each(commands, label)

    def call_and_inputs(self, method: str, *args: Any, **kwargs: Any) -> tuple[Any, list, dict]:
        """Like ``call``, also returning the arguments as the call left them."""
        command = {"op": "method", "handle": self.handle.id, "name": method, "args": list(args), "kwargs": kwargs, "return_inputs": True}
        result, args_after, kwargs_after = self.submission._request(command, f"{self.label}.{method}(...)")
        return result, args_after, kwargs_after

    def get(self, *attributes: str) -> Any:
        """The value of an attribute; given several, the tuple of their values, in one round trip (as one ``get`` after another)."""
        if len(attributes) == 1:
            return self.submission._request(self._get(attributes[0]), f"{self.label}.{attributes[0]}")
        return self.sequence(*attributes)

    def set(self, attribute: str, value: Any) -> None:
        self.submission._request(self._set(attribute, value), f"setting {self.label}.{attribute}")

    def set_each(self, values: Mapping[str, Any]) -> None:
        """``self.set(attribute, value)`` for each item of ``values`` in turn, in one round trip."""
        self.sequence(values)

    def sequence(self, *steps: str | tuple | Mapping[str, Any]) -> tuple:
        """Calls, reads and writes of this object, in order, in one round trip; the tuple of what the calls and reads returned.

        A step is one of:

        - ``(method, *args)``: ``self.call(method, *args)`` (keyword arguments need ``call``);
        - ``"name"``: ``self.get("name")``;
        - ``{"name": value, ...}``: ``self.set_each({...})``, which returns nothing.

        ::

            out, dx, dgamma = bn.sequence({"gamma": gamma}, ("forward", x), ("backward", dout), "dgamma")

        It behaves as the steps made one after another: the first that fails
        raises as it would have alone, and the later ones are not run.
        """
        commands: list[tuple[dict, str]] = []
        names: list[str] = []
        returns: list[bool] = []
        for step in steps:
            if isinstance(step, str):
                commands.append((self._get(step), f"{self.label}.{step}"))
                names.append(step)
                returns.append(True)
            elif isinstance(step, tuple) and step and isinstance(step[0], str):
                method, *args = step
                commands.append(({"op": "method", "handle": self.handle.id, "name": method, "args": args, "kwargs": {}}, f"{self.label}.{method}(...)"))
                names.append(f"{method}(...)")
                returns.append(True)
            elif isinstance(step, Mapping):
                commands += [(self._set(attribute, value), f"setting {self.label}.{attribute}") for attribute, value in step.items()]
                names += list(step)
                returns += [False] * len(step)
            else:
                raise TypeError(f"a step is (method, *args), an attribute's name or a dict of attributes to set, got {step!r}")
        values = self.submission._request_each(commands, f"{self.label}.({', '.join(names)})")
        return tuple(value for value, returned in zip(values, returns) if returned)

    def _get(self, attribute: str) -> dict:
        return {"op": "get", "handle": self.handle.id, "name": attribute}

    def _set(self, attribute: str, value: Any) -> dict:
        return {"op": "set", "handle": self.handle.id, "name": attribute, "value": value}


class Submission:
    """A submission (or the reference) as graders see it."""

    def __init__(self, backend: WorkerBackend | InProcessBackend):
        self.backend = backend
        self._over_limit: dict[str, list[str]] = {}
        """What was said each time a call (by label, e.g. "dropout.dropout_forward(...)") ran past the per-call limit."""

    @classmethod
    def isolated(cls, folder: Path, limits: Limits = Limits(), spares: SpareWorkers | None = None) -> "Submission":
        """The submission in ``folder``, run in a sandboxed worker (taken from ``spares`` when given)."""
        return cls(WorkerBackend(folder, limits, spares))

    @classmethod
    def in_process_from_folder(cls, folder: Path) -> "Submission":
        return cls(InProcessBackend(Handler.for_folder(Path(folder).resolve())))

    @classmethod
    def from_modules(cls, modules: Mapping[str, ModuleType]) -> "Submission":
        return cls(InProcessBackend(Handler.for_modules(modules)))

    def call(self, target: str, *args: Any, **kwargs: Any) -> Any:
        """Call the function ``"module.name"`` and return its result as plain data."""
        module, name = _split(target)
        return self._request({"op": "call", "module": module, "name": name, "args": list(args), "kwargs": kwargs}, f"{target}(...)")

    def call_each(self, target: str, arguments: Arguments) -> list:
        """``[self.call(target, *args, **kwargs) for args, kwargs in arguments]``, in a few round trips."""
        module, name = _split(target)
        label = f"{target}(...)"
        commands = [({"op": "call", "module": module, "name": name, "args": list(args), "kwargs": dict(kwargs)}, label) for args, kwargs in arguments]
        return self._request_each(commands, label)

    def repeat(self, target: str, times: int, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *, part: int | None = None) -> list:
        """The results of ``times`` calls of ``target(*args, **kwargs)``: the draws of a random function, in one round trip.

        The arguments cross once, whatever ``times``, and every call gets the
        same argument objects, as in a loop: an ``rng(seed)`` argument becomes
        one generator, from which the calls draw in turn (as after
        ``rng = default_rng(seed)`` before the loop).
        With ``part``, a result that is a tuple or list of more than ``part``
        values comes back as that value alone (mixup's ``lam`` is ``part=2``);
        any other result comes back whole, for the grader to reject.
        """
        module, name = _split(target)
        command = _wired({"op": "call", "module": module, "name": name, "args": list(args), "kwargs": dict(kwargs or {})})
        label = f"{target}(...)"
        return self._in_chunks([({"op": "repeat", "command": command, "times": times, "part": part}, [label] * times)], label)

    def call_and_inputs(self, target: str, *args: Any, **kwargs: Any) -> tuple[Any, list, dict]:
        """Like ``call``, also returning the arguments as the call left them (to check nothing was modified)."""
        module, name = _split(target)
        command = {"op": "call", "module": module, "name": name, "args": list(args), "kwargs": kwargs, "return_inputs": True}
        result, args_after, kwargs_after = self._request(command, f"{target}(...)")
        return result, args_after, kwargs_after

    def new(self, target: str, *args: Any, **kwargs: Any) -> RemoteObject:
        """Construct the class ``"module.Name"``; returns a handle to the object."""
        module, name = _split(target)
        handle = self._request({"op": "new", "module": module, "name": name, "args": list(args), "kwargs": kwargs}, f"{target}(...)")
        return RemoteObject(self, handle, name)

    def put(self, value: Any) -> RemoteObject:
        """Keep ``value`` on the other side; pass the handle to share it, mutate it with ``call``."""
        handle = self._request({"op": "put", "value": value}, "storing a value")
        return RemoteObject(self, handle, type(value).__name__)

    @staticmethod
    def rng(seed: int) -> Rng:
        """An argument that becomes ``numpy.random.default_rng(seed)`` on the other side."""
        return Rng(seed)

    @contextlib.contextmanager
    def raises(self, exc_type: type[BaseException], what: str = "") -> Iterator[None]:
        """Expect the student's code inside the block to raise ``exc_type`` (or a subclass)."""
        name = exc_type.__name__
        try:
            yield
        except StudentError as error:
            if name not in error.mro:
                raise AssertionError(f"expected {name}{' ' + what if what else ''}, but {error}") from None
            return
        raise AssertionError(f"expected {name}{' ' + what if what else ''}, but the call returned normally")

    def output(self) -> str:
        return self.backend.output() if isinstance(self.backend, WorkerBackend) else ""

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> "Submission":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, command: dict, call: str) -> Any:
        return self._value(self._send(_wired(command), call), call)

    def _request_each(self, commands: list[tuple[dict, str]], call: str) -> list:
        """The values of ``(command, what it is called)`` pairs, ``BATCH_CALLS`` per round trip (``call`` names a round trip)."""
        requests = []
        for start in range(0, len(commands), BATCH_CALLS):
            chunk = commands[start : start + BATCH_CALLS]
            requests.append(({"op": "batch", "commands": [_wired(command) for command, _ in chunk]}, [label for _, label in chunk]))
        return self._in_chunks(requests, call)

    def _in_chunks(self, requests: list[tuple[dict, list[str]]], call: str) -> list:
        """The values of ``(batch or repeat, what each of its calls is called)`` requests sent in turn, all in one list.

        An error names the call that raised it: a batch's or repeat's error
        reply gives that call's index.
        """
        values: list = []
        for command, labels in requests:
            reply = self._send(command, call, labels)
            index = reply["error"].get("index") if "error" in reply and isinstance(reply["error"], dict) else None
            got = self._value(reply, _named(labels, index, call))
            if not (isinstance(got, list) and len(got) == len(labels)):
                raise WorkerCrashed(f"{call}: the worker sent a malformed reply")
            values += got
        return values

    def _send(self, command: dict, call: str, labels: Sequence[str] = ()) -> dict:
        """The reply to ``command`` (``labels``: what each call of a batch or repeat is called).

        A function or method that ran past the per-call limit ``OVER_LIMIT_RUNS``
        times is not run again, alone or in a batch: an endless loop costs that
        limit twice, not once per test, and cannot use up the submission's time
        (which would fail the tests of every other module).
        """
        for label in dict.fromkeys(labels or [call]):
            if len(self._over_limit.get(label, ())) >= OVER_LIMIT_RUNS:
                raise WorkerCrashed(f"{label} was not run: on {OVER_LIMIT_RUNS} earlier calls, {self._over_limit[label][-1]}", timed_out=True)
        try:
            reply = self.backend.request(command)
        except WorkerDied as died:
            late = _named(labels, died.index, call)
            if died.over_call_limit:
                self._over_limit.setdefault(late, []).append(str(died))
            raise WorkerCrashed(f"{late} did not finish: {died}", timed_out=died.timed_out) from None
        if not isinstance(reply, dict) or not ({"ok"} == set(reply) or {"error"} == set(reply)):
            raise WorkerCrashed(f"{call}: the worker sent a malformed reply")
        return reply

    def _value(self, reply: dict, call: str) -> Any:
        """The value of a reply, or the exception its error stands for."""
        if "ok" in reply:
            return reply["ok"]
        error = reply["error"] if isinstance(reply["error"], dict) else {}
        text = lambda key: str(error.get(key, ""))  # noqa: E731
        if error.get("kind") == "import":
            location = f" ({text('where')})" if text("where") and text("type") != "FileNotFoundError" else ""
            module = text("module")
            if text("type") == "FileNotFoundError":
                raise ModuleUnavailable(f"{module}.py is missing from the submission, so {call} cannot be graded")
            raise ModuleUnavailable(f"{module}.py could not be imported: {text('type')}: {text('message')}{location}")
        mro = [str(m) for m in error.get("mro", [])] if isinstance(error.get("mro"), list) else []
        raise StudentError(text("type"), mro, text("message"), text("where"), call)


def _named(labels: Sequence[str], index: Any, call: str) -> str:
    """What call ``index`` of a batch or repeat is called; ``call`` (the whole request) when the index names none."""
    return labels[index] if type(index) is int and 0 <= index < len(labels) else call


def _wired(command: dict) -> dict:
    return {key: _wire(value) if key in ("args", "kwargs", "value") else value for key, value in command.items()}


_LEAVES = (np.ndarray, float, int, str, bool, type(None), Rng, Handle)


def _wire(value: Any) -> Any:
    """Arguments as they cross: a RemoteObject becomes its handle."""
    if type(value) in _LEAVES:  # most arguments: nothing inside to replace
        return value
    if isinstance(value, RemoteObject):
        return value.handle
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_wire(v) for v in value)
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def _split(target: str) -> tuple[str, str]:
    module, _, name = target.partition(".")
    if not module or not name:
        raise ValueError(f"target must be 'module.name', got {target!r}")
    return module, name
