"""The engagement benchmark behind `manage.py bench_engagement`: its data set and its timings.

The data set (accounts `bench-1…N`, their people and their events) is made in PostgreSQL with
set-based INSERT … SELECT generate_series, and reused by the next run of the same size. The
timings are a run through the engine's own code path, the hand-written SQL lower bound, and
the incremental run after new events.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Membership, User
from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementModel,
    EngagementRepair,
    EngagementSnapshot,
)
from community.selectors.engagement_figures import day_end
from community.services.engagement import (
    engagement_repair,
    engagement_repair_chunks,
    engagement_repair_mark,
    engagement_run_start,
    engagement_snapshots_compute,
)
from demo.benchmarks.people_sql import bench_people_insert
from demo.data.activity import KIND_MIX

_PREFIX = "bench-"
_NEW_EVENT = "bench.new"  # object_type of the events the incremental run is timed after
_LATE_EVENT = "bench.late"  # object_type of the late events the repair is timed after
_PILOT_KINDS = (
    ActivityKind.PILOT_ENROLLED,
    ActivityKind.EXPECTATION_GIVEN,
    ActivityKind.FEEDBACK_GIVEN,
)


def _kind_sql() -> str:
    """CASE over a random number in [0, 100) picking a kind by its share (as in the demo:
    visits dominate, referrals are rare)."""
    total, branches = 0, []
    for kind, share in KIND_MIX:
        total += share
        branches.append(f"WHEN r.k < {total} THEN '{kind.value}'")
    return f"CASE {' '.join(branches)} ELSE '{ActivityKind.VISIT.value}' END"


def cores() -> int:
    return os.cpu_count() or 1


# --- Timings -----------------------------------------------------------------------------------


def timed_run(kind: str, day: dt.date, model: EngagementModel, size: int) -> tuple[float, int]:
    """Seconds of a run of `kind` through the engine's own code path, and its accounts."""
    started = time.perf_counter()
    run, chunks = engagement_run_start(kind=kind, day=day, size=size)
    for chunk in chunks:  # what each worker's engagement_recompute_task does
        engagement_snapshots_compute(account_ids=chunk, day=day, model=model)
    return time.perf_counter() - started, run.accounts


def timed_repair(*, share: float, days_back: int, per_account: int = 5) -> tuple[float, int, int]:
    """Seconds of repairing `share` of the bench's accounts after late events dated up to
    `days_back` days ago, each chunk exactly what a worker's `engagement_repair_task` does,
    one after another; and the accounts and snapshots it wrote. Each account is given a
    stored history that reaches back before the late events (one snapshot on the day before)
    so that the repair recomputes all `days_back` + 1 days."""
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Account._meta.db_table} WHERE slug LIKE %s "  # noqa: S608
            "ORDER BY md5(id::text) LIMIT %s",
            [f"{_PREFIX}%", max(1, round(share * _bench_accounts()))],
        )
        ids = [row[0] for row in cursor.fetchall()]
    before = today - dt.timedelta(days=days_back + 1)
    EngagementSnapshot.objects.bulk_create(
        [
            EngagementSnapshot(
                account_id=pk,
                day=before,
                score=0,
                level="dormant",
                activity=0,
                breadth=0,
                co_creation=0,
                model_version=1,
            )
            for pk in ids
        ],
        ignore_conflicts=True,
    )
    _late_events_insert(ids, per_account=per_account, days_back=days_back)
    EngagementRepair.objects.all().delete()
    engagement_repair_mark(
        since_by_account={pk: today - dt.timedelta(days=days_back) for pk in ids}
    )
    started = time.perf_counter()
    written = 0
    for chunk in engagement_repair_chunks():
        written += engagement_repair(account_ids=chunk)
    return time.perf_counter() - started, len(ids), written


def _bench_accounts() -> int:
    return Account.objects.filter(slug__startswith=_PREFIX).count()


