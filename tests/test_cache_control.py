"""No cache keeps what a view answered (config/cache_control.py): every page, fragment, export
and API answer carries `Cache-Control: private, no-store`, for logged-in people and on the
public pages alike; static files keep their caching."""

from __future__ import annotations

import pytest

from accounts import services
from tests.community.factories import GardenFactory
from tests.routes import ALL_ROUTES, route_url


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _assert_no_store(response, url: str) -> None:
    assert {"private", "no-store"} <= _directives(response), (url, response.get("Cache-Control"))
    assert "public" not in _directives(response), url


@pytest.fixture
def world(account_a, member_a, account_manager_a):
    """Objects the sample URLs point at (the account "acme", a garden "acme")."""
    GardenFactory(slug="acme")


def test_every_page_and_api_answer_a_logged_in_person_gets_is_kept_by_no_cache(
    client_for, programme_admin, world
):
    client = client_for(programme_admin)
    answered = []
    for route, _ in ALL_ROUTES:
        url = route_url(route)
        response = client.get(url)
        _assert_no_store(response, url)
        answered.append((url, response.status_code))

    # The walk reached the site: pages, CSV exports and API answers rendered for real.
    rendered = {url for url, status in answered if status == 200}
    assert {"/", "/accounts/", "/accounts/acme/", "/api/v1/me/", "/api/v1/ideas/"} <= rendered
    assert len(rendered) >= 40, answered


def test_a_customers_pages_are_kept_by_no_cache_and_static_files_keep_their_caching(
    client_for, member_a, world
):
    client = client_for(member_a)

    for url, headers in [("/", {}), ("/", {"HX-Request": "true"}), ("/ideas/?export=csv", {})]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        _assert_no_store(response, url)
    static = client.get("/static/css/garden.css")
    assert static.status_code == 200
    assert "no-store" not in _directives(static)


def test_an_api_answer_to_a_token_is_kept_by_no_cache(api, member_a):
    _, token = services.api_token_create(user=member_a, name="Script")

    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    _assert_no_store(response, "/api/v1/me/")


@pytest.mark.parametrize("url", ["/password/reset/", "/api/v1/me/", "/no-such-page/"])
def test_public_pages_and_refusals_are_kept_by_no_cache_too(client, db, url):
    _assert_no_store(client.get(url), url)


def test_the_invitation_link_which_shows_the_address_is_kept_by_no_cache(
    client, account_a, admin_a
):
    invitation = services.invitation_create(
        account=account_a, email="nina@acme.example", invited_by=admin_a
    )

    response = client.get(invitation.get_accept_url())

    assert response.status_code == 200
    assert "nina@acme.example" in response.content.decode()
    _assert_no_store(response, "invitation")
