"""REST API of expectation calibration (ideas/selectors/calibration.py, defined in
docs/product.md, "Expectation calibration"), with the page's values:

    GET /pilots/{id}/calibration/                per dimension: target, the promise, the
                                                 participants' expectation and experience, the
                                                 verdict; the readers of the pilot's results
    GET /accounts/{slug}/expectation-drift/      the account's mean expectation per dimension
                                                 across its pilots, and its change; the
                                                 account's internal readers
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from config import api_serializers as serializers
from ideas import access
from ideas.api.results import IntervalSerializer
from ideas.selectors.calibration import (
    MIN_PARTICIPANTS,
    Verdict,
    account_expectation_drift,
    pilot_calibration,
)

_TOO_FEW = f' Null ("too few to say") under {MIN_PARTICIPANTS} answers.'
_TWO_PLACES = " Rounded half away from zero to 2 decimals, as the page shows it."


class RatingFigureSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="People who gave the rating.")
    mean = serializers.FloatField(allow_null=True, help_text="1–7." + _TWO_PLACES + _TOO_FEW)
    interval = IntervalSerializer(
        allow_null=True, help_text="95% t-interval of the mean." + _TWO_PLACES + _TOO_FEW
    )
    too_few = serializers.BooleanField(help_text=f"n under {MIN_PARTICIPANTS}: too few to say.")


class DimensionCalibrationSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    target = serializers.FloatField(
        allow_null=True, help_text="The target experience set in the designer (1–7); null: none."
    )
    expected = RatingFigureSerializer(help_text="The participants' mean expected rating.")
    experienced = RatingFigureSerializer(help_text="The participants' mean experienced rating.")
    expected_over_target = serializers.FloatField(
        allow_null=True, help_text="Shown mean expected − target; null without either."
    )
    experienced_over_target = serializers.FloatField(
        allow_null=True, help_text="Shown mean experienced − target; null without either."
    )
    verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        help_text="above_target: the shown mean expected rating is above the target, with at "
        f"least {MIN_PARTICIPANTS} expectations; too_few: fewer; no_target: none set.",
    )
    flagged = serializers.BooleanField(help_text="verdict is above_target.")


class PilotCalibrationSerializer(serializers.Serializer):
    pilot = serializers.IntegerField(source="pilot.pk")
    promise = serializers.CharField(help_text='The pilot\'s "what to expect" statement.')
    min_participants = serializers.IntegerField()
    dimensions = DimensionCalibrationSerializer(many=True)


class DriftPilotSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    runs_from = serializers.DateField()


class DriftPointSerializer(serializers.Serializer):
    pilot = serializers.IntegerField(source="pilot.pk")
    expected = RatingFigureSerializer(help_text="The account's members' mean expected rating.")
    change = serializers.FloatField(
        allow_null=True,
        help_text="Change from the account's previous pilot with enough answers (computed "
        "from the unrounded means, rounded once); null for the first or under the minimum.",
    )
    change_interval = IntervalSerializer(
        allow_null=True, help_text="95% Welch interval of the change; null when undefined."
    )


class DimensionDriftSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    points = DriftPointSerializer(many=True, help_text="In the pilots' time order.")
    drift = serializers.FloatField(
        allow_null=True,
        help_text="Last pilot with enough answers − the first; null (too few to say) with "
        "fewer than two such pilots.",
    )
    drift_interval = IntervalSerializer(allow_null=True, help_text="95% Welch interval.")
    too_few = serializers.BooleanField()


class AccountDriftSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.slug")
    min_participants = serializers.IntegerField()
    pilots = DriftPilotSerializer(many=True, help_text="In time order (first day, then id).")
    dimensions = DimensionDriftSerializer(many=True)


class PilotCalibrationView(APIView):
    """A pilot's expectation calibration: per dimension the target, the promise, the
    participants' expectation and experience, and whether the promise lifted expectations
    above the target. For the readers of the pilot's results."""

    @extend_schema(responses={200: PilotCalibrationSerializer, 403: ErrorResponse403Serializer})
    def get(self, request, pk: int):
        pilot = access.access_pilot_results(request.user, pk)
        return Response(PilotCalibrationSerializer(pilot_calibration(pilot=pilot)).data)


class AccountExpectationDriftView(APIView):
    """An account's expectation drift: its members' mean expectation per dimension across its
    pilots in time order, and the change. For the account's team and other internal readers."""

    @extend_schema(responses={200: AccountDriftSerializer, 403: ErrorResponse403Serializer})
    def get(self, request, slug: str):
        account = access.access_account_expectation_drift(request.user, slug)
        return Response(AccountDriftSerializer(account_expectation_drift(account=account)).data)
