"""The API tokens people made before tokens expired (Django REST framework's authtoken, stored in
plain text, one per person) become ApiTokens: the same token goes on working, now stored as a
hash, and expires API_TOKEN_TTL_DAYS after this migration, so scripts have that long to move to
a new one. The old table's rows are deleted (they held the tokens in plain text); the app is no
longer installed, so the table is read with SQL and left empty."""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

OLD_TABLE = "authtoken_token"
CARRIED_OVER_NAME = "API token (made before tokens expired)"


def api_tokens_from_drf(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("accounts", "ApiToken")
    quoted = connection.ops.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {quoted}")  # noqa: S608
        rows = cursor.fetchall()
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    for key, user_id, created in rows:
        token = api_token(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=expiry,
            name=CARRIED_OVER_NAME,
        )
        token.save(force_insert=True)
        if timezone.is_naive(created):  # SQLite's raw rows are UTC without an offset
            created = timezone.make_aware(created, UTC)
        api_token.objects.filter(pk=token.pk).update(created=created)  # not auto_now_add's
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_api_token")]

    operations = [migrations.RunPython(api_tokens_from_drf, migrations.RunPython.noop)]
