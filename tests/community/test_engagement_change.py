"""Why the score moved since the previous snapshot: ageing and new events, adding up to the
change, shown on the account page (community.selectors.engagement_change)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import ActivityKind, EngagementSnapshot
from community.selectors.engagement import account_engagement
from community.selectors.engagement_change import score_change
from community.services.engagement import activity_record, engagement_snapshots_compute
from tests.accounts.factories import AccountFactory, customer

pytestmark = pytest.mark.django_db

K = ActivityKind


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())
    return min(moment, timezone.now())


def _twin_accounts():
    """Two accounts with the same past; only the first does something today."""
    busy, quiet = AccountFactory(), AccountFactory()
    for account in (busy, quiet):
        person = customer(account)
        for days_ago in (20, 6, 1):
            activity_record(
                account=account, user=person, kind=K.COMMENT, occurred_at=_at(days_ago, 10)
            )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    engagement_snapshots_compute(account_ids=[busy.pk, quiet.pk], day=yesterday)
    person = busy.memberships.get().user
    for hour in (0, 0, 0):  # three events today (the first moments of the day: never future)
        activity_record(account=busy, user=person, kind=K.REFERRAL, occurred_at=_at(0, hour))
    engagement_snapshots_compute(account_ids=[busy.pk, quiet.pk])
    return busy, quiet


def _latest(account) -> EngagementSnapshot:
    return EngagementSnapshot.objects.filter(account=account).latest("day")


def test_ageing_and_new_events_add_up_to_the_change_and_ageing_is_what_a_quiet_twin_shows():
    busy, quiet = _twin_accounts()

    change = score_change(latest=_latest(busy))
    twin = score_change(latest=_latest(quiet))

    assert change.events == 3 and twin.events == 0
    assert change.total == _latest(busy).score - change.since.score
    assert change.ageing == twin.ageing == twin.total  # the same past, a day older
    assert change.ageing < 0 < change.new_events
    assert change.sentence.startswith(f"Since {change.since.day.day} ")
    assert "from 3 new events." in change.sentence


def test_a_first_snapshot_has_no_change_to_explain():
    account = AccountFactory()
    engagement_snapshots_compute(account_ids=[account.pk])

    assert score_change(latest=_latest(account)) is None


def test_the_account_page_says_why_the_score_moved(client, programme_admin):
    busy, _ = _twin_accounts()
    change = score_change(latest=_latest(busy))
    client.force_login(programme_admin)

    page = client.get(f"/accounts/{busy.slug}/engagement/").content.decode()

    assert change.sentence in page


def test_a_level_kept_by_the_hysteresis_says_so_and_the_next_level_is_the_one_above_it(
    client, programme_admin
):
    from tests.community.factories import EngagementSnapshotFactory

    account = AccountFactory()
    since = timezone.localdate() - dt.timedelta(days=6)
    EngagementSnapshotFactory(account=account, score=49.7, level="contributing", level_since=since)
    client.force_login(programme_admin)

    page = client.get(f"/accounts/{account.slug}/engagement/").content.decode()

    assert "points to Contributing" not in page  # it is Contributing already
    assert "20.3 points to Co-creating (from 70)" in page
    assert (
        f"Kept at Contributing since {since.day} {since:%b %Y} although the score is under 50: "
        "a level drops only below 45, once it has held 14 days."
    ) in page


def test_a_score_at_its_levels_threshold_is_not_kept_by_anything(client, programme_admin):
    from tests.community.factories import EngagementSnapshotFactory

    account = AccountFactory()
    EngagementSnapshotFactory(account=account, score=50, level="contributing")
    client.force_login(programme_admin)

    page = client.get(f"/accounts/{account.slug}/engagement/").content.decode()

    assert "Kept at" not in page and "20.0 points to Co-creating (from 70)" in page


def test_events_recorded_after_the_snapshot_are_not_counted_in_its_change():
    busy, _ = _twin_accounts()
    person = busy.memberships.get().user
    activity_record(account=busy, user=person, kind=K.VISIT, occurred_at=_at(0, 0))  # after it

    change = score_change(latest=_latest(busy))

    assert change.events == 3  # the three the snapshot counted; the visit is in the next one


@pytest.mark.parametrize("window_days", [365, 0])
def test_the_account_page_reads_the_change_score_change_reads_alone(window_days):
    """account_engagement hands score_change the snapshot before the latest and its model
    version from its own reads; with the latest alone in the window (0 days), the snapshot
    before it lies outside the window and score_change reads it itself."""
    busy, quiet = _twin_accounts()
    for account in (busy, quiet):
        alone = score_change(latest=_latest(account))
        shown = account_engagement(account=account, days=window_days).change
        assert shown is not None and shown == alone


def test_the_account_page_reads_the_previous_snapshot_and_the_model_once(
    django_assert_num_queries,
):
    busy, _ = _twin_accounts()
    account_engagement(account=busy)  # warm (the model's cache)
    with django_assert_num_queries(5):  # snapshots, model, members, aged figures, events
        assert account_engagement(account=busy).change is not None
