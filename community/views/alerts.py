"""Alerts: the account team's inbox."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.access import access_account
from community.access.alerts import access_alert, visible_alerts
from community.models import (
    AlertReason,
)
from community.selectors import alerts as alert_selectors
from community.services import alerts
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _) in alert_selectors.ALERT_STATES.items()],
    )
    reason = forms.ChoiceField(choices=[("", "All reasons"), *AlertReason.choices], required=False)
    q = forms.CharField(
        label="Account",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name"}),
    )
    # One account, by slug (the portfolio's links): one the user cannot see is a 404, as the
    # account itself would be (accounts.access.access_account), not an empty list.
    account = forms.SlugField(required=False, widget=forms.HiddenInput)


class AlertResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done about it",
        max_length=alerts.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required: the account team reads it later.",
    )


@login_required
@require_safe
def alert_inbox(request: HttpRequest) -> HttpResponse:
    """The open alerts of the user's accounts (all for product managers and programme admins),
    filtered by state, reason, one account (?account=<slug>: 404 if not visible) and a search
    on the account's name; CSV export of the same list."""
    visible = visible_alerts(request.user)
    form = AlertFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}
    account = access_account(request.user, filters["account"]) if filters.get("account") else None
    export = valid and request.GET.get("export") == "csv"
    # The inbox as it opens (its open alerts, no filter) is read through kept SQL, as the API's
    # list is (alert_selectors.open_alert_rows: the same rows, in the same order); a filtered
    # list or its CSV is the ORM's.
    unfiltered = (
        valid
        and not export
        and not any(filters.get(name) for name in ("reason", "account", "q"))
        and (filters.get("state") or "open") == "open"
    )
    listed = alert_selectors.open_alert_rows(user=request.user) if unfiltered else None
    if listed is None:
        listed = alert_selectors.alert_list(
            alerts=visible,
            reason=filters.get("reason", ""),
            state=filters.get("state") or "open",
            account=account,
            q=filters.get("q", ""),
        )
    if export:
        return _alerts_csv(listed)
    page = Paginator(listed, alert_selectors.INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(alert, alert_selectors.alert_status(alert)) for alert in page]
    query = list_query(request)
    return render(
        request,
        "community/alert_inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "account": account,
            "daily_digest": alert_selectors.alert_daily_digest(user=request.user),
        },
        status=200 if valid else 400,
    )


@login_required
@require_POST
def alert_subscription(request: HttpRequest) -> HttpResponse:
    """One email per new alert, or one daily digest (for internal users: customers 403)."""
    visible_alerts(request.user)  # customers: 403
    daily_digest = request.POST.get("daily_digest") == "on"
    alerts.alert_subscription_set(user=request.user, daily_digest=daily_digest)
    messages.success(
        request,
        "New alerts now come in one daily digest email."
        if daily_digest
        else "New alerts now come by email one by one.",
    )
    return _back_to_inbox(request)


_CSV_HEADER = [
    "id",
    "account",
    "account_slug",
    "reason",
    "state",
    "summary",
    "still_true",
    "still_true_note",
    "raised_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "resolution",
    "resolution_note",
]
_HOLDS = {None: "", True: "yes", False: "no"}


def _alerts_csv(listed) -> StreamingHttpResponse:
    def row(a, status):
        return [
            a.pk,
            a.account.name,
            a.account.slug,
            a.reason,
            a.state,
            status.summary,
            _HOLDS[status.holds],
            status.words,
            a.raised_at.isoformat(),
            a.acknowledged_at.isoformat() if a.acknowledged_at else "",
            a.acknowledged_by.email if a.acknowledged_by else "",
            a.resolved_at.isoformat() if a.resolved_at else "",
            a.resolved_by.email if a.resolved_by else "",
            a.resolution,
            a.resolution_note,
        ]

    rows = (row(a, alert_selectors.alert_status(a)) for a in listed.iterator(chunk_size=2000))
    return csv_response(filename="alerts.csv", header=_CSV_HEADER, rows=rows)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    """Back to the inbox with its filters (re-encoded: only a query string is followed)."""
    query = QueryDict(request.POST.get("next_query", "")).urlencode()
    url = reverse("community:alert-inbox")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk, for_write=True)
    try:
        alerts.alert_acknowledge(alert=alert, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Alert for {alert.account.name} acknowledged.")
    return _back_to_inbox(request)


@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A form for the note; resolving without one is refused with a field error."""
    alert = access_alert(request.user, pk, for_write=True)
    form = AlertResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alerts.alert_resolve(alert=alert, user=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"Alert for {alert.account.name} resolved.")
                return _back_to_inbox(request)
        status = 400
    return render(
        request,
        "community/alert_resolve.html",
        {
            "form": form,
            "alert": alert,
            "next_query": request.POST.get("next_query") or request.GET.get("next_query", ""),
        },
        status=status,
    )
