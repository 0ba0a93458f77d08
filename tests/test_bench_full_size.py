"""The bench's third size (`manage.py bench_full_size`, demo/benchmarks/full_size.py) on a tiny
demo, in-process (no gunicorn; latencies are made up, not asserted): every screen keeps its
slowest SELECT, every persona's home is counted, the slowest screens' queries are explained,
the largest CSV streams with its rows counted, and the Markdown says what is over its target
and what grows."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Account
from demo.benchmarks import full_size
from demo.benchmarks.full_size_report import full_size_render
from demo.benchmarks.latency import Timing
from demo.benchmarks.query_counts import Measurement
from demo.benchmarks.report import _verdict, counted_when_full
from demo.benchmarks.world import PERSONAS, bench_world
from demo.data.ideas import MIN_IDEAS
from demo.management.commands.bench_report import counts_measure_quietly

pytestmark = pytest.mark.django_db


def _timing(m: Measurement, p95_ms: float) -> Timing:
    # Twenty requests whose p95 (inclusive quantiles) is p95_ms.
    return Timing(m.persona, m.name, m.url, [p95_ms / 1000] * 20, [])


@pytest.mark.needs_postgres
def test_every_screen_is_counted_with_its_slowest_query_and_the_slowest_are_explained():
    call_command(
        "seed_demo", accounts=6, members=4.0, days=14, ideas=MIN_IDEAS, stdout=io.StringIO()
    )
    counts = counts_measure_quietly()
    homes = [m for m in counts.measurements if m.name == "community:home"]
    assert sorted(m.persona for m in homes) == sorted(PERSONAS)
    ok = [m for m in counts.measurements if m.status == 200]
    assert len(ok) == len(counts.measurements) > 50
    assert all(m.slowest_sql.startswith("SELECT") and m.slowest_ms >= 0 for m in ok)

    # Made-up timings: the screen given the longest p95 is explained first.
    screens = [full_size.Screen(m, _timing(m, 10 + n)) for n, m in enumerate(ok)]
    explained = full_size.slowest_explain(screens, how_many=3)
    assert [e.screen for e in explained] == screens[::-1][:3]
    for e in explained:
        plan = "\n".join(e.plan)
        assert "actual time=" in plan and "Execution Time" in plan

    # The portfolio CSV of every account, as a product manager, streamed.
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(bench_world().users["product_manager"])
    csv = full_size.csv_stream_measure(
        client=client, path="/portfolio/?export=csv", persona="product_manager"
    )
    assert csv.rows == Account.objects.count()
    assert csv.bytes > 0 and csv.peak_bytes > 0


def _measurement(name: str, kind: str = "page", queries: int = 5, **extra) -> Measurement:
    return Measurement(kind, name, "customer", f"/{name}/", 200, queries, 25, 1000, **extra)


def test_the_report_says_what_is_over_its_target_and_what_grows():
    daily = _measurement("community:home", slowest_ms=40.0, slowest_sql="SELECT 1")
    other = _measurement("community:webhooks", queries=7)
    api = _measurement("/api/v1/ideas/", kind="api", queries=9)
    # A list whose demo page was not full, so not counted apart; full at full size: +1 COUNT.
    alerts = _measurement("/api/v1/alerts/", kind="api", queries=5)
    alerts_demo = dataclasses.replace(alerts, queries=4, rows=12, total=12)
    screens = [
        full_size.Screen(daily, _timing(daily, 160.0), demo=daily),  # over 150: daily
        full_size.Screen(other, _timing(other, 160.0), demo=dataclasses.replace(other)),
        full_size.Screen(api, _timing(api, 20.0), demo=dataclasses.replace(api, queries=8)),
        full_size.Screen(alerts, _timing(alerts, 20.0), demo=alerts_demo),
    ]
    result = full_size.FullSize(
        size="20000 accounts",
        baseline=Timing("", "/healthz/", "/healthz/", [0.002] * 20, []),
        screens=screens,
        explained=[full_size.Explained(screens[0], ["Result  (actual time=0.01..0.01)"])],
        csvs=[
            full_size.CsvFigure(
                "/portfolio/?export=csv", "product_manager", 20000, 2_000_000, 1.5, 400_000
            )
        ],
        not_measured=[("page", "ideas:new-list", "route in neither list")],
    )
    markdown = full_size_render(
        result, facts={"cores": "2"}, commands={"make": "make bench-scale"}, phases={"total": 9}
    )
    assert "**3 of 4 screens within their targets**" in markdown
    assert "**1 of 4 make more queries than at the demo size.**" in markdown
    lines = markdown.splitlines()
    home = next(line for line in lines if "`community:home`" in line and "|" in line)
    assert "**OVER (160 > 150)**" in home
    assert home.endswith("| constant |")
    webhooks = next(line for line in lines if "`community:webhooks`" in line)
    assert "| 300 | within |" in webhooks
    ideas = next(line for line in lines if "`/api/v1/ideas/`" in line)
    assert "| 8 | 9 |" in ideas and "**GROWS (+1)**" in ideas
    alerts_line = next(line for line in lines if "`/api/v1/alerts/`" in line)
    assert "| 4 | 5 |" in alerts_line and "constant per page: the total is counted" in alerts_line
    assert "80.0×" in home  # p95 160 ms ÷ the baseline's 2 ms
    assert "### 1. `community:home` as customer member: p95 160.0 ms" in markdown
    assert "**page `ideas:new-list`: NOT MEASURED**" in markdown
    assert (
        "| product manager | `/portfolio/?export=csv` | 20,000 | 2.0 MB | 1.5 | **0.4 MB** |"
        in (markdown)
    )


def test_a_page_counted_only_once_its_first_page_fills_is_constant_per_page():
    # config.pagination.page_first_read: a first page shorter than a page is every row, so no
    # COUNT; a full one is counted. A page is excused as the API's lists are, and only then.
    demo = dataclasses.replace(_measurement("community:thread-list", queries=6), rows=12, total=12)
    full = dataclasses.replace(_measurement("community:thread-list", queries=7), rows=25, total=93)
    assert counted_when_full(demo, full)
    assert _verdict(demo, full) == (
        "constant per page: the total is counted (one query) only when the page is full "
        "(config.pagination.page_first_read)"
    )
    # The demo's page already full: the extra query is not the count, it grows.
    demo_full = dataclasses.replace(demo, rows=25, total=30)
    assert not counted_when_full(demo_full, full)
    assert _verdict(demo_full, full) == "**GROWS (+1)**"
    # Two queries more is never the count alone.
    assert _verdict(demo, dataclasses.replace(full, queries=8)) == "**GROWS (+2)**"
