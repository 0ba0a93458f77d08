"""The trigram GiST index of ideas' titles (0006) built again with a signature of 64 bytes
instead of pg_trgm's default 12. The likely-duplicates queue walks it once per idea awaiting a
decision for the nearest older title (ideas.selectors.similar); with 12-byte signatures the
index's inner keys are nearly all ones at full size (2,000 titles of about 50 trigrams) and each
walk reads most of the index: 64 bytes tell pages apart, and the queue's query takes half the
time (measured at full size: about 110 → 50 ms on a quiet database; the same pairs). Made by SQL
on PostgreSQL only, as 0006; nothing on SQLite. The table is small (thousands of ideas): the
index is built again in the migration's transaction."""

from django.db import migrations

GIST = "idea_title_trigram_gist"


def _build(siglen: int):
    def build(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {GIST}")
            schema_editor.execute(
                f"CREATE INDEX {GIST} ON ideas_idea USING gist (title gist_trgm_ops(siglen={siglen}))"
            )

    return build


class Migration(migrations.Migration):
    dependencies = [("ideas", "0008_vote_idea_account_index")]

    operations = [migrations.RunPython(_build(64), _build(12))]
