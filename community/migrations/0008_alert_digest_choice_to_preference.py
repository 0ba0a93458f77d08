"""The choice of the engagement alert digest had two stores, AlertSubscription.daily_digest
and the person's NotificationPreference for "engagement_alert", kept in step by two sync
functions. The preference is now the one store: carry every daily_digest=True into it (the
next migration drops the column).

The preference's `updated_at` is when the person chose the digest, and the digest covers the
alerts raised after the later of that moment and the last digest (the last day when there was
none). A carried row's `updated_at` is set no later than where the old digest started from (its
last digest, or when the subscription was last saved), so the first digest after the change
lists what the old one would have.

Reversible: going back sets daily_digest=True for everyone whose preference is daily (creating
their subscription when they have none, starting from when they chose it)."""

from django.db import migrations

KIND = "engagement_alert"
DAILY = "daily"


def daily_digest_to_preference(apps, schema_editor):
    AlertSubscription = apps.get_model("community", "AlertSubscription")
    NotificationPreference = apps.get_model("community", "NotificationPreference")
    daily = NotificationPreference.objects.filter(kind=KIND, delivery=DAILY).values("user_id")
    subscriptions = AlertSubscription.objects.filter(daily_digest=True).order_by("pk")
    for subscription in subscriptions.exclude(user_id__in=daily).iterator():
        NotificationPreference.objects.update_or_create(
            user_id=subscription.user_id, kind=KIND, defaults={"delivery": DAILY}
        )
        # update() leaves auto_now alone: the digest starts where it did.
        NotificationPreference.objects.filter(user_id=subscription.user_id, kind=KIND).update(
            updated_at=subscription.last_digest_at or subscription.updated_at
        )


def preference_to_daily_digest(apps, schema_editor):
    AlertSubscription = apps.get_model("community", "AlertSubscription")
    NotificationPreference = apps.get_model("community", "NotificationPreference")
    chosen = dict(
        NotificationPreference.objects.filter(kind=KIND, delivery=DAILY).values_list(
            "user_id", "updated_at"
        )
    )
    AlertSubscription.objects.filter(user_id__in=list(chosen)).update(daily_digest=True)
    existing = set(AlertSubscription.objects.values_list("user_id", flat=True))
    AlertSubscription.objects.bulk_create(
        [
            AlertSubscription(user_id=user_id, daily_digest=True, last_digest_at=chosen_at)
            for user_id, chosen_at in chosen.items()
            if user_id not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_discussions_harvests_notifications_recognition"),
    ]

    operations = [
        migrations.RunPython(daily_digest_to_preference, preference_to_daily_digest),
    ]
