"""GET/POST /api/v1/outcomes/: the same readers and writers as the outcome pages.

Anonymous: 401. Customers: 403 on the list and their own account, 404 on another account.
Product managers read every account's outcomes and may not record them (403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from community.models import LoyaltyOutcome, OutcomeKind
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login

URL = "/api/v1/outcomes/"


def _outcome(account, kind=OutcomeKind.RENEWED, *, on=dt.date(2026, 1, 15), **fields):
    return outcome_record(account=account, kind=kind, occurred_on=on, recorded_by=None, **fields)


def _pairs(response) -> list[tuple[str, str]]:
    return [(row["account"], row["kind"]) for row in response.json()["results"]]


def test_anonymous_callers_get_401(api, db):
    assert api.get(URL).status_code == 401
    assert api.post(URL, {}).status_code == 401


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_customers_may_not_list_outcomes(request, api, persona, account_a):
    _outcome(account_a)
    api_login(api, request.getfixturevalue(persona))

    response = api.get(URL)

    assert response.status_code == 403
    assert api_error(response)["detail"] == "Loyalty outcomes are for internal users."


@pytest.mark.parametrize(("persona", "status"), [("admin_a", 403), ("member_b", 404)])
def test_customers_may_not_record_outcomes(request, api, persona, status, account_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(URL, {"account": "acme", "kind": "renewed", "occurred_on": "2026-01-15"})

    assert response.status_code == status
    assert not LoyaltyOutcome.objects.exists()


def test_the_account_team_lists_only_its_accounts(api, account_manager_a, account_a, account_b):
    _outcome(account_a, OutcomeKind.EXPANDED, amount=Decimal("10.50"))
    _outcome(account_b)
    api_login(api, account_manager_a)

    response = api.get(URL)

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert response.json()["count"] == 1
    assert (row["account"], row["kind"], row["amount"], row["occurred_on"]) == (
        "acme",
        "expanded",
        10.5,
        "2026-01-15",
    )
    assert api.get(URL, {"account": "globex"}).status_code == 404


def test_a_product_manager_lists_every_account_filtered(api, product_manager, account_a, account_b):
    _outcome(account_a, on=dt.date(2026, 1, 1))
    _outcome(account_b, OutcomeKind.CHURNED, on=dt.date(2026, 2, 1))
    _outcome(account_b, on=dt.date(2026, 3, 1))
    api_login(api, product_manager)

    everything = api.get(URL)
    filtered = api.get(URL, {"account": "globex", "kind": "renewed", "occurred_from": "2026-02-15"})

    assert _pairs(everything) == [("globex", "renewed"), ("globex", "churned"), ("acme", "renewed")]
    assert _pairs(filtered) == [("globex", "renewed")]


def test_a_bad_filter_is_a_400(api, product_manager):
    api_login(api, product_manager)

    response = api.get(URL, {"occurred_to": "tomorrow"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "occurred_to"


def test_the_account_team_records_an_outcome(api, account_manager_a, account_a):
    api_login(api, account_manager_a)

    response = api.post(
        URL,
        {"account": "acme", "kind": "contracted", "occurred_on": "2026-01-15", "amount": "99.90"},
    )

    assert response.status_code == 201
    assert response.json()["recorded_by"] == account_manager_a.email
    outcome = LoyaltyOutcome.objects.get()
    assert (outcome.account, outcome.kind, outcome.amount) == (
        account_a,
        "contracted",
        Decimal("99.90"),
    )


def test_a_product_manager_may_not_record(api, product_manager, account_a):
    api_login(api, product_manager)

    response = api.post(URL, {"account": "acme", "kind": "renewed", "occurred_on": "2026-01-15"})

    assert response.status_code == 403
    assert not LoyaltyOutcome.objects.exists()


@pytest.mark.parametrize(
    ("data", "attr"),
    [
        ({"kind": "renewed", "occurred_on": "2026-01-15"}, "account"),
        ({"account": "acme", "kind": "won", "occurred_on": "2026-01-15"}, "kind"),
        ({"account": "acme", "kind": "renewed", "occurred_on": "15.1.2026"}, "occurred_on"),
        ({"account": "acme", "kind": "expanded", "occurred_on": "2026-01-15"}, "amount"),
        (
            {"account": "acme", "kind": "churned", "occurred_on": "2026-01-15", "amount": "5"},
            "amount",
        ),
    ],
)
def test_bad_input_is_a_field_error(api, programme_admin, account_a, data, attr):
    api_login(api, programme_admin)

    response = api.post(URL, data)

    assert response.status_code == 400
    assert api_error(response)["attr"] == attr
    assert not LoyaltyOutcome.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_takes_the_same_number_of_queries(
    api, programme_admin, count, django_assert_num_queries
):
    for n in range(count):
        _outcome(AccountFactory(), on=dt.date(2026, 1, 1) + dt.timedelta(days=n))
    api_login(api, programme_admin)

    # 1 customer membership, 2 the user's permissions (own and groups'), 3 the page with
    # account and recorder joined, 4 the count, only when the page is full (a page that is not
    # tells it).
    with django_assert_num_queries(4 if count >= 25 else 3):
        response = api.get(URL)

    assert response.json()["count"] == count
