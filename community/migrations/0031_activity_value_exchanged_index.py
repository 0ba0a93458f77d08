"""A partial index of the activity events the value exchanged counts (referrals, reference
calls and workshops of customers; answers and closed loops of the account team), by (account,
occurred_at), with kind and is_support: the portfolio's "gave / got" and an account's ledger
(community.selectors.value_exchanged.community_value_counts) read a page of accounts' year
from it alone. Without it they read every event of those accounts' year from the index by
(account, occurred_at, kind, …) and kept about one in fifty (at full size, 20 million events:
3,900 index pages for a page of 25 accounts, 16–40 ms). Counted events are about 2% of all,
so the index is small. Made by SQL on PostgreSQL only (a partial index with INCLUDE); nothing
on SQLite. Concurrently: events are recorded while it is built.

Its condition is the counter's own filter, written the same way, so that PostgreSQL sees that
the query implies it; tests/community/test_value_exchanged_totals.py checks that the kinds
below are still the counter's."""

from django.db import migrations

INDEX = "activity_value_exchanged"

# (kind, is_support) of the events counted: community.selectors.value_exchanged._EVENT_KINDS.
CUSTOMER_KINDS = ("referral", "reference_call", "workshop_attended")
SUPPORT_KINDS = ("discussion_post", "comment", "loop_closed")


def _in(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON community_activityevent (account_id, occurred_at) INCLUDE (kind, is_support) "
            f"WHERE (NOT is_support AND kind IN ({_in(CUSTOMER_KINDS)})) "
            f"OR (is_support AND kind IN ({_in(SUPPORT_KINDS)}))"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("community", "0030_activity_user_time_index")]

    operations = [migrations.RunPython(_create, _drop)]
