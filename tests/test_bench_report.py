"""`make bench`'s report, on a tiny demo and in-process (no gunicorn; latencies are not
asserted): every list page and list endpoint is classified and measured as a persona who may
see it, the counts survive the trip through JSON (the larger size is counted in a process of
its own), and the Markdown says loudly what grows and what was not measured."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.core.management import call_command

from demo.benchmarks import query_counts, targets
from demo.benchmarks.latency import Timing
from demo.benchmarks.query_counts import Measurement, QueryCounts, query_counts_measure
from demo.benchmarks.report import BenchReport, report_render
from demo.data.ideas import MIN_IDEAS

pytestmark = pytest.mark.django_db


def _report(counts, large=None, **extra) -> str:
    return report_render(
        BenchReport(
            facts={"cores": "2"},
            commands={"make": "make bench", "counts": "manage.py bench_report"},
            counts=counts,
            counts_label="tiny",
            counts_large=large,
            counts_large_label="tiny again",
            **extra,
        )
    )


@pytest.mark.needs_postgres
def test_it_counts_every_list_page_and_endpoint_and_reports_what_grows(tmp_path):
    # Small, but with at least three active people per garden (so there are threads).
    call_command(
        "seed_demo", accounts=8, members=4.0, days=14, ideas=MIN_IDEAS, stdout=io.StringIO()
    )
    out = tmp_path / "counts.json"

    # What the larger size's process does: count, and write the counts as JSON.
    call_command("bench_report", query_counts_json=str(out), stdout=io.StringIO())

    payload = json.loads(out.read_text())
    assert payload["size"].startswith("8 accounts, ")
    counts = QueryCounts(
        measurements=[Measurement(**m) for m in payload["measurements"]],
        not_measured=[tuple(entry) for entry in payload["not_measured"]],
    )
    assert counts.not_measured == []
    assert {m.name for m in counts.measurements if m.kind == "page"} == set(targets.LIST_PAGES)
    endpoints = {m.name for m in counts.measurements if m.kind == "api"}
    assert endpoints == set(query_counts.api_list_operations())
    assert len(endpoints) >= 20  # the schema's lists, not an empty or unreadable schema
    assert {m.status for m in counts.measurements} == {200}
    assert all(m.queries > 0 for m in counts.measurements)
    # Rows are read from the responses: the portfolio's page, the ideas API's results.
    portfolio = next(m for m in counts.measurements if m.name == "community:portfolio")
    assert portfolio.rows is not None and portfolio.rows >= 1
    ideas = next(m for m in counts.measurements if m.name == "/api/v1/ideas/")
    assert ideas.rows == ideas.total >= 1

    # The larger size as if one list had an N+1: one more query than at the demo size.
    grown = [dataclasses.replace(m) for m in counts.measurements]
    next(m for m in grown if m.name == "/api/v1/alerts/").queries += 1
    markdown = _report(
        counts,
        QueryCounts(measurements=grown),
        baseline=Timing("", "baseline", "/healthz/", [0.002, 0.003, 0.004], []),
        timings=[Timing("customer", "home", "/", [0.010, 0.012, 0.020], ["HTTP 500"])],
    )

    assert f"**1 of {len(counts.measurements)} measurements grow with the data.**" in markdown
    lines = markdown.splitlines()
    assert any("`/api/v1/alerts/`" in line and "**GROWS (+1)**" in line for line in lines)
    portfolio_line = next(line for line in lines if "`community:portfolio`" in line)
    assert portfolio_line.endswith("| constant (same rows at both sizes) |")
    assert "NOT MEASURED" not in markdown
    # Latency as ratios to the baseline (median 12 ms ÷ 3 ms), with the errors shown.
    assert "| customer member | home | `/` | 12.0 | " in markdown
    assert "| 4.0× |" in markdown
    assert "HTTP 500" in markdown
    assert "Not run in this run" in markdown  # no engagement figures given


def test_the_engagement_section_reports_the_repair_against_the_full_run():
    figures = {
        "accounts": 2000,
        "events": 1000000,
        "chunk_size": 1000,
        "full_accounts": 2000,
        "full_seconds": 0.8,
        "full_runs": [1.0, 0.8],
        "lower_bound_seconds": 0.4,
        "lower_bound_runs": [0.4, 0.5],
        "ratio_full_to_lower_bound": 2.0,
        "incremental_new_events": 10000,
        "incremental_accounts": 40,
        "incremental_seconds": 0.05,
        "ratio_incremental_to_full": 0.0625,
        "repair_accounts": 20,
        "repair_snapshots": 1820,
        "repair_seconds": 0.48,
        "ratio_repair_to_full": 0.6,
    }
    markdown = _report(QueryCounts(measurements=[]), engagement=figures)

    assert (
        "| history repair of 20 accounts after late events up to 90 days back "
        "(1820 snapshots) | 0.48 s |"
    ) in markdown
    assert "| **ratio repair ÷ full** (target: below 1) | **0.600** |" in markdown


def test_a_list_route_or_endpoint_it_cannot_measure_is_reported_loudly(monkeypatch):
    routes = {"community:portfolio": "portfolio/", "healthz": "healthz/"}
    monkeypatch.setattr(query_counts, "page_routes", lambda: routes)
    lists = {name: entry for name, entry in targets.LIST_PAGES.items() if name not in routes}
    monkeypatch.setattr(query_counts, "LIST_PAGES", lists)
    endpoint = "/api/v1/threads/{id}/posts/"
    monkeypatch.setattr(query_counts, "api_list_operations", lambda: {endpoint: "posts"})
    params = {path: values for path, values in targets.API_PATH_PARAMS.items() if path != endpoint}
    monkeypatch.setattr(query_counts, "API_PATH_PARAMS", params)

    counts = query_counts_measure(world=None)  # nothing it could measure: no world needed

    assert counts.measurements == []
    assert [(kind, name) for kind, name, _why in counts.not_measured] == [
        ("page", "community:portfolio"),
        ("api", endpoint),
    ]
    markdown = _report(counts)
    assert "### ⚠ NOT MEASURED" in markdown
    assert "**page `community:portfolio`: NOT MEASURED**" in markdown
    assert f"**api `{endpoint}`: NOT MEASURED**" in markdown
