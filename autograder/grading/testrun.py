"""Run the collected grader tests once for a submission: through pytest's own test protocol, or the short way.

    run_pass(session, grading, plain)        # plain = plain_tests(session, [grading, stream])

pytest's protocol runs each test in three phases (setup, call, teardown),
each through hooks and a report, with half a dozen of pytest's own plugins
taking part. For a grader test that needs none of them, all the grade
depends on is its fixtures, its function and the exception it raises: the
short way sets up its fixtures with pytest's own ``SetupState``, calls it
with ``item.runtest()``, tears down with pytest, and hands each phase
straight to ``GradingPlugin.record``. Same fixtures, same order, same
outcomes (``tests/grading/test_testrun.py`` grades every example both ways);
pytest's own time for the 157 tests of a regularization pass drops from
about 60 ms to 12.

A test is run the short way only when nothing else could take part (see
``plain_tests``): no plugin or conftest hook of the test protocol but
pytest's own and ours; no skip, skipif or xfail marker (pytest's skipping
plugin acts on them); no built-in fixture that relies on the protocol
(``tmp_path`` reads its test's reports, ``capsys`` is started by the capture
plugin). Any other test goes through pytest's protocol, as it would in any
pytest run. A marker added while the test runs is not seen by the short way.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable

import pytest

from autograder.grading.plugin import GradingPlugin

PROTOCOL_HOOKS = (
    "pytest_runtest_protocol", "pytest_runtest_logstart", "pytest_runtest_setup", "pytest_runtest_call",
    "pytest_runtest_teardown", "pytest_runtest_makereport", "pytest_runtest_logreport", "pytest_runtest_logfinish",
)
PYTEST_PLUGINS_IN_THE_PROTOCOL = {"runner", "skipping", "capturemanager", "unittest", "assertion", "tmpdir", "session"}
"""pytest's own plugins with hooks in the test protocol. For a plain test they do nothing a grade depends on:
``runner`` does the phases (the short way does them too), ``skipping`` acts on markers a plain test does not
have, ``capturemanager`` captures nothing under ``-s`` and starts capture fixtures a plain test does not use,
``unittest`` is for ``TestCase`` methods, ``assertion`` for rewritten asserts (the graders' are not rewritten),
``tmpdir`` keeps the reports ``tmp_path`` reads, and ``session`` counts failures for ``--maxfail``."""
SKIPPING_MARKERS = ("skip", "skipif", "xfail")
PLAIN_BUILTIN_FIXTURES = {"monkeypatch", "recwarn", "pytestconfig", "tmp_path_factory", "tmpdir_factory"}
"""Fixtures of pytest itself that work the same outside its protocol (``request`` is not a fixture definition)."""


def plain_tests(session: pytest.Session, ours: list[object]) -> set[str]:
    """The node ids of the collected tests that can run the short way; ``ours``: the plugins of the stream."""
    manager = session.config.pluginmanager
    for hook in PROTOCOL_HOOKS:
        for implementation in getattr(manager.hook, hook).get_hookimpls():
            if implementation.plugin not in ours and manager.get_name(implementation.plugin) not in PYTEST_PLUGINS_IN_THE_PROTOCOL:
                return set()  # a conftest or plugin of the graders takes part in every test: pytest's protocol for all
    return {item.nodeid for item in session.items if _is_plain(item)}


def run_pass(session: pytest.Session, grading: GradingPlugin, plain: set[str]) -> None:
    """Every collected test once; the last one (``nextitem=None``) tears down every fixture, session-scoped ones included."""
    items = session.items
    for index, item in enumerate(items):
        # as pytest-rerunfailures does before a rerun (pytest also re-inits a request it has dropped)
        if hasattr(item, "_initrequest"):
            item._initrequest()  # new funcargs and fixture request
            item.funcargs.update(_direct_parameters(item))
        item.user_properties = []  # the diagnosis of the previous student
        item._report_sections = []
        nextitem = items[index + 1] if index + 1 < len(items) else None
        try:
            if item.nodeid in plain:
                _run_plain(item, nextitem, grading)
            else:
                item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        except Exception:  # a hook of the graders failed: tear down what is set up, so the next pass starts clean
            with contextlib.suppress(Exception):
                session._setupstate.teardown_exact(None)
            raise


def _direct_parameters(item: pytest.Item) -> dict[str, object]:
    """The values ``@pytest.mark.parametrize`` gives ``item`` directly (not through a fixture, as ``indirect=`` does).

    pytest hands each to the test through a fixture made for it, set up and
    torn down like any other: given beforehand, they cost nothing (a fifth of
    pytest's time per test here). pytest sets up only what is not given. A
    fixture that asks for one still gets it from pytest, with the same value.
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return {}
    definitions = item._fixtureinfo.name2fixturedefs
    return {name: value for name, value in callspec.params.items() if name in definitions and _is_direct_parameter(definitions[name][-1])}


def _run_plain(item: pytest.Function, nextitem: pytest.Item | None, grading: GradingPlugin) -> None:
    """pytest's ``runtestprotocol`` for a plain test, less the hooks and reports nobody reads."""
    setup_state = item.session._setupstate
    grading.pytest_runtest_setup(item)  # the one setup hook a plain test has besides pytest's own
    try:
        error, seconds = _phase(setup_state.setup, item)
        if error is not None:
            grading.record(item, "setup", False, error, seconds)
        else:
            error, seconds = _phase(item.runtest)
            grading.record(item, "call", error is None, error, seconds)
        _phase(setup_state.teardown_exact, nextitem)  # as in pytest's protocol, a teardown error changes no outcome
    finally:  # as pytest does once a test is done: its fixture values go
        item._request = False
        item.funcargs = None


def _phase(function: Callable[..., object], *args: object) -> tuple[BaseException | None, float]:
    """Run one phase as pytest's ``CallInfo.from_call`` does: what it raises (Ctrl-C and ``pytest.exit`` propagate), and how long it took."""
    started = time.perf_counter()
    try:
        function(*args)
    except (KeyboardInterrupt, pytest.exit.Exception):
        raise
    except BaseException as error:  # SystemExit too: pytest makes it the phase's outcome
        return error, time.perf_counter() - started
    return None, time.perf_counter() - started


def _is_plain(item: pytest.Item) -> bool:
    if type(item) is not pytest.Function:  # a unittest method, a doctest, a custom item: pytest's protocol
        return False
    if any(item.get_closest_marker(name) is not None for name in SKIPPING_MARKERS):
        return False
    definitions = item._fixtureinfo.name2fixturedefs
    for name in item.fixturenames:
        if name not in definitions:
            continue  # request, or a fixture that does not exist (an error at setup, either way)
        definition = definitions[name][-1]
        builtin = (getattr(definition.func, "__module__", None) or "").startswith("_pytest")
        if builtin and name not in PLAIN_BUILTIN_FIXTURES and not _is_direct_parameter(definition):
            return False
    return True


def _is_direct_parameter(definition: pytest.FixtureDef) -> bool:
    return getattr(definition.func, "__name__", "") == "get_direct_param_fixture_func"
