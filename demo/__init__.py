"""Demo data and benchmarks: tooling, not product.

`demo` sits above the three product apps (demo → ideas → community → accounts): it may import
any of them, and none of them imports it. `data/` builds the deterministic demo world that
`manage.py seed_demo` (`make demo`) seeds; `benchmarks/` measures that world for
`manage.py bench_report` and `manage.py bench_engagement` (`make bench`).
"""
