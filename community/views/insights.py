"""Insights across accounts (A → C → B): outcome rates by engagement level at the time,
robustness after bad times by the level before (community/selectors/robustness.py), and,
loaded from `ideas` as a fragment, pilot perception next to later outcomes. Internal users
only; each sees the accounts of their portfolio (the account team its own, others all)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import Segment, segment_label
from community.access.outcomes import visible_outcome_accounts
from community.models import OutcomeKind
from community.selectors import insights, robustness
from config.db_router import analytics_reads
from config.exports import csv_response
from config.pagination import list_query


class InsightsFilterForm(forms.Form):
    period_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: a year before the end.",
    )
    period_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: today.",
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    chart = forms.ChoiceField(
        label="Chart of",
        choices=[
            (str(kind), kind.label) for kind in (*insights.DECISION_KINDS, *insights.ADVOCACY_KINDS)
        ],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if "period_to" in data and "period_from" in data:
            data["period_from"], data["period_to"] = insights.period_fill(
                data["period_from"], data["period_to"]
            )
            if data["period_from"] > data["period_to"]:
                self.add_error("period_to", insights.PERIOD_ORDER_ERROR)
        return data


def insights_filters(request: HttpRequest) -> tuple[InsightsFilterForm, dict, bool]:
    """The page's filter form, its values (defaults filled in, the valid ones even when another
    is not) and whether it is valid."""
    default_from, default_to = insights.default_period()
    data = request.GET.copy()
    if not data.get("period_from") and not data.get("period_to"):  # show the default period
        data.update({"period_from": default_from.isoformat(), "period_to": default_to.isoformat()})
    form = InsightsFilterForm(data)
    valid = form.is_valid()
    filters = {
        "period_from": default_from,
        "period_to": default_to,
        "segment": "",
        "chart": str(OutcomeKind.RENEWED),
    }
    if valid:
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    else:
        filters["segment"] = form.cleaned_data.get("segment", "")
    return form, filters, valid


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def insights_page(request: HttpRequest) -> HttpResponse:
    """Outcome rates by engagement level at the time, with counts, 95% intervals, a chart and
    CSV; the pilot perception section comes from ideas:perception-outcomes. Customers: 403."""
    accounts = visible_outcome_accounts(request.user)
    form, filters, valid = insights_filters(request)
    rates = insights.outcome_rates_by_level(
        accounts=accounts,
        period_from=filters["period_from"],
        period_to=filters["period_to"],
        segment=filters["segment"],
    )
    if valid and request.GET.get("export") == "csv":
        return _rates_csv(rates)
    by_level = robustness.robustness_by_level(
        accounts=accounts,
        period_from=filters["period_from"],
        period_to=filters["period_to"],
        segment=filters["segment"],
    )
    query = list_query(request)
    # The perception fragment shares the period (pilots that ended in it) and the segment.
    fragment_query = QueryDict(mutable=True)
    fragment_query.update(
        {
            "period_from": filters["period_from"].isoformat(),
            "period_to": filters["period_to"].isoformat(),
            "segment": filters["segment"],
        }
    )
    return render(
        request,
        "community/insights.html",
        {
            "form": form,
            "rates": rates,
            "robustness": by_level,
            "filters": filters,
            "segment_label": segment_label(filters["segment"]),
            "chart_data": {**rates.chart_data(), "selected": filters["chart"]},
            "query": query.urlencode(),
            "fragment_query": fragment_query.urlencode(),
        },
        status=200 if valid else 400,
    )


def _rates_csv(rates: insights.OutcomeRates) -> StreamingHttpResponse:
    segment = f"-{rates.segment}" if rates.segment else ""
    return csv_response(
        filename=f"outcome-rates-{rates.period_from}-{rates.period_to}{segment}.csv",
        header=insights.CSV_HEADER,
        rows=rates.csv_rows(),
    )
