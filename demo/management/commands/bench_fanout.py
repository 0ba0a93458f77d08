"""Benchmark publishing a harvest to a large audience (issue 16's fan-out) on PostgreSQL and
Redis, with a real Celery worker:

    DJANGO_SETTINGS_MODULE=config.settings.bench DATABASE_URL=postgres://… REDIS_URL=redis://…
    manage.py bench_fanout --people 100000

1. Makes the data if the database does not hold it yet (a garden of `--people` readers in
   accounts of ten, set-based), else reuses it.
2. Starts a worker on queues of its own (the four of config/task_queues.py, under a prefix).
3. `--runs` times: publishes a new harvest through the publish page's POST (in process, the
   whole middleware stack, the commit and the task's publication to Redis; one signed-in client
   whose middleware was loaded by a request before the first run) and waits for the
   worker to tell everyone; prints the request's time, the worker's time from the fan-out's
   row to its finish, and checks that every person was told exactly once.

Do not point it at a database whose data you care about: it adds accounts and people.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.celery import app as celery_app
from config.task_queues import DEFAULT, queue_name
from demo.benchmarks import fanout as bench


class Command(BaseCommand):
    help = "Time publishing a harvest to a large audience: the request and the worker's fan-out."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--deadline", type=float, default=600, help="seconds per fan-out")
        parser.add_argument("--json", default=None, help="also write the figures to this file")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_fanout needs PostgreSQL: set DATABASE_URL=postgres://…")
        if not celery_app.conf.broker_url.startswith("redis"):
            raise CommandError("bench_fanout needs Redis and a worker: set REDIS_URL=redis://…")
        if options["people"] < 1 or options["runs"] < 1:
            raise CommandError("--people and --runs must be at least 1.")
        garden, steward = bench.data_ensure(people=options["people"], say=self.stdout.write)
        bench.runs_clear()
        prefix = f"bench-fanout-{uuid.uuid4().hex[:8]}-"
        celery_app.conf.update(
            task_always_eager=False,
            queue_prefix=prefix,
            task_default_queue=queue_name(DEFAULT, prefix),
        )
        log_path = Path(tempfile.mkdtemp()) / "worker.log"
        worker = bench.worker_start(prefix=prefix, log_path=log_path)
        try:
            timings = []
            client = bench.publisher_client(steward)
            for n in range(options["runs"]):
                timing = bench.timed_publish(
                    client=client,
                    garden=garden,
                    steward=steward,
                    n=n,
                    deadline_s=options["deadline"],
                )
                self.stdout.write(
                    f"run {n + 1}: request {timing.request_ms:7.1f} ms, worker "
                    f"{timing.worker_s:6.1f} s, {timing.told} notifications to {timing.people} "
                    "people"
                )
                if timing.told != options["people"] or timing.people != options["people"]:
                    raise CommandError("Not everyone was told exactly once.")
                timings.append(timing)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            bench.runs_clear()
        figures = {
            "people": options["people"],
            "runs": options["runs"],
            "request_ms": [round(t.request_ms, 1) for t in timings],
            "request_ms_median": round(statistics.median(t.request_ms for t in timings), 1),
            "worker_s": [round(t.worker_s, 2) for t in timings],
            "worker_s_median": round(statistics.median(t.worker_s for t in timings), 2),
        }
        self.stdout.write(
            f"median: request {figures['request_ms_median']} ms, worker "
            f"{figures['worker_s_median']} s for {options['people']} people"
        )
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(figures, indent=2))
