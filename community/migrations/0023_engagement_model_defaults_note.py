"""Version 1's note named a file of the founders' brief; it names the project's own docs now."""

from django.db import migrations

OLD = "PRODUCT.md's defaults."
NEW = "The product's defaults (docs/product.md, “The engagement model”)."


def _renote(apps, before: str, after: str) -> None:
    EngagementModel = apps.get_model("community", "EngagementModel")
    EngagementModel.objects.filter(version=1, note=before).update(note=after)


class Migration(migrations.Migration):
    dependencies = [("community", "0022_chat_channels")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: _renote(apps, OLD, NEW),
            lambda apps, schema_editor: _renote(apps, NEW, OLD),
        )
    ]
