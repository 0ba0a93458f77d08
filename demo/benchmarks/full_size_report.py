"""docs/benchmark-full-size.md: the bench's third size (demo/benchmarks/full_size.py) as
Markdown — every screen's latency against the bare view and its target, its queries at the demo
size and at full size, the ten slowest screens' slowest queries explained, the largest CSV."""

from __future__ import annotations

import math

from demo.benchmarks.full_size import (
    DAILY_LIMIT_MS,
    OTHER_LIMIT_MS,
    PLAN_LINES,
    FullSize,
    Screen,
)
from demo.benchmarks.report import PERSONA_LABELS, counted_when_full, counted_when_full_label
from demo.benchmarks.targets import COUNT_NOTES

SQL_CHARS = 2000  # an explained query's SQL is cut after this many characters


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def _rows(screen: Screen) -> str:
    m = screen.at_scale
    if m.rows is None:
        return "–"
    return f"{m.rows:,}" + (f" of {m.total:,}" if m.total not in (None, m.rows) else "")


def _queries_verdict(screen: Screen) -> str:
    demo, full = screen.demo, screen.at_scale
    if demo is None or demo.status != 200:
        return "–"
    if counted_when_full(demo, full):
        return counted_when_full_label(demo.kind)
    if full.queries > demo.queries:
        note = f" — {COUNT_NOTES[full.name]}" if full.name in COUNT_NOTES else ""
        return f"**GROWS (+{full.queries - demo.queries})**{note}"
    return "constant" if full.queries == demo.queries else "fewer"


def _latency_verdict(screen: Screen) -> str:
    timing = screen.timing
    if screen.at_scale.status != 200:
        return f"**HTTP {screen.at_scale.status}**"
    if timing is None or not timing.seconds:
        return "**not timed**"
    if timing.errors:
        return f"**{len(timing.errors)} errors ({timing.errors[0]})**"
    if screen.within:
        return "within"
    return f"**OVER ({screen.p95_ms:.0f} > {screen.limit_ms})**"


def _screens_table(result: FullSize, kind: str, title: str) -> list[str]:
    base_p95 = result.baseline.p95 * 1000
    lines = [
        f"### {title}",
        "",
        "| persona | screen | path | rows | queries (demo) | queries (full) | median ms | "
        "p95 ms | p95 ÷ baseline p95 | target p95 ms | latency | queries |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for screen in result.screens:
        m = screen.at_scale
        if m.kind != kind:
            continue
        timing = screen.timing
        median = timing.median * 1000 if timing else float("nan")
        ratio = screen.p95_ms / base_p95 if base_p95 > 0 else float("nan")
        lines.append(
            f"| {PERSONA_LABELS.get(m.persona, m.persona)} | `{m.name}` | `{m.url}` | "
            f"{_rows(screen)} | {screen.demo.queries if screen.demo else '–'} | {m.queries} | "
            f"{_ms(median)} | {_ms(screen.p95_ms)} | "
            f"{'–' if math.isnan(ratio) else f'{ratio:.1f}×'} | {screen.limit_ms} | "
            f"{_latency_verdict(screen)} | {_queries_verdict(screen)} |"
        )
    lines.append("")
    return lines


def _explained_section(result: FullSize) -> list[str]:
    lines = [
        "## The slowest query of the ten slowest screens",
        "",
        "Each screen's slowest SELECT of the counted request, run again with `EXPLAIN (ANALYZE, "
        "BUFFERS)` right after the timing (so the cache is warm, as for a screen in use).",
        "",
    ]
    for n, explained in enumerate(result.explained, 1):
        screen, m = explained.screen, explained.screen.at_scale
        sql = m.slowest_sql if len(m.slowest_sql) <= SQL_CHARS else m.slowest_sql[:SQL_CHARS] + " …"
        lines += [
            f"### {n}. `{m.name}` as {PERSONA_LABELS.get(m.persona, m.persona)}: p95 "
            f"{screen.p95_ms:.1f} ms, its slowest query {m.slowest_ms or 0:.1f} ms",
            "",
            "```sql",
            sql,
            "```",
            "",
            "```",
            *explained.plan[:PLAN_LINES],
            *(
                [f"… ({len(explained.plan) - PLAN_LINES} more lines)"]
                if len(explained.plan) > PLAN_LINES
                else []
            ),
            "```",
            "",
        ]
    return lines


def _csv_section(result: FullSize) -> list[str]:
    lines = ["## The largest CSV", ""]
    if not result.csvs:
        return [*lines, "Not measured in this run.", ""]
    lines += [
        "The portfolio's CSV streamed in-process (rows are read from the database 2,000 at a "
        "time and written out as they come), with Python memory's peak while streaming "
        "(tracemalloc):",
        "",
        "| as | path | rows | size | seconds | peak memory |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for csv in result.csvs:
        lines.append(
            f"| {PERSONA_LABELS.get(csv.persona, csv.persona)} | `{csv.path}` | {csv.rows:,} | "
            f"{csv.bytes / 1e6:.1f} MB | {csv.seconds:.1f} | **{csv.peak_bytes / 1e6:.1f} MB** |"
        )
    return [*lines, ""]


def full_size_render(
    result: FullSize, *, facts: dict[str, str], commands: dict[str, str], phases: dict[str, float]
) -> str:
    screens = result.screens
    within = sum(s.within for s in screens)
    growing = sum(_queries_verdict(s).startswith("**GROWS") for s in screens)
    base = result.baseline
    lines = [
        "# Benchmark report: full size",
        "",
        "Written by `manage.py bench_full_size` (`make bench-scale`); do not edit by hand. The "
        "third size of the bench report ([benchmark-report.md](benchmark-report.md) has the "
        "demo and the larger demo). The machine is shared and noisy: read latencies against "
        "the baseline measured in the same run.",
        "",
        "Reproduce:",
        "",
        "```bash",
        *commands.values(),
        "```",
        "",
        "## Machine and run",
        "",
        *(f"- {name}: {value}" for name, value in facts.items()),
        f"- data: {result.size}",
        "- time taken: " + ", ".join(f"{name} {sec:.0f} s" for name, sec in phases.items()),
        "",
        "## Verdict",
        "",
        f"**{within} of {len(screens)} screens within their targets** (p95 at most "
        f"{DAILY_LIMIT_MS} ms for the screens people open daily — every home, ideas, garden "
        f"home, thread, portfolio, account engagement, alerts, pilot results, insights — and "
        f"{OTHER_LIMIT_MS} ms for all others). **{growing} of {len(screens)} make more queries "
        "than at the demo size.**",
        "",
    ]
    missing = result.not_measured
    if missing:
        lines += ["### ⚠ NOT MEASURED", ""]
        lines += [f"- **{kind} `{name}`: NOT MEASURED** — {why}" for kind, name, why in missing]
        lines.append("")
    lines += [
        "## Every screen",
        "",
        f"Baseline: {base.label}: median {base.median * 1000:.1f} ms, p95 "
        f"{base.p95 * 1000:.1f} ms ({len(base.seconds)} requests). Screens are the query-count "
        "report's (every list page as the persona who uses it, every home as each persona, every "
        "list endpoint as each persona who gets a 200, at `?page_size=100`).",
        "",
    ]
    lines += _screens_table(result, "page", "Pages")
    lines += _screens_table(result, "api", "API list endpoints")
    lines += _explained_section(result)
    lines += _csv_section(result)
    return "\n".join(lines).rstrip() + "\n"
