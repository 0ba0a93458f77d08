"""Pilot results and pilot perception remembered under the figures' version
(config/figures_version.py, ideas/migrations/0010_figures_version.py): every table their
answers read moves the version when written; no version while a write to one is open, or in the
reader's own writing transaction; a remembered answer is the one a recomputation gives, before
and after a write."""

from __future__ import annotations

import datetime as dt
import re

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from community.models import OutcomeKind
from community.services.outcomes import outcome_record
from config import figures_version as figures
from ideas.api import perception_outcomes, results
from ideas.models import Enrolment, Pilot, PilotState
from tests.api_helpers import api_login
from tests.ideas.test_api_kept_pilots import _answered, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.needs_postgres

PERCEPTION = "/api/v1/insights/pilot-perception/"
_TABLES = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
_ACCOUNT_COLUMNS = re.compile(r'"accounts_account"\."(\w+)"')


def _results(pilot: Pilot) -> str:
    return f"/api/v1/pilots/{pilot.pk}/results/"


def _watched() -> dict[str, set[str] | None]:
    """Each table with the figures' trigger: the columns an UPDATE must name to move the
    version, or None for any UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, ARRAY(SELECT a.attname FROM pg_attribute a "
            "WHERE a.attrelid = c.oid AND a.attnum = ANY(t.tgattr)) "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'cg_figures_written'"
        )
        return {table: set(columns) or None for table, columns in cursor.fetchall()}


def test_every_table_the_answers_read_moves_the_version(api, world, monkeypatch):  # noqa: F811
    """The queries each answer runs when computed (through the real views, every split, every
    reader's rule) name only watched tables, and of the account only watched columns."""
    people, made = world
    read: list[str] = []

    def computed(name, parts, compute, *, version):
        with CaptureQueriesContext(connection) as queries:
            answer = compute()
        read.extend(q["sql"] for q in queries.captured_queries)
        return answer

    for module in (results, perception_outcomes):
        monkeypatch.setattr(module, "remembered_figures", computed)
    for name in ("programme_admin", "product_manager", "account_manager"):
        api_login(api, people[name])
        assert api.get(PERCEPTION).status_code == 200
        assert api.get(PERCEPTION, {"segment": "enterprise"}).status_code == 200
    api_login(api, people["programme_admin"])
    for pilot in made:
        for split in ("", "segment", "level"):
            assert api.get(_results(pilot), {"split": split} if split else {}).status_code == 200
    tables = {table for sql in read for table in _TABLES.findall(sql)}
    assert {"ideas_answer", "community_loyaltyoutcome", "community_engagementsnapshot"} <= tables
    watched = _watched()
    assert tables <= set(watched), tables - set(watched)
    columns = {column for sql in read for column in _ACCOUNT_COLUMNS.findall(sql)} - {"id"}
    assert columns and columns <= watched["accounts_account"]
    assert all(columns is None for table, columns in watched.items() if table != "accounts_account")


def _version() -> str | None:
    return figures.figures_version()


@pytest.mark.django_db(transaction=True)
def test_a_write_to_a_watched_table_moves_the_version_and_others_do_not():
    watched = _watched()
    with connection.cursor() as cursor:
        # As a new database's: no value taken yet (the first write moves the version too).
        cursor.execute("ALTER SEQUENCE cg_figures_version_seq RESTART")
        seen = {_version()}
        for table, columns in sorted(watched.items()):
            column = sorted(columns)[0] if columns else "id"
            for sql in (
                # (The tables' and columns' names are the catalog's.)
                f"UPDATE {table} SET {column} = {column} WHERE false",  # noqa: S608
                f"DELETE FROM {table} WHERE false",  # noqa: S608
                f"INSERT INTO {table} SELECT * FROM {table} WHERE false",  # noqa: S608
            ):
                cursor.execute(sql)
                version = _version()
                assert version is not None and version not in seen, sql
                seen.add(version)
        cursor.execute("TRUNCATE ideas_answer")
        assert _version() not in seen
        seen.add(_version())
        # Not read by the figures: an account's last customer activity, a garden.
        cursor.execute(
            "UPDATE accounts_account SET last_customer_activity_at = last_customer_activity_at "
            "WHERE false"
        )
        cursor.execute("UPDATE community_garden SET name = name WHERE false")
        assert _version() in seen
    assert len(seen) == 3 * len(watched) + 2


@pytest.mark.django_db(transaction=True)
def test_no_version_while_a_write_is_open_or_in_the_readers_own_writing_transaction():
    before = _version()
    assert before is not None
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        other.execute("UPDATE ideas_pilot SET title = title WHERE false")  # opens a transaction
        assert _version() is None
        other.rollback()
        after = _version()
        assert after not in (None, before)  # (a rolled back write moved it too: no harm)
        other.execute("UPDATE community_garden SET name = name WHERE false")
        assert _version() == after  # an open write elsewhere is no figures' write
        other.rollback()
    finally:
        other.close()
    with transaction.atomic():
        assert _version() == after  # a transaction that only reads
        Pilot.objects.filter(pk=0).update(title="x")
        assert _version() is None
    assert _version() not in (None, after)


def _figure_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "ideas_answer" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_remembered_until_a_row_of_it_is_written(
    api,
    world,  # noqa: F811
    monkeypatch,
):
    people, made = world
    api_login(api, people["programme_admin"])
    pilot = next(p for p in made if p.state == PilotState.CLOSED)
    paths = [(_results(pilot), {}), (_results(pilot), {"split": "segment"}), (PERCEPTION, {})]
    first = {path + str(query): api.get(path, query).content for path, query in paths}
    for path, query in paths:
        with CaptureQueriesContext(connection) as queries:
            again = api.get(path, query).content
        assert again == first[path + str(query)]
        assert _figure_reads(queries) == []  # remembered: no answer read again

    # A new answer and a new outcome: every answer is computed again, and shows them.
    account = Enrolment.objects.filter(pilot=pilot).order_by("pk").first().account
    _answered(pilot, account, "Dee", expected={"useful": 7}, experienced={"useful": 1}, recommend=0)
    outcome_record(
        account=account,
        kind=OutcomeKind.CHURNED,
        occurred_on=pilot.runs_until + dt.timedelta(days=2),
        recorded_by=None,
    )
    for path, query in paths:
        with CaptureQueriesContext(connection) as queries:
            now = api.get(path, query).content
        assert _figure_reads(queries) != []
        assert now != first[path + str(query)]
        # What a recomputation gives: the same call with nothing remembered.
        with monkeypatch.context() as patched:
            patched.setattr(figures, "remembered", lambda key, compute, seconds: compute())
            assert api.get(path, query).content == now


@pytest.mark.django_db(transaction=True)
def test_a_remembered_perception_is_its_readers_alone(api, world, monkeypatch):  # noqa: F811
    """The programme admin's answer (every account) is remembered; an account manager (their
    team's account only) and a product manager (every account: another reader, the same rule)
    get their own, each what a recomputation gives them."""
    people, _made = world
    answers = {}
    for name in ("programme_admin", "account_manager", "product_manager"):
        api_login(api, people[name])
        api.get(PERCEPTION)  # remembered
        with CaptureQueriesContext(connection) as queries:
            answers[name] = api.get(PERCEPTION).content
        assert _figure_reads(queries) == []
        with monkeypatch.context() as patched:
            patched.setattr(figures, "remembered", lambda key, compute, seconds: compute())
            assert api.get(PERCEPTION).content == answers[name]
    assert answers["account_manager"] != answers["programme_admin"]
    assert answers["product_manager"] == answers["programme_admin"]
