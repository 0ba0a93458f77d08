"""Benchmark the engagement engine on PostgreSQL (the figures of docs/engagement-benchmark.md).

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
5. Records late events (dated up to 90 days back) for 1% of the accounts and times their
   history repair (91 days each), against the full run of today.

Do not point it at a database whose data you care about: it adds accounts, people and events.
The data set and the timings are in demo/benchmarks/engagement.py.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from community.models import EngagementRunKind
from community.selectors.engagement_figures import chunk_size
from community.selectors.engagement_model import engagement_model_active
from demo.benchmarks import engagement as bench


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
        size = options["chunk_size"] or chunk_size()
        bench.data_ensure(
            accounts=accounts,
            events=events,
            members=options["members"],
            days=options["days"],
            say=self.stdout.write,
        )
        cores = bench.cores()
        self.stdout.write(
            f"{accounts} accounts, {events} events, chunks of {size}, PostgreSQL "
            f"{connection.pg_version // 10000}, {cores} cores"
        )
        figures = {
            "accounts": accounts,
            "events": events,
            "chunk_size": size,
            "postgresql": connection.pg_version // 10000,
            "cores": cores,
            **self._timings(size, max(1, events // 100), options["active_share"]),
        }
        if options["json"]:
            with open(options["json"], "w") as out:
                json.dump(figures, out, indent=2)

    def _timings(self, size: int, new_events: int, active_share: float) -> dict:
        """The full run against the lower bound, then the incremental run after `new_events`
        new events; printed, and returned as the JSON's figures."""
        model = engagement_model_active()
        day = timezone.localdate()
        # Each measured twice, alternately, so that both see a warm cache; the best counts.
        lowers, fulls = [], []
        for _ in range(2):
            lowers.append(bench.timed_lower_bound(day, model))
            fulls.append(bench.timed_run(EngagementRunKind.FULL, day, model, size))
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

        added = bench.new_events_add(new_events, active_share)
        incremental = bench.timed_run(EngagementRunKind.INCREMENTAL, day, model, size)
        self.stdout.write(
            f"incremental after {added} new events ({incremental[1]} accounts): "
            f"{incremental[0]:8.2f} s"
        )
        self.stdout.write(f"ratio incremental / full:                 {incremental[0] / full:8.3f}")

        repair, repaired, snapshots = bench.timed_repair(share=0.01, days_back=90)
        self.stdout.write(
            f"repair of {repaired} accounts after late events up to 90 days back "
            f"({snapshots} snapshots): {repair:8.2f} s"
        )
        self.stdout.write(f"ratio repair / full:                      {repair / full:8.3f}")
        return {
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
            "repair_accounts": repaired,
            "repair_snapshots": snapshots,
            "repair_seconds": repair,
            "ratio_repair_to_full": repair / full,
        }
