"""`make load`: the locust scenario (tests/perf/locustfile.py) against a real site, checked.

    DATABASE_URL=postgres://…/scratch REDIS_URL=redis://…/n .venv/bin/python -m tests.perf.load

migrates and seeds the scratch database (seed_demo, once), writes the logins the personas use,
starts gunicorn + a Celery worker with beat on 127.0.0.1 (tests/perf/server.py), runs
`locust --headless` for LOAD_TIME (5m) at LOAD_USERS (50) users, then checks its CSV: zero
5xx, zero timeouts and zero failures of any kind, aggregated p95 < 300 ms and p99 < 800 ms. It
writes docs/load-report.md either way and exits 1 when a check fails.

`python -m tests.perf.load check var/load/locust` checks a CSV written earlier, and
`python -m tests.perf.load smoke --host URL --logins FILE` runs every task of every persona once
(tests/test_load_scenario.py runs it against a live server).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.perf.yardstick import python_yardstick_ms

ROOT = Path(__file__).resolve().parent.parent.parent
OUT_DIR = ROOT / "var" / "load"
REPORT = ROOT / "docs" / "load-report.md"
LOCUSTFILE = "tests/perf/locustfile.py"
P95_LIMIT_MS = 300
P99_LIMIT_MS = 800
PERSONAS = ("customer", "account_manager", "product_manager")
# Gunicorn: 2 sync workers on 2 cores, one per core. A request here is CPU-bound Python
# (templates, ORM) with short waits on PostgreSQL, which runs on the same cores (as do Redis, the
# worker and locust), so more processes only take turns: at saturation on 7 Dec 2026, 2 workers
# spent 11.5 and 11.4 ms of CPU per request and served 79 and 78 requests/s; 3 workers 12.6 ms
# and 75/s; 4 workers 13.8 and 12.7 ms and 73 and 74/s (docs/cpu-per-request.md, "Sixth round of
# the pages"). Below saturation (150 users, a think time before every click) 4 workers against 2,
# alternated twice, gave p95 430 and 850 ms against 840 and 680: the machine's noise, no gain
# (docs/cpu-per-request.md, "The 150-user run").
# Threads (gthread) would not add CPU under the GIL, and loopback clients are never slow readers.
WEB_WORKERS = 2

_FIVE_XX = re.compile(r"\b5\d\d\b")
_TIMEOUT = re.compile(r"timeout|timed out", re.IGNORECASE)
_ACCESS_STATUS = re.compile(r'" (\d{3}) ')


# --- The check ----------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    method: str
    requests: int
    failures: int
    median: float
    p95: float
    p99: float
    max: float
    rps: float


@dataclass
class Verdict:
    aggregated: Row
    rows: list[Row]
    server_errors: int  # 5xx seen by locust
    timeouts: int
    other_failures: int
    exceptions: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _number(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def _row(record: dict) -> Row:
    return Row(
        name=record["Name"],
        method=record["Type"],
        requests=int(record["Request Count"]),
        failures=int(record["Failure Count"]),
        median=_number(record["Median Response Time"]),
        p95=_number(record["95%"]),
        p99=_number(record["99%"]),
        max=_number(record["Max Response Time"]),
        rps=_number(record["Requests/s"]),
    )


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def check(
    prefix: Path, *, p95_limit: float = P95_LIMIT_MS, p99_limit: float = P99_LIMIT_MS
) -> Verdict:
    """Read locust's `<prefix>_stats.csv`, `_failures.csv` and `_exceptions.csv`: a problem for
    every failed request (5xx, timeout or other), every exception in the users' code, and an
    aggregated p95 or p99 over its limit."""
    records = _read(Path(f"{prefix}_stats.csv"))
    aggregated = [_row(r) for r in records if r["Name"] == "Aggregated"]
    if not aggregated:
        raise FileNotFoundError(f"No aggregated row in {prefix}_stats.csv")
    total = aggregated[0]
    server_errors = timeouts = other = 0
    for failure in _read(Path(f"{prefix}_failures.csv")):
        count = int(failure["Occurrences"])
        if _FIVE_XX.search(failure["Error"]):
            server_errors += count
        elif _TIMEOUT.search(failure["Error"]):
            timeouts += count
        else:
            other += count
    exceptions = sum(int(e["Count"]) for e in _read(Path(f"{prefix}_exceptions.csv")))
    verdict = Verdict(
        aggregated=total,
        rows=[_row(r) for r in records if r["Name"] != "Aggregated"],
        server_errors=server_errors,
        timeouts=timeouts,
        other_failures=other,
        exceptions=exceptions,
    )
    if total.requests == 0:
        verdict.problems.append("no requests were made")
    if server_errors:
        verdict.problems.append(f"{server_errors} responses were 5xx")
    if timeouts:
        verdict.problems.append(f"{timeouts} requests timed out")
    if other or total.failures > server_errors + timeouts + other:
        verdict.problems.append(f"{total.failures} requests failed in all")
    if exceptions:
        verdict.problems.append(f"{exceptions} exceptions in the users' code")
    if total.p95 >= p95_limit:
        verdict.problems.append(f"p95 {total.p95:.0f} ms is not under {p95_limit:.0f} ms")
    if total.p99 >= p99_limit:
        verdict.problems.append(f"p99 {total.p99:.0f} ms is not under {p99_limit:.0f} ms")
    return verdict


def access_log_5xx(path: Path, *, offset: int = 0) -> int:
    """5xx answers in gunicorn's access log after `offset` (its size before this run; gunicorn
    appends): the server's own count, next to locust's."""
    if not path.exists():
        return 0
    with open(path, errors="replace") as handle:
        handle.seek(offset)
        return sum(
            1
            for line in handle
            if (m := _ACCESS_STATUS.search(line)) and m.group(1).startswith("5")
        )


def cpu_seconds(*, port: int, database: str) -> dict[str, dict[int, float]]:
    """CPU time (user + system) spent so far by each of this site's processes, read from /proc,
    by group: the gunicorn master and workers, the Celery worker, PostgreSQL's backends for
    `database`, and locust. Unlike response times, CPU per request hardly changes when other
    work shares the machine, so it says what the site costs on any machine."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {
        "web": lambda cmd: "gunicorn" in cmd and f"127.0.0.1:{port}" in cmd,
        "worker": lambda cmd: "celery" in cmd and f"cg-perf-{port}" in cmd,
        "postgres": lambda cmd: cmd.startswith("postgres: ") and f" {database} " in cmd,
        "locust": lambda cmd: "locust" in cmd and LOCUSTFILE in cmd,
    }
    found: dict[str, dict[int, float]] = {name: {} for name in groups}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        for name, belongs in groups.items():
            if belongs(cmd):
                found[name][int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(samples: list[dict[str, dict[int, float]]]) -> dict[str, float]:
    """CPU seconds each group spent from the first of these samples (taken in order) to the
    last: per process, its last value seen minus its value in the first sample (0 for one
    started since). A process that ended (a PostgreSQL backend whose connection closed) keeps
    what it spent until its last sample, instead of taking its whole CPU off the total."""
    if not samples:
        return {}
    first = samples[0]
    last_seen: dict[str, dict[int, float]] = {name: {} for name in first}
    for sample in samples:
        for name, processes in sample.items():
            last_seen.setdefault(name, {}).update(processes)
    return {
        name: sum(value - first.get(name, {}).get(pid, 0.0) for pid, value in processes.items())
        for name, processes in last_seen.items()
    }


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores, from /proc/stat:
    what everything running here used, this site or not."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def steady_cpu_per_request(
    samples: list[tuple[float, dict[str, dict[int, float]]]], history: Path, since: float
) -> tuple[float, float, float, int] | None:
    """CPU ms per request (gunicorn, PostgreSQL, worker) between the first sample after `since`
    and the last one, against locust's cumulative request count (its _stats_history.csv)."""
    counts = [
        (float(r["Timestamp"]), int(r["Total Request Count"]))
        for r in _read(history)
        if r["Name"] == "Aggregated"
    ]
    later = [sample for sample in samples if sample[0] >= since]
    if len(later) < 2 or not counts:
        return None

    def _count_at(moment: float) -> int:
        return max((count for at, count in counts if at <= moment), default=0)

    t0, t1 = later[0][0], later[-1][0]
    requests = _count_at(t1) - _count_at(t0)
    if requests <= 0:
        return None
    spent = cpu_spent([sample for _, sample in later])
    per = {k: spent[k] / requests * 1000 for k in ("web", "postgres", "worker")}
    return per["web"], per["postgres"], per["worker"], requests


