"""Each account's stored last customer activity (community.services.last_activity) equals its
definition recomputed from the raw event rows, whatever wrote them: one event, a late one, a
bulk of events, a deletion, a write around the services that today's engine run mends, and a
stale copy of the account saved; the migration's backfill; the silent to-dos and the portfolio
that read it."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io

from django.apps import apps
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from accounts.services import account_update
from community.models import ActivityEvent, ActivityKind
from community.services.engagement import (
    activity_events_bulk_record,
    activity_events_delete,
    activity_record,
    engagement_snapshots_compute,
)
from community.services.last_activity import CHUNK
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory
from tests.community.todo_helpers import home_items


def _recomputed(account: Account) -> dt.datetime | None:
    """The definition, from the rows alone: the latest moment of a non-support event."""
    customer = [
        e.occurred_at for e in ActivityEvent.objects.filter(account=account) if not e.is_support
    ]
    return max(customer) if customer else None


def _stored(account: Account) -> dt.datetime | None:
    return Account.objects.values_list("last_customer_activity_at", flat=True).get(pk=account.pk)


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _record(account, days: float, *, support: bool = False):
    return activity_record(
        account=account,
        user=None,
        kind=ActivityKind.VOTE,
        occurred_at=_ago(days),
        is_support=support,
    )


def test_recording_raises_it_and_a_late_or_support_event_leaves_it(account_a):
    assert _stored(account_a) is None

    first = _record(account_a, 10)
    assert _stored(account_a) == _recomputed(account_a) == first.occurred_at
    _record(account_a, 2)
    latest = _stored(account_a)
    _record(account_a, 30)  # late: it happened before the stored moment
    _record(account_a, 0, support=True)  # the account team's own

    assert _stored(account_a) == latest == _recomputed(account_a)


def test_a_bulk_of_events_raises_each_account_to_its_latest_customer_event(account_a, account_b):
    _record(account_b, 1)  # later than anything in the bulk: stays
    events = [
        ActivityEvent(account=account_a, kind=ActivityKind.VISIT, occurred_at=_ago(days))
        for days in (9, 3, 5)
    ] + [
        ActivityEvent(
            account=account_a, kind=ActivityKind.VISIT, occurred_at=_ago(1), is_support=True
        ),
        ActivityEvent(account=account_b, kind=ActivityKind.VISIT, occurred_at=_ago(4)),
    ]

    activity_events_bulk_record(events=events)

    for account in (account_a, account_b):
        assert _stored(account) == _recomputed(account) is not None


def test_a_bulk_over_more_accounts_than_one_update_takes_keeps_every_one(db):
    accounts = AccountFactory.create_batch(CHUNK + 3)
    activity_events_bulk_record(
        events=[
            ActivityEvent(account=a, kind=ActivityKind.VISIT, occurred_at=_ago(i % 40 + 1))
            for i, a in enumerate(accounts)
        ]
    )

    assert all(_stored(a) == _recomputed(a) is not None for a in accounts)


def test_deleting_the_latest_event_falls_back_to_the_one_before_and_then_to_none(account_a):
    first = _record(account_a, 8)
    latest = _record(account_a, 1)
    _record(account_a, 0, support=True)

    activity_events_delete(events=ActivityEvent.objects.filter(pk=latest.pk))
    assert _stored(account_a) == _recomputed(account_a) == first.occurred_at

    activity_events_delete(events=ActivityEvent.objects.filter(pk=first.pk))
    assert _stored(account_a) is None
    assert _recomputed(account_a) is None


def test_todays_engine_run_mends_a_write_that_went_around_the_services(account_a, account_b):
    _record(account_a, 1)
    _record(account_b, 2)
    # Dated back in SQL, as the demo's builders do: the stored moment is now too late.
    ActivityEvent.objects.filter(account=account_a).update(occurred_at=_ago(50))
    ActivityEvent.objects.create(account=account_b, kind=ActivityKind.VOTE, occurred_at=_ago(0.5))
    assert _stored(account_a) != _recomputed(account_a)

    engagement_snapshots_compute(account_ids=[account_a.pk, account_b.pk])

    assert _stored(account_a) == _recomputed(account_a) < _ago(49)
    assert _stored(account_b) == _recomputed(account_b) > _ago(1)


def test_a_past_days_run_leaves_it_to_todays(account_a):
    _record(account_a, 1)
    ActivityEvent.objects.filter(account=account_a).update(occurred_at=_ago(50))
    stored = _stored(account_a)

    engagement_snapshots_compute(
        account_ids=[account_a.pk], day=timezone.localdate() - dt.timedelta(days=3)
    )

    assert _stored(account_a) == stored


def test_saving_a_copy_loaded_before_an_event_does_not_put_the_older_moment_back(account_a):
    stale = Account.objects.get(pk=account_a.pk)
    _record(account_a, 1)

    account_update(account=stale, renewal_date=dt.date(2031, 1, 1))
    stale.name = "Acme Renamed"
    stale.save()

    assert _stored(account_a) == _recomputed(account_a) is not None
    assert Account.objects.get(pk=account_a.pk).name == "Acme Renamed"


def test_the_migration_fills_it_from_the_events(account_a, account_b):
    _record(account_a, 3)
    _record(account_b, 0, support=True)
    Account.objects.update(last_customer_activity_at=None)
    migration = importlib.import_module(
        "community.migrations.0029_account_last_customer_activity_backfill"
    )

    with connection.schema_editor() as editor:
        migration.backfill(apps, editor)

    assert _stored(account_a) == _recomputed(account_a) is not None
    assert _stored(account_b) is None
    assert _recomputed(account_b) is None


def test_the_silent_to_dos_and_the_portfolio_agree_with_the_events(
    client_for, account_manager_a, account_a
):
    """Six accounts of the manager's: two never active, silent for 40 and 31 days, active 29 days
    ago, active yesterday with a support event today. The silent ones are those whose
    recomputed last activity is older than 30 days (or none), longest silent first."""
    accounts = [AccountFactory(name=f"Silent test {i}") for i in range(5)]
    for account in accounts:
        TeamAssignmentFactory(user=account_manager_a, account=account)
    _record(accounts[1], 40)
    _record(accounts[2], 31)
    _record(accounts[2], 45)
    _record(accounts[3], 29)
    _record(accounts[4], 1)
    _record(accounts[4], 0, support=True)
    _record(accounts[3], 60)  # late, after a later one
    accounts.append(account_a)  # assigned by its fixture, never active
    client = client_for(account_manager_a)

    silent = [i for i in home_items(client) if i.kind == "silent"]

    since = timezone.now() - dt.timedelta(days=30)
    expected = sorted(
        (a for a in accounts if _recomputed(a) is None or _recomputed(a) < since),
        key=lambda a: (_recomputed(a) is not None, _recomputed(a) or since, a.name),
    )
    assert [a.name for a in expected] == [
        "Acme Industrial",
        "Silent test 0",
        "Silent test 1",
        "Silent test 2",
    ]
    assert [s.text.split(" is silent")[0] for s in silent] == [a.name for a in expected]
    export = client.get("/portfolio/", {"export": "csv", "sort": "last_activity_at"})
    rows = {
        row["name"]: row["last_customer_activity"]
        for row in csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    }
    for account in accounts:
        moment = _recomputed(account)
        assert rows[account.name] == (moment.isoformat() if moment else "")
