"""GET /api/v1/accounts/<slug>/value-exchanged/: the ledger of the page (what the account gave
and got back per month, each line defined), for the page's readers: the account's own
customer admins, its account team, product managers. Its other members 403; other accounts'
people and account managers 404; anonymous callers 401. The clock is frozen (5 Dec 2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import InternalRole, TeamRole
from community.models import ActivityEvent, ActivityKind
from community.selectors.value_exchanged import value_ledger
from tests.accounts.factories import TeamAssignmentFactory, internal
from tests.api_helpers import api_error, api_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/acme/value-exchanged/"


def _event(account, kind, moment, *, support=False) -> None:
    ActivityEvent.objects.create(
        account=account, kind=kind, occurred_at=moment, created_at=moment, is_support=support
    )


def test_anonymous_callers_must_authenticate(api, account_a):
    assert api.get(URL).status_code == 401


def test_the_customer_admin_gets_their_accounts_ledger(frozen, api, admin_a, account_a):
    _event(account_a, ActivityKind.REFERRAL, dt.datetime(2026, 10, 3, tzinfo=dt.UTC))
    _event(account_a, ActivityKind.REFERRAL, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    _event(
        account_a, ActivityKind.LOOP_CLOSED, dt.datetime(2026, 12, 2, tzinfo=dt.UTC), support=True
    )
    api_login(api, admin_a)

    response = api.get(URL, {"months": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["account"] == "acme"
    assert (body["period_from"], body["period_to"]) == ("2026-10-01", "2026-12-31")
    assert [m["month"] for m in body["months"]] == ["2026-10-01", "2026-11-01", "2026-12-01"]
    assert body["months"][0]["counts"]["referrals"] == 1
    assert (body["months"][2]["gave"], body["months"][2]["got"]) == (1, 1)
    assert (body["gave"], body["got"]) == (2, 1)
    assert body["totals"]["loops_closed"] == 1
    ledger = value_ledger(account=account_a, months=3)
    assert body["totals"] == ledger.totals
    assert {k["key"]: k["side"] for k in body["kinds"]} == {k.key: k.side for k in ledger.kinds}
    assert all(k["definition"] for k in body["kinds"])


def test_a_member_who_is_not_the_admin_gets_403(api, member_a):
    api_login(api, member_a)

    assert api.get(URL).status_code == 403


def test_other_accounts_people_and_managers_get_404(api, account_a, admin_b, member_b, account_b):
    manager_b = internal(InternalRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager_b, account=account_b, role=TeamRole.ACCOUNT_MANAGER)
    for person in (admin_b, member_b, manager_b):
        api_login(api, person)
        assert api.get(URL).status_code == 404


def test_the_account_team_and_product_managers_get_it(
    api, account_manager_a, product_manager, account_a
):
    for person in (account_manager_a, product_manager):
        api_login(api, person)
        assert api.get(URL).status_code == 200


@pytest.mark.parametrize("months", ["0", "37", "x"])
def test_a_period_out_of_range_is_a_400_naming_the_field(api, admin_a, months):
    api_login(api, admin_a)

    response = api.get(URL, {"months": months})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "months"
