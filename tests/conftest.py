"""Shared fixtures: the personas of STYLE.md, and the rule that CI never skips a service test.

Personas (in the spirit of healthchecks' alice/bob/charlie):
    member_a           a customer member of account A ("Acme")
    admin_a            the account admin of A
    member_b           a member of account B ("Globex") who must see nothing of A
    account_manager_a  an internal account manager assigned to A (not to B)
    product_manager    an internal product manager
    programme_admin    an internal programme admin
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from rest_framework.test import APIClient

from accounts.models import InternalRole, MemberRole, TeamRole
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.fake_internet import FakeInternet

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright with live_server

pytest_plugins = ["tests.celery_workers"]  # real worker processes over Redis

# On CI (CI=true) or with REQUIRE_SERVICES=1 a missing service fails the test instead of skipping.
REQUIRE_SERVICES = os.environ.get("CI", "").lower() == "true" or bool(
    os.environ.get("REQUIRE_SERVICES")
)


def _service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (services are required on CI)", pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    parsed = urlparse(url)
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        _service_missing(f"Redis does not answer at {url}")
    return url


@pytest.fixture(autouse=True)
def _engagement_model_version_one(request) -> None:
    """Version 1 of the engagement model comes from a migration. A transactional test empties
    every table when it ends, so a later test in the same process would find no version at all
    (and tests that count the versions would fail by the order they ran in): each database test
    starts with it there (`EngagementModel.objects.active()` makes it again if it is missing)."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from community.models import EngagementModel

    EngagementModel.objects.active()


@pytest.fixture(autouse=True)
def _permission_names_read(request) -> None:
    """Each database test starts with the permissions' names read from its database, as a
    running site has them after its first request (accounts.permission_backend.permission_names):
    the queries a test counts are then those of every later request, whatever ran before it in
    the same process (a transactional test's flush, a permission another test made)."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from accounts.permission_backend import permission_names, permission_names_forget

    permission_names_forget()
    permission_names([], using="default")


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """Each test starts with no remembered result (config/results_cache.py): on SQLite a rolled
    back test's ids come again, so a later test could find an earlier one's result for rows
    that only look the same."""
    from django.core.cache import caches

    from config.results_cache import RESULTS_CACHE

    caches[RESULTS_CACHE].clear()


@pytest.fixture(autouse=True)
def _require_marked_services(request) -> None:
    if request.node.get_closest_marker("needs_postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            _service_missing("this test needs PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("browser"):
        chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        if not shutil.which(chromium):
            _service_missing(f"Chromium is not installed at {chromium}")


@pytest.fixture(scope="session", autouse=True)
def _fake_internet_installed():
    """No test asks the real DNS about example.com, .example, .test or .invalid names, and
    nothing connects to the public address they resolve to (tests/fake_internet.py): for the
    whole session, so that module-scoped fixtures are covered too."""
    fake = FakeInternet(socket.getaddrinfo, socket.socket.connect)

    def connect(sock: socket.socket, address) -> None:
        return fake.connect(sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
        patch.setattr(socket.socket, "connect", connect)
        yield fake


@pytest.fixture
def fake_internet(_fake_internet_installed) -> FakeInternet:
    """The fake internet, with no answers, lookups or connections of an earlier test."""
    _fake_internet_installed.reset()
    yield _fake_internet_installed
    _fake_internet_installed.reset()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# --- Accounts -----------------------------------------------------------------------------


@pytest.fixture
def account_a(db):
    return AccountFactory(name="Acme Industrial", slug="acme")


@pytest.fixture
def account_b(db):
    return AccountFactory(name="Globex Logistics", slug="globex")


# --- Personas -----------------------------------------------------------------------------


@pytest.fixture
def member_a(account_a):
    return customer(account_a, email="alice@acme.example", first_name="Alice")


@pytest.fixture
def admin_a(account_a):
    return customer(account_a, role=MemberRole.ADMIN, email="anna@acme.example", first_name="Anna")


@pytest.fixture
def member_b(account_b):
    return customer(account_b, email="bob@globex.example", first_name="Bob")


@pytest.fixture
def admin_b(account_b):
    return customer(account_b, role=MemberRole.ADMIN, email="bea@globex.example", first_name="Bea")


@pytest.fixture
def account_manager_a(account_a):
    manager = internal(
        InternalRole.ACCOUNT_MANAGER, email="carol@garden.example", first_name="Carol"
    )
    TeamAssignmentFactory(user=manager, account=account_a, role=TeamRole.ACCOUNT_MANAGER)
    return manager


@pytest.fixture
def product_manager(db):
    return internal(InternalRole.PRODUCT_MANAGER, email="pat@garden.example", first_name="Pat")


@pytest.fixture
def programme_admin(db):
    return internal(InternalRole.PROGRAMME_ADMIN, email="ada@garden.example", first_name="Ada")


@pytest.fixture
def frozen(monkeypatch):
    """The site's clock held at 10:00 UTC on 5 Dec 2026 (tests/community/todo_helpers.py)."""
    from tests.community.todo_helpers import frozen_clock

    return frozen_clock(monkeypatch)


@pytest.fixture
def clock(monkeypatch):
    """The time allauth's authenticator-app check reads, held still at the test's own time;
    `clock.next_period()` moves it on by one code (tests/accounts/mfa_helpers.py)."""
    from django.core.cache import cache

    from tests.accounts.mfa_helpers import clock_install

    yield clock_install(monkeypatch)
    cache.clear()


# --- Clients ------------------------------------------------------------------------------


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` logs a persona in."""
    return APIClient()


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns Django's test client logged in as `user`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Single sign-on -----------------------------------------------------------------------


@pytest.fixture
def oidc_provider(settings):
    """A real OpenID Connect provider on loopback (demo/oidc_provider.py), for this test; the
    server may reach loopback while it runs (config/outbound.py refuses it otherwise)."""
    from demo.oidc_provider import OidcProvider

    settings.OUTBOUND_ALLOW_LOOPBACK = True

    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def saml_provider():
    """A real SAML 2.0 identity provider on loopback (tests/saml_provider.py), for this test.
    It signs with the xmlsec1 program (Debian's package; .ci/run installs it)."""
    from tests.saml_provider import XMLSEC1, SamlProvider

    if not shutil.which(XMLSEC1):
        _service_missing(f"xmlsec1 is not installed at {XMLSEC1} (apt-get install xmlsec1)")

    provider = SamlProvider().start()
    yield provider
    provider.stop()
