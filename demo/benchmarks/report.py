"""docs/benchmark-report.md: machine facts, latency as ratios to the baseline, query counts at
two sizes, the engagement benchmark, and the command behind every figure."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from demo.benchmarks.latency import Timing
from demo.benchmarks.query_counts import Measurement, QueryCounts
from demo.benchmarks.targets import COUNT_NOTES

PERSONA_LABELS = {
    "": "anonymous",
    "customer": "customer member",
    "account_manager": "account manager",
    "product_manager": "product manager",
    "programme_admin": "programme admin",
}


@dataclass
class BenchReport:
    facts: dict[str, str]  # machine and run facts, in order
    commands: dict[str, str]  # what produced each section: "make", "latency", "counts", …
    counts: QueryCounts
    counts_label: str  # the size the counts were taken at ("demo: 40 accounts, …")
    counts_large: QueryCounts | None = None
    counts_large_label: str = ""
    baseline: Timing | None = None
    timings: list[Timing] = field(default_factory=list)
    latency_label: str = ""
    engagement: dict | None = None
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds


def _ms(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def _ratio(value: float, baseline: float) -> str:
    if math.isnan(value) or math.isnan(baseline) or baseline <= 0:
        return "–"
    return f"{value / baseline:.1f}×"


def _rows(m: Measurement | None) -> str:
    if m is None or m.rows is None:
        return "–"
    return f"{m.rows}" + (f" of {m.total}" if m.total not in (None, m.rows) else "")


# Where a list reads its page before counting: the API's lists and the pages that read their
# first page with its SQL kept.
COUNTED_WHEN_FULL_BY_KIND = {
    "api": "config.api.CountSparingPaginator",
    "page": "config.pagination.page_first_read",
}
COUNTED_WHEN_FULL = (
    "constant per page: the total is counted (one query) only when the page is full ({where})"
)


def counted_when_full_label(kind: str) -> str:
    return COUNTED_WHEN_FULL.format(where=COUNTED_WHEN_FULL_BY_KIND[kind])


def counted_when_full(small: Measurement, large: Measurement) -> bool:
    """One query more for a list only because its page filled up: a page that is not full
    tells its total without a COUNT (config.api.CountSparingPaginator for the API's lists,
    config.pagination.page_first_read for the pages that read their first page first)."""
    return (
        small.kind in COUNTED_WHEN_FULL_BY_KIND
        and large.queries == small.queries + 1
        and small.rows is not None
        and large.rows is not None
        and small.rows < large.rows
        and small.rows == small.total
    )


def _verdict(demo: Measurement, large: Measurement | None) -> str:
    if demo.status != 200:
        return f"**HTTP {demo.status}: not a valid measurement**"
    if large is None:
        return "(one size only)"
    if large.status != 200:
        return f"**HTTP {large.status} at the larger size**"
    if counted_when_full(demo, large):
        return counted_when_full_label(demo.kind)
    if large.queries > demo.queries:
        return f"**GROWS (+{large.queries - demo.queries})**"
    if large.queries < demo.queries:
        return "fewer"
    same_rows = demo.rows is not None and demo.rows == large.rows and demo.total == large.total
    return "constant (same rows at both sizes)" if same_rows else "constant"


def _latency_section(report: BenchReport) -> list[str]:
    lines = ["## Latency of the main screens", ""]
    if report.baseline is None:
        return [*lines, "Not measured in this run.", ""]
    base = report.baseline
    lines += [
        report.latency_label,
        "",
        f"Command: `{report.commands.get('latency', '')}`",
        "",
        f"Baseline: {base.label}: median {_ms(base.median)} ms, p95 {_ms(base.p95)} ms "
        f"({len(base.seconds)} requests).",
        "",
        "| persona | screen | path | median ms | p95 ms | median ÷ baseline | "
        "p95 ÷ baseline p95 | errors |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for t in report.timings:
        errors = ", ".join(sorted(set(t.errors))) if t.errors else ""
        lines.append(
            f"| {PERSONA_LABELS.get(t.persona, t.persona)} | {t.label} | `{t.path}` | "
            f"{_ms(t.median)} | {_ms(t.p95)} | {_ratio(t.median, base.median)} | "
            f"{_ratio(t.p95, base.p95)} | {errors or '0'} |"
        )
    return [*lines, ""]


def _counts_section(report: BenchReport) -> list[str]:
    large = {}
    if report.counts_large is not None:
        large = {(m.kind, m.name, m.persona): m for m in report.counts_large.measurements}
    lines = _counts_method(report)
    missing = list(report.counts.not_measured)
    if report.counts_large is not None:
        missing += [entry for entry in report.counts_large.not_measured if entry not in missing]
    if missing:
        lines += ["### ⚠ NOT MEASURED", ""]
        lines += [f"- **{kind} `{name}`: NOT MEASURED** — {why}" for kind, name, why in missing]
        lines.append("")
    growing = [
        m
        for m in report.counts.measurements
        if (m.kind, m.name, m.persona) in large
        and large[(m.kind, m.name, m.persona)].queries > m.queries
        and not counted_when_full(m, large[(m.kind, m.name, m.persona)])
    ]
    lines.append(
        f"**{len(growing)} of {len(report.counts.measurements)} measurements grow with the data.**"
        if report.counts_large is not None
        else f"{len(report.counts.measurements)} measurements at one size."
    )
    lines.append("")
    for kind, title in (("page", "Pages"), ("api", "API list endpoints")):
        lines += _counts_table(report, large, kind=kind, title=title)
    return lines


def _counts_method(report: BenchReport) -> list[str]:
    """The section's heading, command, sizes and how the counts were taken."""
    lines = [
        "## Query counts of every list page and list endpoint",
        "",
        f"Command: `{report.commands.get('counts', '')}`",
        "",
        f"- demo size: {report.counts_label}",
    ]
    if report.counts_large is not None:
        lines.append(f"- larger size: {report.counts_large_label}")
    return [
        *lines,
        "",
        "Each list is requested twice in-process (django.test.Client, logged in as the persona)"
        " and the second request's queries are counted (CaptureQueriesContext). Pages come "
        "from the URL resolver (demo/benchmarks/targets.py says which are lists); endpoints "
        "are the GET operations of docs/openapi.yaml whose 200 response is an array or a "
        "paginated object, asked for `?page_size=100`, as every persona who gets a 200. "
        "*Rows* is what the response showed (of the list's total, where it says). "
        "Not counted: " + ", ".join(f"`/{prefix}`" for prefix in report.counts.excluded) + " "
        "(the API is counted from the schema; the admin is Django's own).",
        "",
    ]


