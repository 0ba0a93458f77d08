"""Security headers on HTML pages: a strict Content-Security-Policy (no inline scripts anywhere),
no framing, no MIME sniffing; and the markup keeps to that policy."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts import services
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def test_an_html_page_sends_a_strict_content_security_policy(client_for, member_a):
    response = client_for(member_a).get("/")

    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_an_html_page_may_not_be_framed_or_sniffed(client, db):
    response = client.get("/login/")

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_lock_out_page_carries_the_same_policy(client, member_a):
    for _ in range(5):
        response = client.post("/login/", {"username": member_a.email, "password": "wrong"})

    assert response.status_code == 429
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_relax_only_their_styles(client_for, member_a):
    response = client_for(member_a).get("/api/docs/")

    policy = _policy(response)
    assert response.status_code == 200
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


# Markup the policy would silently block: a <script> without src, on*="..." handlers, style="".
_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    ("persona", "urls"),
    [
        (None, ["/login/", "/password/reset/", "/password/reset/sent/"]),
        ("member_a", ["/", "/accounts/acme/", "/profile/", "/gardens/", "/gardens/g/"]),
        ("admin_a", ["/", "/accounts/acme/", "/accounts/acme/invite/", "/password/change/"]),
        ("account_manager_a", ["/", "/accounts/", "/accounts/acme/"]),
        ("programme_admin", ["/", "/accounts/", "/accounts/?q=a", "/accounts/acme/"]),
    ],
)
def test_pages_keep_to_the_policy_with_no_inline_script_or_style(
    request, client, account_a, persona, urls
):
    GardenFactory(slug="g")
    if persona:
        client.force_login(request.getfixturevalue(persona))

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert not _INLINE.findall(page), (url, _INLINE.findall(page))


def test_the_invitation_page_keeps_to_the_policy(client, account_a, admin_a):
    invitation = services.invitation_create(
        account=account_a, email="nina@acme.example", invited_by=admin_a
    )

    response = client.get(invitation.get_accept_url())

    assert response.status_code == 200
    assert not _INLINE.findall(response.content.decode())
    assert _policy(response)["script-src"] == ["'self'"]


def test_the_session_cookie_is_http_only_and_same_site(client, member_a):
    response = client.post("/login/", {"username": member_a.email, "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_form_post_without_its_csrf_token_is_refused(member_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)

    response = client.post("/profile/", {"first_name": "Eve"})

    assert response.status_code == 403
    member_a.refresh_from_db()
    assert member_a.first_name == "Alice"
