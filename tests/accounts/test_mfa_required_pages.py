"""MFA_REQUIRED_FOR_STAFF: an internal user without a second factor reaches no internal page,
no API call by session or token, only the setup; customers are never stopped."""

from __future__ import annotations

import pytest

from accounts import services
from tests.accounts.factories import PASSWORD
from tests.accounts.mfa_helpers import totp_activate
from tests.api_helpers import api_error
from tests.routes import ALL_ROUTES, route_url

# What such a person may still open: the setup pages and the public ones (logout, the login,
# which sends a logged-in person home, and so to the setup).
OPEN_PREFIXES = ("auth/", "logout/", "healthz/")
PAGES = [
    (route, name)
    for route, name in ALL_ROUTES
    if not route.startswith(OPEN_PREFIXES) and not route.startswith("api/")
]
API = [(route, name) for route, name in ALL_ROUTES if route.startswith("api/")]


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.mark.parametrize(("route", "name"), PAGES, ids=[r for r, _ in PAGES])
def test_every_page_sends_an_internal_user_without_mfa_to_the_setup(
    client_for, account_manager_a, required, route, name
):
    client = client_for(account_manager_a)
    for method in ("get", "post"):
        response = getattr(client, method)(route_url(route))

        assert response.status_code == 302, (method, route, response.status_code)
        assert response["Location"] == "/auth/2fa/", (method, route)


@pytest.mark.parametrize(("route", "name"), API, ids=[r for r, _ in API])
def test_every_api_call_by_session_is_refused_until_mfa_is_set_up(
    client_for, programme_admin, required, route, name
):
    response = client_for(programme_admin).get(route_url(route))

    assert response.status_code == 403, (route, response.status_code)
    assert response.json()["errors"][0]["code"] == "mfa_required"


def test_htmx_requests_are_sent_to_the_setup_by_htmx(client_for, product_manager, required):
    response = client_for(product_manager).get("/portfolio/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/auth/2fa/"


def test_the_setup_pages_open(client_for, account_manager_a, required):
    client = client_for(account_manager_a)

    page = client.get("/auth/2fa/")

    assert page.status_code == 200
    assert "Authenticator App" in page.content.decode()
    assert client.get("/auth/2fa/totp/activate/")["Location"].startswith("/auth/reauthenticate/")
    assert client.get("/auth/reauthenticate/").status_code == 200
    assert client.post("/logout/").status_code == 302


def test_after_the_setup_every_page_opens_again(client_for, account_manager_a, required):
    client = client_for(account_manager_a)
    assert client.get("/portfolio/").status_code == 302

    totp_activate(account_manager_a)

    assert client.get("/portfolio/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_customers_are_never_stopped(client_for, member_a, required):
    client = client_for(member_a)

    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_off_it_stops_no_one(client_for, account_manager_a, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False

    assert client_for(account_manager_a).get("/portfolio/").status_code == 200


def test_an_api_token_of_an_internal_user_without_mfa_is_refused(api, account_manager_a, required):
    _, key = services.api_token_create(user=account_manager_a, name="nightly export")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    refused = api.get("/api/v1/me/")
    assert refused.status_code == 403
    assert api_error(refused)["code"] == "mfa_required"

    totp_activate(account_manager_a)
    assert api.get("/api/v1/me/").status_code == 200


def test_after_a_login_an_internal_user_without_mfa_lands_on_the_setup(
    client, account_manager_a, required
):
    response = client.post(
        "/login/", {"username": account_manager_a.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1] == ("/auth/2fa/", 302)
    assert "set up an authenticator app" in response.content.decode()
