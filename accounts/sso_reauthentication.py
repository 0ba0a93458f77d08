"""Signing in again before a second factor changes, for people who sign in through an identity
provider: they sign in *there* again.

allauth asks for the password (or a second factor's code) before anyone sets up, changes or
removes a second factor. A person single sign-on created has no password, and before their
first factor no code either; allauth 65 then asks for nothing at all (its reauthentication
through a social provider is not implemented), so a session left open could add an attacker's
authenticator. Here they are sent back to the provider their session came from instead:

- `sso_reauthentication_due`: must this request first send the person to their provider?
  Yes when allauth knows no way to ask them (no usable password, no second factor) and they
  have not signed in again within ACCOUNT_REAUTHENTICATION_TIMEOUT; a session that came in
  through a provider we cannot ask to sign someone in again (only OpenID Connect ones can:
  `asks_again`) keeps allauth's own rule
  (accounts.middleware.SsoReauthenticationMiddleware asks it before the second-factor pages).
  A person with a password or a factor is asked by allauth, which offers the provider too
  (`sso_reauthentication_method`, through `AccountAdapter.get_reauthentication_methods`).
- `sso_reauthentication_start`: allauth's redirect to the provider of the session's own login
  (its authentication records), asking it to sign the person in again now (`prompt=login`,
  `max_age=0`) and to come back to us without logging anyone in or out (allauth's "redirect"
  process).
- `sso_reauthentication_finish`, at the callback (`SocialAccountAdapter.pre_social_login`):
  only the same subject at the same provider, signed in at the provider after we asked (the ID
  token's `auth_time`), counts; it is recorded as allauth records a reauthentication, so
  allauth's own checks accept it too. Anything else is refused.
"""

from __future__ import annotations

import logging
import time

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

SOCIAL_METHOD = "socialaccount"
STATE_MARKER = "sso_reauthentication"  # in allauth's redirect state (kept in the session)
# How far the provider's clock may be behind ours when it says when the person signed in.
CLOCK_SKEW_SECONDS = 30


class SsoReauthenticationRefused(Exception):
    """The provider's answer does not confirm that this person signed in again; says why."""


def sso_login_record(request: HttpRequest) -> dict | None:
    """The single sign-on this session's person last came in by ({"provider", "uid"}), if
    their sign-in link to it still exists; None otherwise."""
    user = request.user
    records = [
        record
        for record in get_authentication_records(request, user)
        if record.get("method") == SOCIAL_METHOD
    ]
    if not records:
        return None
    record = records[-1]
    linked = SocialAccount.objects.filter(
        user_id=user.pk, provider=record.get("provider"), uid=record.get("uid")
    )
    return record if linked.exists() else None


def recently_reauthenticated(request: HttpRequest) -> bool:
    """Did the person prove it is them again (any way allauth records) within the timeout?"""
    records = get_authentication_records(request, request.user)
    latest = [record["at"] for record in records if record.get("reauthenticated")]
    return bool(latest) and time.time() - latest[-1] < account_settings.REAUTHENTICATION_TIMEOUT


def asks_again(request: HttpRequest, record: dict) -> bool:
    """Can the provider of this login record be asked to sign the person in again, and say
    when they did? An OpenID Connect one can (`prompt=login`, `max_age`, `auth_time`)."""
    try:
        provider = get_social_adapter().get_provider(request, record["provider"])
    except SocialApp.DoesNotExist:
        return False
    return provider.id == OpenIDConnectProvider.id


def sso_reauthentication_due(request: HttpRequest) -> bool:
    """Must this person sign in again before changing a second factor, where allauth would
    not ask (no usable password, no second factor)? Not when their session came in through
    a provider that cannot be asked again (allauth's own rule then applies)."""
    user = request.user
    if not user.is_authenticated or get_reauthentication_flows(user):
        return False
    if recently_reauthenticated(request):
        return False
    record = sso_login_record(request)
    return record is None or asks_again(request, record)


def sso_reauthentication_method(request: HttpRequest) -> dict | None:
    """The provider as one of allauth's reauthentication methods, for a person whose session
    came in through one that can be asked again; None otherwise."""
    if not request.user.is_authenticated:
        return None
    record = sso_login_record(request)
    if record is None or not asks_again(request, record):
        return None
    return {
        "id": "sso_reauthenticate",
        "description": "Sign in again with single sign-on",
        "url": reverse("accounts:sso-reauthenticate"),
    }


def sso_reauthentication_start(request: HttpRequest, *, next_url: str) -> HttpResponse:
    """allauth's redirect to the provider of the session's login, asking it to sign the person
    in again; the caller has checked there is one that can be asked (`sso_login_record`,
    `asks_again`)."""
    record = sso_login_record(request)
    provider = get_social_adapter().get_provider(request, record["provider"])
    return provider.redirect(
        request,
        AuthProcess.REDIRECT,
        next_url=next_url,
        data={STATE_MARKER: True, "asked_at": int(time.time()), "uid": record["uid"]},
        auth_params={"prompt": "login", "max_age": "0", "login_hint": request.user.email},
    )


def is_sso_reauthentication(sociallogin) -> bool:
    """Is this provider's answer the end of a reauthentication we started?"""
    state = sociallogin.state or {}
    data = state.get("data") or {}
    return state.get("process") == AuthProcess.REDIRECT and data.get(STATE_MARKER) is True


def sso_reauthentication_finish(request: HttpRequest, sociallogin) -> None:
    """Record the reauthentication, or SsoReauthenticationRefused (logged) when the answer is
    not this person signing in again at the provider after we asked."""
    data = sociallogin.state["data"]
    account = sociallogin.account
    user = request.user
    if not user.is_authenticated:
        raise _refused(account, "nobody is logged in any more")
    if not sociallogin.is_existing or sociallogin.user.pk != user.pk or account.uid != data["uid"]:
        raise _refused(account, "the provider signed in someone else")
    claims = account.extra_data.get("id_token") or {}
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or auth_time < data["asked_at"] - CLOCK_SKEW_SECONDS:
        raise _refused(account, "the provider did not sign the person in again")
    record_authentication(
        request,
        user,
        method=SOCIAL_METHOD,
        reauthenticated=True,
        provider=account.provider,
        uid=account.uid,
    )


def _refused(account, reason: str) -> SsoReauthenticationRefused:
    logger.warning("Reauthentication refused (%s, %r): %s", account.provider, account.uid, reason)
    return SsoReauthenticationRefused(reason)
