"""PostgreSQL's timestamps read by psycopg's C loader, not Django's Python one (issue 16, item 3).

Django reads every `timestamptz` value through a loader of its own (`BaseTzLoader` in
django/db/backends/postgresql/psycopg_any.py): psycopg's pure-Python parser of the text, then
`replace(tzinfo=UTC)`. psycopg's C build has the same loader in C, which Django's subclass
cannot use (a C type cannot be subclassed), so each value costs ~3.8 µs of Python instead of
~0.5 µs: 4% of the CPU of a page of the load mix, the largest single leaf of a profile of it.

With `USE_TZ` and no `TIME_ZONE` of the database's own, Django sets every connection's time zone
to UTC, and both loaders then give the same value: the instant with `datetime.timezone.utc`
(psycopg takes its tzinfo from the connection's time zone, and names UTC
`datetime.timezone.utc`). `use_c_timestamp_loader` (connected to `connection_created` in
accounts/apps.py) registers the C loader on such a connection; anywhere else (SQLite, psycopg
without its C build, a connection in another time zone) Django's stays. tests/test_db_timestamps.py
compares the two on the same values."""

from __future__ import annotations

import datetime

from django.conf import settings
from psycopg import pq
from psycopg.pq import Format

if pq.__impl__ in ("c", "binary"):
    from psycopg._cmodule import _psycopg
else:  # pragma: no cover (psycopg[binary] is what pyproject.toml installs)
    _psycopg = None


class _CTimestamptzLoader:
    """psycopg's C loader of `timestamptz` text, with the one attribute Django's `cursor()`
    checks (the time zone its loader gives values: if it differed from the connection's, Django
    would register its own loader on the cursor again)."""

    format = Format.TEXT
    timezone = datetime.UTC

    def __init__(self, oid: int, context=None) -> None:
        # psycopg calls `load` for each value: the C loader's own method, with no Python between.
        self.load = _psycopg.TimestamptzLoader(oid, context).load


def c_timestamp_loader_applies(connection) -> bool:
    """Whether `connection` (Django's) reads timestamps as the C loader would read them."""
    return (
        _psycopg is not None
        and connection.vendor == "postgresql"
        and settings.USE_TZ
        and connection.timezone_name == "UTC"
        and connection.connection.info.parameter_status("TimeZone") == "UTC"
    )


def use_c_timestamp_loader(sender, connection, **kwargs) -> None:
    """`connection_created`: a new PostgreSQL connection in UTC reads timestamps in C."""
    if c_timestamp_loader_applies(connection):
        connection.connection.adapters.register_loader("timestamptz", _CTimestamptzLoader)
