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
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts import access, single_sign_on, sso_reauthentication
from accounts.forms import IdentityProviderForm, SsoLoginForm
from accounts.models import IdentityProvider, IdentityProviderKind
from accounts.sso_settings import identity_provider_set, provider_settings_changed

logger = logging.getLogger(__name__)


def sso_login(request: HttpRequest) -> HttpResponse:
    """Single sign-on, step one: the address says whose identity provider to send the person
    to (its domain belongs to one account); allauth's OpenID Connect flow does the rest."""
    form = SsoLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        provider = single_sign_on.provider_for_address(email)
        if provider is None or provider.kind != IdentityProviderKind.OIDC:
            form.add_error(
                "email",
                f"No single sign-on is set up for {single_sign_on.email_domain(email)}. "
                "Log in with your password.",
            )
        else:
            allauth_provider = get_social_adapter().get_provider(request, provider.provider_id)
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
                    {"provider_url": sent["Location"], "account": provider.account},
                )
            except requests.RequestException as error:
                logger.warning("Single sign-on: %s unreachable: %r", provider.issuer, error)
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
            "kind": provider.kind,
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "sso_required": provider.sso_required,
        }
    form = IdentityProviderForm(
        request.POST or None,
        initial=initial,
        provider=provider,
        domains_editable=domains_editable,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            identity_provider_set(
                account=account,
                settings=provider_settings_changed(
                    provider,
                    kind=data["kind"],
                    issuer=data["issuer"],
                    client_id=data["client_id"],
                    client_secret=data["client_secret"],
                    sso_required=data["sso_required"],
                ),
                domains=data["domains"] if domains_editable else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Single sign-on for {account.name} is saved.")
            return redirect("accounts:sso-settings", slug=account.slug)
    callback = None
    if provider is not None:
        callback = request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
        )
    return render(
        request,
        "accounts/sso_settings.html",
        {"account": account, "form": form, "provider": provider, "callback": callback},
        status=400 if form.errors else 200,
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
