"""`manage.py seed_demo` computes the engagement history, so the demo shows levels at once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account
from community.models import EngagementSnapshot


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
