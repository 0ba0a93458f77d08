"""`make demo`'s log and its stop: a refused request (403, 404) is one warning line without a
traceback while a server error keeps its traceback, each printed once; and the demo's process
runner (demo/procfile.py) gives the worker time for a warm stop and ends a Ctrl-C with 0."""

from __future__ import annotations

import logging
import sys

import pytest
from honcho import command, manager

from config.log_filters import ClientErrorsOnOneLine
from demo import procfile


def _record(name: str, status: int | None) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, "Forbidden: /x/", (), exc_info)
    if status is not None:
        record.status_code = status
    return record


def _printed(record: logging.LogRecord) -> str:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(ClientErrorsOnOneLine())
    assert handler.filter(record)
    return handler.format(record)


@pytest.mark.parametrize("status", [400, 403, 404, 405])
def test_a_refused_request_is_one_line(status):
    assert _printed(_record("django.request", status)) == "WARNING django.request Forbidden: /x/"


def test_a_suspicious_request_is_one_line_too():
    printed = _printed(_record("django.security.DisallowedHost", None))

    assert printed == "WARNING django.security.DisallowedHost Forbidden: /x/"


@pytest.mark.parametrize(("name", "status"), [("django.request", 500), ("accounts.tasks", None)])
def test_a_server_error_and_other_loggers_keep_their_traceback(name, status):
    printed = _printed(_record(name, status))

    assert "Traceback (most recent call last)" in printed
    assert printed.count("\n") > 2


def test_djangos_own_console_handler_is_gone_so_nothing_prints_twice():
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate
    assert logging.getLogger("django.request").handlers == []


@pytest.mark.parametrize(("honcho_exit", "code"), [(130, 0), (143, 143), (1, 1), (0, 0)])
def test_ctrl_c_ends_the_demo_with_zero_and_other_stops_keep_their_code(
    monkeypatch, honcho_exit, code
):
    seen = {}

    def fake_main(argv=None):
        seen["kill_wait"] = manager.KILL_WAIT
        raise SystemExit(honcho_exit)

    monkeypatch.setattr(command, "main", fake_main)
    monkeypatch.setattr(manager, "KILL_WAIT", manager.KILL_WAIT)  # restored after the test

    assert procfile.main(["start"]) == code
    assert seen["kill_wait"] == procfile.STOP_WAIT > 5
