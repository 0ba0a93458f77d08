"""A harvest read no longer stores its account's level: the reach counts each account at its
level on the day it read, read from the engagement history as it stands (so a repaired history
moves it too)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0019_notification_actor_from_posts"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="harvestread",
            name="level_at_read",
        ),
    ]
