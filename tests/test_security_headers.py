"""Security headers on HTML pages: a strict Content-Security-Policy (no inline scripts anywhere),
no framing, no MIME sniffing; and the markup keeps to that policy.

Every HTML page carries them: a Content-Security-Policy whose script-src allows no inline or
eval'd script and whose frame-ancestors is 'none', X-Content-Type-Options: nosniff, and, in
production, Strict-Transport-Security; and `check --deploy` with production settings finds
nothing. The pages are found by walking the URL configuration (tests/test_routes_anonymous.py),
so a new page is covered automatically; a programme admin opens them, so that they render."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from accounts import services
from tests.accounts.factories import PASSWORD
from tests.community.factories import GardenFactory
from tests.production_env import manage_check, production_settings
from tests.routes import ALL_ROUTES, route_url


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


# --- Every page of the site, found by walking the URL configuration ---------------------------


# Pages of the Django admin, which the walk leaves out (it has its own login).
ADMIN_PAGES = ["/admin/", "/admin/accounts/account/", "/admin/accounts/user/", "/admin/login/"]
PAGES = [route_url(route) for route, _ in ALL_ROUTES if not route.startswith("api/")] + ADMIN_PAGES


def _assert_secure_headers(response, url: str) -> None:
    policy = _policy(response)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src, url
    assert "'unsafe-inline'" not in script_src, url
    assert "'unsafe-eval'" not in script_src, url
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["object-src"] == ["'none'"], url
    assert response["X-Content-Type-Options"] == "nosniff", url


@pytest.fixture
def pages_render(account_a, member_a, account_manager_a):
    """Objects the sample URLs point at (the account "acme", a garden "acme")."""
    GardenFactory(slug="acme")


def test_every_html_page_carries_the_security_headers(client_for, programme_admin, pages_render):
    client = client_for(programme_admin)
    html = []
    for url in PAGES:
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # CSV exports, JSON downloads, the health check
        _assert_secure_headers(response, url)
        html.append((url, response.status_code))

    # The walk is not empty: most pages really rendered for the programme admin.
    rendered = [url for url, status in html if status == 200]
    assert len(rendered) >= 30, html
    assert {"/", "/accounts/", "/accounts/acme/", "/admin/"} <= set(rendered)


@pytest.mark.parametrize("url", ["/login/", "/password/reset/", "/no-such-page/"])
def test_pages_for_anonymous_visitors_and_errors_carry_them_too(client, db, url):
    _assert_secure_headers(client.get(url), url)


def test_an_htmx_fragment_carries_them_too(client_for, member_a, pages_render):
    response = client_for(member_a).get("/", headers={"HX-Request": "true"})

    _assert_secure_headers(response, "/ (htmx)")


def test_the_api_answers_with_nosniff(client_for, programme_admin):
    response = client_for(programme_admin).get("/api/v1/me/")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_page_sent_over_https_in_production_carries_hsts(client, db):
    production = production_settings()
    hsts = {k: v for k, v in production.items() if k.startswith("SECURE_HSTS")}
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]

    with override_settings(**hsts):
        response = client.get("/login/", secure=True)
        plain = client.get("/login/")

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    _assert_secure_headers(response, "/login/")
    assert "Strict-Transport-Security" not in plain  # browsers ignore HSTS over plain http


def test_check_deploy_with_production_settings_finds_nothing():
    result = manage_check("--deploy", "--fail-level", "DEBUG")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    # One line, the summary; the one silenced check is axes.W006 (see config/settings/base.py).
    assert result.stdout.splitlines() == ["System check identified no issues (1 silenced)."]
