"""How an alert was resolved: by a person (every alert resolved so far), or by the engine as no
longer true (community.services.alerts.alerts_raise). A resolved alert always says which; an
open one says nothing."""

from django.db import migrations, models


def _resolved_so_far_by_people(apps, schema_editor):
    Alert = apps.get_model("community", "Alert")
    Alert.objects.filter(resolved_at__isnull=False).update(resolution="person")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0010_engagement_repair"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[("person", "Resolved by a person"), ("no_longer_true", "No longer true")],
                help_text="How it was resolved: by a person, or by the engine as no longer true.",
                max_length=20,
            ),
        ),
        migrations.RunPython(_resolved_so_far_by_people, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolution="")
                | (models.Q(resolved_at__isnull=False) & ~models.Q(resolution="")),
                name="resolved_alert_says_how",
            ),
        ),
    ]
