"""REST API of the insights page: GET /api/v1/insights/outcome-rates/?period_from=&period_to=
&segment= — the rate of every loyalty outcome per engagement level at the time, with counts
and 95% Wilson intervals (community.selectors.insights.outcome_rates_by_level; the definitions are
there and in the response).

Internal users only (customers: 403), over the accounts they see: the account team its own,
product managers and programme admins every account
(community.access.outcomes.visible_outcome_accounts, as for the outcomes themselves)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Segment
from community.access.outcomes import visible_outcome_accounts
from community.selectors import insights
from config import api_serializers as serializers
from config.db_router import analytics_reads


class OutcomeRatesQuerySerializer(serializers.Serializer):
    period_from = serializers.DateField(
        required=False, help_text="First day of the period (default: a year before its end)."
    )
    period_to = serializers.DateField(required=False, help_text="Last day (default: today).")
    segment = serializers.ChoiceField(
        choices=Segment.choices, required=False, help_text="Only accounts of this segment."
    )

    def validate(self, data):
        data["period_from"], data["period_to"] = insights.period_fill(
            data.get("period_from"), data.get("period_to")
        )
        if data["period_from"] > data["period_to"]:
            raise serializers.ValidationError({"period_to": insights.PERIOD_ORDER_ERROR})
        return data


class OutcomeRateSerializer(serializers.Serializer):
    outcome = serializers.CharField(
        source="kind", help_text="renewed, expanded, contracted, churned, referred or advocated."
    )
    label = serializers.CharField()
    accounts = serializers.IntegerField(help_text="k: accounts with the outcome at the level.")
    of = serializers.IntegerField(
        help_text="n: accounts deciding at the level (renewal decisions) or holding it in the "
        "period (referred, advocated)."
    )
    rate = serializers.FloatField(allow_null=True, help_text="k ÷ n (0–1); null when n is 0.")
    interval_low = serializers.FloatField(
        source="interval.low", allow_null=True, help_text="95% Wilson interval, low end (0–1)."
    )
    interval_high = serializers.FloatField(
        source="interval.high", allow_null=True, help_text="95% Wilson interval, high end (0–1)."
    )
    rate_percent = serializers.IntegerField(
        source="percent",
        allow_null=True,
        help_text="The rate as the page and the CSV show it: a whole percentage, rounded once "
        "from the unrounded rate, halves up.",
    )
    interval_low_percent = serializers.IntegerField(
        source="low_percent", allow_null=True, help_text="interval_low as shown: whole percent."
    )
    interval_high_percent = serializers.IntegerField(
        source="high_percent", allow_null=True, help_text="interval_high as shown: whole percent."
    )
    few = serializers.BooleanField(
        help_text=f"n is under {insights.SMALL_GROUP}: few accounts, read with care."
    )


class LevelOutcomeRatesSerializer(serializers.Serializer):
    level = serializers.CharField(
        help_text="An engagement level, or not_computed for outcomes before the first snapshot."
    )
    label = serializers.CharField()
    accounts_deciding = serializers.IntegerField(
        source="decided", help_text="Accounts with a renewal decision while at this level."
    )
    accounts_at_level = serializers.IntegerField(
        source="held", help_text="Accounts that held this level at some time in the period."
    )
    rates = OutcomeRateSerializer(many=True)


class OutcomeRatesSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    segment = serializers.CharField(help_text="The segment filtered on, or empty for all.")
    small_group = serializers.IntegerField(help_text="Groups under this many accounts are few.")
    definitions = serializers.DictField(child=serializers.CharField())
    levels = LevelOutcomeRatesSerializer(many=True)


class OutcomeRatesView(APIView):
    """Loyalty outcome rates per engagement level at the time, across the caller's accounts."""

    @extend_schema(
        parameters=[OutcomeRatesQuerySerializer],
        responses={200: OutcomeRatesSerializer, 403: ErrorResponse403Serializer},
    )
    @analytics_reads()  # after authentication, which reads from the primary
    def get(self, request):
        accounts = visible_outcome_accounts(request.user)
        query = OutcomeRatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rates = insights.outcome_rates_by_level(
            accounts=accounts,
            period_from=query.validated_data["period_from"],
            period_to=query.validated_data["period_to"],
            segment=query.validated_data.get("segment", ""),
        )
        return Response(OutcomeRatesSerializer(rates).data)
