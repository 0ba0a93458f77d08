"""Build the full-size data set of issue 16 in an empty, migrated PostgreSQL database, once
(`make bench-scale` calls it; demo/benchmarks/scale_data.py says what it holds and how it is
made):

    DATABASE_URL=postgres://…/cg_scale_data manage.py bench_scale_data --scale 1.0

A second run at the same scale, on the same migrations, reuses the data; --rebuild empties
the database and builds again. It prints each table's rows, seconds and rows per second, and
the row counts at the end.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.benchmarks.scale_data import ScaleDataError, counts, data_ensure


class Command(BaseCommand):
    help = "Build (once, then reuse) the full-size data set, set-based in PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1.0: 20,000 accounts, 20M events (1.0)"
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="empty the database and build it again"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_scale_data needs PostgreSQL: set DATABASE_URL=postgres://…")
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be more than 0 and at most 10.")
        try:
            built = data_ensure(scale=scale, rebuild=options["rebuild"], say=self.stdout.write)
        except ScaleDataError as error:
            raise CommandError(str(error)) from error
        if not built.reused:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built the data set at scale {scale:g} in {built.seconds:.0f} s."
                )
            )
        self.stdout.write("Rows:")
        for name, rows in counts().items():
            self.stdout.write(f"  {name:<22} {rows:>12,}")
