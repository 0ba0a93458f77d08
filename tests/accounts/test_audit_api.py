"""/api/v1/audit-entries/: the audit trail as JSON for programme admins, with the page's filters
and rows; everyone else 403, bad filters 400 with field errors, an unknown account 404, and the
same queries for a page of 2 rows or of 30."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts import services
from accounts.models.audit import audit_acting
from accounts.people import membership_account_id
from accounts.selectors import account_names_by_id, people_and_accounts_by_id, people_by_id
from tests.accounts.factories import customer
from tests.api_helpers import api_error, api_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-entries/"


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "account_manager_a", "product_manager", "admin_b"]
)
def test_only_programme_admins_read_the_trail(request, api, persona):
    api_login(api, request.getfixturevalue(persona))

    assert api.get(URL).status_code == 403


def test_a_programme_admin_reads_the_filtered_trail(api, programme_admin, account_a, account_b):
    with audit_acting(actor=programme_admin):
        services.account_update(account=account_a, tier="growth")
    api_login(api, programme_admin)

    response = api.get(URL, {"kind": "Account", "account": "acme", "action": "changed"})

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["who"] == programme_admin.full_name
    assert (row["kind"], row["what"], row["account"]) == (
        "Account",
        "Account “Acme Industrial”",
        "Acme Industrial",
    )
    assert row["changes"] == [{"field": "Tier", "before": "Standard", "after": "Growth"}]
    assert set(row) == {
        "id",
        "timestamp",
        "who",
        "address",
        "kind",
        "what",
        "account",
        "action",
        "changes",
    }


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ({"since": "2026-12-05", "until": "2026-12-01"}, "until"),
        ({"kind": "Password"}, "kind"),
        ({"action": "viewed"}, "action"),
        ({"since": "yesterday"}, "since"),
    ],
)
def test_a_filter_that_does_not_read_is_a_400_naming_the_field(api, programme_admin, query, attr):
    api_login(api, programme_admin)

    response = api.get(URL, query)

    assert response.status_code == 400
    assert api_error(response)["attr"] == attr


def test_an_unknown_account_is_404(api, programme_admin):
    api_login(api, programme_admin)

    assert api.get(URL, {"account": "no-such"}).status_code == 404


def test_a_page_costs_the_same_queries_however_many_rows(
    api, programme_admin, account_a, django_assert_num_queries
):
    api_login(api, programme_admin)
    for _ in range(2):
        customer(account_a)
    api.get(URL)  # the caller's permissions and membership, loaded once for the forced login

    # The page of rows with their kind and actor (not full: it tells the count, no COUNT
    # query), the people and the accounts they name (one query on PostgreSQL, two elsewhere).
    queries = 2 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(queries):
        small = api.get(URL)
    for _ in range(30):
        customer(account_a)
    with django_assert_num_queries(queries):
        large = api.get(URL, {"page_size": 100})

    assert len(small.json()["results"]) < len(large.json()["results"])


def _naming(people: dict, accounts: list) -> tuple:
    """What naming reads of the people (names, their membership's account) and the accounts."""
    named = {
        pk: (person.first_name, person.last_name, membership_account_id(person))
        for pk, person in people.items()
    }
    return named, sorted(accounts)


@pytest.mark.needs_postgres
def test_a_page_s_people_and_accounts_are_read_in_one_query_as_apart(
    programme_admin, account_a, account_b, django_assert_num_queries
):
    member = customer(account_b, first_name="Ana", last_name="Alves")
    ids = [programme_admin.pk, member.pk, 999_999]  # an internal user, a customer, one gone
    accounts = [account_a.pk, account_b.pk, 999_998]  # two accounts, one gone
    apart = (people_by_id(ids), account_names_by_id(accounts))
    people_and_accounts_by_id(ids, accounts)  # prepared on its connection

    # 1: the people with their memberships, and the accounts.
    with django_assert_num_queries(1):
        people, names = people_and_accounts_by_id(ids, accounts)
        together = _naming(people, names)
    assert together == _naming(*apart)
    assert together[0][member.pk] == ("Ana", "Alves", account_b.pk)
    assert together[0][programme_admin.pk][2] is None and 999_999 not in together[0]
    with django_assert_num_queries(0):
        assert people_and_accounts_by_id([], []) == ({}, [])
