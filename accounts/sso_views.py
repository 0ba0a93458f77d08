"""Single sign-on pages: the login step that finds a person's identity provider from their
address, signing in there again before a second factor changes, and an account's identity
provider settings (accounts/single_sign_on.py, accounts/sso_reauthentication.py and
accounts/sso_settings.py decide)."""

from __future__ import annotations

import logging

import requests
from allauth.account.internal.flows.reauthentication import resume_request
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.saml import views as saml_views
from allauth.socialaccount.providers.saml.utils import get_app_or_404
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import access, single_sign_on, sso_reauthentication, staff_sign_on
from accounts.allauth_adapters import REPLAYED, refusal_response
from accounts.forms import IdentityProviderForm, SsoLoginForm
from accounts.models import IdentityProvider, IdentityProviderKind
from accounts.sso_settings import identity_provider_set, provider_settings_changed

logger = logging.getLogger(__name__)


def _provider_for(email: str) -> tuple[str, str] | None:
    """allauth's provider ID for this address, and whose sign-in it is; None without one."""
    if staff_sign_on.staff_address(email):
        return staff_sign_on.STAFF_PROVIDER_ID, staff_sign_on.STAFF_NAME
    provider = single_sign_on.provider_for_address(email)
    return (provider.provider_id, provider.account.name) if provider else None


