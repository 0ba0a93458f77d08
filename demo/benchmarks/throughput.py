"""Requests per second of every API list endpoint on a real gunicorn, measured with wrk
(https://github.com/wg/wrk, the Debian package `wrk`), against the bare /healthz/ view on the
same server in the same run (issue 16, item 4: every list at ≥ 25% of the bare view).

Each persona calls with an API token of its own (`Authorization: Token …`), made for the run
and revoked after it. An endpoint is called as the first persona of THROUGHPUT_PERSONAS that gets
a 200 (the one who sees most), at `?page_size=25`. The baseline is measured first and last; the
ratio is to the mean of the two, so that a machine that got busier during the run shows in the
report instead of in the ratios.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from demo.benchmarks.query_counts import api_list_operations
from demo.benchmarks.targets import API_PATH_PARAMS, API_QUERIES
from demo.benchmarks.world import BenchWorld

THROUGHPUT_PERSONAS = ("programme_admin", "product_manager", "account_manager", "customer")
THROUGHPUT_PAGE_SIZE = 25
# Not in the schema's lists (an object of aggregates), but named by issue 16 as a heavy read.
EXTRA_PATHS = {"/api/v1/pilots/{id}/results/": lambda w: {"id": w.pilot.pk}}
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors:(.*)")
_REQUESTS = re.compile(r"(\d+) requests in")
_LATENCY = re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


class ThroughputError(RuntimeError):
    """wrk is missing or its output could not be read."""


@dataclass
class Throughput:
    path: str  # the schema's path template
    url: str  # what was called
    persona: str
    requests_per_second: float
    requests: int
    median_ms: float
    failures: str  # non-2xx responses and socket errors, "" when none


@dataclass(frozen=True)
class WrkOptions:
    threads: int = 2
    connections: int = 8
    seconds: int = 10
    warmup_seconds: int = 2


def _wrk(url: str, token: str | None, options: WrkOptions, seconds: int) -> str:
    binary = shutil.which("wrk")
    if binary is None:
        raise ThroughputError("wrk is not installed (Debian/Ubuntu: apt-get install wrk).")
    command = [
        binary,
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds}s",
        "--latency",
        url,
    ]
    if token:
        command[1:1] = ["-H", f"Authorization: Token {token}"]
    result = subprocess.run(  # noqa: S603 (wrk against our own loopback server)
        command, capture_output=True, text=True, check=False, timeout=seconds + 30
    )
    if result.returncode != 0:
        raise ThroughputError(f"wrk failed on {url}: {result.stderr.strip()}")
    return result.stdout


def wrk_measure(
    *, path: str, url: str, persona: str, token: str | None, options: WrkOptions
) -> Throughput:
    """One endpoint: a short untimed warm-up, then the timed run."""
    if options.warmup_seconds:
        _wrk(url, token, options, options.warmup_seconds)
    out = _wrk(url, token, options, options.seconds)
    rps, requests = _RPS.search(out), _REQUESTS.search(out)
    if rps is None or requests is None:
        raise ThroughputError(f"Could not read wrk's output for {url}:\n{out}")
    latency = _LATENCY.search(out)
    median = float(latency.group(1)) * _UNITS[latency.group(2)] if latency else float("nan")
    failures = []
    if match := _NON_2XX.search(out):
        failures.append(f"{match.group(1)} non-2xx")
    if match := _ERRORS.search(out):
        failures.append(f"socket errors:{match.group(1)}")
    return Throughput(
        path, url, persona, float(rps.group(1)), int(requests.group(1)), median, "; ".join(failures)
    )


def throughput_targets(world: BenchWorld, only: str = "") -> tuple[list[tuple[str, str]], list]:
    """([(path template, URL)], [(path template, why it is not measured)]), optionally only the
    templates containing `only`."""
    targets, missing = [], []
    params = {**API_PATH_PARAMS, **EXTRA_PATHS}
    for path in sorted({*api_list_operations(), *EXTRA_PATHS}):
        if only and only not in path:
            continue
        if "{" in path and path not in params:
            missing.append((path, "no path parameters in API_PATH_PARAMS"))
            continue
        values = params[path](world) if "{" in path else {}
        url = path.format_map(values) + f"?page_size={THROUGHPUT_PAGE_SIZE}"
        url += f"&{API_QUERIES[path]}" if path in API_QUERIES else ""
        targets.append((path, url))
    return targets, missing


def persona_for(base_url: str, url: str, tokens: dict[str, str]) -> tuple[str | None, str]:
    """The first persona whose token gets a 200 at `url`, or (None, the statuses seen)."""
    import requests  # a dev dependency, as make bench installs

    statuses = []
    for persona in THROUGHPUT_PERSONAS:
        response = requests.get(
            base_url + url, headers={"Authorization": f"Token {tokens[persona]}"}, timeout=60
        )
        if response.status_code == 200:
            return persona, ""
        statuses.append(f"{persona} {response.status_code}")
    return None, ", ".join(statuses)
