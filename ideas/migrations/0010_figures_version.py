"""The figures' version (config/figures_version.py): a number that moves whenever a row that
pilot results or pilot perception are computed from is written, so that those figures can be
remembered under it and never be stale.

On PostgreSQL only (nothing on SQLite, where nothing is remembered):

- `cg_figures_version_seq`, a sequence: its last value taken is the version (0 before the
  first).
- `cg_figures_written()`, a statement trigger on every table those figures read (the list
  below; tests/ideas/test_figures_version.py checks it against the tables their queries name):
  the writing transaction takes the shared advisory lock (0x6667, 0) until it ends, marks
  itself as a writer of figures, and takes the sequence's next value. Writers never wait for
  one another (the lock is shared); an account's row counts only when a column the figures read
  is written (its last customer activity is written on every visit).
- `cg_figures_version()`: the version, or NULL when it cannot be trusted: while any transaction
  that wrote such rows is still open (it may commit after a reader read the old rows: the
  exclusive lock is not free), or when the reader's own transaction wrote them (it may roll
  back). The exclusive lock is held only for the instant of reading the sequence.
"""

from django.db import migrations

TABLES = (
    "accounts_accountteamassignment",
    "community_engagementsnapshot",
    "community_loyaltyoutcome",
    "ideas_answer",
    "ideas_checkin",
    "ideas_dimension",
    "ideas_enrolment",
    "ideas_feedbackresponse",
    "ideas_instrument",
    "ideas_pilot",
    "ideas_question",
)
# The account's columns the figures read (its id never changes).
ACCOUNT_COLUMNS = ("name", "slug", "segment")

_CREATE = """
CREATE SEQUENCE cg_figures_version_seq;

CREATE FUNCTION cg_figures_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(26215, 0);
    PERFORM set_config('cg.figures_written', 'yes', true);
    PERFORM nextval('cg_figures_version_seq');
    RETURN NULL;
END
$$;

CREATE FUNCTION cg_figures_version() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    version bigint;
BEGIN
    IF current_setting('cg.figures_written', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    IF NOT pg_try_advisory_lock(26215, 0) THEN
        RETURN NULL;
    END IF;
    -- (Before its first value is taken a sequence shows its start as its last value.)
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO version
        FROM cg_figures_version_seq;
    PERFORM pg_advisory_unlock(26215, 0);
    RETURN version;
END
$$;
"""

_TRIGGER = (
    "CREATE TRIGGER cg_figures_written AFTER {events} ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION cg_figures_written()"
)


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_CREATE)
    for table in TABLES:
        schema_editor.execute(
            _TRIGGER.format(events="INSERT OR UPDATE OR DELETE OR TRUNCATE", table=table)
        )
    columns = ", ".join(ACCOUNT_COLUMNS)
    schema_editor.execute(
        _TRIGGER.format(
            events=f"INSERT OR UPDATE OF {columns} OR DELETE OR TRUNCATE", table="accounts_account"
        )
    )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (*TABLES, "accounts_account"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS cg_figures_written ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS cg_figures_version()")
    schema_editor.execute("DROP FUNCTION IF EXISTS cg_figures_written()")
    schema_editor.execute("DROP SEQUENCE IF EXISTS cg_figures_version_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0009_idea_title_trigram_gist_siglen"),
        ("accounts", "0016_account_last_customer_activity"),
        ("community", "0031_activity_value_exchanged_index"),
    ]

    operations = [migrations.RunPython(_create, _drop)]
