"""The migrations that made the notification preference the one store of the alert digest
choice (community 0008 carries the data, 0009 drops AlertSubscription.daily_digest and renames
what is left AlertDigestMark): run forwards and backwards on rows made in the old schema.

django-test-migrations is not a dependency; Django's MigrationExecutor does the same here. The
test migrates the real test database, so it runs outside a transaction and puts every app back
on its latest migration afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from community.models import AlertDigestMark, NotificationPreference
from tests.accounts.factories import TeamAssignmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("community", "0007_discussions_harvests_notifications_recognition")]
AFTER = [("community", "0009_alert_digest_mark")]
KIND = "engagement_alert"


def _migrate(targets):
    """Migrate to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    yield _migrate(BEFORE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _people(n):
    return [TeamAssignmentFactory().user for _ in range(n)]


def test_a_daily_digest_becomes_the_daily_preference_and_back(old_apps):
    daily, out_of_step, in_step, one_by_one = _people(4)
    last_digest = timezone.now() - dt.timedelta(hours=20)
    chosen_long_ago = timezone.now() - dt.timedelta(days=40)
    Subscription = old_apps.get_model("community", "AlertSubscription")
    Preference = old_apps.get_model("community", "NotificationPreference")
    Subscription.objects.create(user_id=daily.pk, daily_digest=True, last_digest_at=last_digest)
    Subscription.objects.create(user_id=out_of_step.pk, daily_digest=True)
    Preference.objects.create(user_id=out_of_step.pk, kind=KIND, delivery="off")
    Subscription.objects.create(user_id=in_step.pk, daily_digest=True)
    Preference.objects.create(user_id=in_step.pk, kind=KIND, delivery="daily")
    Preference.objects.filter(user_id=in_step.pk).update(updated_at=chosen_long_ago)
    Subscription.objects.create(user_id=one_by_one.pk, daily_digest=False)

    _migrate(AFTER)

    preferences = NotificationPreference.objects.filter(kind=KIND)
    assert dict(preferences.values_list("user", "delivery")) == {
        daily.pk: "daily",
        out_of_step.pk: "daily",  # the subscription said daily: the digest stays
        in_step.pk: "daily",
    }
    # The digest goes on from where it was: the last digest, or when it was chosen.
    assert preferences.get(user=daily).updated_at == last_digest
    assert preferences.get(user=in_step).updated_at == chosen_long_ago
    marks = dict(AlertDigestMark.objects.values_list("user", "last_digest_at"))
    assert marks == {
        daily.pk: last_digest,
        out_of_step.pk: None,
        in_step.pk: None,
        one_by_one.pk: None,
    }

    apps = _migrate(BEFORE)

    back = apps.get_model("community", "AlertSubscription").objects.order_by("user_id")
    assert dict(back.values_list("user", "daily_digest")) == {
        daily.pk: True,
        out_of_step.pk: True,
        in_step.pk: True,
        one_by_one.pk: False,
    }
    assert back.get(user_id=daily.pk).last_digest_at == last_digest


def test_going_back_makes_the_subscription_of_a_daily_preference_without_one(old_apps):
    (person,) = _people(1)
    _migrate(AFTER)
    NotificationPreference.objects.create(user=person, kind=KIND, delivery="daily")
    chosen_at = NotificationPreference.objects.get(user=person).updated_at

    apps = _migrate(BEFORE)

    subscription = apps.get_model("community", "AlertSubscription").objects.get(user_id=person.pk)
    assert subscription.daily_digest is True
    assert subscription.last_digest_at == chosen_at  # the first digest starts from the choice
