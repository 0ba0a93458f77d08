"""`make bench-api`: requests/s of every API list endpoint with wrk on gunicorn (2 workers),
as a share of the bare /healthz/ view's in the same run (issue 16, item 4), written to
docs/api-throughput-report.md. PostgreSQL only; seeds the demo if the database is empty, and
makes one API token per persona for the run (revoked after it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_bench manage.py bench_api

Point it only at a scratch database. About (2 + seconds) × (endpoints + 2) seconds.
"""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import ApiToken
from accounts.services import api_token_create
from demo.benchmarks.throughput import (
    THROUGHPUT_PAGE_SIZE,
    THROUGHPUT_PERSONAS,
    Throughput,
    WrkOptions,
    persona_for,
    throughput_targets,
    wrk_measure,
)
from demo.benchmarks.world import bench_world
from demo.management.commands.bench_report import database_url_for, machine_facts

ROOT = Path(settings.BASE_DIR)
TARGET_SHARE = 0.25
TOKEN_NAME = "bench_api run"  # noqa: S105 (the tokens' label, not a secret)


def _share(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else math.nan


def report_render(
    *,
    facts: dict[str, str],
    command: str,
    label: str,
    baselines: list[Throughput],
    rows: list[Throughput],
    missing: list[tuple[str, str]],
) -> str:
    baseline = sum(b.requests_per_second for b in baselines) / len(baselines)
    below = [r for r in rows if _share(r.requests_per_second, baseline) < TARGET_SHARE]
    lines = [
        "# API throughput report",
        "",
        "Written by `manage.py bench_api` (`make bench-api`); do not edit by hand. The machine "
        "is shared and noisy: read the shares of the bare view measured in the same run, not "
        "the absolute requests/s.",
        "",
        f"Reproduce: `{command}`",
        "",
        *(f"- {name}: {value}" for name, value in facts.items()),
        "",
        label,
        "",
        "Baseline `/healthz/` (a bare JSON view, one SELECT 1), measured first and last: "
        + ", ".join(f"{b.requests_per_second:.0f}" for b in baselines)
        + f" requests/s; the shares are of their mean, {baseline:.0f}.",
        "",
        f"**{len(rows) - len(below)} of {len(rows)} endpoints at ≥ {TARGET_SHARE:.0%} of the "
        "bare view.**",
        "",
        "| endpoint | persona | requests/s | share of /healthz/ | median ms | failures |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        share = _share(r.requests_per_second, baseline)
        mark = "" if share >= TARGET_SHARE else " ✗"
        lines.append(
            f"| `{r.path}` | {r.persona} | {r.requests_per_second:.0f} | {share:.1%}{mark} | "
            f"{r.median_ms:.1f} | {r.failures or '0'} |"
        )
    if missing:
        lines += ["", "Not measured:", ""]
        lines += [f"- `{path}`: {why}" for path, why in missing]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Requests/s of every API list endpoint against /healthz/, with wrk, into Markdown."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(ROOT / "docs" / "api-throughput-report.md"))
        parser.add_argument("--accounts", type=int, default=40, help="demo size to seed (40)")
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--seconds", type=int, default=10, help="wrk run per endpoint (10)")
        parser.add_argument("--warmup", type=int, default=2, help="untimed wrk seconds first")
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--only", default="", help="only the paths containing this")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_api needs PostgreSQL: set DATABASE_URL=postgres://…")
        call_command("seed_demo", if_empty=True, accounts=options["accounts"], stdout=io.StringIO())
        with connection.cursor() as cursor:
            # The planner's statistics, as autovacuum keeps them in production (a server here
            # may run without it, and a freshly seeded database then has none).
            cursor.execute("ANALYZE")
        world = bench_world()
        facts = machine_facts()
        wrk = WrkOptions(
            threads=options["threads"],
            connections=options["connections"],
            seconds=options["seconds"],
            warmup_seconds=options["warmup"],
        )
        users = [world.users[p] for p in THROUGHPUT_PERSONAS]
        tokens = {
            p: api_token_create(user=world.users[p], name=TOKEN_NAME)[1]
            for p in THROUGHPUT_PERSONAS
        }
        started = time.monotonic()
        try:
            baselines, rows, missing = self._measure(world, tokens, wrk, options)
        finally:
            ApiToken.objects.filter(user__in=users, name=TOKEN_NAME).delete()
        facts["time taken"] = f"{time.monotonic() - started:.0f} s"
        name = connection.settings_dict["NAME"]
        command = (
            f"DATABASE_URL=postgres://…/{name} .venv/bin/python manage.py bench_api "
            f"--seconds {wrk.seconds} --warmup {wrk.warmup_seconds} --threads {wrk.threads} "
            f"--connections {wrk.connections} --web-workers {options['web_workers']}"
            + (f" --only {options['only']}" if options["only"] else "")
        )
        label = (
            f"gunicorn with {options['web_workers']} sync workers on 127.0.0.1 "
            "(config.settings.bench), the demo seeded by `seed_demo --accounts "
            f"{options['accounts']}`; wrk with {wrk.threads} threads and {wrk.connections} "
            f"connections, {wrk.warmup_seconds} s warm-up then {wrk.seconds} s per endpoint, "
            f"one endpoint at a time, `?page_size={THROUGHPUT_PAGE_SIZE}`, "
            "`Authorization: Token …` of the persona."
        )
        Path(options["output"]).write_text(
            report_render(
                facts=facts,
                command=command,
                label=label,
                baselines=baselines,
                rows=rows,
                missing=missing,
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}."))

    def _measure(self, world, tokens: dict[str, str], wrk: WrkOptions, options):
        from tests.perf.server import HEALTH_PATH, running_site

        targets, missing = throughput_targets(world, options["only"])
        rows: list[Throughput] = []
        with running_site(
            database_url=database_url_for(connection.settings_dict["NAME"]),
            redis_url=settings.REDIS_URL,
            port=options["port"],
            web_workers=options["web_workers"],
        ) as base_url:

            def bare() -> Throughput:
                url = base_url + HEALTH_PATH
                return wrk_measure(path=HEALTH_PATH, url=url, persona="", token=None, options=wrk)

            baselines = [bare()]
            self.stdout.write(f"/healthz/: {baselines[0].requests_per_second:.0f} requests/s")
            for path, url in targets:
                persona, statuses = persona_for(base_url, url, tokens)
                if persona is None:
                    missing.append((path, f"no persona got 200 ({statuses})"))
                    continue
                row = wrk_measure(
                    path=path,
                    url=base_url + url,
                    persona=persona,
                    token=tokens[persona],
                    options=wrk,
                )
                self.stdout.write(f"{path}: {row.requests_per_second:.0f} requests/s")
                rows.append(row)
            baselines.append(bare())
        return baselines, rows, missing
