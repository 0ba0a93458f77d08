"""Pages of the accounts app: accounts, people, invitations, profile."""

from __future__ import annotations

import logging

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from accounts import access, provisioning, selectors, services
from accounts.formats import end_sentence
from accounts.forms import (
    AccountFilterForm,
    ApiTokenForm,
    InvitationAcceptForm,
    InvitationForm,
    ProfileForm,
    ScimTokenForm,
)
from accounts.lockout import login_unlock
from accounts.mfa import mfa_enabled
from accounts.models import InternalRole
from accounts.personal_data import personal_data_export
from accounts.submissions import SHOWN_ONCE, submission_saved
from config.exports import csv_response
from config.pagination import list_query

logger = logging.getLogger(__name__)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    membership = access.customer_membership(request.user)
    if membership is not None:
        return redirect(membership.account)
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    accounts = selectors.account_list(
        accounts=access.visible_accounts(request.user),
        q=filters.get("q", ""),
        segment=filters.get("segment", ""),
        tier=filters.get("tier", ""),
        sort=filters.get("sort") or "name",
    )
    if request.GET.get("export") == "csv":
        return _accounts_csv(accounts)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    query = list_query(request)
    # htmx asks for the rows alone; but after hx-push-url, "Back" with its history cache missed
    # sends HX-Request too and expects the whole page.
    rows_only = request.htmx and not request.htmx.history_restore_request
    template = "accounts/_account_rows.html" if rows_only else "accounts/account_list.html"
    response = render(request, template, {"form": form, "page": page, "query": query.urlencode()})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _accounts_csv(accounts) -> StreamingHttpResponse:
    header = [
        "name",
        "segment",
        "tier",
        "annual_contract_value",
        "currency",
        "customer_since",
        "renewal_date",
        "members",
    ]
    rows = (
        [
            a.name,
            a.segment,
            a.tier,
            a.annual_contract_value,
            a.currency,
            a.customer_since,
            a.renewal_date,
            a.members,
        ]
        for a in accounts.iterator(chunk_size=2000)
    )
    return csv_response(filename="accounts.csv", header=header, rows=rows)


@login_required
def account_detail(request: HttpRequest, slug: str) -> HttpResponse:
    account = access.access_account(request.user, slug)
    return _account_page(request, account)


def _account_page(request: HttpRequest, account, **extra) -> HttpResponse:
    """The account's page; `extra` may carry a SCIM token form with errors, or a new token to
    show once."""
    can_manage = access.can_manage_account(request.user, account)
    can_provision = access.can_manage_provisioning(request.user, account)
    scim_form = extra.pop("scim_form", None) or ScimTokenForm()
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "members": selectors.account_members(account=account),
            "team": selectors.account_team(account=account),
            "can_manage": can_manage,
            "invitations": (
                access.visible_invitations(request.user)
                .filter(account=account)
                .pending()
                .select_related("invited_by")
                if can_manage
                else []
            ),
            "show_contract": access.is_internal(request.user) or can_manage,
            "can_erase_people": access.can_erase_people(request.user),
            "can_provision": can_provision,
            "scim_tokens": access.visible_scim_tokens(request.user, account),
            "scim_form": scim_form,
            "scim_base_url": request.build_absolute_uri("/scim/v2"),
            "can_set_sso": access.can_set_identity_provider(request.user, account),
            **extra,
        },
        status=400 if scim_form.errors else 200,
    )


@login_required
@require_POST
def scim_token_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new SCIM token for the account's identity provider, shown once."""
    account = access.access_account_for_provisioning(request.user, slug)
    scim_form = ScimTokenForm(request.POST)
    if scim_form.is_valid():
        try:
            token, raw = provisioning.scim_token_create(
                account=account, name=scim_form.cleaned_data["name"], created_by=request.user
            )
        except ValidationError as error:
            scim_form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            submission_saved(request, url=account.get_absolute_url(), message=SHOWN_ONCE)
            return _account_page(request, account, new_scim_token=raw, new_scim_token_row=token)
    return _account_page(request, account, scim_form=scim_form)


@login_required
@require_POST
def scim_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's SCIM token stops working at once."""
    token = access.access_scim_token(request.user, pk)
    provisioning.scim_token_revoke(token=token, by=request.user)
    messages.success(request, f"The SCIM token “{token.name}” is revoked: it no longer works.")
    return redirect(token.account)


