"""Expectation calibration on pages: the calibration CSV of a pilot's results (the section of
the results page itself is drawn by ideas/views/results.py, the drift on an account's pilots by
ideas/views/account_pilots.py; the figures are ideas/selectors/calibration.py's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from config.exports import csv_response
from ideas import access
from ideas.selectors.calibration import (
    CALIBRATION_TABLE_HEADER,
    pilot_calibration,
    pilot_calibration_table,
)


@login_required
@require_GET
def pilot_calibration_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The calibration table, one row per dimension, with the page's values; for the readers
    of the pilot's results."""
    pilot = access.access_pilot_results(request.user, pk)
    rows = pilot_calibration_table(calibration=pilot_calibration(pilot=pilot))
    return csv_response(
        filename=f"pilot-{pilot.pk}-calibration.csv", header=CALIBRATION_TABLE_HEADER, rows=rows
    )
