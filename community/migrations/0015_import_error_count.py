"""Import batches count every problem (`error_count`) and keep only the first 1,000 (the
batches stored before: counted, and cut to their first 1,000 problems)."""

from django.db import migrations, models

KEPT = 1000  # community.services.import_reading.IMPORT_MAX_PROBLEMS when this was written


def _count_and_cut(apps, schema_editor):
    ImportBatch = apps.get_model("community", "ImportBatch")
    rejected = ImportBatch.objects.filter(status="rejected").only("pk", "errors")
    for batch in rejected.iterator(chunk_size=20):
        ImportBatch.objects.filter(pk=batch.pk).update(
            error_count=len(batch.errors), errors=batch.errors[:KEPT]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0014_email_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="error_count",
            field=models.PositiveIntegerField(default=0, help_text="Every problem found."),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="errors",
            field=models.JSONField(
                blank=True, default=list, help_text="The first problems: [{row, column, problem}]."
            ),
        ),
        migrations.RunPython(_count_and_cut, migrations.RunPython.noop),
    ]
