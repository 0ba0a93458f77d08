"""`make load` in miniature (tests/perf/locustfile.py, tests/perf/load.py): the scenario loads in
locust, every task of every persona runs four times against a live server with no failed request
(pausing before each click but a page's fragments and a form's redirects, which follow at once),
and the checker of locust's CSV fails on a 5xx, a timeout, an exception or a slow p95/p99 and
passes on a good run. The five-minute run itself is `make load` (docs/load-report.md)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import Post
from ideas.models import Comment, FeedbackResponse, ResponseStatus, Vote
from tests.perf.load import (
    _machine_busy,
    access_log_5xx,
    check,
    cpu_spent,
    demo_logins,
    machine_cpu_seconds,
)

ROOT = Path(__file__).resolve().parent.parent


def _python(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_locust_finds_the_three_personas_in_the_locustfile():
    listed = _python("-m", "locust", "-f", "tests/perf/locustfile.py", "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[-3:] == [
        "CustomerUser",
        "AccountManagerUser",
        "ProductManagerUser",
    ]


@pytest.mark.django_db(transaction=True)
def test_every_task_of_every_persona_runs_without_a_failure(live_server, tmp_path):
    call_command("seed_demo", accounts=4, members=3.0, days=30, ideas=8, stdout=io.StringIO())
    logins = demo_logins(customers=1)  # a customer who takes part in the running pilot
    (tmp_path / "logins.json").write_text(json.dumps(logins))
    customer = logins["customer"][0]
    before = (
        Vote.objects.count(),
        Comment.objects.count(),
        Post.objects.filter(author__email=customer).count(),
    )
    started = timezone.now()

    smoke_run = ("-m", "tests.perf.load", "smoke", "--host", live_server.url)
    smoke_run += ("--logins", str(tmp_path / "logins.json"))
    smoke = _python(*smoke_run, "--seed", "2026", "--rounds", "4")

    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    summary = json.loads(smoke.stdout)
    assert summary["failures"] == []
    tasks = summary["requests"]
    assert set(tasks) == {"customer", "account_manager", "product_manager"}
    assert all(n > 0 for persona in tasks.values() for n in persona.values()), tasks
    assert set(tasks["customer"]) == {
        "home",
        "read_an_idea",
        "read_a_thread",
        "read_a_harvest",
        "vote",
        "comment_or_reply",
        "check_in",
    }
    # The person reads a page before each click that opens another or sends a form; the
    # fragments a page loads and a form's redirects follow at once (four rounds of each task).
    thinks = summary["thinks"]
    assert thinks["customer"]["home"] == 0
    assert thinks["customer"]["read_an_idea"] == 4  # the list, then (a pause) an idea
    assert thinks["account_manager"] == {
        "portfolio": 0,
        "account_engagement": 4,  # the portfolio, then an account (its fragment at once)
        "alerts": 0,
        "home": 0,
    }
    assert thinks["product_manager"] == {
        "pilot_results": 4,
        "insights": 0,  # the page and the fragment it loads
        "perception": 0,
        "board": 0,
    }
    assert all(
        0 <= thinks[persona][name] < n for persona in tasks for name, n in tasks[persona].items()
    )
    # A form that redirects is followed by the GET of the page it sends the person to.
    sent = summary["sent"]
    then = {
        "POST customer /ideas/[id]/comments/": ["GET customer /ideas/[id]/"],
        "POST customer /gardens/[slug]/threads/[id]/reply/": [
            "GET customer /gardens/[slug]/threads/[id]/posts/[id]/",
            "GET customer /gardens/[slug]/threads/[id]/",
        ],
        "POST customer /check-ins/[id]/": ["GET customer /check-ins/[id]/"],
    }
    posted = [(i, line) for i, line in enumerate(sent) if line in then]
    assert [sent[i + 1 : i + 1 + len(then[line])] for i, line in posted] == [
        then[line] for _, line in posted
    ]
    assert posted, sent  # (with this seed and data, the four rounds comment twice)
    # The customer's feedback went through the real forms into the database.
    posts = [line for line in summary["sent"] if line.startswith("POST customer /")]
    assert posts[0] == "POST customer /login/"
    assert len(posts) >= 2, summary["sent"]  # feedback of some kind, not only the login
    votes = Vote.objects.count()
    assert (votes != before[0]) == ("POST customer /ideas/[id]/vote/" in posts)
    comments = Comment.objects.count() - before[1]
    assert comments == posts.count("POST customer /ideas/[id]/comments/")
    replies = Post.objects.filter(author__email=customer).count() - before[2]
    assert replies == posts.count("POST customer /gardens/[slug]/threads/[id]/reply/")
    drafted = FeedbackResponse.objects.filter(
        enrolment__user__email=customer, status=ResponseStatus.DRAFT, updated_at__gte=started
    ).exists()
    assert drafted == ("POST customer /check-ins/[id]/" in posts)

    # LOAD_PACE=task: the scenario's earlier pace, no pause between a task's clicks.
    by_task = _python(*smoke_run, LOAD_PACE="task")
    assert by_task.returncode == 0, by_task.stdout + by_task.stderr
    paused = json.loads(by_task.stdout)["thinks"]
    assert set(paused) == set(tasks)
    assert all(n == 0 for persona in paused.values() for n in persona.values()), paused


# --- The checker, on small CSVs in locust's own format -------------------------------------------

_STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
).split(",")


def _stats_row(name, *, requests=1000, failures=0, p95=120, p99=400, method="GET"):
    values = [method, name, requests, failures, 40, 55, 5, p99 + 50, 9000, 20.0, 0.0]
    values += [40, 50, 60, 70, 90, p95, p95 + 20, p99, p99 + 10, p99 + 20, p99 + 50]
    return dict(zip(_STATS_HEADER, values, strict=True))


def _write_run(prefix: Path, *, failures=(), failures_count=0, exceptions=0, **aggregated) -> Path:
    rows = [
        _stats_row("customer /", requests=600, failures=failures_count),
        _stats_row("account_manager /portfolio/", requests=400),
        _stats_row("Aggregated", method="", failures=failures_count, **aggregated),
    ]
    with open(f"{prefix}_stats.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_STATS_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    with open(f"{prefix}_failures.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Method", "Name", "Error", "Occurrences"])
        writer.writerows(failures)
    with open(f"{prefix}_exceptions.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Count", "Message", "Traceback", "Nodes"])
        if exceptions:
            writer.writerow([exceptions, "KeyError('q-1')", "Traceback …", "local"])
    return prefix


def test_the_checker_passes_a_good_run(tmp_path):
    verdict = check(_write_run(tmp_path / "good"))

    assert verdict.ok, verdict.problems
    assert verdict.aggregated.requests == 1000
    assert [r.name for r in verdict.rows] == ["customer /", "account_manager /portfolio/"]


def test_the_checker_fails_a_run_with_a_5xx(tmp_path):
    prefix = _write_run(
        tmp_path / "5xx",
        failures=[("POST", "customer /ideas/[id]/vote/", "HTTP 502", 1)],
        failures_count=1,
    )

    verdict = check(prefix)

    assert not verdict.ok
    assert verdict.server_errors == 1
    assert verdict.problems == ["1 responses were 5xx"]


def test_the_checker_fails_a_run_with_a_timeout(tmp_path):
    timeout = "ReadTimeout(\"HTTPConnectionPool(host='127.0.0.1'): Read timed out.\")"
    prefix = _write_run(
        tmp_path / "timeout",
        failures=[("GET", "customer /", timeout, 2)],
        failures_count=2,
    )

    verdict = check(prefix)

    assert verdict.timeouts == 2
    assert verdict.problems == ["2 requests timed out"]


def test_the_checker_fails_a_run_with_an_exception_in_a_task(tmp_path):
    verdict = check(_write_run(tmp_path / "exception", exceptions=3))

    assert verdict.problems == ["3 exceptions in the users' code"]


@pytest.mark.parametrize(
    ("p95", "p99", "problem"),
    [
        (300, 400, "p95 300 ms is not under 300 ms"),
        (290, 800, "p99 800 ms is not under 800 ms"),
    ],
)
def test_the_checker_fails_a_run_over_a_percentile_limit(tmp_path, p95, p99, problem):
    verdict = check(_write_run(tmp_path / "slow", p95=p95, p99=p99))

    assert verdict.problems == [problem]


def test_the_checker_fails_a_run_without_requests(tmp_path):
    verdict = check(_write_run(tmp_path / "empty", requests=0))

    assert "no requests were made" in verdict.problems


def test_the_server_side_5xx_count_reads_only_this_runs_lines_of_the_access_log(tmp_path):
    log = tmp_path / "gunicorn-access.log"
    earlier = '127.0.0.1 - - [01/Dec/2026:22:00:00 +0000] "GET / HTTP/1.1" 500 145 "-" "x"\n'
    this_run = (
        '127.0.0.1 - - [01/Dec/2026:22:10:00 +0000] "GET /portfolio/ HTTP/1.1" 200 9000 "-" "x"\n'
        '127.0.0.1 - - [01/Dec/2026:22:10:01 +0000] "POST /ideas/3/vote/ HTTP/1.1" 502 0 "-" "x"\n'
    )
    log.write_text(earlier + this_run)  # gunicorn appends to the log of an earlier run

    assert access_log_5xx(log, offset=len(earlier)) == 1
    assert access_log_5xx(log) == 2


def test_the_machines_cpu_is_read_from_proc_stat_and_only_grows():
    busy, total = machine_cpu_seconds()
    later_busy, later_total = machine_cpu_seconds()

    assert 0 < busy <= total
    assert later_busy >= busy and later_total >= total


def test_the_report_tells_the_share_of_the_machine_other_work_took():
    # 100 s of CPU time on the clock of all cores, 50 s of it busy, 25 s of that this site's.
    busy = _machine_busy((10.0, 100.0), (60.0, 200.0), {"web": 20.0, "locust": 5.0})

    assert busy == {"all": 0.5, "others": 0.25}
    assert _machine_busy((10.0, 100.0), (10.0, 100.0), {}) is None


def test_cpu_spent_keeps_what_a_process_spent_before_it_ended():
    # gunicorn worker 7 runs throughout; PostgreSQL backend 40 closes its connection after the
    # second sample, backend 41 opens after the first: neither may lower the total.
    samples = [
        {"web": {7: 10.0}, "postgres": {40: 5.0}},
        {"web": {7: 12.0}, "postgres": {40: 6.0, 41: 0.5}},
        {"web": {7: 15.0}, "postgres": {41: 1.5}},
    ]

    assert cpu_spent(samples) == {"web": 5.0, "postgres": 2.5}
    assert cpu_spent([]) == {}
