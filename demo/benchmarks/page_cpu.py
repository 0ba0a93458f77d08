"""Where a request's CPU goes: the pages of `make load`'s mix, served in-process.

`manage.py profile_pages` (demo/management/commands/profile_pages.py) logs in as the personas
of the load test (tests/perf/load.py's `demo_logins`: a customer taking part in a running
pilot, an account manager, a product manager), finds the pages each persona's locust tasks open
by following the same links (tests/perf/locustfile.py), and serves each page many times through
`django.test.Client` with the middleware, the context processors and the templates of the
settings in use (`config.settings.bench`: DEBUG off, the cached template loader). It measures
this process's CPU time (`time.process_time`: Python, template rendering, psycopg's side of the
queries, not PostgreSQL's), which is what a gunicorn worker spends on the request, and counts
the queries. With `--profile PAGE`, cProfile says which functions spend it.

CPU time hardly depends on what else runs on the machine, unlike wall time, so figures taken on
a busy shared machine can be compared; the median of several rounds is reported.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.sql_once import SqlOnce

HOST = "127.0.0.1"  # config.settings.bench accepts only loopback hosts

# locust's name of each page, as in docs/load-report.md's table, with the link that leads to it.
_LINKS = {
    "/ideas/[id]/": ("/ideas/", r'href="(/ideas/\d+/)"'),
    "/gardens/[slug]/": ("/gardens/", r'href="(/gardens/[\w-]+/)"'),
    "/harvests/[slug]/": ("/harvests/", r'href="(/harvests/[\w-]+/)"'),
    "/pilots/[id]/": ("/pilots/", r'href="(/pilots/\d+/)"'),
    "/check-ins/[id]/": ("/pilots/[id]/", r'href="(/check-ins/\d+/)"'),
    "/gardens/[slug]/threads/": ("/gardens/[slug]/", r'href="(/gardens/[\w-]+/threads/)"'),
    "/gardens/[slug]/threads/[id]/": (
        "/gardens/[slug]/threads/",
        r'href="(/gardens/[\w-]+/threads/\d+/)"',
    ),
    "/gardens/[slug]/ideas/": ("/gardens/[slug]/", r'hx-get="(/gardens/[\w-]+/ideas/)"'),
    "/gardens/[slug]/pilots/": ("/gardens/[slug]/", r'hx-get="(/gardens/[\w-]+/pilots/)"'),
    "/accounts/[slug]/engagement/": ("/portfolio/", r'href="(/accounts/[\w-]+/engagement/)"'),
    "/accounts/[slug]/pilots/": (
        "/accounts/[slug]/engagement/",
        r'hx-get="(/accounts/[\w-]+/pilots/)"',
    ),
    "/pilots/[id]/results/": ("/pilots/", r'href="(/pilots/\d+/)"'),
}
FRAGMENTS = {
    "/gardens/[slug]/ideas/",
    "/gardens/[slug]/pilots/",
    "/accounts/[slug]/pilots/",
    "/insights/loyalty/",
}

# The GET pages of each persona's tasks, in the order their links are found.
PAGES = {
    "customer": [
        "/",
        "/ideas/",
        "/ideas/[id]/",
        "/gardens/",
        "/gardens/[slug]/",
        "/gardens/[slug]/ideas/",
        "/gardens/[slug]/pilots/",
        "/gardens/[slug]/threads/",
        "/gardens/[slug]/threads/[id]/",
        "/harvests/",
        "/harvests/[slug]/",
        "/pilots/",
        "/pilots/[id]/",
        "/check-ins/[id]/",
    ],
    "account_manager": [
        "/",
        "/portfolio/",
        "/accounts/[slug]/engagement/",
        "/accounts/[slug]/pilots/",
        "/alerts/",
    ],
    "product_manager": [
        "/pilots/",
        "/pilots/[id]/results/",
        "/insights/",
        "/insights/loyalty/",
        "/pilots/perception-outcomes/",
        "/ideas/board/",
    ],
}


@dataclass
class PageCpu:
    persona: str
    name: str
    path: str
    cpu_ms: float  # median over the rounds
    queries: int
    bytes: int


def _get(client: Client, path: str, *, fragment: bool) -> bytes:
    headers = {"HX-Request": "true"} if fragment else {}
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response.content


def persona_paths(client: Client, persona: str) -> dict[str, str]:
    """Each page of `persona` (its locust name) and the address it has in this database: the
    first link of its kind on the page that leads to it ("/pilots/[id]/results/" is a pilot's
    results; the customer's "/gardens/[slug]/" is a garden with discussions)."""
    paths: dict[str, str] = {}
    for name in PAGES[persona]:
        if name not in _LINKS:
            paths[name] = name
            continue
        source, pattern = _LINKS[name]
        page = _get(client, paths.get(source, source), fragment=False).decode()
        if name == "/gardens/[slug]/":  # one whose discussions the customer may read
            found = [
                p
                for p in re.findall(pattern, page)
                if f'href="{p}threads/"' in _get(client, p, fragment=False).decode()
            ]
        else:
            found = re.findall(pattern, page)
        if not found:
            raise RuntimeError(f"No link to {name} on {source} for the {persona}")
        paths[name] = found[0] + ("results/" if name == "/pilots/[id]/results/" else "")
    return paths


def _cpu_ms(client: Client, path: str, *, fragment: bool) -> float:
    start = time.process_time()
    _get(client, path, fragment=fragment)
    return (time.process_time() - start) * 1000


def pages_measure(
    clients: dict[str, Client], *, rounds: int = 15, warmups: int = 3
) -> Iterator[PageCpu]:
    """The median CPU ms, the query count and the size of every page of every persona."""
    for persona, client in clients.items():
        for name, path in persona_paths(client, persona).items():
            fragment = name in FRAGMENTS
            for _ in range(warmups):
                _get(client, path, fragment=fragment)
            times = [_cpu_ms(client, path, fragment=fragment) for _ in range(rounds)]
            with CaptureQueriesContext(connection) as queries:
                body = _get(client, path, fragment=fragment)
            yield PageCpu(persona, name, path, statistics.median(times), len(queries), len(body))


@contextmanager
def sql_once_off() -> Iterator[None]:
    """Every `config.sql_once.SqlOnce` read built and compiled by the ORM on each call, as
    before its SQL was kept (the answers are the same: only the CPU differs)."""
    kept = SqlOnce._kept_for
    SqlOnce._kept_for = lambda self, values: None  # every read (rows, a page, a count): the ORM's
    try:
        yield
    finally:
        SqlOnce._kept_for = kept


def pages_compare_sql_once(
    clients: dict[str, Client], *, rounds: int = 24, warmups: int = 3
) -> Iterator[tuple[PageCpu, PageCpu]]:
    """Each page's median CPU ms with its kept SQL and with the ORM writing every read, the
    requests of the two served alternately (the machine's load then moves both alike)."""
    for persona, client in clients.items():
        for name, path in persona_paths(client, persona).items():
            fragment = name in FRAGMENTS
            for _ in range(warmups):
                _get(client, path, fragment=fragment)
            kept, built = [], []
            for turn in range(rounds):
                for off in (False, True) if turn % 2 else (True, False):
                    with sql_once_off() if off else nullcontext():
                        (built if off else kept).append(_cpu_ms(client, path, fragment=fragment))
            yield (
                PageCpu(persona, name, path, statistics.median(built), 0, 0),
                PageCpu(persona, name, path, statistics.median(kept), 0, 0),
            )


def page_profile(client: Client, path: str, *, fragment: bool, rounds: int, top: int) -> str:
    """cProfile's statistics of `rounds` requests of `path`: the `top` functions by their own
    time, then by their cumulative time."""
    for _ in range(3):
        _get(client, path, fragment=fragment)
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall time
    profiler.enable()
    for _ in range(rounds):
        _get(client, path, fragment=fragment)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def load_mix(report: str) -> dict[tuple[str, str], int]:
    """The GET requests per (persona, page) of a load report's table (docs/load-report.md)."""
    mix: dict[tuple[str, str], int] = {}
    for persona, page, count in re.findall(
        r"^\| (\w+) \| GET \| `([^`]+)` \| (\d+) \|", report, flags=re.MULTILINE
    ):
        if page != "/login/":
            mix[(persona, page)] = int(count)
    return mix


def mix_cpu_ms(pages: list[PageCpu], mix: dict[tuple[str, str], int]) -> float | None:
    """The CPU ms per GET of the load mix: each page's CPU weighted by its requests."""
    weighted = [(p.cpu_ms, mix[(p.persona, p.name)]) for p in pages if (p.persona, p.name) in mix]
    total = sum(count for _, count in weighted)
    return sum(ms * count for ms, count in weighted) / total if total else None
