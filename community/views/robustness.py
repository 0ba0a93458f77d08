"""Robustness after bad times: the account team's form for an incident, and the CSVs of an
account's bad times and of the insights' table by level. The sections themselves are on the
account's engagement page (community/views/engagement.py) and on insights
(community/views/insights.py); the figures are community/selectors/robustness.py's."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.formats import end_sentence
from community.access.robustness import (
    access_account_for_bad_times,
    access_account_robustness,
    visible_robustness_accounts,
)
from community.selectors import robustness
from community.services.robustness import (
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    bad_time_record,
)
from community.views.insights import insights_filters
from config.db_router import analytics_reads
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.single_line import validate_single_line


class IncidentForm(forms.Form):
    occurred_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the incident hit the customer: not in the future, at most a year ago.",
    )
    reference = forms.CharField(
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="The ticket's id, if there is one (empty: one incident per day).",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened. Internal: the customer does not see it.",
    )


@login_required
def bad_time_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The account team records an incident of one of its accounts (a bad time)."""
    account = access_account_for_bad_times(request.user, slug)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bad_time_record(account=account, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Incident recorded for {end_sentence(account.name)}")
            url = reverse("community:account-engagement", args=[account.slug])
            return redirect(f"{url}#robustness")
    return render(
        request,
        "community/bad_time_form.html",
        {"account": account, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_safe
def account_robustness_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """The account's bad times with their figures, one row each."""
    account = access_account_robustness(request.user, slug)
    figures = robustness.account_robustness(account=account)
    return csv_response(
        filename=f"robustness-{account.slug}.csv",
        header=robustness.ACCOUNT_CSV_HEADER,
        rows=robustness.account_csv_rows(figures),
    )


@login_required
@require_safe
@analytics_reads()
def insights_robustness_csv(request: HttpRequest) -> HttpResponse:
    """The insights' robustness by level before the bad time, for the period of the filter."""
    accounts = visible_robustness_accounts(request.user)
    _, filters, valid = insights_filters(request)
    if not valid:
        raise BadRequest("Check the period and segment of the filter.")
    result = robustness.robustness_by_level(
        accounts=accounts,
        period_from=filters["period_from"],
        period_to=filters["period_to"],
        segment=filters["segment"],
    )
    return csv_response(
        filename=f"robustness-{result.period_from}-{result.period_to}.csv",
        header=robustness.LEVELS_CSV_HEADER,
        rows=robustness.levels_csv_rows(result),
    )
