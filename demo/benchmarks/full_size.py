"""The bench's third size (issue 16): every list page and list endpoint of the query-count
report, and each persona's home, on the full-size data set of `bench_scale_data`.

- Queries are counted in-process, as for the two demo sizes (demo/benchmarks/query_counts.py),
  and each screen's slowest SELECT is kept.
- Each screen is timed on gunicorn against the bare view in the same run
  (demo/benchmarks/latency.py), round-robin, after warm-ups.
- The slowest query of the ten slowest screens (by p95) is run again under
  `EXPLAIN (ANALYZE, BUFFERS)`.
- The largest CSV (the portfolio of every account, as a product manager sees it) and a smaller
  one (an account manager's) are streamed in-process under tracemalloc: their rows, bytes and
  the peak of Python memory while streaming.

The targets (p95): 150 ms for the screens people open daily, 300 ms for all others.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client

from demo.benchmarks.latency import Timing, latency_measure
from demo.benchmarks.query_counts import Measurement, QueryCounts
from demo.benchmarks.targets import LatencyTarget
from demo.benchmarks.world import BenchWorld

# The screens people open daily (issue 16): p95 at most DAILY_LIMIT_MS; all others at most
# OTHER_LIMIT_MS. The home counts for every persona.
DAILY = frozenset(
    {
        "community:home",
        "ideas:idea-list",
        "community:garden-detail",
        "community:thread-detail",
        "community:portfolio",
        "community:account-engagement",
        "community:alert-inbox",
        "ideas:pilot-results",
        "community:insights",
    }
)
DAILY_LIMIT_MS = 150
OTHER_LIMIT_MS = 300
EXPLAINED = 10  # the slowest screens whose slowest query is explained
PLAN_LINES = 60  # an explained plan is cut after this many lines


@dataclass
class Screen:
    at_scale: Measurement  # counted on the full-size data
    timing: Timing | None  # None: not timed (no 200 when counted)
    demo: Measurement | None = None  # the same screen counted on the demo, to compare

    @property
    def limit_ms(self) -> int:
        return DAILY_LIMIT_MS if self.at_scale.name in DAILY else OTHER_LIMIT_MS

    @property
    def p95_ms(self) -> float:
        return self.timing.p95 * 1000 if self.timing else float("nan")

    @property
    def within(self) -> bool:
        timing = self.timing
        return bool(timing and not timing.errors and self.p95_ms <= self.limit_ms)


@dataclass
class Explained:
    screen: Screen
    plan: list[str]  # EXPLAIN (ANALYZE, BUFFERS) output, one line per row


@dataclass
class CsvFigure:
    path: str
    persona: str
    rows: int
    bytes: int
    seconds: float
    peak_bytes: int  # Python memory's peak while streaming (tracemalloc)


@dataclass
class FullSize:
    size: str
    baseline: Timing
    screens: list[Screen]
    explained: list[Explained] = field(default_factory=list)
    # The portfolio's CSV as a product manager (every account) and as an account manager (a
    # sixth of them): the peaks side by side show whether memory grows with the rows.
    csvs: list[CsvFigure] = field(default_factory=list)
    not_measured: list[tuple[str, str, str]] = field(default_factory=list)


def screens_time(
    *,
    world: BenchWorld,
    counts: QueryCounts,
    base_url: str,
    password: str,
    repeat: int,
    warmup: int,
) -> tuple[Timing, list[Screen]]:
    """Time every screen that answered 200 when counted, against the baseline."""
    measured = [m for m in counts.measurements if m.status == 200]
    targets = [LatencyTarget(m.persona, m.name, lambda w, url=m.url: url) for m in measured]
    baseline, timings = latency_measure(
        world=world,
        base_url=base_url,
        password=password,
        repeat=repeat,
        warmup=warmup,
        targets=targets,
    )
    timed = dict(zip((id(m) for m in measured), timings, strict=True))
    screens = [Screen(m, timed.get(id(m))) for m in counts.measurements]
    return baseline, screens


def demo_counts_attach(screens: list[Screen], demo: QueryCounts | None) -> None:
    if demo is None:
        return
    found = {(m.kind, m.name, m.persona): m for m in demo.measurements}
    for screen in screens:
        m = screen.at_scale
        screen.demo = found.get((m.kind, m.name, m.persona))


def slowest_explain(screens: list[Screen], *, how_many: int = EXPLAINED) -> list[Explained]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECT of the `how_many` slowest screens
    (by p95), in a transaction rolled back afterwards."""
    timed = [s for s in screens if s.timing and s.timing.seconds and s.at_scale.slowest_sql]
    timed.sort(key=lambda s: s.p95_ms, reverse=True)
    explained = []
    for screen in timed[:how_many]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + screen.at_scale.slowest_sql)
            plan = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        explained.append(Explained(screen, plan))
    return explained


def csv_stream_measure(*, client: Client, path: str, persona: str) -> CsvFigure:
    """Stream one CSV export in-process and note its size, time and Python memory's peak."""
    tracemalloc.start()
    try:
        started = time.perf_counter()
        response = client.get(path)
        if response.status_code != 200 or not response.streaming:
            raise RuntimeError(
                f"{path} answered {response.status_code}, streaming: "
                f"{getattr(response, 'streaming', False)}"
            )
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return CsvFigure(
        path=path, persona=persona, rows=lines - 1, bytes=size, seconds=seconds, peak_bytes=peak
    )
