"""Every route of the site, found by walking the URL configuration, refuses anonymous visitors
unless it is on the short public list below. A new route is covered automatically: if it is
neither protected nor listed here, this test fails."""

from __future__ import annotations

import pytest

from tests.routes import ALL_ROUTES, route_url

# Pages a visitor must reach before logging in, by URL name. Adding to this list is a decision.
PUBLIC = {
    "login",
    "logout",
    # The same two pages under the names django-allauth reverses.
    "account_login",
    "account_logout",
    # The second step of a login: only with a password just checked (else back to the login).
    "mfa_authenticate",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accounts:invitation-accept",
    # Single sign-on: the page that finds a person's provider from their address, and
    # allauth's OpenID Connect callback (its state, kept in the session, is the key).
    "accounts:sso-login",
    "openid_connect_callback",
    # SAML: the assertion consumer service (the provider posts the answer; the request it
    # answers, kept in the session, is the key), the sign-in's end, our metadata (public by
    # design: the provider reads it) and single logout (not offered, and says so).
    "saml_acs",
    "saml_finish_acs",
    "saml_metadata",
    "saml_sls",
    "healthz",
    # The unsubscribe link of every email works logged out: its signed token is the key.
    "community:notification-unsubscribe",
}
ROUTES = [(route, name) for route, name in ALL_ROUTES if name not in PUBLIC]
PUBLIC_ROUTES = [(route, name) for route, name in ALL_ROUTES if name in PUBLIC]


def test_the_walk_finds_the_routes_we_know_and_every_public_one():
    names = {name for _, name in ALL_ROUTES}
    assert names >= PUBLIC  # the public list names no route that is gone
    assert {
        "community:home",
        "accounts:account-detail",
        "community:garden-list",
        "account-list",
        "invitation-revoke",
        "me",
        "api-schema",
    } <= names


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_turned_away(client, db, route, name, method):
    response = getattr(client, method)(route_url(route))

    if route.startswith(("api/", "scim/")):  # the API and SCIM provisioning: no login page
        assert response.status_code == 401, (route, response.status_code)
    else:
        assert response.status_code in (302, 405), (route, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(("route", "name"), PUBLIC_ROUTES, ids=[r for r, _ in PUBLIC_ROUTES])
def test_a_public_page_answers_an_anonymous_visitor_without_an_error(client, db, route, name):
    response = client.get(route_url(route))

    if name == "mfa_authenticate":  # the second step, with no password just checked
        assert (response.status_code, response["Location"]) == (302, "/login/")
        return
    if name in ("openid_connect_callback", "saml_finish_acs", "saml_metadata"):
        assert response.status_code == 404, (route, response.status_code)  # nobody's provider
        return
    # 200, or a clear refusal of the sample token (410; 400 for a token that is not ours), or
    # 405 for the POST-only logout.
    assert response.status_code in (200, 400, 405, 410), (route, response.status_code)


def test_the_admin_sends_anonymous_visitors_to_its_login(client, db):
    response = client.get("/admin/accounts/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
