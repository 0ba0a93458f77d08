"""The trigram index of ideas' titles becomes a GiST index: besides pg_trgm's `%` it serves the
distance `<->` in index order, so the likely-duplicates queue finds each idea's nearest older
idea in one probe (ideas.selectors.similar) instead of comparing it with every similar title.
Made by SQL on PostgreSQL only; nothing on SQLite."""

from django.db import migrations

GIN = "idea_title_trigram"
GIST = "idea_title_trigram_gist"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIST} ON ideas_idea USING gist (title gist_trgm_ops)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN} ON ideas_idea USING gin (title gin_trgm_ops)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIST}")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0005_idea_title_trigram_index")]

    operations = [migrations.RunPython(_create, _drop)]
