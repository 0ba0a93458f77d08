"""The audit trail's pages: the whole trail for programme admins (/settings/audit/: filters,
pages of 50, the filtered trail as CSV), and an account's membership history for those who
manage its people (/accounts/<slug>/history/: filters, pages of 50, CSV), linked from the
account's page. The rows are read by accounts.selectors and named for the reader by
accounts/audit_trail.py, which also decides who sees the addresses changes came from."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access, selectors
from accounts.audit import audited_kinds
from accounts.audit_trail import ACTIONS, audit_csv_rows, audit_rows, csv_header, shows_addresses
from accounts.models import Account
from config.exports import csv_response
from config.pagination import list_query
from config.single_line import validate_single_line

ENTRIES_PER_PAGE = 50
HISTORY_MODELS = selectors.ACCOUNT_HISTORY_MODELS


def _kind_choices() -> list[tuple[str, str]]:
    return [("", "Any kind"), *((kind, kind) for kind in sorted(audited_kinds()))]


class _DaysFilterForm(forms.Form):
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The last day comes on or after the first.")
        return data


class AuditFilterForm(_DaysFilterForm):
    field_order = ["kind", "account", "who", "action", "since", "until"]
    kind = forms.ChoiceField(label="What", required=False, choices=_kind_choices)
    account = forms.SlugField(
        required=False,
        help_text="The account's slug.",
        widget=forms.TextInput(attrs={"placeholder": "such as acme"}),
    )
    who = forms.CharField(
        label="Who",
        required=False,
        max_length=100,
        help_text="A name, an address, “System” or “SCIM token”.",
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"placeholder": "a name, or System"}),
    )
    action = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any action"), *((value, label) for value, label in ACTIONS.items())],
    )


def _history_kind_choices() -> list[tuple[str, str]]:
    kinds = sorted(kind for kind, model in audited_kinds().items() if model in HISTORY_MODELS)
    return [("", "Anything"), *((kind, kind) for kind in kinds)]


class AccountHistoryFilterForm(_DaysFilterForm):
    """An account's history by what changed, who changed it and when."""

    field_order = ["kind", "actor", "since", "until"]
    kind = forms.ChoiceField(label="What", required=False, choices=_history_kind_choices)
    actor = forms.ChoiceField(label="Who", required=False)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [
            ("", "Anyone"),
            ("people", f"People of {account.name}"),
            ("staff", "Customer Garden staff"),
            ("automatic", "Single sign-on, SCIM and the system"),
        ]


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Every change the trail records, filtered; `?export=csv` downloads the filtered trail."""
    access.require_audit_trail_reader(request.user)
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    account = None
    if filters.get("account"):
        account = access.access_account(request.user, filters["account"])
    entries = selectors.audit_entries(
        kind=audited_kinds().get(filters.get("kind") or ""),
        account_id=account.pk if account else None,
        who=(filters.get("who") or "").strip(),
        action=filters.get("action"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if valid and request.GET.get("export") == "csv":
        rows = audit_csv_rows(entries, viewer=request.user)
        return csv_response(filename="audit-trail.csv", header=csv_header(request.user), rows=rows)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list, viewer=request.user),
        "show_addresses": shows_addresses(request.user),
        "query": list_query(request).urlencode(),
        "empty": "No changes match these filters." if form.is_bound else "No changes yet.",
    }
    return render(request, "accounts/audit_trail.html", context, status=200 if valid else 400)


@login_required
@require_GET
def account_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The account's memberships and roles, its people's logins and its sign-in settings: who
    changed what, when (and, for internal readers, from where), filtered; `?export=csv`
    downloads the filtered history with the same rows and names."""
    account = access.access_account_history(request.user, slug)
    form = AccountHistoryFilterForm(request.GET or None, account=account)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    entries = selectors.account_history(
        account=account,
        kind=audited_kinds().get(filters.get("kind") or ""),
        actor=filters.get("actor") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if valid and request.GET.get("export") == "csv":
        rows = audit_csv_rows(entries, viewer=request.user)
        header = csv_header(request.user)
        return csv_response(filename=f"{account.slug}-history.csv", header=header, rows=rows)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "account": account,
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list, viewer=request.user),
        "show_addresses": shows_addresses(request.user),
        "query": list_query(request).urlencode(),
        "empty": "No changes match these filters." if form.is_bound else "No changes yet.",
    }
    return render(request, "accounts/account_history.html", context, status=200 if valid else 400)
