"""Property: whatever order events arrive in, every stored snapshot equals the plain reference
computation of tests/community/reference_engagement.py (written from docs/product.md).

Hypothesis builds random histories for a few accounts: events recorded before the history was
computed, events dated in the past but recorded after a run (late), and a model version that
changes midway. The real scheduled jobs run (the history backfill, then the incremental and
the nightly tasks, whose chunks run eagerly), and every stored day of every account is compared
with the reference.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.models import ActivityEvent, ActivityKind, EngagementModel, EngagementRepair
from community.selectors.engagement_figures import day_end
from community.services.engagement import (
    activity_events_bulk_record,
    activity_record,
    engagement_history_compute,
)
from community.services.engagement_model import engagement_model_create
from community.tasks import (
    engagement_recompute_incremental_task,
    engagement_recompute_nightly_task,
)
from tests.accounts.factories import AccountFactory, customer
from tests.community.reference_engagement import differences

pytestmark = pytest.mark.django_db

HISTORY_DAYS = 30
KINDS = [
    ActivityKind.VISIT,
    ActivityKind.VOTE,
    ActivityKind.COMMENT,
    ActivityKind.PILOT_ENROLLED,
    ActivityKind.FEEDBACK_GIVEN,
    ActivityKind.REFERRAL,
    ActivityKind.WORKSHOP_ATTENDED,
]

event = st.tuples(
    st.integers(0, 2),  # account
    st.integers(0, 3),  # member (3: no person, an offline event)
    st.sampled_from(KINDS),
    st.floats(0.01, 45.0),  # days before the end of today
    st.integers(1, 2),  # pilot
)


def _moment(days_ago: float) -> dt.datetime:
    return min(day_end(timezone.localdate()) - dt.timedelta(days=days_ago), timezone.now())


def _record(people, events, *, late: bool) -> None:
    built = []
    for account_no, member_no, kind, days_ago, pilot in events:
        account, members = people[account_no]
        user = members[member_no] if member_no < len(members) else None
        pilot_ref = (
            pilot if kind in (ActivityKind.PILOT_ENROLLED, ActivityKind.FEEDBACK_GIVEN) else None
        )
        if late:  # one by one, as the product records them
            activity_record(
                account=account,
                user=user,
                kind=kind,
                occurred_at=_moment(days_ago),
                pilot_ref=pilot_ref,
            )
        else:
            built.append(
                ActivityEvent(
                    account=account,
                    user=user,
                    kind=kind,
                    occurred_at=_moment(days_ago),
                    pilot_ref=pilot_ref,
                )
            )
    if built:
        activity_events_bulk_record(events=built)


def _run_scheduled_jobs(capture) -> None:
    with capture(execute=True):
        engagement_recompute_nightly_task()
    with capture(execute=True):
        engagement_recompute_incremental_task()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(event, max_size=25),
    late=st.lists(event, max_size=10),
    after_model_change=st.lists(event, max_size=6),
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 3)),
    model_change_days_ago=st.integers(2, 20),
    hold_days=st.integers(0, 14),
)
def test_every_stored_snapshot_equals_the_reference(
    django_capture_on_commit_callbacks,
    programme_admin,
    first,
    late,
    after_model_change,
    sizes,
    model_change_days_ago,
    hold_days,
):
    with transaction.atomic():
        people = []
        for size in sizes:
            account = AccountFactory()
            people.append((account, [customer(account) for _ in range(size)]))
        ids = [account.pk for account, _ in people]

        _record(people, first, late=False)
        engagement_history_compute(days=HISTORY_DAYS)  # the demo's way: a backfill
        _run_scheduled_jobs(django_capture_on_commit_callbacks)

        _record(people, late, late=True)  # dated in the past, recorded after the runs
        _run_scheduled_jobs(django_capture_on_commit_callbacks)

        # A version activated `model_change_days_ago` days ago: what its activation would have
        # led to is every account recomputed from that day with it.
        model = engagement_model_create(
            created_by=programme_admin,
            weights={**EngagementModel.objects.active().weights, "visit": 5, "referral": 3},
            hold_days=hold_days,
            threshold_observing=5,
        )
        activated = timezone.localdate() - dt.timedelta(days=model_change_days_ago)
        EngagementModel.objects.filter(pk=model.pk).update(
            activated_at=day_end(activated) - dt.timedelta(hours=12)
        )
        for pk in ids:
            EngagementRepair.objects.update_or_create(account_id=pk, defaults={"since": activated})
        _record(people, after_model_change, late=True)
        _run_scheduled_jobs(django_capture_on_commit_callbacks)

        assert not EngagementRepair.objects.exists()
        assert differences(ids) == []
        transaction.set_rollback(True)
