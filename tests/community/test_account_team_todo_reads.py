"""The account team's renewal and silent to-dos read in one query each (issue 16: the account
manager's home at full size): the items and their "N more" are the ones the portfolio's
columns give (the reading they replaced, redone here), and the home costs the same queries
whether or not anything renews at low engagement or is silent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from accounts.access import assigned_accounts
from accounts.models import Account
from community.models import EngagementLevel, EngagementSnapshot
from community.selectors.alerts import RENEWAL_WINDOW_DAYS, SILENT_DAYS
from community.selectors.portfolio import portfolio_list
from community.selectors.todo_providers import (
    LOW_ENGAGEMENT_LEVELS,
    renewal_todos,
    silent_todos,
)
from community.selectors.todos import TODO_LIMIT, ToDoViewer
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory
from tests.community.factories import EngagementSnapshotFactory
from tests.community.todo_helpers import TODAY, home_items, home_queries, kinds

pytestmark = pytest.mark.django_db

LEVELS = [
    EngagementLevel.DORMANT,
    EngagementLevel.OBSERVING,
    None,  # not computed yet
    EngagementLevel.PARTICIPATING,
    EngagementLevel.CO_CREATING,
]
RENEWALS = [-3, 0, 1, 20, 20, 45, RENEWAL_WINDOW_DAYS, RENEWAL_WINDOW_DAYS + 1, None]
SILENCES = [None, 2, SILENT_DAYS - 1, SILENT_DAYS + 1, 40, 40, 200]  # days since last activity


def _assigned(manager, n: int, *, now: dt.datetime) -> None:
    """`n` accounts of the manager, mixing levels (with an older, different level under the
    latest), renewal dates and last activities, names not in the order of their keys."""
    for i in range(n):
        account = AccountFactory(name=f"Account {(i * 7) % n:02d}")
        TeamAssignmentFactory(user=manager, account=account)
        level = LEVELS[i % len(LEVELS)]
        if level is not None:
            EngagementSnapshotFactory(
                account=account, day=TODAY - dt.timedelta(days=10), level="contributing"
            )
            EngagementSnapshotFactory(account=account, day=TODAY, level=level, score=5)
        renewal = RENEWALS[i % len(RENEWALS)]
        silence = SILENCES[i % len(SILENCES)]
        Account.objects.filter(pk=account.pk).update(
            renewal_date=None if renewal is None else TODAY + dt.timedelta(days=renewal),
            last_customer_activity_at=None
            if silence is None
            else now - dt.timedelta(days=silence, hours=i),
        )


def _mine(manager):
    return assigned_accounts(manager, accounts=Account.objects.all())


def _expected_renewals(manager) -> tuple[list[tuple], int]:
    """The reading the renewal to-dos replaced: the portfolio's accounts renewing in the
    window with a low level or none, as a condition in the database, soonest first: the
    first few as (name, renewal date, level) and how many in all."""
    rows = list(
        portfolio_list(
            accounts=_mine(manager),
            renewal_within_days=RENEWAL_WINDOW_DAYS,
            sort="renewal_date",
            today=TODAY,
        ).filter(Q(engagement_level__in=LOW_ENGAGEMENT_LEVELS) | Q(engagement_level__isnull=True))
    )
    words = {None: "not computed yet", **{level: level.label for level in LOW_ENGAGEMENT_LEVELS}}
    shown = [(a.name, a.renewal_date, words[a.engagement_level]) for a in rows[:TODO_LIMIT]]
    return shown, len(rows)


def _expected_silent(manager, *, now: dt.datetime) -> tuple[list[tuple], int]:
    """… and the silent ones: the portfolio's last customer activity, none or before the
    window, longest silent first (never active first): (name, day of the last activity)."""
    since = now - dt.timedelta(days=SILENT_DAYS)
    rows = list(
        portfolio_list(accounts=_mine(manager), sort="last_activity_at", today=TODAY).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=since)
        )
    )
    shown = [
        (a.name, timezone.localdate(a.last_activity_at) if a.last_activity_at else None)
        for a in rows[:TODO_LIMIT]
    ]
    return shown, len(rows)


def _renewals_read(items) -> tuple[list[tuple], int]:
    """(name, day, level words) of the listed renewals, and how many the items stand for."""
    listed = [
        (*item.title.removeprefix("Prepare the renewal of ").split(": engagement is "), item.day)
        for item in items
        if item.title.startswith("Prepare the renewal of ")
    ]
    return [(name, day, words) for name, words, day in listed], sum(i.count for i in items)


def _silent_read(items) -> tuple[list[tuple], int]:
    listed = [(i.title.split(" is silent: ")[0], i.day) for i in items if " is silent: " in i.title]
    return listed, sum(i.count for i in items)


@pytest.mark.parametrize("n", [3, 13, 40])
def test_the_renewal_and_silent_items_are_the_portfolios_reading(frozen, account_manager_a, n):
    _assigned(account_manager_a, n, now=frozen)
    viewer = ToDoViewer(user=account_manager_a, membership=None, today=TODAY)
    renewals, renewing = _expected_renewals(account_manager_a)
    silent, silent_total = _expected_silent(account_manager_a, now=frozen)

    assert _renewals_read(renewal_todos(viewer)) == (renewals, renewing)
    assert _silent_read(silent_todos(viewer)) == (silent, silent_total)
    if n > 3:  # the mix gives both more than five: their "N more" items
        assert renewing > TODO_LIMIT and silent_total > TODO_LIMIT
        assert renewal_todos(viewer)[-1].title == (
            f"{renewing - TODO_LIMIT} more renewals at low engagement"
        )
        assert silent_todos(viewer)[-1].title == f"{silent_total - TODO_LIMIT} more silent accounts"


def test_the_home_costs_the_same_queries_with_or_without_renewals_and_silent_accounts(
    client_for, frozen, account_manager_a, account_a
):
    client = client_for(account_manager_a)
    Account.objects.filter(pk=account_a.pk).update(
        renewal_date=TODAY + dt.timedelta(days=30), last_customer_activity_at=frozen
    )
    EngagementSnapshotFactory(account=account_a, day=TODAY, level=EngagementLevel.CONTRIBUTING)
    assert home_items(client) == []  # engaged and active: nothing needs the manager
    nothing = home_queries(client)

    Account.objects.filter(pk=account_a.pk).update(
        last_customer_activity_at=frozen - dt.timedelta(days=SILENT_DAYS + 1)
    )
    assert kinds(home_items(client)) == ["silent"]
    assert home_queries(client) == nothing

    EngagementSnapshot.objects.filter(account=account_a).update(level=EngagementLevel.DORMANT)
    assert kinds(home_items(client)) == ["renewal", "silent"]
    assert home_queries(client) == nothing

    _assigned(account_manager_a, 13, now=frozen)  # beyond five of each: "N more" items
    assert len(home_items(client)) > 2 * TODO_LIMIT
    assert home_queries(client) == nothing
