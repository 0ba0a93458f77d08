"""The account team's portfolio: their accounts' levels, scores, trends, open alerts and the
value exchanged (gave / got), filtered, sorted, paginated and exported as CSV (the account page
is in views/engagement.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.models import Segment
from community.access.engagement import portfolio_accounts
from community.models import (
    EngagementLevel,
)
from community.selectors.engagement import TREND_DAYS
from community.selectors.portfolio import (
    NOT_COMPUTED,
    PORTFOLIO_SORTS,
    portfolio_list,
    portfolio_rows,
    portfolio_unfiltered_rows,
)
from community.selectors.value_exchanged import VALUE_MONTHS, value_totals
from config.db_router import analytics_reads
from config.exports import csv_response
from config.pagination import list_query

CSV_CHUNK = 2000  # accounts read, and their value exchanged counted, at a time


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name"}),
    )
    level = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All levels"),
            *EngagementLevel.choices,
            (NOT_COMPUTED, "Not computed yet"),
        ],
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    renewal_within = forms.IntegerField(
        label="Renewal within (days)",
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 90"}),
    )
    mine = forms.BooleanField(label="Only accounts assigned to me", required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _) in PORTFOLIO_SORTS.items()],
    )


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def portfolio(request: HttpRequest) -> HttpResponse:
    """The account team's home: their accounts' engagement at a glance (all for PMs/admins)."""
    accounts = portfolio_accounts(request.user)
    form = PortfolioFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}  # the valid fields, even on errors

    def listed():
        return portfolio_list(
            accounts=accounts,
            q=filters.get("q", ""),
            level=filters.get("level", ""),
            segment=filters.get("segment", ""),
            renewal_within_days=filters.get("renewal_within"),
            assigned_to=request.user if filters.get("mine") else None,
            sort=filters.get("sort") or "name",
        )

    if valid and request.GET.get("export") == "csv":
        return _portfolio_csv(listed())
    # As it opens (no filter, by name), the count and the page keep their SQL (config.sql_once):
    # the queryset is then not built at all.
    filtered = (
        any(
            filters.get(name) not in (None, "", False)
            for name in ("q", "level", "segment", "renewal_within", "mine")
        )
        or (filters.get("sort") or "name") != "name"
    )
    kept = None if filtered else portfolio_unfiltered_rows(user=request.user)
    page = Paginator(listed() if kept is None else kept, 25).get_page(request.GET.get("page"))
    query = list_query(request)
    rows_only = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "community/portfolio_rows.html" if rows_only else "community/portfolio.html",
        {
            "form": form,
            "page": page,
            "rows": portfolio_rows(accounts=page.object_list),
            "query": query.urlencode(),
            "trend_days": TREND_DAYS,
            "value_months": VALUE_MONTHS,
        },
        status=200 if valid else 400,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _portfolio_csv(accounts) -> StreamingHttpResponse:
    header = [
        "name",
        "slug",
        "segment",
        "level",
        "score",
        "snapshot_day",
        f"score_change_{TREND_DAYS}_days",
        "last_customer_activity",
        "renewal_date",
        f"value_gave_{VALUE_MONTHS}_months",
        f"value_got_{VALUE_MONTHS}_months",
    ]
    rows = (
        [
            a.name,
            a.slug,
            a.segment,
            a.engagement_level or "",
            _one_decimal(a.engagement_score),
            a.engagement_day,
            _one_decimal(
                a.engagement_score - a.trend_start_score
                if a.engagement_score is not None and a.trend_start_score is not None
                else None
            ),
            a.last_activity_at.isoformat() if a.last_activity_at else "",
            a.renewal_date,
            totals.gave,
            totals.got,
        ]
        for a, totals in _with_value_totals(accounts)
    )
    return csv_response(filename="portfolio.csv", header=header, rows=rows)


def _with_value_totals(accounts, *, chunk: int = CSV_CHUNK):
    """Each account with what it gave and got back, counted for a chunk of accounts at a time
    (a fixed number of queries per chunk, community.selectors.value_exchanged)."""
    batch = []
    for account in accounts.iterator(chunk_size=chunk):
        batch.append(account)
        if len(batch) == chunk:
            yield from _totals_of(batch)
            batch = []
    yield from _totals_of(batch)


def _totals_of(accounts):
    totals = value_totals(accounts=accounts)
    return [(a, totals[a.pk]) for a in accounts]


def _one_decimal(value) -> str:
    return "" if value is None else f"{value:.1f}"
