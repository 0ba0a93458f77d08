"""Benchmark the engagement engine on PostgreSQL (issue 4's acceptance figures).

    DATABASE_URL=postgres://… manage.py bench_engagement --accounts 10000 --events 5000000

1. Makes the data if the database does not hold it yet (accounts `bench-1…N`, members, and a
   year of customer events, skewed so that some accounts are far busier than others), with
   set-based INSERT … SELECT generate_series; it reuses data of the same size.
2. Times a full recompute through the engine's own code path (the run and its chunks, each
   chunk exactly what a worker's `engagement_recompute_task` does), one chunk after another.
3. Times one hand-written SQL aggregate over the same events (the activity sum and the
   active people per account: less than the engine computes) as the lower bound.
4. Adds 1% new events, recorded now by a few accounts (those active since the last run),
   and times the incremental run.

Do not point it at a database whose data you care about: it adds accounts, people and events.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Membership, User
from community import engagement
from community.engagement.compute import day_end
from community.models import ActivityEvent, ActivityKind, EngagementRunKind

_PREFIX = "bench-"
_NEW_EVENT = "bench.new"  # object_type of the events the incremental run is timed after
# Kinds and their share of events (as in the demo): visits dominate, referrals are rare.
_KIND_MIX = [
    (ActivityKind.VISIT, 40),
    (ActivityKind.HARVEST_READ, 10),
    (ActivityKind.VOTE, 14),
    (ActivityKind.COMMENT, 10),
    (ActivityKind.DISCUSSION_POST, 6),
    (ActivityKind.EXPECTATION_GIVEN, 4),
    (ActivityKind.PILOT_ENROLLED, 3),
    (ActivityKind.WORKSHOP_ATTENDED, 2),
    (ActivityKind.IDEA_PROPOSED, 4),
    (ActivityKind.FEEDBACK_GIVEN, 6),
    (ActivityKind.REFERRAL, 1),
]
_PILOT_KINDS = (
    ActivityKind.PILOT_ENROLLED,
    ActivityKind.EXPECTATION_GIVEN,
    ActivityKind.FEEDBACK_GIVEN,
)


def _kind_sql() -> str:
    """CASE over a random number in [0, 100) picking a kind by its share."""
    total, branches = 0, []
    for kind, share in _KIND_MIX:
        total += share
        branches.append(f"WHEN r.k < {total} THEN '{kind.value}'")
    return f"CASE {' '.join(branches)} ELSE '{ActivityKind.VISIT.value}' END"


class Command(BaseCommand):
    help = "Time the engagement recompute against a hand-written SQL lower bound (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=10_000)
        parser.add_argument("--events", type=int, default=5_000_000)
        parser.add_argument("--members", type=int, default=8, help="people per account (8)")
        parser.add_argument("--days", type=int, default=365, help="days of history (365)")
        parser.add_argument(
            "--active-share",
            type=float,
            default=0.02,
            help="share of accounts that record the 1%% new events of the incremental run (0.02)",
        )
        parser.add_argument("--chunk-size", type=int, default=None)
        parser.add_argument(
            "--json",
            default=None,
            help="also write the figures to this file, as JSON (make bench's report reads it)",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_engagement needs PostgreSQL: set DATABASE_URL=postgres://…")
        accounts, events = options["accounts"], options["events"]
        if accounts < 1 or events < 1 or options["members"] < 1 or options["days"] < 1:
            raise CommandError("--accounts, --events, --members and --days must be at least 1.")
        size = options["chunk_size"] or engagement.chunk_size()
        self._data_ensure(accounts, events, options["members"], options["days"])
        model = engagement.engagement_model_active()
        day = timezone.localdate()
        cores = _cores()
        self.stdout.write(
            f"{accounts} accounts, {events} events, chunks of {size}, PostgreSQL "
            f"{connection.pg_version // 10000}, {cores} cores"
        )

        # Each measured twice, alternately, so that both see a warm cache; the best counts.
        lowers, fulls = [], []
        for _ in range(2):
            lowers.append(self._timed_lower_bound(day, model))
            fulls.append(self._timed_run(EngagementRunKind.FULL, day, model, size))
        full, lower = min(seconds for seconds, _ in fulls), min(lowers)
        self.stdout.write(
            f"full recompute (engine, {fulls[0][1]} accounts): {full:8.2f} s  "
            f"(runs: {', '.join(f'{seconds:.2f}' for seconds, _ in fulls)})"
        )
        self.stdout.write(
            f"hand-written SQL aggregate (lower bound): {lower:8.2f} s  "
            f"(runs: {', '.join(f'{seconds:.2f}' for seconds in lowers)})"
        )
        self.stdout.write(f"ratio full / lower bound:                 {full / lower:8.2f}")

        added = self._new_events_add(max(1, events // 100), options["active_share"])
        incremental = self._timed_run(EngagementRunKind.INCREMENTAL, day, model, size)
        self.stdout.write(
            f"incremental after {added} new events ({incremental[1]} accounts): "
            f"{incremental[0]:8.2f} s"
        )
        self.stdout.write(f"ratio incremental / full:                 {incremental[0] / full:8.3f}")
        if options["json"]:
            figures = {
                "accounts": accounts,
                "events": events,
                "chunk_size": size,
                "postgresql": connection.pg_version // 10000,
                "cores": cores,
                "full_seconds": full,
                "full_runs": [seconds for seconds, _ in fulls],
                "full_accounts": fulls[0][1],
                "lower_bound_seconds": lower,
                "lower_bound_runs": lowers,
                "ratio_full_to_lower_bound": full / lower,
                "incremental_new_events": added,
                "incremental_accounts": incremental[1],
                "incremental_seconds": incremental[0],
                "ratio_incremental_to_full": incremental[0] / full,
            }
            with open(options["json"], "w") as out:
                json.dump(figures, out, indent=2)

    # --- Timings --------------------------------------------------------------------------

    def _timed_run(self, kind, day, model, size) -> tuple[float, int]:
        started = time.perf_counter()
        run, chunks = engagement.engagement_run_start(kind=kind, day=day, size=size)
        for chunk in chunks:  # what each worker's engagement_recompute_task does
            engagement.engagement_snapshots_compute(account_ids=chunk, day=day, model=model)
        return time.perf_counter() - started, run.accounts

    def _timed_lower_bound(self, day, model) -> float:
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

    # --- Data -----------------------------------------------------------------------------

    def _data_ensure(self, accounts: int, events: int, members: int, days: int) -> None:
        bench = Account.objects.filter(slug__startswith=_PREFIX)
        have_accounts = bench.count()
        have_events = ActivityEvent.objects.filter(account__slug__startswith=_PREFIX).count()
        if have_accounts == accounts and have_events == events:
            self.stdout.write(f"Reusing {have_accounts} accounts and {have_events} events.")
            return
        new_events = ActivityEvent.objects.filter(object_type=_NEW_EVENT)
        if have_accounts == accounts and have_events - new_events.count() == events:
            new_events.delete()  # the previous benchmark's incremental events
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {ActivityEvent._meta.db_table}")
            self.stdout.write(f"Reusing {have_accounts} accounts and {events} events.")
            return
        started = time.perf_counter()
        replaced = have_accounts > 0
        self.stdout.write(f"Generating {accounts} accounts and {events} events…")
        with transaction.atomic():
            ActivityEvent.objects.filter(account__slug__startswith=_PREFIX).delete()
            User.objects.filter(email__endswith="@bench.example").delete()
            bench.delete()
            self._generate(accounts, events, members, days)
        with connection.cursor() as cursor:
            if replaced:  # the deleted data set's entries would bloat the indexes
                cursor.execute(f"REINDEX TABLE {ActivityEvent._meta.db_table}")
            # As autovacuum would, sooner: statistics, and the visibility map that lets the
            # engine read events from its indexes alone.
            cursor.execute(f"VACUUM ANALYZE {ActivityEvent._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Membership._meta.db_table}")
        self.stdout.write(f"Generated in {time.perf_counter() - started:.1f} s.")

    def _generate(self, accounts: int, events: int, members: int, days: int) -> None:
        account, user = Account._meta.db_table, User._meta.db_table
        membership, event = Membership._meta.db_table, ActivityEvent._meta.db_table
        pilot_kinds = ", ".join(f"'{kind.value}'" for kind in _PILOT_KINDS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.2026)")
            cursor.execute(
                f"""
                INSERT INTO {account} (created_at, updated_at, name, slug, segment, tier,
                    annual_contract_value)
                SELECT now(), now(), 'Bench account ' || g, '{_PREFIX}' || g, 'mid_market',
                    'standard', 100000
                FROM generate_series(1, %s) g
                """,  # noqa: S608 (table names from the models; values are parameters)
                [accounts],
            )
            cursor.execute(
                f"""
                INSERT INTO {user} (password, is_superuser, email, first_name, last_name,
                    job_title, is_staff, is_active, date_joined, updated_at)
                SELECT '!', false, 'person' || g || '@bench.example', '', '', '', false, true,
                    now(), now()
                FROM generate_series(1, %s) g
                """,  # noqa: S608 (table names from the models; values are parameters)
                [accounts * members],
            )
            # The n-th person of the bench belongs to account n / members, in id order.
            cursor.execute(
                f"""
                INSERT INTO {membership} (created_at, updated_at, role, account_id, user_id)
                SELECT now(), now(), 'member', a.id, u.id
                FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {user}
                      WHERE email LIKE '%%@bench.example') u
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {account}
                      WHERE slug LIKE '{_PREFIX}%%') a ON a.n = u.n / %s
                """,  # noqa: S608 (table names from the models; values are parameters)
                [members],
            )
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
            # Squaring a uniform number skews events to the first accounts: a few are busy,
            # many are quiet, as in life. 2% are the account team's support events.
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
                [accounts * members, days, events],
            )

    def _new_events_add(self, count: int, active_share: float) -> int:
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


def _cores() -> int:
    import os

    return os.cpu_count() or 1
