"""Pages of pilot results: summary, charts with their tables, verbatims, the CSV of the figures
(the page's values, row by row) and the CSV of every response. For results readers (product
managers) only; see access.access_pilot_results."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from accounts.access import is_internal
from config.exports import csv_response
from ideas import access
from ideas.selectors.calibration import pilot_calibration
from ideas.selectors.feedback import pilot_response_table
from ideas.selectors.results import (
    RESULTS_TABLE_HEADER,
    PilotResults,
    ResultSplit,
    pilot_results,
    pilot_results_table,
)


class _SplitForm(forms.Form):
    split = forms.ChoiceField(
        label="Show",
        choices=[("", "All participants"), *ResultSplit.choices],
        required=False,
    )


def _split_read(request: HttpRequest) -> tuple[_SplitForm, str | None]:
    form = _SplitForm(request.GET or None)
    split = (form.cleaned_data["split"] or None) if form.is_bound and form.is_valid() else None
    return form, split


def _number(value) -> float | None:
    return None if value is None else float(value)


def _chart_data(results: PilotResults) -> dict:
    """What static/js/pilot-results.js draws, per group (read from json_script)."""
    return {
        group.key: {
            "labels": [d.label for d in group.dimensions],
            "expected": [_number(d.expected_mean) for d in group.dimensions],
            "experienced": [_number(d.experienced_mean) for d in group.dimensions],
            "nps": group.nps.distribution,
        }
        for group in [results.overall, *results.groups]
    }


@login_required
@require_GET
def pilot_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = access.access_pilot_results(request.user, pk)
    form, split = _split_read(request)
    results = pilot_results(pilot=pilot, split=split)
    show_verbatims = access.can_read_verbatims(request.user)
    # htmx asks for the results alone when the split changes; a history restore wants the page.
    body_only = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "ideas/results_body.html" if body_only else "ideas/results.html",
        {
            "pilot": pilot,
            "form": form,
            "results": results,
            "calibration": pilot_calibration(pilot=pilot),
            "groups": [results.overall, *results.groups],
            "show_verbatims": show_verbatims,
            "internal": is_internal(request.user),
            "verbatims": results.verbatims if show_verbatims else [],
            "chart_data": _chart_data(results),
        },
        status=400 if form.errors else 200,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def pilot_results_figures_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every figure of the page (split as `?split=` asks), one row each, with the page's
    values."""
    pilot = access.access_pilot_results(request.user, pk)
    form, split = _split_read(request)
    if form.errors:
        return HttpResponseBadRequest("Split by segment or level, or not at all.")
    rows = pilot_results_table(results=pilot_results(pilot=pilot, split=split))
    suffix = f"-by-{split}" if split else ""
    return csv_response(
        filename=f"pilot-{pilot.pk}-figures{suffix}.csv", header=RESULTS_TABLE_HEADER, rows=rows
    )


@login_required
@require_GET
def pilot_results_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    pilot = access.access_pilot_results(request.user, pk)
    if not access.can_read_verbatims(request.user):
        raise PermissionDenied("The response export is for internal results readers.")
    header, rows = pilot_response_table(pilot=pilot)
    return csv_response(filename=f"pilot-{pilot.pk}-responses.csv", header=header, rows=rows)
