"""Loyalty over time by engagement: the section the insights page (community:insights) loads
with htmx — Kaplan–Meier curves of time to churn and to expansion by level, and the Cox
model's hazard ratios — a page of its own without htmx, and its CSV. It takes the insights
page's filters (period, segment). The fitting happens here, not on the insights page itself,
so that page stays as fast as it was.

Internal users only (customers: 403), each over the accounts they see (the account team its
own, product managers and programme admins all): the same readers as the insights page. An
account team's few accounts rarely make a curve (a level needs 10), so for a reader who does not
see every account the section adds the same figures over all of the company's accounts, as
context: aggregates that name no account. `?scope=company` exports those in the CSV."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.access import sees_all_accounts
from accounts.models import segment_label
from community.access.outcomes import company_outcome_accounts, visible_outcome_accounts
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
    if valid and request.GET.get("export") == "csv":
        company = request.GET.get("scope") == "company"
        source = company_outcome_accounts(request.user) if company else accounts
        return _csv(_result(source, filters), company=company)
    blocks: list[Block] = []
    if valid:
        context = not sees_all_accounts(request.user)  # the company's figures beside theirs
        blocks.append(Block(scope="visible", result=_result(accounts, filters), nested=context))
        if context:
            company_accounts = company_outcome_accounts(request.user)
            result = _result(company_accounts, filters)
            blocks.append(Block(scope="company", result=result, nested=True))
    response = render(
        request,
        "community/_insights_loyalty.html" if fragment else "community/insights_loyalty.html",
        {
            "blocks": blocks,
            "result": blocks[0].result if blocks else None,
            "filters": filters,
            "segment_label": segment_label(filters["segment"]),
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


@dataclass(frozen=True)
class Block:
    """One set of curves and ratios on the section: over the reader's accounts ("visible"), or
    over the whole company's ("company", the context shown to those who see only some)."""

    scope: str
    result: loyalty.LoyaltyOverTime
    nested: bool  # two blocks on the section, each under a heading of its own

    @property
    def suffix(self) -> str:
        """What makes the block's element ids unique on the page."""
        return "" if self.scope == "visible" else f"-{self.scope}"

    @property
    def chart_id(self) -> str:
        return f"loyalty-chart-data{self.suffix}"

    @property
    def heading(self) -> str:
        """The element of each outcome's heading: under the block's own h3 when nested."""
        return "h4" if self.nested else "h3"

    @property
    def drawn(self) -> bool:
        """Whether any level has a curve: else the block says "too few to say" in a line
        and folds its tables away."""
        return any(row.curve for outcome in self.result.outcomes for row in outcome.levels)

    @property
    def chart_data(self) -> dict:
        return _chart_data(self.result)


def _result(accounts, filters: dict) -> loyalty.LoyaltyOverTime:
    return loyalty.loyalty_over_time(
        accounts=accounts,
        period_from=filters["period_from"],
        period_to=filters["period_to"],
        segment=filters["segment"],
    )


def _csv(result: loyalty.LoyaltyOverTime, *, company: bool) -> StreamingHttpResponse:
    segment = f"-{result.segment}" if result.segment else ""
    scope = "-company" if company else ""
    return csv_response(
        filename=(f"loyalty-over-time{scope}-{result.period_from}-{result.period_to}{segment}.csv"),
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
