"""The bench report's third size, written to docs/benchmark-full-size.md (`make bench-scale`
runs it after building the data set; PostgreSQL only):

1. makes sure the full-size data set is there (bench_scale_data, reused when built);
2. counts the queries of every list page, home and list endpoint on it, in-process, keeping
   each one's slowest SELECT, and again on the demo in `<name>_demo` (seeded once, then reused,
   in a process of its own) to tell which grow with the data;
3. starts gunicorn on the full-size data and times every screen against /healthz/;
4. explains the slowest query of the ten slowest screens; streams the largest CSV and a
   smaller one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_scale_data manage.py bench_full_size

Point it only at the scratch database of bench_scale_data.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from demo.benchmarks import full_size
from demo.benchmarks.full_size_report import full_size_render
from demo.benchmarks.world import bench_world
from demo.data.people import DEMO_PASSWORD
from demo.management.commands.bench_report import Command as BenchReport
from demo.management.commands.bench_report import (
    counts_measure_quietly,
    data_size,
    database_url_for,
    machine_facts,
)

ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Time and count every screen on the full-size data set (the bench's third size)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(ROOT / "docs" / "benchmark-full-size.md"))
        parser.add_argument("--scale", type=float, default=1.0, help="of bench_scale_data (1.0)")
        parser.add_argument("--repeat", type=int, default=40, help="timed requests per screen")
        parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--demo-database",
            default=None,
            help="the demo whose query counts the full size is compared with (<name>_demo)",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_full_size needs PostgreSQL: set DATABASE_URL=postgres://…")
        phases: dict[str, float] = {}
        name = connection.settings_dict["NAME"]
        started = mark = time.monotonic()
        call_command("bench_scale_data", scale=options["scale"], stdout=io.StringIO())
        phases["data set (reused or built)"] = time.monotonic() - mark
        facts = machine_facts()
        world = bench_world()

        mark = time.monotonic()
        self.stdout.write("Counting queries at full size…")
        counts = counts_measure_quietly()
        demo_database = options["demo_database"] or f"{name}_demo"
        self.stdout.write(f"…and on the demo in {demo_database}…")
        demo_counts, demo_size = self._demo_counts(demo_database)
        phases["query counts (full size and demo)"] = time.monotonic() - mark

        mark = time.monotonic()
        self.stdout.write(f"Timing every screen on gunicorn (port {options['port']})…")
        baseline, screens = self._time(world, counts, options)
        full_size.demo_counts_attach(screens, demo_counts)
        phases["latency"] = time.monotonic() - mark

        mark = time.monotonic()
        explained = full_size.slowest_explain(screens)
        csvs = self._csvs(world)
        phases["explain and CSV"] = time.monotonic() - mark
        phases["total"] = time.monotonic() - started

        result = full_size.FullSize(
            size=data_size(),
            baseline=baseline,
            screens=screens,
            explained=explained,
            csvs=csvs,
            not_measured=counts.not_measured,
        )
        facts["demo compared with"] = f"`{demo_database}`: {demo_size}"
        self._write(result, facts=facts, phases=phases, options=options)

    def _csvs(self, world) -> list[full_size.CsvFigure]:
        """The portfolio's CSV as a product manager (every account) and an account manager."""
        csvs = []
        for persona in ("product_manager", "account_manager"):
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(world.users[persona])
            path = "/portfolio/?export=csv"
            csvs.append(full_size.csv_stream_measure(client=client, path=path, persona=persona))
        return csvs

    def _write(self, result, *, facts: dict, phases: dict, options) -> None:
        name = connection.settings_dict["NAME"]
        url = f"DATABASE_URL=postgres://…/{name}"
        commands = {
            "make": f"{url} make bench-scale",
            "this": f"{url} .venv/bin/python manage.py bench_full_size --scale "
            f"{options['scale']:g} --repeat {options['repeat']} --warmup {options['warmup']} "
            f"--web-workers {options['web_workers']}",
        }
        facts["gunicorn"] = (
            f"{options['web_workers']} sync workers, config.settings.bench; per screen "
            f"{options['warmup']} warm-up and {options['repeat']} timed requests, round-robin"
        )
        Path(options["output"]).write_text(
            full_size_render(result, facts=facts, commands=commands, phases=phases)
        )
        within = sum(s.within for s in result.screens)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['output']}: {within} of {len(result.screens)} screens within "
                f"their targets, in {phases['total']:.0f} s."
            )
        )

    def _demo_counts(self, database: str):
        """Counted in a process of its own on the default demo (made and seeded once)."""
        report = BenchReport(stdout=self.stdout, stderr=self.stderr)
        return report.counts_in_database(database, accounts=40, members=7.5)

    def _time(self, world, counts, options):
        from tests.perf.server import running_site

        with running_site(
            database_url=database_url_for(connection.settings_dict["NAME"]),
            redis_url=settings.REDIS_URL,
            port=options["port"],
            web_workers=options["web_workers"],
        ) as base_url:
            return full_size.screens_time(
                world=world,
                counts=counts,
                base_url=base_url,
                password=DEMO_PASSWORD,
                repeat=options["repeat"],
                warmup=options["warmup"],
            )
