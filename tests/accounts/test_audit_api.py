"""/api/v1/audit-entries/: the audit trail as JSON for programme admins, with the page's filters
and rows; everyone else 403, bad filters 400 with field errors, an unknown account 404, and the
same queries for a page of 2 rows or of 30."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models.audit import audit_acting
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
    # query), the people and the accounts they name.
    with django_assert_num_queries(3):
        small = api.get(URL)
    for _ in range(30):
        customer(account_a)
    with django_assert_num_queries(3):
        large = api.get(URL, {"page_size": 100})

    assert len(small.json()["results"]) < len(large.json()["results"])
