"""AlertSubscription keeps only the digest's bookkeeping (the choice is the person's
NotificationPreference since 0008): its daily_digest column goes, and the model is renamed
AlertDigestMark after what it now holds. The rows and their last_digest_at stay."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0008_alert_digest_choice_to_preference"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="alertsubscription", name="daily_digest"),
        migrations.RenameModel(old_name="AlertSubscription", new_name="AlertDigestMark"),
        migrations.AlterField(
            model_name="alertdigestmark",
            name="user",
            field=models.OneToOneField(
                on_delete=models.deletion.CASCADE,
                related_name="alert_digest_mark",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="alertdigestmark",
            name="last_digest_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The last digest covered the alerts raised until then.",
                null=True,
            ),
        ),
    ]
