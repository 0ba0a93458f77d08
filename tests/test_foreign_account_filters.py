"""One answer for a list filtered by an account the user cannot see: 404, in the API and on
pages alike — the same answer as fetching that account directly (accounts.access.access_account),
so an account's existence never leaks and an empty list never pretends to be an answer.

An account that does not exist at all gets the same 404; the user's own account filters as
before. Lists with such a filter: the alerts inbox (and its CSV) and /api/v1/alerts/, the
outcomes page (and its CSV) and /api/v1/outcomes/, /api/v1/memberships/,
/api/v1/account-teams/ and /api/v1/invitations/. (The portfolio and the imports have no
account filter: the portfolio searches its own accounts by name.)"""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import InternalRole
from community.models import Alert, AlertReason, OutcomeKind
from community.services.outcomes import outcome_record
from tests.accounts.factories import InvitationFactory, TeamAssignmentFactory, internal
from tests.api_helpers import api_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(account_a, account_b, admin_a, admin_b, member_b, account_manager_a, programme_admin):
    """Alerts, outcomes, invitations and an account team on both accounts."""
    for account in (account_a, account_b):
        Alert.objects.create(account=account, reason=AlertReason.SCORE_FELL, details={})
        outcome_record(
            account=account,
            kind=OutcomeKind.RENEWED,
            occurred_on=dt.date(2026, 1, 15),
            recorded_by=programme_admin,
        )
    InvitationFactory(account=account_a, email="new@acme.example", invited_by=admin_a)
    InvitationFactory(account=account_b, email="new@globex.example", invited_by=admin_b)
    TeamAssignmentFactory(
        user=internal(InternalRole.ACCOUNT_MANAGER, email="gil@garden.example"), account=account_b
    )


# Internal lists: the account manager of Acme asks for Globex (or for no such account).
INTERNAL_PAGES = ["/alerts/?state=all", "/alerts/?state=all&export=csv", "/outcomes/"]
INTERNAL_PAGES += ["/outcomes/?export=csv"]
INTERNAL_APIS = ["/api/v1/alerts/?state=all", "/api/v1/outcomes/"]
# Lists of people: a customer (Acme's admin) and Acme's account manager ask for Globex.
PEOPLE_APIS = ["/api/v1/memberships/", "/api/v1/account-teams/", "/api/v1/invitations/"]


def _with(url: str, slug: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}account={slug}"


@pytest.mark.parametrize("url", INTERNAL_PAGES)
@pytest.mark.parametrize("slug", ["globex", "no-such-account"])
def test_pages_filtered_by_an_account_the_user_cannot_see_are_404(
    client_for, account_manager_a, world, url, slug
):
    response = client_for(account_manager_a).get(_with(url, slug))

    assert response.status_code == 404
    assert b"Globex" not in response.content
    assert b"globex" not in response.content


@pytest.mark.parametrize("url", INTERNAL_PAGES)
def test_pages_filtered_by_ones_own_account_list_its_rows(
    client_for, account_manager_a, world, url
):
    response = client_for(account_manager_a).get(_with(url, "acme"))

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Acme Industrial" in body or b"acme" in body
    assert b"globex" not in body.lower()


@pytest.mark.parametrize("url", INTERNAL_APIS)
@pytest.mark.parametrize("slug", ["globex", "no-such-account"])
def test_internal_apis_filtered_by_an_account_the_user_cannot_see_are_404(
    api, account_manager_a, world, url, slug
):
    api_login(api, account_manager_a)

    response = api.get(_with(url, slug))

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"
    assert b"globex" not in response.content.lower().replace(b"no-such-account", b"")


@pytest.mark.parametrize("url", INTERNAL_APIS)
def test_internal_apis_filtered_by_ones_own_account_list_its_rows(
    api, account_manager_a, world, url
):
    api_login(api, account_manager_a)

    response = api.get(_with(url, "acme"))

    assert response.status_code == 200
    assert {row["account"] for row in response.json()["results"]} == {"acme"}


@pytest.mark.parametrize("url", PEOPLE_APIS)
@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a"])
@pytest.mark.parametrize("slug", ["globex", "no-such-account"])
def test_people_apis_filtered_by_an_account_the_user_cannot_see_are_404(
    request, api, world, url, persona, slug
):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_with(url, slug))

    assert response.status_code == 404
    assert b"globex.example" not in response.content


@pytest.mark.parametrize("url", PEOPLE_APIS)
def test_people_apis_filtered_by_ones_own_account_list_its_rows(api, account_manager_a, world, url):
    api_login(api, account_manager_a)

    response = api.get(_with(url, "acme"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert {row["account"] for row in rows} == {"acme"}


def test_programme_admins_filter_by_any_account(api, client_for, programme_admin, world):
    api_login(api, programme_admin)

    assert {r["account"] for r in api.get(_with(INTERNAL_APIS[0], "globex")).json()["results"]} == {
        "globex"
    }
    assert client_for(programme_admin).get(_with("/outcomes/", "globex")).status_code == 200
    assert api.get(_with("/api/v1/outcomes/", "no-such-account")).status_code == 404


@pytest.mark.parametrize("url", [*INTERNAL_PAGES[::2], *INTERNAL_APIS])
def test_customers_get_403_on_internal_lists_whatever_the_filter(
    api, client_for, member_b, world, url
):
    api_login(api, member_b)
    client = client_for(member_b)

    responses = [
        (api if url.startswith("/api/") else client).get(_with(url, slug))
        for slug in ("acme", "globex")
    ]

    assert [r.status_code for r in responses] == [403, 403]


def test_the_alerts_search_by_name_still_finds_nothing_rather_than_404(
    client_for, account_manager_a, world
):
    response = client_for(account_manager_a).get("/alerts/", {"q": "globex"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 0


def test_the_inbox_says_which_account_it_is_filtered_by(client_for, account_manager_a, world):
    page = client_for(account_manager_a).get("/alerts/", {"account": "acme"}).content.decode()

    assert "Only the alerts of" in page
    assert '<input type="hidden" name="account" value="acme"' in page
