"""End to end over Redis with real worker processes: a full recompute fans out to one task per
chunk; a worker killed (SIGKILL) in the middle of the run leaves whole chunks only, and the next
run completes with one snapshot per account and day — none missing, none doubled."""

from __future__ import annotations

import signal
import time

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, EngagementSnapshot
from community.tasks import engagement_recompute_all_task, engagement_recompute_incremental_task
from tests.accounts.factories import AccountFactory, customer

pytestmark = [pytest.mark.needs_redis, pytest.mark.needs_postgres]

ACCOUNTS = 120


def _wait_for(predicate, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_leaves_whole_chunks_and_the_next_run_completes(start_worker):
    now = timezone.now()
    for n in range(ACCOUNTS):
        account = AccountFactory()
        member = customer(account)
        ActivityEvent.objects.bulk_create(
            ActivityEvent(
                account=account,
                user=member,
                kind=ActivityKind.VOTE,
                occurred_at=now,
                created_at=now,
            )
            for _ in range(1 + n % 5)
        )
    today = EngagementSnapshot.objects.filter(day=timezone.localdate())

    # One account per chunk, so the run is many small tasks and can be caught halfway.
    first = start_worker(ENGAGEMENT_CHUNK_SIZE="1")
    engagement_recompute_all_task.delay()
    assert _wait_for(lambda: today.count() >= 10), "the worker wrote no snapshots"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    written = today.count()
    assert 10 <= written < ACCOUNTS, "the run finished before the kill: not a mid-run test"

    second = start_worker(ENGAGEMENT_CHUNK_SIZE="25")
    engagement_recompute_all_task.delay()
    assert _wait_for(lambda: today.count() == ACCOUNTS), "the next run did not complete"
    time.sleep(1)  # any chunk redelivered late would show up as extra rows now
    second.terminate()

    assert today.count() == ACCOUNTS
    assert today.values("account").distinct().count() == ACCOUNTS
    # Scores follow the planted activity: more votes, more points (same day, same model).
    scores = dict(today.values_list("account__pk", "score"))
    assert len(set(scores.values())) == 5


REPAIRED = 60


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_repair_leaves_whole_accounts_and_the_next_run_repairs_the_rest(
    start_worker,
):
    import datetime as dt

    from community.models import EngagementRepair
    from community.services.engagement import activity_record, engagement_history_compute
    from tests.community.reference_engagement import differences

    accounts = []
    for n in range(REPAIRED):
        account = AccountFactory()
        member = customer(account)
        accounts.append((account, member))
        activity_record(
            account=account,
            user=member,
            kind=ActivityKind.VOTE,
            occurred_at=timezone.now() - dt.timedelta(days=10 + n % 7),
        )
    engagement_history_compute(days=40)
    before = {(s.account_id, s.day): s.score for s in EngagementSnapshot.objects.all()}
    for account, member in accounts:  # late: a referral three weeks back, recorded now
        activity_record(
            account=account,
            user=member,
            kind=ActivityKind.REFERRAL,
            occurred_at=timezone.now() - dt.timedelta(days=21),
        )
    assert EngagementRepair.objects.count() == REPAIRED

    # Repair chunks of one account (a fifth of the chunk size, at least one): many tasks.
    first = start_worker(ENGAGEMENT_CHUNK_SIZE="1")
    engagement_recompute_incremental_task.delay()
    assert _wait_for(lambda: EngagementRepair.objects.count() <= REPAIRED - 3), "no repair"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    still_marked = set(EngagementRepair.objects.values_list("account_id", flat=True))
    assert still_marked, "the repair finished before the kill: not a mid-repair test"
    for s in EngagementSnapshot.objects.filter(account_id__in=still_marked):
        assert s.score == before[(s.account_id, s.day)]  # untouched: a chunk is all or nothing
    repaired = [pk for pk, _ in ((a.pk, m) for a, m in accounts) if pk not in still_marked]
    assert differences(repaired) == []

    second = start_worker(ENGAGEMENT_CHUNK_SIZE="25")
    engagement_recompute_incremental_task.delay()
    assert _wait_for(lambda: not EngagementRepair.objects.exists()), "the rest was not repaired"
    second.terminate()
    assert differences([a.pk for a, _ in accounts]) == []
