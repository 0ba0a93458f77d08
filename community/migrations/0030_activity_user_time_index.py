"""An index of activity events by (user, occurred_at), with is_support: a garden's activity
chart (community.selectors.gardens.garden_activity) reads each member's events of the last 90
days from the index alone, a range per member, where the index by user alone made it fetch
every event of the member's year from the table and drop the older ones (at full size, 20
million events: 1,200 members, 230,000 rows read for 25,000 kept). Made by SQL on PostgreSQL
only (an index with INCLUDE); nothing on SQLite. Concurrently: events are recorded while it
is built (about a minute at full size)."""

from django.db import migrations

INDEX = "activity_user_time"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON community_activityevent (user_id, occurred_at) INCLUDE (is_support)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("community", "0029_account_last_customer_activity_backfill")]

    operations = [migrations.RunPython(_create, _drop)]
