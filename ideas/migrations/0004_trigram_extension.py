"""pg_trgm, for the ideas like one being written (ideas.selectors.similar): trigram similarity
of titles. A no-op on SQLite, where the selector compares words in Python."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ideas", "0003_notification_actor_from_ideas")]

    operations = [TrigramExtension()]
