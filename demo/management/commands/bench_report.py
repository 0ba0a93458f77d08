"""`make bench` in one go, written to docs/benchmark-report.md (PostgreSQL only):

1. seeds the demo on the scratch database if it is empty (seed_demo, 40 accounts by default);
2. counts the queries of every list page and list endpoint there, in-process, and again on a
   larger demo (80 accounts of 10 people) in a second database (`<name>_large`, made and
   seeded once, then reused);
3. starts gunicorn on 127.0.0.1 (tests/perf/server.py, bench settings) and times each persona's
   main screens against /healthz/, round-robin, after warm-ups;
4. runs bench_engagement (the engine against its SQL lower bound) and folds its figures in.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_bench manage.py bench_report

Point it only at scratch databases: it seeds them and adds the engagement benchmark's data.
"""

from __future__ import annotations

import io
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment
from django.utils import timezone

from accounts.models import Account, Membership
from community.models import ActivityEvent
from config.db_router import analytics_reads
from demo.benchmarks.query_counts import Measurement, QueryCounts, query_counts_measure
from demo.benchmarks.report import BenchReport, report_render
from demo.benchmarks.world import bench_world
from demo.data.people import DEMO_PASSWORD

ROOT = Path(settings.BASE_DIR)


def database_url_for(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@analytics_reads()  # counting a year of events: on the replica when there is one
def data_size() -> str:
    accounts = Account.objects.exclude(slug__startswith="bench-").count()
    people = Membership.objects.exclude(account__slug__startswith="bench-").count()
    events = ActivityEvent.objects.exclude(account__slug__startswith="bench-").count()
    return f"{accounts} accounts, {people} customer users, {events} activity events"


def counts_measure_quietly() -> QueryCounts:
    """Query counts with the templates' contexts recorded (rows per page) and the expected 403s
    of personas who may not see an endpoint kept out of the output."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        setup_test_environment(debug=False)
        instrumented_here = True
    except RuntimeError:  # already instrumented: called from a test
        instrumented_here = False
    try:
        return query_counts_measure(bench_world())
    finally:
        if instrumented_here:
            teardown_test_environment()
        request_log.setLevel(level)


def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "cores": f"{os.cpu_count()} ({cpu})",
        "load average at start (1, 5, 15 min)": load,
        "PostgreSQL": postgres,
        "Python / Django": f"{platform.python_version()} / {django.get_version()}",
        "host": platform.platform(),
    }


def _commands(options, name: str, engagement_command: str) -> dict[str, str]:
    """The command behind each section of the report."""
    url = f"DATABASE_URL=postgres://…/{name}"
    return {
        "make": f"{url} make bench",
        "latency": f"{url} .venv/bin/python manage.py bench_report "
        f"--repeat {options['repeat']} --warmup {options['warmup']} "
        f"--web-workers {options['web_workers']}",
        "counts": f"{url} .venv/bin/python manage.py bench_report "
        f"--large-accounts {options['large_accounts']} "
        f"--large-members {options['large_members']:g}",
        "engagement": engagement_command,
    }


def _latency_label(options, size: str) -> str:
    return (
        f"gunicorn with {options['web_workers']} sync workers on 127.0.0.1 "
        f"(config.settings.bench: DEBUG off, WhiteNoise, persistent connections), "
        f"the demo of {size}; per screen {options['warmup']} warm-up and "
        f"{options['repeat']} timed requests, round-robin over all screens, each "
        "persona logged in through the login form."
    )


class Command(BaseCommand):
    help = "Benchmark pages, APIs, query counts and the engagement engine into a Markdown report."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(ROOT / "docs" / "benchmark-report.md"))
        parser.add_argument("--accounts", type=int, default=40, help="demo size to seed (40)")
        parser.add_argument("--repeat", type=int, default=30, help="timed requests per screen")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument(
            "--large-accounts",
            type=int,
            default=80,
            help="accounts of the larger demo the query counts are compared at (80; 0: skip)",
        )
        parser.add_argument("--large-members", type=float, default=10.0)
        parser.add_argument("--engagement-accounts", type=int, default=2000, help="0: skip")
        parser.add_argument("--engagement-events", type=int, default=1_000_000)
        parser.add_argument(
            "--query-counts-json",
            default=None,
            help="only count the queries on this database and write them here (used for the "
            "larger size, in a process of its own)",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_report needs PostgreSQL: set DATABASE_URL=postgres://…")
        if options["query_counts_json"]:
            counts = counts_measure_quietly()
            payload = {"size": data_size(), **asdict(counts)}
            Path(options["query_counts_json"]).write_text(json.dumps(payload))
            return
        started = time.monotonic()
        report = self._measure(options)
        report.phases["total"] = time.monotonic() - started
        Path(options["output"]).write_text(report_render(report))
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {options['output']} in {report.phases['total']:.0f} s.")
        )

    def _measure(self, options) -> BenchReport:
        """Seed, count, time and run the engagement benchmark, each phase timed."""
        phases: dict[str, float] = {}
        name = connection.settings_dict["NAME"]

        mark = time.monotonic()
        call_command("seed_demo", if_empty=True, accounts=options["accounts"], stdout=io.StringIO())
        phases["seed"] = time.monotonic() - mark
        world = bench_world()
        facts = machine_facts()
        size = data_size()
        self.stdout.write(f"Demo: {size}. Counting queries…")

        mark = time.monotonic()
        counts = counts_measure_quietly()
        phases["query counts (demo)"] = time.monotonic() - mark

        large, large_size = None, ""
        if options["large_accounts"]:
            mark = time.monotonic()
            large, large_size = self.counts_in_database(
                f"{name}_large", options["large_accounts"], options["large_members"]
            )
            phases["larger demo and its query counts"] = time.monotonic() - mark

        mark = time.monotonic()
        baseline, timings = self._latency(world, options)
        phases["latency"] = time.monotonic() - mark

        engagement = None
        engagement_command = ""
        if options["engagement_accounts"]:
            mark = time.monotonic()
            engagement, engagement_command = self._engagement(options)
            phases["engagement benchmark"] = time.monotonic() - mark

        return BenchReport(
            facts=facts,
            commands=_commands(options, name, engagement_command),
            counts=counts,
            counts_label=f"`seed_demo --accounts {options['accounts']}`: {size}",
            counts_large=large,
            counts_large_label=(
                f"`seed_demo --accounts {options['large_accounts']} --members "
                f"{options['large_members']:g}` in `{name}_large`: {large_size}"
            ),
            baseline=baseline,
            timings=timings,
            latency_label=_latency_label(options, size),
            engagement=engagement,
            phases=phases,
        )

    # --- Parts ----------------------------------------------------------------------------

    def _manage(self, database: str, *args: str) -> None:
        env = {**os.environ, "DATABASE_URL": database_url_for(database)}
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
        )

    def counts_in_database(self, database: str, accounts: int, members: float):
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
        self.stdout.write(f"Larger demo in {database} (seeded once, then reused)…")
        self._manage(database, "migrate", "--noinput", "-v", "0")
        self._manage(
            database,
            "seed_demo",
            "--if-empty",
            "--accounts",
            str(accounts),
            "--members",
            f"{members:g}",
        )
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            self._manage(database, "bench_report", "--query-counts-json", out.name)
            payload = json.loads(Path(out.name).read_text())
        counts = QueryCounts(
            measurements=[Measurement(**m) for m in payload["measurements"]],
            not_measured=[tuple(entry) for entry in payload["not_measured"]],
            excluded=tuple(payload["excluded"]),
        )
        return counts, payload["size"]

    def _latency(self, world, options):
        from demo.benchmarks.latency import latency_measure
        from tests.perf.server import running_site

        self.stdout.write(f"Timing the main screens on gunicorn (port {options['port']})…")
        with running_site(
            database_url=database_url_for(connection.settings_dict["NAME"]),
            redis_url=settings.REDIS_URL,
            port=options["port"],
            web_workers=options["web_workers"],
        ) as base_url:
            return latency_measure(
                world=world,
                base_url=base_url,
                password=DEMO_PASSWORD,
                repeat=options["repeat"],
                warmup=options["warmup"],
            )

    def _engagement(self, options):
        accounts, events = options["engagement_accounts"], options["engagement_events"]
        self.stdout.write(f"Engagement benchmark: {accounts} accounts, {events} events…")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            call_command(
                "bench_engagement",
                accounts=accounts,
                events=events,
                json=out.name,
                stdout=self.stdout,
            )
            figures = json.loads(Path(out.name).read_text())
        command = (
            f"DATABASE_URL=postgres://…/{connection.settings_dict['NAME']} .venv/bin/python "
            f"manage.py bench_engagement --accounts {accounts} --events {events}"
        )
        return figures, command
