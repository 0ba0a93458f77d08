"""The account team's portfolio and an account's engagement page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts import access as account_access
from accounts.models import Account, Segment
from community import selectors_engagement as engagement
from community import selectors_outcomes
from community.access import (
    access_account_engagement,
    portfolio_accounts,
    sees_engagement_details,
)
from community.models import (
    EngagementLevel,
)
from config.exports import csv_response


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
            (engagement.NOT_COMPUTED, "Not computed yet"),
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
        choices=[(key, label) for key, (label, _) in engagement.PORTFOLIO_SORTS.items()],
    )


@login_required
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    """The account team's home: their accounts' engagement at a glance (all for PMs/admins)."""
    accounts = portfolio_accounts(request.user)
    form = PortfolioFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound else {}  # the valid fields, even on errors
    accounts = engagement.portfolio_list(
        accounts=accounts,
        q=filters.get("q", ""),
        level=filters.get("level", ""),
        segment=filters.get("segment", ""),
        renewal_within_days=filters.get("renewal_within"),
        assigned_to=request.user if filters.get("mine") else None,
        sort=filters.get("sort") or "name",
    )
    if valid and request.GET.get("export") == "csv":
        return _portfolio_csv(accounts)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    rows_only = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "community/portfolio_rows.html" if rows_only else "community/portfolio.html",
        {
            "form": form,
            "page": page,
            "rows": engagement.portfolio_rows(accounts=page.object_list),
            "query": query.urlencode(),
            "trend_days": engagement.TREND_DAYS,
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
        f"score_change_{engagement.TREND_DAYS}_days",
        "last_customer_activity",
        "renewal_date",
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
        ]
        for a in accounts.iterator(chunk_size=2000)
    )
    return csv_response(filename="portfolio.csv", header=header, rows=rows)


def _one_decimal(value) -> str:
    return "" if value is None else f"{value:.1f}"


OUTCOMES_ON_PAGE = 10


@login_required
@require_safe
def account_engagement(request: HttpRequest, slug: str) -> HttpResponse:
    """An account's engagement: trend, why this level, what would raise it, the timeline, its
    pilots and feedback (an htmx fragment of the ideas app) and its loyalty outcomes.
    Its own customer admins get the reduced view (no breakdown by activity, no timeline, no
    loyalty outcomes: those are internal, community.access.visible_outcome_accounts)."""
    account = access_account_engagement(request.user, slug)
    details = sees_engagement_details(request.user)
    summary = engagement.account_engagement(account=account)
    context = {"account": account, "engagement": summary, "details": details}
    # Internal users who do not see every account see only those they are assigned to: no
    # query needed to know they are its team.
    context["records_offline_events"] = details and (
        account_access.manages_all_accounts(request.user)
        or not account_access.sees_all_accounts(request.user)
    )
    if details:
        context["contributions"] = engagement.activity_contributions(
            account=account, parameters=summary.parameters
        )
        context["timeline"] = Paginator(
            engagement.activity_timeline(account=account, support=False),
            engagement.TIMELINE_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        context["support"] = Paginator(
            engagement.activity_timeline(account=account, support=True),
            engagement.TIMELINE_PAGE_SIZE,
        ).get_page(request.GET.get("support_page"))
        # Whoever sees the internal view sees the account's outcomes (visible_outcome_accounts);
        # recording one is for the same people as offline events (its team, programme admins).
        context["outcomes"] = selectors_outcomes.outcome_list(
            accounts=Account.objects.filter(pk=account.pk)
        )[:OUTCOMES_ON_PAGE]
    context["chart_data"] = summary.chart_data()
    return render(request, "community/account_engagement.html", context)
