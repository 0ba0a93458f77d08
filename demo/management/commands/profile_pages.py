"""CPU per page of `make load`'s mix, in-process (demo/benchmarks/page_cpu.py):

    DATABASE_URL=postgres://…/scratch DJANGO_SETTINGS_MODULE=config.settings.bench \\
        manage.py profile_pages [--rounds 15] [--profile "/ideas/"] [--persona customer]
        manage.py profile_pages --sql-once-ab

Run it on a database `seed_demo` filled (the load test's data). It prints each page's median
CPU ms and query count, and the CPU per GET of the load mix (each page weighted by its requests
in docs/load-report.md). `--profile PAGE` (a name of the table, such as "/ideas/[id]/") prints
cProfile's top functions for that page instead. `--sql-once-ab` compares each page with its
kept SQL (config/sql_once.py) and with the ORM writing every read, requests alternating.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from accounts.models import User
from demo.benchmarks.page_cpu import (
    FRAGMENTS,
    HOST,
    PAGES,
    load_mix,
    mix_cpu_ms,
    page_profile,
    pages_compare_sql_once,
    pages_measure,
    persona_paths,
)


class Command(BaseCommand):
    help = "CPU ms per page of the load test's mix, in-process (and cProfile of one page)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=15)
        parser.add_argument("--persona", choices=list(PAGES), action="append")
        parser.add_argument("--profile", metavar="PAGE", help='e.g. "/ideas/[id]/"')
        parser.add_argument("--top", type=int, default=35)
        parser.add_argument(
            "--sql-once-ab",
            action="store_true",
            help="each page with its kept SQL and with the ORM writing every read, alternately",
        )
        parser.add_argument(
            "--mix", type=Path, default=Path(settings.BASE_DIR) / "docs" / "load-report.md"
        )

    def _client(self, persona: str, emails: list[str]) -> Client:
        """A client logged in as the first of `emails` who can open every page of the persona
        (a customer whose account takes part in a garden with discussions)."""
        for email in emails[:20]:
            client = Client(SERVER_NAME=HOST)
            client.force_login(User.objects.get(email=email))
            try:
                persona_paths(client, persona)
            except RuntimeError:
                continue
            return client
        raise CommandError(f"No {persona} here opens all of {PAGES[persona]}: run seed_demo.")

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError(
                "Profile with DEBUG off: DJANGO_SETTINGS_MODULE=config.settings.bench"
            )
        from tests.perf.load import demo_logins
        from tests.perf.server import static_collect
        from tests.perf.yardstick import python_yardstick_ms

        static_collect(
            settings="config.settings.bench"
        )  # the manifest the pages' {% static %} reads

        logins = demo_logins()
        personas = options["persona"] or list(PAGES)
        clients = {persona: self._client(persona, logins[persona]) for persona in personas}
        if page := options["profile"]:
            persona = next((p for p in personas if page in PAGES[p]), None)
            if persona is None:
                raise CommandError(f"{page} is not a page of {', '.join(personas)}")
            path = persona_paths(clients[persona], persona)[page]
            self.stdout.write(f"{persona} {page} = {path}, {options['rounds']} requests\n")
            self.stdout.write(
                page_profile(
                    clients[persona],
                    path,
                    fragment=page in FRAGMENTS,
                    rounds=options["rounds"],
                    top=options["top"],
                )
            )
            return
        if options["sql_once_ab"]:
            self._sql_once_ab(clients, options)
            return
        pages = []
        self.stdout.write(f"{'persona':16} {'page':32} {'CPU ms':>7} {'queries':>7} {'KiB':>6}")
        for measured in pages_measure(clients, rounds=options["rounds"]):
            pages.append(measured)
            self.stdout.write(
                f"{measured.persona:16} {measured.name:32} {measured.cpu_ms:7.1f} "
                f"{measured.queries:7d} {measured.bytes / 1024:6.1f}"
            )
        if options["mix"].exists():
            mix = load_mix(options["mix"].read_text())
            if (per_get := mix_cpu_ms(pages, mix)) is not None:
                self.stdout.write(
                    f"\nCPU per GET of the load mix ({options['mix'].name}'s requests as "
                    f"weights): {per_get:.1f} ms"
                )
        self.stdout.write(
            f"Python yardstick on this machine and interpreter: {python_yardstick_ms():.1f} ms "
            "(tests/perf/yardstick.py; compare figures as multiples of it)"
        )

    def _sql_once_ab(self, clients, options) -> None:
        built, kept = [], []
        self.stdout.write(f"{'persona':16} {'page':32} {'ORM ms':>7} {'kept ms':>7}")
        for without, with_kept in pages_compare_sql_once(clients, rounds=options["rounds"] * 2):
            built.append(without)
            kept.append(with_kept)
            change = 100 * (with_kept.cpu_ms - without.cpu_ms) / without.cpu_ms
            self.stdout.write(
                f"{without.persona:16} {without.name:32} {without.cpu_ms:7.1f} "
                f"{with_kept.cpu_ms:7.1f} {change:+6.1f}%"
            )
        if options["mix"].exists():
            mix = load_mix(options["mix"].read_text())
            before, after = mix_cpu_ms(built, mix), mix_cpu_ms(kept, mix)
            if before and after:
                self.stdout.write(
                    f"\nCPU per GET of the load mix: {before:.1f} ms with the ORM writing "
                    f"every read, {after:.1f} ms with the kept SQL "
                    f"({100 * (after - before) / before:+.1f}%)"
                )
