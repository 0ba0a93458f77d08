"""The preview of a draft engagement model: how many accounts would change level, computed
with the engine's aggregate and written nowhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from community.models import (
    ActivityKind,
    EngagementLevel,
    EngagementModel,
    EngagementRun,
    EngagementSnapshot,
)
from community.selectors.engagement_model import (
    NOT_COMPUTED,
    engagement_model_active,
    engagement_model_draft,
    engagement_preview,
)
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import D, EngagementSnapshotFactory, engagement_event

pytestmark = pytest.mark.django_db


def _dormant_since_long_ago(account) -> None:
    EngagementSnapshotFactory(
        account=account,
        day=D - dt.timedelta(days=1),
        score=0,
        level=EngagementLevel.DORMANT,
        level_since=D - dt.timedelta(days=100),
    )


@pytest.fixture
def three_accounts():
    """Quiet (Dormant, stays so), never computed, and one visit by its only member: score
    9.6 (breadth 1/3 → 8.3, activity 1 − e^(−1/40) → 1.2), Dormant under the default
    threshold of 10."""
    engagement_model_active()  # version 1 (made by a migration; tests may run without)
    quiet, new, visited = AccountFactory.create_batch(3)
    _dormant_since_long_ago(quiet)
    _dormant_since_long_ago(visited)
    engagement_event(visited, customer(visited), ActivityKind.VISIT, days_ago=0.5)
    return quiet, new, visited


def _changes(preview) -> list[tuple[str, str, int]]:
    return [(c.from_level, c.to_level, c.accounts) for c in preview.changes]


def test_the_active_model_changes_only_accounts_never_computed(three_accounts):
    preview = engagement_preview(model=engagement_model_active(), day=D)

    assert preview.accounts == 3
    assert preview.changed == 1
    assert _changes(preview) == [(NOT_COMPUTED, EngagementLevel.DORMANT, 1)]


def test_a_lower_threshold_promotes_the_account_just_below_it(three_accounts):
    draft = engagement_model_draft(threshold_observing=5)

    preview = engagement_preview(model=draft, day=D)

    assert preview.changed == 2
    assert _changes(preview) == [
        (NOT_COMPUTED, EngagementLevel.DORMANT, 1),
        (EngagementLevel.DORMANT, EngagementLevel.OBSERVING, 1),
    ]
    assert preview.changes[1].from_label == "Dormant"
    assert preview.changes[1].to_label == "Observing"


def test_the_preview_writes_nothing(three_accounts):
    counts = (
        EngagementSnapshot.objects.count(),
        EngagementModel.objects.count(),
        EngagementRun.objects.count(),
    )

    engagement_preview(model=engagement_model_draft(threshold_observing=5), day=D)

    assert counts == (
        EngagementSnapshot.objects.count(),
        EngagementModel.objects.count(),
        EngagementRun.objects.count(),
    )
    assert engagement_model_active().version == 1


def test_the_preview_costs_the_same_queries_per_chunk_whatever_the_rows(
    three_accounts, django_assert_num_queries
):
    draft = engagement_model_draft(threshold_observing=5)
    AccountFactory.create_batch(3)  # 6 accounts: 2 chunks of 3

    # 1: the account ids; per chunk: the latest snapshot levels, the engine's aggregate (and,
    # on PostgreSQL inside a transaction, its "SET LOCAL jit = off").
    per_chunk = 3 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(1 + 2 * per_chunk):
        preview = engagement_preview(model=draft, day=D, size=3)

    assert preview.accounts == 6


def test_a_draft_is_validated_like_a_new_version():
    with pytest.raises(ValidationError) as error:
        engagement_model_draft(weight_activity=0.9)

    assert "weight_activity" in error.value.message_dict
    assert EngagementModel.objects.count() == 1
