"""Latency of the personas' main screens on a real gunicorn (tests/perf/server.py), against a
bare JSON view on the same server in the same run.

The requests go round-robin (every target once, then again, `repeat` times) so that the
machine's noise falls on all targets alike; each target is warmed up first. A request is
timed on the client, from sending to the last byte, over a kept-alive connection.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from demo.benchmarks.targets import BASELINE, LATENCY_TARGETS, LatencyTarget
from demo.benchmarks.world import BenchWorld


@dataclass
class Timing:
    persona: str
    label: str
    path: str
    seconds: list[float]
    errors: list[str]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def p95(self) -> float:
        if len(self.seconds) < 2:
            return self.median
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[-1]


def latency_measure(
    *,
    world: BenchWorld,
    base_url: str,
    password: str,
    repeat: int,
    warmup: int,
    targets: list[LatencyTarget] = LATENCY_TARGETS,
) -> tuple[Timing, list[Timing]]:
    """(baseline, targets' timings). Personas log in through the real login form."""
    import requests  # a dev dependency (with locust and schemathesis), as make bench installs

    from tests.perf.server import login

    sessions = {"": requests.Session()}
    for persona in {target.persona for target in targets}:
        sessions[persona] = requests.Session()
        login(sessions[persona], base_url, world.users[persona].email, password)
    everything = [BASELINE, *targets]
    timings = [
        Timing(target.persona, target.label, target.path(world), [], []) for target in everything
    ]
    for round_ in range(warmup + repeat):
        for target, timing in zip(everything, timings, strict=True):
            session = sessions[target.persona]
            started = time.perf_counter()
            response = session.get(base_url + timing.path, timeout=60, allow_redirects=False)
            _ = response.content
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                timing.errors.append(f"HTTP {response.status_code}")
            elif round_ >= warmup:
                timing.seconds.append(elapsed)
    return timings[0], timings[1:]
