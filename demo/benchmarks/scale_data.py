"""The full-size data set of issue 16 (`manage.py bench_scale_data`, `make bench-scale`):
20,000 accounts, 250,000 customer users, 20 million activity events over a year, a year of
daily snapshots, 2,000 ideas with votes and comments, 200 pilots with answers, 50 gardens with
100,000 posts and 500,000 notifications at scale 1.0, made in PostgreSQL set-based.

A small demo (`seed_demo`) comes first: its personas, gardens, ideas, pilots and texts are the
templates the bulk copies and the logins the bench uses. Then, table by table, INSERT … SELECT
over generate_series adds the rest (demo/benchmarks/scale_people.py: accounts, people,
events, snapshots; scale_content.py: gardens, discussions, ideas, notifications;
scale_pilots.py: pilots and their answers), from random numbers seeded by `setseed`.

A marker table (`bench_scale_data`) records the scale and the fingerprint of the applied
migrations; a later run with the same ones reuses the data.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection, transaction

from accounts.models import Account, Membership
from community.models import (
    ActivityEvent,
    EngagementSnapshot,
    Garden,
    Notification,
    Post,
    Thread,
)
from demo.benchmarks import scale_content, scale_people, scale_pilots
from demo.benchmarks.scale_sql import Progress, execute, scalar, targets
from ideas.models import Answer, Comment, FeedbackResponse, Idea, Pilot, Vote

MARKER = "bench_scale_data"
SEED = 0.2026

# The demo under the bulk: small and quick; its pilots and ideas are the templates.
_DEMO = {"accounts": 4, "members": 3.0, "days": 60, "ideas": 12}

COUNTED = {
    "accounts": Account,
    "customer users": Membership,
    "activity events": ActivityEvent,
    "snapshots": EngagementSnapshot,
    "gardens": Garden,
    "threads": Thread,
    "posts": Post,
    "ideas": Idea,
    "votes": Vote,
    "idea comments": Comment,
    "pilots": Pilot,
    "feedback responses": FeedbackResponse,
    "answers": Answer,
    "notifications": Notification,
}


class ScaleDataError(RuntimeError):
    """The database holds other data, or a different data set."""


@dataclass(frozen=True)
class Built:
    scale: float
    fingerprint: str
    seconds: float
    reused: bool


def fingerprint() -> str:
    """The applied migrations, as one hash: a data set is reused only on the same schema."""
    return scalar(
        "SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM django_migrations"
    )


def marker() -> tuple[float, str, float] | None:
    """(scale, fingerprint, seconds) of the data set this database holds, if any."""
    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scale, fingerprint, seconds FROM {MARKER}")  # noqa: S608
        return cursor.fetchone()


def data_ensure(
    *,
    scale: float,
    rebuild: bool,
    say: Callable[[str], object],
    sizes: dict[str, int] | None = None,
) -> Built:
    """The data set at `scale`: reused when the marker names this scale and schema, else
    built (into an empty database, or after emptying it with `rebuild`). `sizes` replaces
    some of the scaled sizes (a test's tiny data set with pilots and ideas to copy)."""
    stamp = fingerprint()
    found = marker()
    if found and not rebuild:
        if (float(found[0]), found[1]) == (scale, stamp):
            say(f"Reusing the data set at scale {scale:g} (built in {found[2]:.0f} s).")
            return Built(scale, stamp, found[2], reused=True)
        schema = " on other migrations" if found[1] != stamp else ""
        raise ScaleDataError(
            f"This database holds the data set at scale {float(found[0]):g}{schema}: "
            "--rebuild replaces it."
        )
    if Account.objects.exists() and not rebuild:
        raise ScaleDataError(
            "This database has accounts already: give an empty, migrated database "
            "(or --rebuild to empty it)."
        )
    if rebuild:
        _empty(say)
    started = time.perf_counter()
    _build({**targets(scale), **(sizes or {})}, scale, say)
    seconds = time.perf_counter() - started
    execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} "
        "(scale float8, fingerprint text, seconds float8, built_at timestamptz)"
    )
    execute(f"DELETE FROM {MARKER}")  # noqa: S608
    execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, now())", [scale, stamp, seconds])  # noqa: S608
    return Built(scale, stamp, seconds, reused=False)


def _empty(say: Callable[[str], object]) -> None:
    """Every row the demo and the bulk wrote, gone: `flush` (as a test database is emptied),
    then the rows the migrations made put back."""
    say("Emptying the database (--rebuild)…")
    call_command("flush", interactive=False, inhibit_post_migrate=False, stdout=io.StringIO())
    execute(f"DROP TABLE IF EXISTS {MARKER}")


def _build(size: dict[str, int], scale: float, say: Callable[[str], object]) -> None:
    say(
        f"Building the data set at scale {scale:g}: "
        + ", ".join(f"{v:,} {k}" for k, v in size.items())
    )
    progress = Progress(say)
    with progress.step("demo (seed_demo, the templates)"):
        call_command("seed_demo", stdout=io.StringIO(), **_DEMO)
    with transaction.atomic():
        execute("SELECT setseed(%s)", [SEED])
        execute("SET LOCAL work_mem = '256MB'")  # the windows over a year of snapshots
        scale_people.people_build(progress, accounts=size["accounts"], customers=size["customers"])
        scale_people.events_build(progress, events=size["events"])
        scale_content.gardens_build(progress, gardens=size["gardens"])
        scale_content.discussions_build(progress, posts=size["posts"])
        scale_content.ideas_build(
            progress, ideas=size["ideas"], votes=size["votes"], comments=size["comments"]
        )
        scale_pilots.pilots_build(progress, pilots=size["pilots"])
        scale_content.notifications_build(progress, notifications=size["notifications"])
        scale_people.snapshots_build(progress)
        scale_pilots.pilots_plan_drop()
        scale_content.content_plan_drop()
        scale_people.plan_drop()
    if not connection.in_atomic_block:  # as autovacuum would, sooner (not in a test)
        with progress.step("VACUUM ANALYZE"):
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")


def counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}
