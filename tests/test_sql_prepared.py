"""config.sql_prepared: kept SQL (config.sql_once) and an API token's SELECT (every API call's
first query) run prepared on the server, give the ORM's rows and are logged with their values;
with DB_PREPARE_KEPT_SQL off they run as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.api.authentication import tokens_with_owner
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


def _token_statements() -> dict[str, int]:
    return {sql: n for sql, n in _prepared().items() if '"token_key" = $1' in sql}


def test_an_api_tokens_select_runs_prepared(member_a, api):
    token = services.api_token_create(user=member_a, name="Script")[1]
    before = _token_statements()

    for _ in range(4):
        response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200 and response.json()["user"]["id"] == member_a.pk

    planned = {sql: n - before.get(sql, 0) for sql, n in _token_statements().items()}
    assert list(planned.values()) == [4]  # one statement, run by each call


def test_with_prepared_statements_off_a_tokens_select_is_not_prepared(member_a, settings):
    settings.PREPARE_KEPT_SQL = False
    row = services.api_token_create(user=member_a, name="Script")[0]
    before = _prepared()
    for _ in range(3):
        (found,) = tokens_with_owner(row.token_key)
        assert found.pk == row.pk and found.user == member_a
    assert _prepared() == before


@pytest.mark.django_db(transaction=True)
def test_a_kept_read_opens_the_connection_if_it_was_closed():
    AccountFactory(currency="CHF")
    once = SqlOnce(Account, _of_currency, currency=str)
    assert len(once.all(currency="CHF")) == 1
    connection.close()  # as a failed health check or CONN_MAX_AGE closes it between requests

    assert len(once.all(currency="CHF")) == 1
    assert _prepared()  # run prepared on the new connection
