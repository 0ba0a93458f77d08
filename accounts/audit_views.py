"""The audit trail's pages: the whole trail for programme admins (/settings/audit/: filters,
pages of 50, the filtered trail as CSV), and an account's membership history for those who
manage its people (/accounts/<slug>/history/), linked from the account's page. The rows are
read by accounts.selectors and named for the reader by accounts/audit_trail.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access, selectors
from accounts.audit import audited_kinds
from accounts.audit_trail import ACTIONS, CSV_HEADER, audit_csv_rows, audit_rows
from config.exports import csv_response
from config.pagination import list_query
from config.single_line import validate_single_line

ENTRIES_PER_PAGE = 50


def _kind_choices() -> list[tuple[str, str]]:
    return [("", "Any kind"), *((kind, kind) for kind in sorted(audited_kinds()))]


class AuditFilterForm(forms.Form):
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
        return csv_response(filename="audit-trail.csv", header=CSV_HEADER, rows=rows)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list, viewer=request.user),
        "query": list_query(request).urlencode(),
        "empty": "No changes match these filters." if form.is_bound else "No changes yet.",
    }
    return render(request, "accounts/audit_trail.html", context, status=200 if valid else 400)


@login_required
@require_GET
def account_history(request: HttpRequest, slug: str) -> HttpResponse:
    """The account's memberships and roles, its people's logins and its sign-in settings: who
    changed what, when, from where."""
    account = access.access_account_history(request.user, slug)
    entries = selectors.account_history(account=account)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "account": account,
        "page": page,
        "rows": audit_rows(page.object_list, viewer=request.user),
        "query": list_query(request).urlencode(),
    }
    return render(request, "accounts/account_history.html", context)