@login_required
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    account = access.access_account_for_management(request.user, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                account=account,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect(account)
    return render(
        request,
        "accounts/invitation_form.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = access.access_invitation(request.user, pk, for_write=True)
    try:
        services.invitation_revoke(invitation=invitation)
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(invitation.account)


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.access_membership(request.user, pk, for_write=True)
    role = request.POST.get("role", "")
    try:
        services.membership_set_role(membership=membership, role=role)
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(membership.account)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.access_membership(request.user, pk, for_write=True)
    account = membership.account
    if membership.user_id == request.user.pk:
        messages.error(request, "You cannot remove yourself.")
        return redirect(account)
    try:
        services.membership_remove(membership=membership)
        messages.success(request, end_sentence(f"{membership.user} was removed from {account}"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(account)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email: set a name and password, land in the account."""
    try:
        invitation = services.invitation_from_token(token=token)
    except services.InvitationInvalid as problem:
        return render(
            request, "accounts/invitation_invalid.html", {"problem": str(problem)}, status=410
        )
    if request.user.is_authenticated:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {
                "problem": "You are logged in already. Log out first to accept this invitation.",
            },
            status=409,
        )
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, membership = services.invitation_accept(
                token=token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationInvalid as problem:
            return render(
                request, "accounts/invitation_invalid.html", {"problem": str(problem)}, status=410
            )
        login(request, user, backend="accounts.permission_backend.PermissionBackend")
        messages.success(request, f"Welcome to {membership.account.name} on Customer Garden!")
        return redirect(membership.account)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def _profile_page(request: HttpRequest, form: ProfileForm | None = None, **extra) -> HttpResponse:
    """The profile page; `extra` may carry a token form with errors, or a new token to show."""
    user = request.user
    form = form or ProfileForm(
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
        }
    )
    token_form = extra.pop("token_form", None) or ApiTokenForm()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token_form": token_form,
            "membership": access.customer_membership(user),
            "role_labels": [r.label for r in InternalRole if r.value in user.internal_roles],
            "api_tokens": access.visible_api_tokens(user),
            "token_days": settings.API_TOKEN_TTL_DAYS,
            "mfa_enabled": mfa_enabled(user),
            **extra,
        },
        status=400 if form.errors or token_form.errors else 200,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return _profile_page(request, form)


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """A new, named API token for a script (`Authorization: Token …`), shown once."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            token, key = services.api_token_create(
                user=request.user, name=token_form.cleaned_data["name"]
            )
        except ValidationError as error:
            token_form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            submission_saved(request, url=reverse("accounts:profile"), message=SHOWN_ONCE)
            return _profile_page(request, new_token=key, new_token_row=token)
    return _profile_page(request, token_form=token_form)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, key: str) -> HttpResponse:
    """One of the person's own tokens stops working at once."""
    token = access.access_api_token(request.user, key)
    services.api_token_revoke(token=token)
    messages.success(request, f"The API token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:profile")


class LoginView(auth_views.LoginView):
    """Our login page checks the email and password (accounts.forms.LoginForm, under the lock of
    accounts.lockout); what follows is allauth's login flow. Its stages ask a person with a
    second factor for it (allauth.mfa) before the session is logged in; with none, the flow
    logs them in at once. Single sign-on (allauth.socialaccount) will end in the same flow."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        login = Login(user=user, email=user.email, redirect_url=self.get_success_url())
        return perform_password_login(self.request, {"email": user.email}, login)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the emailed link also lifts a login lock-out.

    The link proves the person owns the address, and the lock-out page sends them here.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        login_unlock(email=form.user.email)
        return response


@login_required
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data as a JSON file (the same as GET /api/v1/me/data/)."""
    data = personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="customer-garden-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme admin erases a person's personal data, after a confirmation page."""
    person = access.access_person_for_erasure(request.user, pk)
    membership = access.customer_membership(person)
    account = membership.account if membership else None
    if request.method == "POST":
        try:
            services.person_erase(user=person, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Their personal data is erased; they show as a former member."
            )
            return redirect(account or "accounts:account-list")
    return render(
        request,
        "accounts/person_erase.html",
        {"person": person, "account": account},
        status=400 if request.method == "POST" else 200,
    )
