"""The portfolio, as it opens (no filter, by name), reads its count and page through kept SQL
(community.selectors.portfolio.portfolio_unfiltered_rows, config.sql_once): byte for byte the
page the ORM's queryset gave, for a product manager (every account), two account managers (their
accounts; one with none) and an inactive one, on every page number, full page and htmx rows;
the trend window's first day is a value of the kept read, not a day fixed when it was kept; a
filtered or sorted list is the ORM's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, InternalRole
from community.models import Alert, AlertReason
from community.models.alerts import AlertResolution
from community.selectors.engagement import TREND_DAYS
from community.selectors.portfolio import portfolio_unfiltered_rows
from demo.benchmarks.page_cpu import sql_once_off
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.community.factories import EngagementSnapshotFactory
from tests.kept_pages import compiled_as_it_opens, page_seen

pytestmark = pytest.mark.needs_postgres

LEVELS = ("dormant", "observing", "participating", "contributing", "co_creating")


@pytest.fixture
def world(db):
    today = timezone.localdate()
    accounts = [AccountFactory(name=f"Account {i:02d}") for i in range(31)]
    for i, account in enumerate(accounts):
        if i % 7 == 6:
            continue  # never computed
        for days_ago in (TREND_DAYS + 5, TREND_DAYS - (i % 4), 3, 0)[i % 3 :]:
            EngagementSnapshotFactory(
                account=account,
                day=today - dt.timedelta(days=days_ago),
                score=10 + (i * 7 + days_ago) % 80,
                level=LEVELS[(i + days_ago) % 5],
            )
        for reason in list(AlertReason)[: i % 3]:
            Alert.objects.create(account=account, reason=reason)
    Alert.objects.create(
        account=accounts[1],
        reason=AlertReason.SCORE_FELL,
        resolved_at=timezone.now(),
        resolution=AlertResolution.BY_PERSON,
        resolution_note="Called them.",
    )
    manager = internal(InternalRole.ACCOUNT_MANAGER)
    for account in accounts[::2]:
        TeamAssignmentFactory(user=manager, account=account)
    users = (
        internal(InternalRole.PRODUCT_MANAGER),
        manager,
        internal(InternalRole.ACCOUNT_MANAGER),  # no account of their own
        internal(InternalRole.PROGRAMME_ADMIN, is_active=False),
    )
    return users, accounts


def _page(client, user, query: str) -> tuple[int, str]:
    return page_seen(client, user, f"/portfolio/{query}")


@pytest.mark.parametrize("query", ["", "?page=2", "?page=x", "?page=99", "?renewal_within=x"])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_portfolio_as_it_opens_is_the_page_the_orm_gave(world, client, query, htmx):
    users, _ = world
    if htmx:
        client.defaults["HTTP_HX_REQUEST"] = "true"
    for user in users:
        kept = _page(client, user, query)
        with sql_once_off():
            built = _page(client, user, query)
        assert kept == built
        if user.is_active and user is not users[2]:
            assert kept[0] in (200, 400) and "Account " in kept[1]


def test_the_trend_window_moves_with_the_day(world):
    users, accounts = world
    reader = users[0]
    today = timezone.localdate()
    first = {a.pk: a.trend_start_score for a in portfolio_unfiltered_rows(user=reader)[0:40]}
    later = today + dt.timedelta(days=TREND_DAYS + 1)  # every snapshot now before the window
    moved = {a.pk: a for a in portfolio_unfiltered_rows(user=reader, today=later)[0:40]}
    assert any(score is not None for score in first.values())
    assert all(a.trend_start_score is None for a in moved.values())
    assert len(moved) == len(first) == len(accounts)


def test_the_portfolio_as_it_opens_writes_no_account_sql_and_a_filtered_one_does(
    world, client, monkeypatch
):
    users, _ = world
    compiled_as_it_opens(
        client,
        monkeypatch,
        path="/portfolio/",
        users=users[:2],
        opened=("", "?page=2", "?sort=name&q="),
        filtered=("?q=Account+1", "?sort=-score", "?mine=on", "?level=dormant"),
        model=Account,
        shown="Account ",
    )