def _counts_table(
    report: BenchReport,
    large: dict[tuple[str, str, str], Measurement],
    *,
    kind: str,
    title: str,
) -> list[str]:
    """One table of `kind` ("page" or "api"): both sizes' counts and rows, and the verdict."""
    lines = [
        f"### {title}",
        "",
        "| list | persona | queries (demo) | queries (larger) | rows (demo) | "
        "rows (larger) | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for m in report.counts.measurements:
        if m.kind != kind:
            continue
        other = large.get((m.kind, m.name, m.persona))
        verdict = _verdict(m, other)
        if m.name in COUNT_NOTES and other is not None and other.queries != m.queries:
            verdict += f" — {COUNT_NOTES[m.name]}"
        lines.append(
            f"| `{m.name}` | {PERSONA_LABELS.get(m.persona, m.persona)} | {m.queries} | "
            f"{other.queries if other else '–'} | {_rows(m)} | {_rows(other)} | {verdict} |"
        )
    lines.append("")
    return lines


def _engagement_section(report: BenchReport) -> list[str]:
    lines = ["## Engagement engine", ""]
    figures = report.engagement
    if not figures:
        return [*lines, "Not run in this run (`--engagement-accounts 0`).", ""]
    runs = ", ".join(f"{seconds:.2f}" for seconds in figures["full_runs"])
    lower_runs = ", ".join(f"{seconds:.2f}" for seconds in figures["lower_bound_runs"])
    return [
        *lines,
        f"Command: `{report.commands.get('engagement', '')}` (method: "
        "[engagement-benchmark.md](engagement-benchmark.md))",
        "",
        f"{figures['accounts']} accounts, {figures['events']} events, chunks of "
        f"{figures['chunk_size']}.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| full recompute through the engine ({figures['full_accounts']} accounts) | "
        f"{figures['full_seconds']:.2f} s (runs: {runs}) |",
        f"| hand-written SQL aggregate, the lower bound | {figures['lower_bound_seconds']:.2f} s "
        f"(runs: {lower_runs}) |",
        f"| **ratio full ÷ lower bound** | **{figures['ratio_full_to_lower_bound']:.2f}** |",
        f"| incremental after {figures['incremental_new_events']} new events "
        f"({figures['incremental_accounts']} accounts) | "
        f"{figures['incremental_seconds']:.2f} s |",
        f"| **ratio incremental ÷ full** | **{figures['ratio_incremental_to_full']:.3f}** |",
        *_repair_rows(figures),
        "",
    ]


def _repair_rows(figures: dict) -> list[str]:
    """The history repair's rows: 1% of the accounts after late events up to 90 days back,
    against the full run of today (target: below one full run)."""
    if "repair_seconds" not in figures:
        return ["| history repair | not measured |"]
    return [
        f"| history repair of {figures['repair_accounts']} accounts after late events up to 90 "
        f"days back ({figures['repair_snapshots']} snapshots) | "
        f"{figures['repair_seconds']:.2f} s |",
        f"| **ratio repair ÷ full** (target: below 1) | "
        f"**{figures['ratio_repair_to_full']:.3f}** |",
    ]


def report_render(report: BenchReport) -> str:
    lines = [
        "# Benchmark report",
        "",
        "Written by `manage.py bench_report` (`make bench`); do not edit by hand. The machine "
        "is shared and noisy: read latencies as ratios to the baseline measured in the same "
        "run, not as absolute numbers. `make bench` also writes the API's requests/s per list "
        "endpoint as a share of the bare view's, measured with wrk just before this report: "
        "[api-throughput-report.md](api-throughput-report.md).",
        "",
        f"Reproduce: `{report.commands.get('make', '')}`",
        "",
        "## Machine and run",
        "",
        *(f"- {name}: {value}" for name, value in report.facts.items()),
    ]
    if report.phases:
        phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases.items())
        lines.append(f"- time taken: {phases}")
    lines.append("")
    lines += _latency_section(report)
    lines += _counts_section(report)
    lines += _engagement_section(report)
    return "\n".join(lines).rstrip() + "\n"
