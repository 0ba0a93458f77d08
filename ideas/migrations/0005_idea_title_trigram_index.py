"""A trigram index of ideas' titles, for the likely-duplicates queue (pg_trgm's `%` between
two titles: ideas.selectors.similar). Made by SQL on PostgreSQL only; nothing on SQLite."""

from django.db import migrations

INDEX = "idea_title_trigram"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON ideas_idea USING gin (title gin_trgm_ops)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0004_trigram_extension")]

    operations = [migrations.RunPython(_create, _drop)]