def _late_events_insert(ids: list[int], *, per_account: int, days_back: int) -> None:
    """`per_account` referrals by each account's first person, dated at random in the last
    `days_back` days and recorded now (as an import of offline events would)."""
    event, membership = ActivityEvent._meta.db_table, Membership._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {event} (account_id, user_id, kind, object_type, object_id,
                occurred_at, is_support, pilot_ref, created_at)
            SELECT m.account_id, m.user_id, 'referral', '{_LATE_EVENT}', '',
                now() - random() * make_interval(days => %s), false, NULL, now()
            FROM (SELECT DISTINCT ON (account_id) account_id, user_id FROM {membership}
                  WHERE account_id = ANY(%s) ORDER BY account_id, user_id) m
            CROSS JOIN generate_series(1, %s)
            """,  # noqa: S608 (table names from the models; values are parameters)
            [days_back, ids, per_account],
        )


def timed_lower_bound(day: dt.date, model: EngagementModel) -> float:
    """Seconds of one hand-written SQL aggregate over the same events (the activity sum and the
    active people per account: less than the engine computes), with JIT on and off."""
    until = day_end(day)
    weights = " ".join(
        f"WHEN '{kind}' THEN {float(weight)}" for kind, weight in model.weights.items()
    )
    sql = f"""
        SELECT account_id, SUM(points),
            COUNT(*) FILTER (WHERE user_id IS NOT NULL AND last_at >= %s)
        FROM (
            SELECT e.account_id, e.user_id, MAX(e.occurred_at) AS last_at,
                SUM((CASE e.kind {weights} ELSE 0 END)
                    * POWER(0.5::float8, EXTRACT(EPOCH FROM (%s - e.occurred_at))::float8
                        / 86400.0 / %s)) AS points
            FROM {ActivityEvent._meta.db_table} e
            WHERE NOT e.is_support AND e.occurred_at >= %s AND e.occurred_at < %s
            GROUP BY e.account_id, e.user_id
        ) people
        GROUP BY account_id
    """  # noqa: S608 (table name from the model; kinds and weights from the engine's model)
    params = [
        until - dt.timedelta(days=model.breadth_window_days),
        until,
        model.half_life_days,
        until - dt.timedelta(days=model.window_days),
        until,
    ]
    timings = []
    for jit in ("on", "off"):  # whichever is faster on this machine
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {jit}")
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return min(timings)


# --- Data --------------------------------------------------------------------------------------


def data_ensure(
    *, accounts: int, events: int, members: int, days: int, say: Callable[[str], object]
) -> None:
    """The data set of this size: reused if the database holds it (without the previous
    run's new events), else made anew. Tells what it does through `say`."""
    bench = Account.objects.filter(slug__startswith=_PREFIX)
    have_accounts = bench.count()
    have_events = ActivityEvent.objects.filter(account__slug__startswith=_PREFIX).count()
    if have_accounts == accounts and have_events == events:
        say(f"Reusing {have_accounts} accounts and {have_events} events.")
        return
    new_events = ActivityEvent.objects.filter(object_type__in=[_NEW_EVENT, _LATE_EVENT])
    if have_accounts == accounts and have_events - new_events.count() == events:
        new_events.delete()  # the previous benchmark's incremental and late events
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {ActivityEvent._meta.db_table}")
        say(f"Reusing {have_accounts} accounts and {events} events.")
        return
    started = time.perf_counter()
    replaced = have_accounts > 0
    say(f"Generating {accounts} accounts and {events} events…")
    with transaction.atomic():
        ActivityEvent.objects.filter(account__slug__startswith=_PREFIX).delete()
        User.objects.filter(email__endswith="@bench.example").delete()
        bench.delete()
        _generate(accounts, events, members, days)
    with connection.cursor() as cursor:
        if replaced:  # the deleted data set's entries would bloat the indexes
            cursor.execute(f"REINDEX TABLE {ActivityEvent._meta.db_table}")
        # As autovacuum would, sooner: statistics, and the visibility map that lets the
        # engine read events from its indexes alone.
        cursor.execute(f"VACUUM ANALYZE {ActivityEvent._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Membership._meta.db_table}")
    say(f"Generated in {time.perf_counter() - started:.1f} s.")


def _generate(accounts: int, events: int, members: int, days: int) -> None:
    """The accounts, `members` people in each, and `events` over `days`, from PostgreSQL's
    random numbers seeded the same every time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        _people_insert(cursor, accounts, members)
        _events_insert(cursor, events, people=accounts * members, days=days)


def _people_insert(cursor, accounts: int, members: int) -> None:
    """Accounts `bench-1…N` and their people, the n-th person in account n / `members`."""
    bench_people_insert(
        cursor,
        accounts=accounts,
        people=accounts * members,
        per_account=members,
        slug_prefix=_PREFIX,
        account_name="Bench account",
        email_local="person",
        email_domain="@bench.example",
        joined="now() - interval '400 days'",
    )
    account, membership = Account._meta.db_table, Membership._meta.db_table
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bench_people ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY m.account_id, m.user_id) - 1 AS n,
            m.account_id, m.user_id
        FROM {membership} m JOIN {account} a ON a.id = m.account_id
        WHERE a.slug LIKE '{_PREFIX}%%'
        """  # noqa: S608
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_people (n)")


def _events_insert(cursor, events: int, *, people: int, days: int) -> None:
    """`events` over the last `days`, each by one of the first `people` of bench_people.
    Squaring a uniform number skews events to the first accounts: a few are busy, many are
    quiet, as in life. 2% are the account team's support events."""
    event = ActivityEvent._meta.db_table
    pilot_kinds = ", ".join(f"'{kind.value}'" for kind in _PILOT_KINDS)
    cursor.execute(
        f"""
        INSERT INTO {event} (account_id, user_id, kind, object_type, object_id,
            occurred_at, is_support, pilot_ref, created_at)
        SELECT p.account_id, p.user_id, r.kind, '', '', r.at, r.support,
            CASE WHEN r.kind IN ({pilot_kinds}) THEN 1 + (r.n %% 40) END, r.at
        FROM (
            SELECT n, person, at, support, {_kind_sql()} AS kind
            FROM (
                SELECT g AS n, floor(power(random(), 2) * %s)::bigint AS person,
                    now() - random() * make_interval(days => %s) AS at,
                    random() < 0.02 AS support,
                    floor(random() * 100) AS k
                FROM generate_series(1, %s) g
            ) r
        ) r
        JOIN bench_people p ON p.n = r.person
        """,  # noqa: S608 (table names from the models; values are parameters)
        [people, days, events],
    )


def new_events_add(count: int, active_share: float) -> int:
    """`count` events recorded now, by the first `active_share` of the bench's people in
    random order (the accounts active since the previous run)."""
    event, membership = ActivityEvent._meta.db_table, Membership._meta.db_table
    account = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH active AS (
                SELECT m.account_id, m.user_id,
                    row_number() OVER (ORDER BY md5(a.id::text), m.user_id) - 1 AS n
                FROM {membership} m JOIN {account} a ON a.id = m.account_id
                WHERE a.slug LIKE '{_PREFIX}%%'
                    AND a.id IN (
                        SELECT id FROM {account} WHERE slug LIKE '{_PREFIX}%%'
                        ORDER BY md5(id::text)
                        LIMIT greatest(1, ceil((SELECT count(*) FROM {account}
                             WHERE slug LIKE '{_PREFIX}%%') * %s)::bigint)
                    )
            ),
            sized AS (SELECT count(*) AS people FROM active)
            INSERT INTO {event} (account_id, user_id, kind, object_type, object_id,
                occurred_at, is_support, pilot_ref, created_at)
            SELECT a.account_id, a.user_id, 'visit', '{_NEW_EVENT}', '', now(), false, NULL,
                now()
            FROM generate_series(1, %s) g
            CROSS JOIN sized
            JOIN active a ON a.n = (g %% sized.people)
            """,  # noqa: S608 (table names from the models; values are parameters)
            [active_share, count],
        )
        return cursor.rowcount
