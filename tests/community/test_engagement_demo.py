"""`manage.py seed_demo` computes the engagement history, so the demo shows levels at once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account
from community.models import (
    Alert,
    AlertReason,
    EngagementLevel,
    EngagementRepair,
    EngagementSnapshot,
)
from community.services.engagement import offline_event_record
from community.tasks import engagement_recompute_incremental_task
from tests.community.reference_engagement import differences


@pytest.mark.django_db
def test_the_demo_has_a_daily_engagement_history_for_every_account():
    call_command("seed_demo", accounts=12, members=5.0, days=30, stdout=io.StringIO())

    per_account = dict(
        EngagementSnapshot.objects.values_list("account").annotate(days=Count("day"))
    )
    assert per_account == {pk: 30 for pk in Account.objects.values_list("pk", flat=True)}
    today = EngagementSnapshot.objects.filter(day=timezone.localdate())
    assert today.count() == 12
    assert today.values("level").distinct().count() >= 2
    assert EngagementSnapshot.objects.filter(co_creation__gt=0).exists()  # the demo's pilots


@pytest.mark.django_db
def test_the_demo_shows_every_level_with_histories_that_make_sense():
    # The default 40 accounts (fewer people, days and no ideas, to keep it fast).
    call_command("seed_demo", accounts=40, members=5.0, days=150, ideas=0, stdout=io.StringIO())

    today = timezone.localdate()
    levels = dict(
        EngagementSnapshot.objects.filter(day=today)
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert {level: levels.get(level, 0) >= 2 for level in EngagementLevel.values} == {
        level: True for level in EngagementLevel.values
    }, levels
    # A Dormant account faded: it sat at Participating or higher four months ago …
    dormant = set(
        EngagementSnapshot.objects.filter(day=today, level=EngagementLevel.DORMANT).values_list(
            "account", flat=True
        )
    )
    then = EngagementSnapshot.objects.filter(
        account__in=dormant, day=today - dt.timedelta(days=120)
    )
    faded = {
        s.account_id
        for s in then
        if EngagementLevel.rank(s.level) >= EngagementLevel.rank(EngagementLevel.PARTICIPATING)
    }
    assert faded
    # … and its drops on the way down were raised as alerts, each on its day.
    drops = Alert.objects.filter(account__in=faded, reason=AlertReason.LEVEL_DROPPED)
    assert drops.exists()
    assert all(a.raised_at.date() >= today - dt.timedelta(days=45) for a in drops)
    assert any(a.raised_at.date() < today for a in drops)


@pytest.mark.django_db
def test_a_freshly_seeded_demo_equals_a_recomputation_and_stays_equal_after_a_late_event(
    django_capture_on_commit_callbacks,
):
    call_command("seed_demo", accounts=12, members=5.0, days=60, stdout=io.StringIO())
    ids = list(Account.objects.values_list("pk", flat=True))
    found = differences(ids)
    assert found == [], "\n".join(found[:3])
    assert not EngagementRepair.objects.exists()  # the harvest reads were repaired

    account = Account.objects.order_by("pk").first()
    offline_event_record(
        account=account,
        kind="reference_call",
        occurred_on=timezone.localdate() - dt.timedelta(days=40),
        recorded_by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_incremental_task()

    assert differences(ids) == []
