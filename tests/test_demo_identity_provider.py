"""The demo's identity provider (`manage.py demo_identity_provider`, run by `make demo`): it
sets the first account's single sign-on, and staff's, to itself, and a new address of the
account's domain signs in through it as a new member."""

from __future__ import annotations

import pytest

from accounts.models import IdentityProvider, MemberRole, User
from demo.management.commands.demo_identity_provider import Command
from demo.oidc_provider import OidcProvider
from tests.accounts.factories import AccountFactory, customer
from tests.accounts.sso_helpers import sso_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_provider():
    provider = OidcProvider().start()
    yield provider
    provider.stop()


def test_a_new_address_of_the_first_accounts_domain_signs_in_as_a_member(
    client, settings, demo_provider
):
    settings.SITE_URL = "http://testserver"
    settings.OUTBOUND_ALLOW_LOOPBACK = True  # as make demo sets it: the provider is on loopback
    first = AccountFactory(name="Redwood Energy", slug="redwood")
    customer(first, role=MemberRole.ADMIN, email="kai@redwood.example")
    AccountFactory(name="Second", slug="second")

    domain = Command()._account_set_up(first, demo_provider)
    response = sso_sign_in(
        client, typed="new.person@redwood.example", at_provider="new.person@redwood.example"
    )

    assert domain == "redwood.example"
    saved = IdentityProvider.objects.get()
    assert (saved.account, saved.issuer, saved.sso_required) == (first, demo_provider.issuer, False)
    assert response.status_code == 302
    newcomer = User.objects.get(email="new.person@redwood.example")
    assert (newcomer.first_name, newcomer.last_name) == ("New", "Person")
    assert newcomer.membership.account == first


def test_staff_sign_on_is_registered_only_when_the_settings_name_this_provider(
    settings, demo_provider
):
    settings.STAFF_SSO_PROTOCOL = "oidc"
    settings.STAFF_SSO_DOMAINS = ["customergarden.example"]
    settings.STAFF_SSO_CLIENT_ID = "customer-garden-staff"
    settings.STAFF_SSO_CLIENT_SECRET = "s"  # noqa: S105
    settings.STAFF_SSO_ISSUER = "http://127.0.0.1:9"

    elsewhere = Command()._staff_set_up(demo_provider)
    settings.STAFF_SSO_ISSUER = demo_provider.issuer
    here = Command()._staff_set_up(demo_provider)

    assert (elsewhere, here) == (False, True)
    assert "customer-garden-staff" in demo_provider.clients
    assert demo_provider.knows("anyone@customergarden.example")
