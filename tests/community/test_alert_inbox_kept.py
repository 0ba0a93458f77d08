"""The alert inbox, as it opens (its open alerts, no filter), reads its count and page through
the kept SQL the alerts API reads (community.selectors.alerts.open_alert_rows, config.sql_once):
byte for byte the page the ORM's queryset gave, for a product manager (every account), two
account managers (their accounts; one with none) and an inactive one, on every page number;
a filtered list, another state, a bad filter and the CSV are the ORM's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import InternalRole
from community.models import ActivityEvent, Alert, AlertReason
from community.models.alerts import AlertResolution
from community.selectors.alerts import INBOX_PAGE_SIZE
from demo.benchmarks.page_cpu import sql_once_off
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.community.factories import EngagementSnapshotFactory
from tests.kept_pages import compiled_as_it_opens, page_seen

pytestmark = pytest.mark.needs_postgres

LEVELS = ("dormant", "observing", "participating", "contributing", "co_creating")


@pytest.fixture
def world(db):
    """Open alerts of 30 accounts (60 of them: two pages), some acknowledged by a named or a
    nameless manager, with snapshots and activity that make some still hold and others not;
    resolved alerts (not open) besides."""
    today, now = timezone.localdate(), timezone.now()
    manager = internal(InternalRole.ACCOUNT_MANAGER, first_name="Mia", last_name="Berg")
    nameless = internal(InternalRole.PROGRAMME_ADMIN, first_name="", last_name="")
    accounts = [AccountFactory(name=f"Account {i:02d}") for i in range(30)]
    reasons = list(AlertReason)
    for i, account in enumerate(accounts):
        if i % 2:
            TeamAssignmentFactory(user=manager, account=account)
        for days_ago in (40, 9, 1)[i % 3 :]:
            EngagementSnapshotFactory(
                account=account,
                day=today - dt.timedelta(days=days_ago),
                score=10 + (i * 11 + days_ago) % 80,
                level=LEVELS[(i + days_ago) % 5],
            )
        if i % 4 == 0:
            ActivityEvent.objects.create(
                account=account, kind="vote", occurred_at=now - dt.timedelta(days=i)
            )
        for n in range(1 + i % 3):  # (one open alert per account and reason)
            by = (None, manager, nameless)[(i + n) % 3]
            Alert.objects.create(
                account=account,
                reason=reasons[(i + n) % len(reasons)],
                details={
                    "from_level": LEVELS[(i + n) % 5],
                    "to_level": LEVELS[(i + n + 2) % 5],
                    "day": (today - dt.timedelta(days=n + i % 5)).isoformat(),
                    "peak_day": (today - dt.timedelta(days=9)).isoformat(),
                },
                raised_at=now - dt.timedelta(hours=i * 5 + n),
                acknowledged_at=by and now,
                acknowledged_by=by,
            )
        if i % 5 == 0:
            Alert.objects.create(
                account=account,
                reason=AlertReason.SCORE_FELL,
                resolved_at=now,
                resolved_by=manager,
                resolution=AlertResolution.BY_PERSON,
                resolution_note="Called them.",
            )
    users = (
        internal(InternalRole.PRODUCT_MANAGER),
        manager,
        internal(InternalRole.ACCOUNT_MANAGER),  # no account of their own
        internal(InternalRole.PROGRAMME_ADMIN, is_active=False),
    )
    return users, accounts


QUERIES = [
    "",
    "?page=2",
    "?page=x",
    "?page=99",
    "?state=open",
    "?state=open&reason=&q=",
    "?state=new",
    "?state=all&page=2",
    "?reason=score_fell",
    "?q=Account+1",
    "?state=bogus",
    "?account=account-03",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_inbox_as_it_opens_is_the_page_the_orm_gave(world, client, query):
    users, accounts = world
    query = query.replace("account-03", accounts[3].slug)
    for user in users:
        kept = page_seen(client, user, f"/alerts/{query}")
        with sql_once_off():
            built = page_seen(client, user, f"/alerts/{query}")
        assert kept == built
        if user.is_active and user is not users[2]:
            assert kept[0] in (200, 400, 404) and ("Account " in kept[1] or kept[0] == 404)


def test_the_whole_list_is_the_kept_one_and_says_the_same(world, client):
    users, _ = world
    reader = users[0]
    first = page_seen(client, reader, "/alerts/")[1]
    second = page_seen(client, reader, "/alerts/?page=2")[1]
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).count()
    assert open_alerts > 50  # two pages
    rows = first.count('<tr id="alert-') + second.count('<tr id="alert-')
    assert rows == open_alerts
    assert "Acknowledged by Mia Berg" in first + second
    assert "Acknowledged by Someone" in first + second


def test_the_inbox_as_it_opens_writes_no_alert_sql_and_a_filtered_one_does(
    world, client, monkeypatch
):
    users, _ = world
    manager = users[1]
    compiled = compiled_as_it_opens(
        client,
        monkeypatch,
        path="/alerts/",
        users=users[:2],
        opened=("", "?page=2", "?state=open&reason=&q="),
        filtered=("?q=Account", "?state=new", "?reason=score_fell"),
        model=Alert,
        shown="Account ",
    )
    compiled.clear()
    csv = b"".join(client.get("/alerts/?export=csv").streaming_content).decode()
    assert Alert in compiled
    assert (
        csv.count("\n") - 1
        == Alert.objects.filter(
            resolved_at__isnull=True, account__team_assignments__user=manager
        ).count()
    )


@pytest.mark.parametrize(
    "query, kept",
    [
        ("?reason=score_fell", {"reason": AlertReason.SCORE_FELL}),
        ("?state=new", {"acknowledged_at__isnull": True}),
        ("?q=Account+1", {"account__name__icontains": "Account 1"}),
        ("?state=all", None),
    ],
)
def test_a_filtered_inbox_lists_what_its_filter_says(world, client, query, kept):
    users, _ = world
    listed = Alert.objects.all() if kept is None else Alert.objects.filter(resolved_at=None, **kept)
    pages = range(1, 2 + (listed.count() - 1) // INBOX_PAGE_SIZE)
    seen = "".join(page_seen(client, users[0], f"/alerts/{query}&page={n}")[1] for n in pages)
    assert 0 < seen.count('<tr id="alert-') == listed.count()
