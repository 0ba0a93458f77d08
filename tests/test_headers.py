"""Every HTML page carries the security headers: a Content-Security-Policy whose script-src
allows no inline or eval'd script and whose frame-ancestors is 'none', X-Content-Type-Options:
nosniff, and, in production, Strict-Transport-Security; and `check --deploy` with production
settings finds nothing.

The pages are found by walking the URL configuration (tests/test_routes_anonymous.py), so a new
page is covered automatically; a programme admin opens them, so that they render."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.accounts.test_sessions_security import production_settings
from tests.community.factories import GardenFactory
from tests.test_production_settings import _check
from tests.test_routes_anonymous import ALL_ROUTES, _url

# Pages of the Django admin, which the walk leaves out (it has its own login).
ADMIN_PAGES = ["/admin/", "/admin/accounts/account/", "/admin/accounts/user/", "/admin/login/"]
PAGES = [_url(route) for route, _ in ALL_ROUTES if not route.startswith("api/")] + ADMIN_PAGES


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


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
    result = _check("--deploy", "--fail-level", "DEBUG")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    # One line, the summary; the one silenced check is axes.W006 (see config/settings/base.py).
    assert result.stdout.splitlines() == ["System check identified no issues (1 silenced)."]
