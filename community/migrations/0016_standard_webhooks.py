"""Standard webhooks: more events than new alerts, and secret rotation.

Deliveries say what they are about (`subject`: the alert's id for the alert events, the only
ones stored so far) and carry a line for the log (`summary`); the alert is optional. Endpoints
keep the secret before a rotation (`previous_secret`) until `rotation_ends_at`. The endpoints
stored before get one rotation period from now (settings.WEBHOOK_ROTATION_DAYS), so that their
receivers, which check the old X-Garden-Signature header, go on working while they move to the
standard headers (their secret is not changed)."""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _describe_old_deliveries(apps, schema_editor):
    WebhookDelivery = apps.get_model("community", "WebhookDelivery")
    WebhookEndpoint = apps.get_model("community", "WebhookEndpoint")
    labels = {
        "level_dropped": "Level dropped",
        "score_fell": "Score fell sharply",
        "silent_before_renewal": "Silent before renewal",
    }
    deliveries = WebhookDelivery.objects.select_related("alert__account").only(
        "pk", "alert__reason", "alert__account__name"
    )
    for delivery in deliveries.iterator(chunk_size=500):
        alert = delivery.alert
        label = labels.get(alert.reason, alert.reason)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            subject=str(alert.pk), summary=f"{alert.account.name}: {label}"[:200]
        )
    ends = timezone.now() + dt.timedelta(days=settings.WEBHOOK_ROTATION_DAYS)
    WebhookEndpoint.objects.update(rotation_ends_at=ends)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0015_import_error_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.CharField(
                blank=True,
                help_text="The secret before the last rotation: it still signs until "
                "rotation_ends_at.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="rotation_ends_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Until then, posts are signed with the previous secret too and carry "
                "the old-style X-Garden-* headers as well as the standard ones.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="alert",
            field=models.ForeignKey(
                blank=True,
                help_text="The alert of an alert event.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="webhook_deliveries",
                to="community.alert",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="event",
            field=models.CharField(
                choices=[
                    ("alert.raised", "Alert raised"),
                    ("alert.resolved", "Alert resolved"),
                    ("engagement.level_changed", "Engagement level changed"),
                    ("pilot.decided", "Pilot decided"),
                    ("outcome.recorded", "Outcome recorded"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="subject",
            field=models.CharField(
                default="",
                help_text="What the event is about, one per event: the alert's, pilot's or "
                "outcome's id; for a level change the account, day and new level.",
                max_length=100,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="summary",
            field=models.CharField(blank=True, help_text="For the delivery log.", max_length=200),
        ),
        migrations.RemoveConstraint(
            model_name="webhookdelivery",
            name="one_webhook_delivery_per_event",
        ),
        migrations.RunPython(_describe_old_deliveries, migrations.RunPython.noop),
    ]
