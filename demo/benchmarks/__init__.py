"""`manage.py bench_report` (make bench): page and API latency against a bare view, query counts
of every list page and endpoint, and the engagement benchmark, written to
docs/benchmark-report.md.

It lives in `demo`, above the three product apps, because the screens it measures belong to
all three. `world` finds the demo's personas and objects, `query_counts` counts queries
in-process, `latency` times a real gunicorn (tests/perf/server.py), `report` writes Markdown;
`engagement` makes the engagement benchmark's data set and times the engine
(`manage.py bench_engagement`).
"""
