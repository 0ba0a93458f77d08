"""config.sql_prepared: kept SQL (config.sql_once) runs prepared on the server, gives the ORM's
rows and is logged with its values; with DB_PREPARE_KEPT_SQL off it runs as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from config.sql_once import SqlOnce
from tests.accounts.factories import AccountFactory

pytestmark = pytest.mark.needs_postgres


def _prepared() -> dict[str, int]:
    """Each statement prepared on this connection, with how many times it was planned."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _of_currency(currency):
    # A filter no other test's kept read has, so that its statement is this test's own.
    return Account.objects.filter(currency=currency, tier__gt="").order_by("-name", "pk")


def test_a_kept_read_runs_prepared_with_the_orms_rows(db):
    AccountFactory.create_batch(3, currency="EUR")
    AccountFactory(currency="USD")
    once = SqlOnce(Account, _of_currency, currency=str)
    expected = [(a.pk, a.name, a.created_at) for a in _of_currency("EUR")]
    before = _prepared()

    for _ in range(7):
        assert [(a.pk, a.name, a.created_at) for a in once.all(currency="EUR")] == expected
    assert once.count(currency="EUR") == 3

    planned = {sql: n - before.get(sql, 0) for sql, n in _prepared().items()}
    (read,) = [n for sql, n in planned.items() if '"currency" = $1' in sql and "COUNT" not in sql]
    (counted,) = [n for sql, n in planned.items() if '"currency" = $1' in sql and "COUNT" in sql]
    assert (read, counted) == (7, 1)  # each call ran the statement prepared on the connection
    assert expected[0][2].tzinfo == datetime.UTC  # the moments come as the ORM gives them


def test_a_prepared_read_is_logged_with_its_values(db):
    AccountFactory(currency="EUR")
    once = SqlOnce(Account, _of_currency, currency=str)
    once.all(currency="EUR")
    with CaptureQueriesContext(connection) as queries:
        once.page(offset=0, limit=5, currency="EUR")
    (sql,) = [query["sql"] for query in queries]
    assert "'EUR'" in sql and "LIMIT 5 OFFSET 0" in sql and "$1" not in sql


def test_with_prepared_statements_off_nothing_is_prepared(db, settings):
    settings.PREPARE_KEPT_SQL = False
    AccountFactory(currency="GBP")
    once = SqlOnce(Account, _of_currency, currency=str)
    before = _prepared()
    for _ in range(3):
        assert len(once.all(currency="GBP")) == 1
    assert _prepared() == before
