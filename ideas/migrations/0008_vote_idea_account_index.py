"""An index of votes by (idea, account): an idea's supporters (COUNT(*)) and its distinct
supporting accounts are counted from the index alone, and so are the distinct (idea, account)
pairs behind the board's contract values (ideas.selectors.ideas: the board counts every idea's
votes; at full size, 100,000 votes). Made by SQL on PostgreSQL only, as the trigram index of
0006; nothing on SQLite. Concurrently: voting goes on while it is built."""

from django.db import migrations

INDEX = "vote_idea_account"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON ideas_vote (idea_id, account_id)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("ideas", "0007_dimension_target")]

    operations = [migrations.RunPython(_create, _drop)]
