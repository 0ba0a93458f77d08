"""The read replica's figures in docs/scaling.md, on this machine: a throwaway primary and its
streaming replica (tests/pg_streaming.py), then

- how long after a commit on the primary a row is visible on the replica;
- what the router's health check (config/db_router.py) costs on an open connection, on a new
  one, and against a stopped replica (connection refused).

    .venv/bin/python -m tests.perf.replica_figures     # as root or as a user that may initdb

Both clusters are on 127.0.0.1 with fsync off: the figures are this machine's floor, not a
network's. Run it three times and compare medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import psycopg

from config.db_router import _LAG_SQL
from tests.pg_streaming import DATABASE, streaming_pair

SAMPLES = 50


def _figures(label: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    print(
        f"{label}: median {statistics.median(ordered) * 1000:.2f} ms, "
        f"p90 {p90 * 1000:.2f} ms (n={len(ordered)})"
    )


def _timed(action: Callable[[], object], samples: int = SAMPLES) -> list[float]:
    taken = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        taken.append(time.perf_counter() - start)
    return taken


def main() -> None:
    started = time.monotonic()
    # Any database will do as the primary's contents: the figures use a table of their own.
    with streaming_pair(schema_from="postgres://postgres@127.0.0.1:5432/postgres") as pair:
        print(f"primary and replica streaming after {time.monotonic() - started:.1f} s")
        primary_url = f"postgresql://postgres@127.0.0.1:{pair.primary_port}/{DATABASE}"
        replica_url = f"postgresql://postgres@127.0.0.1:{pair.replica_port}/{DATABASE}"
        with (
            psycopg.connect(primary_url, autocommit=True) as primary,
            psycopg.connect(replica_url, autocommit=True) as replica,
        ):
            primary.execute("CREATE TABLE probe (id int PRIMARY KEY)")
            while not replica.execute("SELECT to_regclass('probe')").fetchone()[0]:
                time.sleep(0.01)
            delays = []
            for i in range(SAMPLES):
                primary.execute("INSERT INTO probe VALUES (%s)", (i,))  # committed
                start = time.perf_counter()
                while not replica.execute("SELECT 1 FROM probe WHERE id = %s", (i,)).fetchone():
                    pass
                delays.append(time.perf_counter() - start)
            _figures("commit on the primary to visible on the replica", delays)
            _figures(
                "health check, open connection",
                _timed(lambda: replica.execute(_LAG_SQL).fetchone(), 200),
            )

        def connect_and_check() -> None:
            with psycopg.connect(replica_url, connect_timeout=2) as fresh:
                fresh.execute(_LAG_SQL).fetchone()

        _figures("health check, new connection", _timed(connect_and_check))
        pair.stop_replica()

        def refused() -> None:
            try:
                psycopg.connect(replica_url, connect_timeout=2)
            except psycopg.OperationalError:
                return
            raise RuntimeError("the stopped replica answered")

        _figures("health check, replica stopped (connection refused)", _timed(refused))


if __name__ == "__main__":
    main()
