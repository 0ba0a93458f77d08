"""The value exchanged of an account: what it gave and what it got back, month by month, as a
chart, a table and a CSV (`?export=csv`). For its own customer admins ("our account") and for
its account team (from the account's engagement page)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from community.access.engagement import sees_engagement_details
from community.access.value_exchanged import access_account_value_exchanged
from community.selectors.value_exchanged import (
    GAVE,
    GOT,
    SIDES,
    VALUE_MONTHS,
    ValueLedger,
    value_ledger,
)
from config.db_router import analytics_reads
from config.exports import csv_response

MONTH_CHOICES = [(6, "6 months"), (12, "12 months"), (24, "24 months"), (36, "36 months")]


class ValueExchangedForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Period",
        coerce=int,
        required=False,
        empty_value=VALUE_MONTHS,
        initial=VALUE_MONTHS,
        choices=MONTH_CHOICES,
        help_text="Whole months, this one last.",
    )


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def account_value_exchanged(request: HttpRequest, slug: str) -> HttpResponse:
    """What the account gave (ideas, feedback, pilots, referrals, workshops) and what it got
    back (ideas adopted, loops closed, early access, answers), per month."""
    account = access_account_value_exchanged(request.user, slug)
    form = ValueExchangedForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    months = form.cleaned_data["months"] if form.is_bound and valid else VALUE_MONTHS
    ledger = value_ledger(account=account, months=months)
    if valid and request.GET.get("export") == "csv":
        return _ledger_csv(ledger)
    return render(
        request,
        "community/value_exchanged.html",
        {
            "account": account,
            "account_engagement_url": reverse("community:account-engagement", args=[account.slug]),
            "ledger": ledger,
            "gave_kinds": ledger.side(GAVE),
            "got_kinds": ledger.side(GOT),
            "sides": SIDES,
            "form": form,
            "months": months,
            "details": sees_engagement_details(request.user),
            "chart_data": ledger.chart_data(),
        },
        status=200 if valid else 400,
    )


def _ledger_csv(ledger: ValueLedger) -> StreamingHttpResponse:
    """One row per month: every kind's count, then what was given and what came back."""
    header = ["month", *(k.key for k in ledger.kinds), "gave", "got"]
    rows = [
        [m.month.strftime("%Y-%m"), *(m.counts[k.key] for k in ledger.kinds), m.gave, m.got]
        for m in ledger.months
    ]
    return csv_response(
        filename=f"value-exchanged-{ledger.account.slug}.csv", header=header, rows=rows
    )
