"""Pilot perception next to later outcomes: the fragment the insights page
(community:insights) loads with htmx, a page of its own without htmx, and its CSV.

Internal users only (customers: 403), each over the accounts they see (the account team its
own, product managers and programme admins all): the same readers as loyalty outcomes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.models import Segment
from community.access.outcomes import visible_outcome_accounts
from community.selectors.insights import PERIOD_ORDER_ERROR, default_period, period_fill
from config.db_router import analytics_reads
from config.exports import csv_response
from config.pagination import list_query
from ideas.selectors import perception_outcomes as selectors

ROWS_PER_PAGE = 25


class PerceptionFilterForm(forms.Form):
    period_from = forms.DateField(
        label="Pilots that ended from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_to = forms.DateField(
        label="to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    window = forms.IntegerField(
        label="Outcomes within (days after)",
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": str(selectors.DEFAULT_WINDOW_DAYS)}),
    )

    def clean(self):
        data = super().clean()
        if "period_to" in data and "period_from" in data:
            data["period_from"], data["period_to"] = period_fill(
                data["period_from"], data["period_to"]
            )
            if data["period_from"] > data["period_to"]:
                self.add_error("period_to", PERIOD_ORDER_ERROR)
        return data


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def perception_outcomes(request: HttpRequest) -> HttpResponse:
    accounts = visible_outcome_accounts(request.user)  # customers: 403
    data = request.GET.copy()
    if not data.get("period_from") and not data.get("period_to"):  # show the default period
        default_from, default_to = default_period()
        data.update({"period_from": default_from.isoformat(), "period_to": default_to.isoformat()})
    form = PerceptionFilterForm(data, auto_id="perception-%s")  # ids apart from the page's
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {"segment": form.cleaned_data.get("segment", "")}
    result = selectors.pilot_perception_outcomes(
        accounts=accounts,
        period_from=filters.get("period_from"),
        period_to=filters.get("period_to"),
        segment=filters.get("segment") or "",
        window_days=filters.get("window") or selectors.DEFAULT_WINDOW_DAYS,
    )
    if valid and request.GET.get("export") == "csv":
        return _csv(result)
    query = list_query(request)
    fragment = request.htmx and not request.htmx.history_restore_request
    # The groups are over every row; the table of rows pages (the CSV has them all).
    page = Paginator(result.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "ideas/_perception_outcomes.html" if fragment else "ideas/perception_outcomes.html",
        {"form": form, "result": result, "page": page, "query": query.urlencode()},
        # htmx swaps no 4xx response: the fragment shows its form's errors with a 200.
        status=200 if valid or fragment else 400,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _csv(result: selectors.PerceptionOutcomes) -> StreamingHttpResponse:
    return csv_response(
        filename=f"pilot-perception-outcomes-{result.period_from}-{result.period_to}.csv",
        header=selectors.CSV_HEADER,
        rows=selectors.csv_rows(result),
    )