def sso_login(request: HttpRequest) -> HttpResponse:
    """Single sign-on, step one: the address says whose identity provider to send the person
    to (the company's for staff; else the account its domain belongs to); allauth's OpenID
    Connect or SAML flow does the rest."""
    form = SsoLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        found = _provider_for(email)
        if found is None:
            form.add_error(
                "email",
                f"No single sign-on is set up for {single_sign_on.email_domain(email)}. "
                "Log in with your password.",
            )
        else:
            provider_id, whose = found
            allauth_provider = get_social_adapter().get_provider(request, provider_id)
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = None
            try:
                sent = allauth_provider.redirect(
                    request,
                    AuthProcess.LOGIN,
                    next_url=next_url,
                    auth_params={"login_hint": email},
                )
                # A page with the link, not a redirect: the login pages' CSP allows forms to
                # post to our own origin only, and browsers hold a form's redirects to it too.
                return render(
                    request,
                    "registration/sso_continue.html",
                    {"provider_url": sent["Location"], "whose": whose},
                )
            except requests.RequestException as error:
                logger.warning("Single sign-on: %s unreachable: %r", provider_id, error)
                form.add_error(
                    "email",
                    "Your organisation's identity provider cannot be reached just now. Try "
                    "again in a moment.",
                )
    return render(
        request,
        "registration/sso_login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # the provider's page posts the answer from its own origin
@require_POST
def saml_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """SAML's assertion consumer service: allauth keeps the posted answer aside and sends the
    browser on to `saml_finish` (where the session cookie comes along). Only a POST, and only
    for a provider that is set up (else 404), keeps anything."""
    get_app_or_404(request, organization_slug)
    return saml_views.acs(request, organization_slug=organization_slug)


def saml_finish(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's end of a SAML sign-in (the answer posted to the ACS, checked and logged in),
    where an answer to no request of ours — replayed, or started elsewhere — gets the refusal
    page instead of a bare 403."""
    try:
        return saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        logger.warning(
            "Single sign-on refused (%s): a SAML answer to no pending request of this browser "
            "(replayed, or started elsewhere)",
            organization_slug,
        )
        return refusal_response(request, REPLAYED)


def _provider_settings(data: dict) -> dict:
    """The settings the form gives (a SAML provider's, or an OpenID Connect provider's)."""
    saml = data["kind"] == IdentityProviderKind.SAML
    return dict(
        kind=data["kind"],
        issuer=data["issuer"],
        client_id=data["client_id"],
        client_secret=data["client_secret"] or "",
        sso_required=data["sso_required"],
        metadata_url=data["metadata_url"] if saml else "",
        entity_id=data["entity_id"] if saml else "",
        sso_url=data["sso_url"] if saml else "",
        x509cert=data["x509cert"] if saml else "",
    )


def _our_side(request: HttpRequest, provider: IdentityProvider | None) -> dict:
    """What the account's admin registers at their provider: the redirect URI (OpenID
    Connect); our entity ID, metadata and assertion consumer service URL (SAML)."""
    if provider is None:
        return {}
    if provider.kind == IdentityProviderKind.SAML:
        args = [provider.provider_id]
        metadata = request.build_absolute_uri(reverse("saml_metadata", args=args))
        return {
            "sp_entity_id": metadata,
            "sp_metadata": metadata,
            "sp_acs": request.build_absolute_uri(reverse("saml_acs", args=args)),
        }
    callback = reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
    return {"callback": request.build_absolute_uri(callback)}


@login_required
def sso_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """An account's identity provider and email domains, set by its admin or a programme admin
    (the domains by a programme admin only)."""
    account = access.access_account_for_sso(request.user, slug)
    provider = IdentityProvider.objects.filter(account=account).first()
    domains_editable = access.can_set_email_domains(request.user)
    domains = "\n".join(account.email_domains.values_list("domain", flat=True))
    initial = {"domains": domains}
    if provider is not None:
        initial |= {
            name: getattr(provider, name)
            for name in (
                "kind",
                "issuer",
                "client_id",
                "sso_required",
                "metadata_url",
                "entity_id",
                "sso_url",
                "x509cert",
            )
        }
    form = IdentityProviderForm(
        request.POST or None,
        initial=initial,
        provider=provider,
        domains_editable=domains_editable,
    )
    if request.method == "POST" and form.is_valid():
        try:
            identity_provider_set(
                account=account,
                settings=provider_settings_changed(
                    provider, **_provider_settings(form.cleaned_data)
                ),
                domains=form.cleaned_data["domains"] if domains_editable else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Single sign-on for {account.name} is saved.")
            return redirect("accounts:sso-settings", slug=account.slug)
    return render(
        request,
        "accounts/sso_settings.html",
        {"account": account, "form": form, "provider": provider, **_our_side(request, provider)},
        status=400 if form.errors else 200,
    )


def saml_single_logout(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """SAML single logout is not offered (an unsigned logout request could end anyone's
    session): this URL, which allauth writes into our metadata, says so."""
    return HttpResponse(
        "Single logout is not offered: log out of Customer Garden with its own Log out button.",
        status=410,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def sso_reauthenticate(request: HttpRequest) -> HttpResponse:
    """Sign in again at the identity provider this session came in by, before a second factor
    changes (accounts/sso_reauthentication.py); then back to the page that asked (`next`), a
    form that was posted resumed."""
    record = sso_reauthentication.sso_login_record(request)
    if record is None or not sso_reauthentication.asks_again(request, record):
        raise PermissionDenied("Your session did not begin with single sign-on.")
    fallback = reverse("mfa_index")
    next_url = request.POST.get("next") or request.GET.get("next") or fallback
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = fallback
    if request.GET.get("done"):
        if sso_reauthentication.recently_reauthenticated(request):
            return resume_request(request) or redirect(next_url)
        return redirect(next_url)
    error = ""
    if request.method == "POST":
        done = f"{reverse('accounts:sso-reauthenticate')}?{urlencode({'next': next_url})}&done=1"
        try:
            sent = sso_reauthentication.sso_reauthentication_start(request, next_url=done)
        except requests.RequestException as failure:
            logger.warning("Reauthentication: the provider is unreachable: %r", failure)
            error = "Your organisation's identity provider cannot be reached just now."
        else:
            return render(
                request,
                "registration/sso_continue.html",
                {"provider_url": sent["Location"], "account": _account_of(request.user)},
            )
    return render(
        request,
        "registration/sso_reauthenticate.html",
        {"next": next_url, "error": error, "account": _account_of(request.user)},
        status=503 if error else 200,
    )


def _account_of(user):
    membership = access.customer_membership(user)
    return membership.account if membership else None
