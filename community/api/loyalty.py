"""REST API of loyalty over time by engagement: GET /api/v1/insights/loyalty/?period_from=
&period_to=&segment= — per outcome (churned, expanded) and engagement level: the sample, the
Kaplan–Meier curve (steps with 95% intervals and accounts at risk), the curve on a few days,
and the Cox model's hazard ratio against the reference level with its 95% interval
(community.selectors.loyalty.loyalty_over_time; the definitions are there and in the response).
Below the minimum sample a figure is null and `too_few` says so.

Internal users only (customers: 403), over the accounts they see, as the insights API
(community.access.outcomes.visible_outcome_accounts); with `scope=company`, over all of the
company's accounts (community.access.outcomes.company_outcome_accounts): the context an account
team reads beside its own few accounts, aggregates that name no account."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.outcomes import company_outcome_accounts, visible_outcome_accounts
from community.api.insights import OutcomeRatesQuerySerializer
from community.selectors import loyalty
from config import api_serializers as serializers
from config.db_router import analytics_reads

SCOPES = [
    ("visible", "The accounts the caller sees (the account team its own)."),
    ("company", "All of the company's accounts: aggregates that name no account."),
]


class LoyaltyQuerySerializer(OutcomeRatesQuerySerializer):
    scope = serializers.ChoiceField(
        choices=SCOPES,
        default="visible",
        help_text="visible (default): the accounts the caller sees; company: all accounts.",
    )


class SurvivalPointSerializer(serializers.Serializer):
    day = serializers.IntegerField(help_text="Days observed (day 0: the start).")
    survival = serializers.FloatField(help_text="Share not yet with the outcome (0–1).")
    interval_low = serializers.FloatField(source="low", help_text="95% interval, low end.")
    interval_high = serializers.FloatField(source="high", help_text="95% interval, high end.")
    at_risk = serializers.IntegerField(help_text="Accounts at the level at risk on that day.")


class LandmarkSerializer(serializers.Serializer):
    day = serializers.IntegerField()
    too_few = serializers.BooleanField(
        help_text=f"Fewer than {loyalty.MIN_AT_RISK} accounts at risk that day: too few to say."
    )
    survival = serializers.FloatField(source="point.survival", allow_null=True)
    interval_low = serializers.FloatField(source="point.low", allow_null=True)
    interval_high = serializers.FloatField(source="point.high", allow_null=True)
    at_risk = serializers.IntegerField(source="point.at_risk", allow_null=True)
    survival_percent = serializers.IntegerField(
        source="percent",
        allow_null=True,
        help_text="As the page and the CSV show it: whole percent, rounded once, halves up.",
    )
    interval_low_percent = serializers.IntegerField(source="low_percent", allow_null=True)
    interval_high_percent = serializers.IntegerField(source="high_percent", allow_null=True)


class HazardRatioSerializer(serializers.Serializer):
    ratio = serializers.FloatField(help_text="exp(coef) against the reference level.")
    interval_low = serializers.FloatField(source="low", help_text="95% Wald interval, low end.")
    interval_high = serializers.FloatField(source="high", help_text="95% Wald interval, high end.")


class LevelSurvivalSerializer(serializers.Serializer):
    level = serializers.CharField()
    label = serializers.CharField()
    accounts = serializers.IntegerField(help_text="Accounts that held the level while observed.")
    events = serializers.IntegerField(help_text="Outcomes while at the level.")
    too_few = serializers.BooleanField(
        help_text=f"Fewer than {loyalty.MIN_ACCOUNTS} accounts: no curve (too few to say)."
    )
    is_reference = serializers.BooleanField()
    hazard_ratio = HazardRatioSerializer(
        source="hazard",
        allow_null=True,
        help_text="Null for the reference level and where there are too few to say.",
    )
    landmarks = LandmarkSerializer(many=True)
    curve = SurvivalPointSerializer(many=True)


class OutcomeSurvivalSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="churned or expanded.")
    label = serializers.CharField()
    accounts = serializers.IntegerField(help_text="Accounts observed.")
    events = serializers.IntegerField()
    reference_level = serializers.CharField(
        source="reference",
        allow_null=True,
        help_text="The level hazard ratios are against; null: too few to say.",
    )
    model_accounts = serializers.IntegerField(help_text="Accounts in the Cox model.")
    model_events = serializers.IntegerField(help_text="Outcomes in the Cox model.")
    levels = LevelSurvivalSerializer(many=True)


class LoyaltyOverTimeSerializer(serializers.Serializer):
    scope = serializers.SerializerMethodField(help_text="visible or company, as asked.")
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    segment = serializers.CharField(help_text="The segment filtered on, or empty for all.")
    min_accounts = serializers.IntegerField(help_text="A curve needs this many accounts.")
    min_events = serializers.IntegerField(help_text="A hazard ratio needs this many outcomes.")
    min_at_risk = serializers.IntegerField(help_text="A curve's day needs this many at risk.")
    definitions = serializers.DictField(child=serializers.CharField())
    outcomes = OutcomeSurvivalSerializer(many=True)

    def get_scope(self, result) -> str:
        return self.context["scope"]


class LoyaltyOverTimeView(APIView):
    """Time to churn and to expansion by engagement level over time, across the caller's
    accounts: Kaplan–Meier curves and Cox hazard ratios."""

    @extend_schema(
        parameters=[LoyaltyQuerySerializer],
        responses={200: LoyaltyOverTimeSerializer, 403: ErrorResponse403Serializer},
    )
    @analytics_reads()  # after authentication, which reads from the primary
    def get(self, request):
        accounts = visible_outcome_accounts(request.user)  # customers: 403
        query = LoyaltyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = query.validated_data["scope"]
        if scope == "company":
            accounts = company_outcome_accounts(request.user)
        result = loyalty.loyalty_over_time(
            accounts=accounts,
            period_from=query.validated_data["period_from"],
            period_to=query.validated_data["period_to"],
            segment=query.validated_data.get("segment", ""),
        )
        return Response(LoyaltyOverTimeSerializer(result, context={"scope": scope}).data)
