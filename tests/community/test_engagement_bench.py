"""`manage.py bench_engagement` prints the full run, the lower bound, their ratio and the
incremental run; it needs PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Account
from community.models import ActivityEvent, EngagementSnapshot


@pytest.mark.django_db
def test_the_benchmark_refuses_to_run_on_sqlite(monkeypatch):
    # Runs on every database: the command is shown a SQLite connection.
    monkeypatch.setattr(connection, "vendor", "sqlite")

    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_engagement", accounts=5, events=100, stdout=io.StringIO())


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction
def test_the_benchmark_times_full_lower_bound_incremental_runs_and_a_repair():
    out = io.StringIO()

    call_command("bench_engagement", accounts=30, events=3000, members=4, stdout=out)
    call_command("bench_engagement", accounts=30, events=3000, members=4, stdout=out)

    printed = out.getvalue()
    assert "Generating 30 accounts and 3000 events" in printed
    assert "Reusing 30 accounts and 3000 events." in printed  # the second run
    for line in (
        "full recompute (engine, 30 accounts)",
        "hand-written SQL aggregate (lower bound)",
        "ratio full / lower bound",
        "incremental after 30 new events",
        "ratio incremental / full",
        "repair of 1 accounts after late events up to 90 days back (91 snapshots)",
        "ratio repair / full",
    ):
        assert line in printed
    assert Account.objects.filter(slug__startswith="bench-").count() == 30
    assert ActivityEvent.objects.filter(object_type="bench.new").count() == 30
    assert ActivityEvent.objects.filter(object_type="bench.late").count() == 5  # one run's
    # today's for each account, and the repaired account's 91 days and the day before them
    assert EngagementSnapshot.objects.count() == 30 + 91
