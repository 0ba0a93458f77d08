"""Fill each account's stored last customer activity (accounts 0016) from its events: the
latest `occurred_at` of its events that are not support events (NULL for none), one index
look-up per account (the events' (account, occurred_at, …) index, read backwards)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    ActivityEvent = apps.get_model("community", "ActivityEvent")
    latest = (
        ActivityEvent.objects.using(schema_editor.connection.alias)
        .filter(account_id=OuterRef("pk"), is_support=False)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    Account.objects.using(schema_editor.connection.alias).update(
        last_customer_activity_at=Subquery(latest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_account_last_customer_activity"),
        ("community", "0028_snapshot_day_account_score"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