def _machine_busy(
    before: tuple[float, float], after: tuple[float, float], ours: dict[str, float]
) -> dict[str, float] | None:
    """The share of the machine's CPU used during the run: by everything, and by what is not
    this site (gunicorn, worker, its PostgreSQL backends) or locust."""
    busy, total = after[0] - before[0], after[1] - before[1]
    if total <= 0:
        return None
    others = max(busy - sum(ours.values()), 0.0)
    return {"all": busy / total, "others": others / total}


# --- The report -------------------------------------------------------------------------------


def _machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "?"
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu or platform.processor() or "?",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "yardstick": f"{python_yardstick_ms():.1f}",
    }


def _ms(value: float) -> str:
    return f"{value:.0f}"


def write_report(
    verdict: Verdict,
    *,
    path: Path,
    users: int,
    duration: str,
    command: str,
    facts: dict,
) -> None:
    total = verdict.aggregated
    lines = [
        "# Load test: three personas against gunicorn + PostgreSQL + Redis + a worker",
        "",
        f"Written by `tests/perf/load.py` on {facts['date']}. Verdict: "
        + ("**pass**" if verdict.ok else "**FAIL** — " + "; ".join(verdict.problems))
        + ".",
        "",
        "```",
        command,
        "```",
        "",
        f"- users: {users} (spawn rate {facts['spawn_rate']}/s), duration {duration}, "
        f"think time {os.environ.get('LOAD_THINK', '3-10')} s "
        + (
            "between tasks only (LOAD_PACE=task: a task's clicks follow each other at once)"
            if os.environ.get("LOAD_PACE") == "task"
            else "before every click (a page opened, a form sent; not the fragments a page "
            "loads or the redirects a form answers with) and between tasks"
        ),
        f"- requests: {total.requests}, {total.rps:.1f} per second; failures: {total.failures} "
        f"(5xx seen by locust: {verdict.server_errors}, in gunicorn's access log: "
        f"{facts['access_5xx']}; timeouts: {verdict.timeouts}; exceptions: {verdict.exceptions})",
        f"- aggregated response time: median {_ms(total.median)} ms, "
        f"**p95 {_ms(total.p95)} ms** (limit {P95_LIMIT_MS}), "
        f"**p99 {_ms(total.p99)} ms** (limit {P99_LIMIT_MS}), max {_ms(total.max)} ms",
        f"- site: gunicorn {facts['web_workers']} sync workers, a Celery worker "
        f"(concurrency 2) with beat, PostgreSQL {facts['postgres']}, Redis; settings "
        "`config.settings.bench`; data: `seed_demo` defaults (40 accounts, ~300 customers)",
        f"- machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory']}, "
        f"{facts['os']}, Python {facts['python']} (yardstick {facts['yardstick']} ms, "
        "tests/perf/yardstick.py); load average before the run "
        f"{facts['loadavg_before']}, after it {facts.get('loadavg_after', '?')}",
    ]
    if busy := facts.get("machine_busy"):
        lines.append(
            f"- the machine's cores were {busy['all']:.0%} busy during the run, "
            f"{busy['others']:.0%} of them with work other than this site and locust "
            "(other people's tests and benchmarks on a shared machine: they slow the answers "
            "down, not the CPU per request)"
        )
    if cpu := facts.get("cpu_seconds"):
        lines.append(
            f"- CPU used during the run (from /proc; unlike response times it hardly depends on "
            f"what else runs): gunicorn {cpu['web']:.0f} s, PostgreSQL {cpu['postgres']:.0f} s, "
            f"Celery worker {cpu['worker']:.0f} s, locust {cpu['locust']:.0f} s"
        )
    if steady := facts.get("steady"):
        web, postgres, worker, count = steady
        site = web + postgres + worker
        lines.append(
            f"- after the ramp-up (its logins excluded; {count} requests): **{web:.1f} ms of "
            f"gunicorn + {postgres:.1f} ms of PostgreSQL + {worker:.1f} ms of the worker, CPU per "
            f"request**, so {facts['cores']} cores serve at most "
            f"~{int(facts['cores']) * 1000 / site:.0f} requests/s of this mix with nothing else "
            f"running"
        )
    if facts.get("note"):
        lines += ["", facts["note"]]
    lines += [
        "",
        "## Per persona",
        "",
        "| persona | requests | failures | req/s | slowest page's p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for persona in PERSONAS:
        rows = [r for r in verdict.rows if r.name.startswith(persona + " ")]
        if rows:
            slowest = max(rows, key=lambda r: r.p95)
            lines.append(
                f"| {persona} | {sum(r.requests for r in rows)} | "
                f"{sum(r.failures for r in rows)} | {sum(r.rps for r in rows):.1f} | "
                f"{_ms(slowest.p95)} ({slowest.name.split(' ', 1)[1]}) |"
            )
    lines += [
        "",
        "## Per request (ms)",
        "",
        "| persona | method | page | requests | failures | median | p95 | p99 | max |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(verdict.rows, key=lambda r: r.name):
        persona, _, page = r.name.partition(" ")
        lines.append(
            f"| {persona} | {r.method} | `{page}` | {r.requests} | {r.failures} | "
            f"{_ms(r.median)} | {_ms(r.p95)} | {_ms(r.p99)} | {_ms(r.max)} |"
        )
    lines += [
        f"| **all** | | | **{total.requests}** | **{total.failures}** | "
        f"**{_ms(total.median)}** | **{_ms(total.p95)}** | **{_ms(total.p99)}** | "
        f"**{_ms(total.max)}** |",
        "",
    ]
    path.write_text("\n".join(lines))


# --- The run ------------------------------------------------------------------------------------


def demo_logins(*, customers: int = 60) -> dict[str, list[str]]:
    """Logins for the personas from the seeded database: customers taking part in a running
    pilot first (they have check-ins to answer), then members of every account in turn; the
    account managers with accounts; the product managers."""
    from accounts.models import AccountTeamAssignment, InternalRole, Membership, User
    from ideas.models import Enrolment

    chosen = list(
        dict.fromkeys(
            Enrolment.objects.filter(pilot__state="running")
            .order_by("pk")
            .values_list("user__email", flat=True)
        )
    )
    by_account: dict[int, list[str]] = {}
    for account_id, email in Membership.objects.order_by("pk").values_list(
        "account_id", "user__email"
    ):
        by_account.setdefault(account_id, []).append(email)
    queues = list(by_account.values())
    while len(chosen) < customers and any(queues):
        for queue in queues:
            if queue and (email := queue.pop(0)) not in chosen:
                chosen.append(email)
    managers = (
        AccountTeamAssignment.objects.filter(user__groups__name=InternalRole.ACCOUNT_MANAGER)
        .order_by("user_id")
        .values_list("user__email", flat=True)
        .distinct()
    )
    product = User.objects.filter(groups__name=InternalRole.PRODUCT_MANAGER).order_by("pk")
    return {
        "customer": chosen[:customers],
        "account_manager": list(managers),
        "product_manager": list(product.values_list("email", flat=True)),
    }


def _prepare_database(logins_path: Path) -> str:
    """Migrate and seed (once) the scratch database; write the logins. Returns its version."""
    import django
    from django.core.management import call_command
    from django.db import connection

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", if_empty=True)
    logins_path.write_text(json.dumps(demo_logins(), indent=1))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version


def run(args: argparse.Namespace) -> int:
    from tests.perf.server import LOG_DIR, running_site

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        print(
            "make load needs a scratch PostgreSQL database and Redis: "
            "DATABASE_URL=postgres://…/scratch REDIS_URL=redis://…/n make load",
            file=sys.stderr,
        )
        return 2
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    logins = OUT_DIR / "logins.json"
    postgres = _prepare_database(logins)
    prefix = OUT_DIR / "locust"
    for old in OUT_DIR.glob("locust_*.csv"):
        old.unlink()
    loadavg_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    access_log = LOG_DIR / f"gunicorn-access-{args.port}.log"
    access_offset = access_log.stat().st_size if access_log.exists() else 0
    with running_site(
        database_url=database_url,
        redis_url=redis_url,
        port=args.port,
        web_workers=args.web_workers,
        with_worker=True,
        with_beat=True,
        startup_timeout=180,  # a busy shared machine can take a minute to import everything
    ) as base_url:
        locust = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            LOCUSTFILE,
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.time,
            "-H",
            base_url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "15",
            "--loglevel",
            "WARNING",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAD_LOGINS": str(logins)}
        database = database_url.rsplit("/", 1)[-1].split("?")[0]
        samples: list[tuple[float, dict[str, dict[int, float]]]] = []
        machine_before = machine_cpu_seconds()
        started = time.monotonic()
        process = subprocess.Popen(locust, cwd=ROOT, env=env)  # noqa: S603
        while process.poll() is None:  # sampled while locust runs (its own CPU too)
            samples.append((time.time(), cpu_seconds(port=args.port, database=database)))
            time.sleep(2)
        locust_exit = process.returncode
        elapsed = time.monotonic() - started
        machine_after = machine_cpu_seconds()
    loadavg_after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    cpu = cpu_spent([sample for _, sample in samples])
    busy = _machine_busy(machine_before, machine_after, cpu)
    ramp_end = samples[0][0] + args.users / args.spawn_rate + 20 if samples else 0
    steady = steady_cpu_per_request(samples, Path(f"{prefix}_stats_history.csv"), ramp_end)
    verdict = check(prefix)
    access_5xx = access_log_5xx(access_log, offset=access_offset)
    if access_5xx and not verdict.server_errors:
        verdict.problems.append(f"{access_5xx} 5xx answers in gunicorn's access log")
    command = (
        f"DATABASE_URL=postgres://…/scratch REDIS_URL=redis://…/n LOAD_USERS={args.users} "
        f"LOAD_THINK={os.environ.get('LOAD_THINK', '3-10')} LOAD_TIME={args.time} "
        + ("LOAD_PACE=task " if os.environ.get("LOAD_PACE") == "task" else "")
        + "make load\n"
        f"# runs: {shlex.join(['locust', *locust[3:]]).replace(str(ROOT) + '/', '')}"
    )
    write_report(
        verdict,
        path=args.report,
        users=args.users,
        duration=f"{args.time} ({elapsed:.0f} s with start and stop)",
        command=command,
        facts={
            **_machine(),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "spawn_rate": str(args.spawn_rate),
            "web_workers": str(args.web_workers),
            "postgres": postgres,
            "access_5xx": str(access_5xx),
            "loadavg_before": loadavg_before,
            "loadavg_after": loadavg_after,
            "machine_busy": busy,
            "note": args.note,
            "cpu_seconds": cpu,
            "steady": steady,
        },
    )
    print(f"locust exited with {locust_exit}; report: {args.report}")
    print(
        f"{verdict.aggregated.requests} requests, {verdict.aggregated.failures} failures, "
        f"p95 {verdict.aggregated.p95:.0f} ms, p99 {verdict.aggregated.p99:.0f} ms"
    )
    for problem in verdict.problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 0 if verdict.ok else 1


# --- Smoke: every task of every persona once --------------------------------------------------


def smoke(args: argparse.Namespace) -> int:
    """Run each persona's on_start and every one of its tasks (`args.rounds` times), in this
    process, against `args.host`; print a JSON summary; exit 1 on any failed request or a task
    that sent none."""
    os.environ["LOAD_LOGINS"] = str(args.logins)
    os.environ["LOAD_THINK"] = "0-0"  # no reading time between the clicks of a smoke run
    random.seed(args.seed)
    from locust.env import Environment

    from tests.perf import locustfile

    personas = [
        locustfile.CustomerUser,
        locustfile.AccountManagerUser,
        locustfile.ProductManagerUser,
    ]
    environment = Environment(user_classes=personas, host=args.host)
    failures: list[str] = []
    sent: list[str] = []

    def _count(request_type, name, exception, **_) -> None:
        sent.append(f"{request_type} {name}")
        if exception:
            failures.append(f"{request_type} {name}: {exception!r}")

    environment.events.request.add_listener(_count)
    summary: dict[str, dict[str, int]] = {}
    thinks: dict[str, dict[str, int]] = {}  # pauses between the clicks of each task
    for persona in personas:
        persona.host = args.host  # what locust's --host does
        user = persona(environment)
        user.on_start()
        summary[persona.persona] = {}
        thinks[persona.persona] = {}
        for _ in range(args.rounds):
            for task in dict.fromkeys(persona.tasks):  # each task once (tasks repeat by weight)
                before, thought = len(sent), user.thinks
                task(user)
                user.wait_time()  # locust's wait after a task
                name = task.__name__
                summary[persona.persona][name] = summary[persona.persona].get(name, 0)
                summary[persona.persona][name] += len(sent) - before
                thinks[persona.persona][name] = thinks[persona.persona].get(name, 0)
                thinks[persona.persona][name] += user.thinks - thought
    print(
        json.dumps(
            {"requests": summary, "thinks": thinks, "failures": failures, "sent": sent}, indent=1
        )
    )
    silent = [f"{p}.{t}" for p, tasks in summary.items() for t, n in tasks.items() if not n]
    return 1 if failures or silent else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.load", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run_parser = sub.add_parser("run", help="the whole load test (the default)")
    run_parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    run_parser.add_argument(
        "--spawn-rate", type=float, default=float(os.environ.get("LOAD_SPAWN_RATE", 1))
    )
    run_parser.add_argument("--time", default=os.environ.get("LOAD_TIME", "5m"))
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", 8610)))
    run_parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    run_parser.add_argument("--report", type=Path, default=REPORT)
    run_parser.add_argument(
        "--note", default=os.environ.get("LOAD_NOTE", ""), help="a line for the report"
    )
    check_parser = sub.add_parser("check", help="check a locust CSV written earlier")
    check_parser.add_argument("prefix", type=Path, help="the --csv prefix, e.g. var/load/locust")
    smoke_parser = sub.add_parser("smoke", help="every task of every persona once")
    smoke_parser.add_argument("--host", required=True)
    smoke_parser.add_argument("--logins", type=Path, required=True)
    smoke_parser.add_argument("--seed", type=int, default=None, help="for the random choices")
    smoke_parser.add_argument("--rounds", type=int, default=1, help="every task this many times")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("run", "check", "smoke", "-h", "--help"):
        argv = ["run", *argv]  # `run` is the default
    args = parser.parse_args(argv)
    if args.command == "check":
        verdict = check(args.prefix)
        for problem in verdict.problems:
            print(f"FAIL: {problem}")
        return 0 if verdict.ok else 1
    if args.command == "smoke":
        return smoke(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
