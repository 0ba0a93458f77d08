"""A yardstick for CPU figures taken on different days or machines.

CPU ms per request depends on the machine (this 2-core machine has run the same code at three
times the CPU on one day as on another) and on how the interpreter was built (a Python compiled
without profile-guided and link-time optimization spends about a quarter more on the same
pages: docs/cpu-per-request.md). `make load` and `make profile-pages` print this yardstick
beside their figures: the CPU ms of a fixed piece of plain Python (dicts, string formatting,
calls, the kind of work a template and the ORM do), the fastest of five runs. For one
interpreter build, two figures compare when they are read as multiples of the yardstick of their
own run; across builds they do not (an optimized build runs the yardstick more than twice as
fast, the pages a quarter faster).
"""

from __future__ import annotations

import time


def _work() -> int:
    cells = []
    for i in range(20_000):
        row = {"pk": i, "name": f"row {i}", "level": ("observing", "co_creating")[i % 2]}
        cells.append("<td>{}</td><td>{}</td>".format(row["name"].upper(), row.get("level")))
    return len("".join(cells))


def python_yardstick_ms(*, runs: int = 5) -> float:
    """The CPU ms of `_work`, the fastest of `runs` (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        _work()
        best = min(best, time.process_time() - started)
    return best * 1000
