"""A closed pilot's effect against matched accounts: the page (linked from the pilot's results)
and its CSV, one row per account of each pair. For results readers who see loyalty outcomes
(access.access_pilot_effect); the figures are ideas.selectors.pilot_effect's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.db_router import analytics_reads
from config.exports import csv_response
from ideas import access
from ideas.selectors import pilot_effect as selectors
from ideas.selectors import pilot_effect_csv as csv_selectors


@login_required
@require_safe
@analytics_reads()  # inside login_required: who is logged in is read from the primary
def pilot_effect_page(request: HttpRequest, pk: int) -> HttpResponse:
    pilot, accounts = access.access_pilot_effect(request.user, pk)
    effect = selectors.pilot_effect(pilot=pilot, accounts=accounts)
    return render(request, "ideas/pilot_effect.html", {"pilot": pilot, "effect": effect})


@login_required
@require_safe
@analytics_reads()
def pilot_effect_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    pilot, accounts = access.access_pilot_effect(request.user, pk)
    effect = selectors.pilot_effect(pilot=pilot, accounts=accounts)
    return csv_response(
        filename=f"pilot-{pilot.pk}-effect.csv",
        header=csv_selectors.CSV_HEADER,
        rows=csv_selectors.csv_rows(effect),
    )
