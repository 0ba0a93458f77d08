"""One delivery per endpoint, event and subject (after 0016 filled the subjects in: its own
transaction on PostgreSQL, apart from the rows it updated)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0016_standard_webhooks"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(
                fields=["endpoint", "event", "subject"], name="one_webhook_delivery_per_event"
            ),
        ),
    ]
