"""Pilot figures remembered under the figures' version: a number PostgreSQL moves whenever a row
they are computed from is written (ideas/migrations/0010_figures_version.py makes the sequence,
the triggers and `cg_figures_version()`). The pilot results and pilot perception API remember
their answer in the results cache (config/results_cache.py) under that version, so a second
call with no write in between is read, not computed; any write gives another version, and the
next call computes again. A remembered answer is therefore always the one a recomputation from
the rows gives (docs/figures-version.md has the argument).

No version, and nothing remembered: on SQLite (the demo), on the read replica (its copy of the
sequence is not the primary's), while a transaction that wrote those rows is open (it may commit
after the rows were read), and inside the reader's own writing transaction (it may roll back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import connections
from django.utils import timezone

from config.results_cache import remembered

T = TypeVar("T")

# How long a remembered answer is kept: a moved version makes it unreachable anyway.
REMEMBER_SECONDS = 3600


def figures_version(using: str = "default") -> str | None:
    """The figures' version on the database `using`, or None when nothing may be remembered
    (see the module). It names the database and its sequence too: a database made again (or
    another test database) starts its sequence again."""
    connection = connections[using]
    if using != "default" or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cg_figures_version(), 'cg_figures_version_seq'::regclass::oid, "
            "current_database()"
        )
        version, sequence, database = cursor.fetchone()
    if version is None:
        return None
    return f"{database}:{sequence}:{version}"


def remembered_figures(
    name: str, parts: tuple, compute: Callable[[], T], *, version: str | None
) -> T:
    """`compute()`, or what it answered before under the same `name`, `parts` (everything else
    the answer depends on: the pilot, the query, the reader's rule, the day it counts to…), the
    active time zone (date-times are written in it) and `version`: `figures_version()` read
    before any row the answer depends on (an instance the caller already holds included), so
    that a write after that read gives another version. None: computed, not remembered."""
    if version is None:
        return compute()
    key = ":".join(map(str, ("figures", name, *parts, timezone.get_current_timezone_name())))
    return remembered(f"{key}:{version}", compute, seconds=REMEMBER_SECONDS)
