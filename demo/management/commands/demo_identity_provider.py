"""The demo's identity provider: an OpenID Connect provider on 127.0.0.1 (demo/oidc_provider.py)
that `make demo` runs beside the web server, and single sign-on set up against it.

On start it sets the first demo account's single sign-on to this provider (its people's email
domain, "single sign-on required" off so the printed logins keep their passwords) and, when the
web process's staff settings point at it (`make demo` sets `STAFF_SSO_*` so), registers the
staff client too. Every address of the account's domain and of the company's is a person here:
typing a new address of the account's domain at its sign-in page makes a new member.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from accounts.models import Account, MemberRole, Membership
from accounts.single_sign_on import ProviderSettings, email_domain, identity_provider_save
from demo.data.people import INTERNAL_DOMAIN
from demo.oidc_provider import OidcProvider

DEMO_CLIENT_ID = "customer-garden-demo"
DEMO_CLIENT_SECRET = "demo-only-client-secret"  # noqa: S105 (the demo's own provider)


class Command(BaseCommand):
    help = (
        "Run the demo's OpenID Connect identity provider on 127.0.0.1 and set the first demo "
        "account's single sign-on (and staff's, when STAFF_SSO_ISSUER names it) to it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (8001)")

    def handle(self, *args, **options):
        account = Account.objects.order_by("pk").first()
        if account is None:
            raise CommandError("No demo data: run `manage.py seed_demo` first.")
        provider = OidcProvider()
        try:
            provider.start(port=options["port"])
        except OSError as error:
            raise CommandError(f"Port {options['port']} is taken: {error}") from None
        domain = self._account_set_up(account, provider)
        staff = self._staff_set_up(provider)
        self.stdout.write(
            f"Demo identity provider at {provider.issuer}: single sign-on for {account.name} "
            f"(anyone@{domain}; try new.person@{domain} on “Sign in with single sign-on”)"
            + (f" and for staff (@{INTERNAL_DOMAIN})." if staff else ".")
        )
        self.stdout.flush()
        provider._thread.join()

    def _account_set_up(self, account: Account, provider: OidcProvider) -> str:
        admin = Membership.objects.filter(account=account, role=MemberRole.ADMIN).first()
        domain = email_domain(admin.user.email) if admin else f"{account.slug}.example"
        saved = identity_provider_save(
            account=account,
            settings=ProviderSettings(
                kind="oidc",
                issuer=provider.issuer,
                client_id=DEMO_CLIENT_ID,
                client_secret=DEMO_CLIENT_SECRET,
                sso_required=False,
            ),
            domains=[domain],
        )
        callback = reverse("openid_connect_callback", kwargs={"provider_id": saved.provider_id})
        provider.register_client(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            redirect_uri=settings.SITE_URL + callback,
        )
        provider.anyone_at.add(domain)
        return domain

    def _staff_set_up(self, provider: OidcProvider) -> bool:
        if settings.STAFF_SSO_PROTOCOL != "oidc" or settings.STAFF_SSO_ISSUER != provider.issuer:
            return False
        callback = reverse("openid_connect_callback", kwargs={"provider_id": "staff"})
        provider.register_client(
            client_id=settings.STAFF_SSO_CLIENT_ID,
            client_secret=settings.STAFF_SSO_CLIENT_SECRET,
            redirect_uri=settings.SITE_URL + callback,
        )
        provider.anyone_at.add(INTERNAL_DOMAIN)
        return True
