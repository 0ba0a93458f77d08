"""Loyalty over time by engagement: the section the insights page (community:insights) loads
with htmx — Kaplan–Meier curves of time to churn and to expansion by level, and the Cox
model's hazard ratios — a page of its own without htmx, and its CSV. It takes the insights
page's filters (period, segment). The fitting happens here, not on the insights page itself,
so that page stays as fast as it was.

Internal users only (customers: 403), each over the accounts they see (the account team its
own, product managers and programme admins all): the same readers as the insights page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.models import segment_label
from community.access.outcomes import visible_outcome_accounts
from community.selectors import loyalty
from community.views.insights import insights_filters
from config.db_router import analytics_reads
from config.exports import csv_response
from config.pagination import list_query


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def insights_loyalty(request: HttpRequest) -> HttpResponse:
    accounts = visible_outcome_accounts(request.user)  # customers: 403
    _, filters, valid = insights_filters(request)
    fragment = request.htmx and not request.htmx.history_restore_request
    result = None
    if valid:
        result = loyalty.loyalty_over_time(
            accounts=accounts,
            period_from=filters["period_from"],
            period_to=filters["period_to"],
            segment=filters["segment"],
        )
        if request.GET.get("export") == "csv":
            return _csv(result)
    response = render(
        request,
        "community/_insights_loyalty.html" if fragment else "community/insights_loyalty.html",
        {
            "result": result,
            "filters": filters,
            "segment_label": segment_label(filters["segment"]),
            "chart_data": _chart_data(result) if result else {},
            "query": list_query(request).urlencode(),
            "min_accounts": loyalty.MIN_ACCOUNTS,
            "min_events": loyalty.MIN_EVENTS,
            "min_at_risk": loyalty.MIN_AT_RISK,
        },
        # htmx swaps no 4xx response: the fragment says the filters need fixing with a 200.
        status=200 if valid or fragment else 400,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _csv(result: loyalty.LoyaltyOverTime) -> StreamingHttpResponse:
    segment = f"-{result.segment}" if result.segment else ""
    return csv_response(
        filename=f"loyalty-over-time-{result.period_from}-{result.period_to}{segment}.csv",
        header=_csv_header(result),
        rows=_csv_rows(result),
    )


# --- What the page's chart and the CSV read ----------------------------------------------------


def _chart_data(result: loyalty.LoyaltyOverTime) -> dict:
    """What static/js/insights-loyalty-chart.js draws: per outcome, each level's curve as
    [day, percent without the outcome yet] steps (levels with too few accounts: none)."""
    return {
        outcome.outcome: {
            "label": outcome.label,
            "days": outcome.days,
            "levels": [
                {
                    "key": row.level,
                    "label": row.label,
                    "points": [[p.day, round(100 * p.survival, 2)] for p in row.curve],
                }
                for row in outcome.levels
                if row.curve
            ],
        }
        for outcome in result.outcomes
    }


def _csv_header(result: loyalty.LoyaltyOverTime) -> list[str]:
    landmarks = [
        f"{name}_day_{day}"
        for day in result.landmark_days
        for name in ("without_percent", "low_percent", "high_percent", "at_risk")
    ]
    return [
        "outcome",
        "level",
        "level_label",
        "accounts",
        "events",
        *landmarks,
        "reference_level",
        "hazard_ratio",
        "hazard_ratio_low",
        "hazard_ratio_high",
        "note",
    ]


def _csv_rows(result: loyalty.LoyaltyOverTime) -> list[list[object]]:
    """One row per outcome and level (_csv_header): its sample, its curve on the landmark
    days, its hazard ratio; "too few to say" where the minimum sample is not reached."""
    rows = []
    for outcome in result.outcomes:
        for row in outcome.levels:
            cells: list[object] = [outcome.outcome, row.level, row.label, row.accounts, row.events]
            for mark in row.landmarks:
                at_risk = "" if mark.point is None else mark.point.at_risk
                cells += [mark.percent, mark.low_percent, mark.high_percent, at_risk]
            ratio = row.hazard.shown if row.hazard else (None, None, None)
            cells += [outcome.reference or "", *ratio, _note(row)]
            rows.append(cells)
    return rows


def _note(row: loyalty.LevelSurvival) -> str:
    if row.is_reference:
        return "reference level"
    if row.hazard is None:
        return "too few to say"
    return ""
