"""REST API of robustness after bad times (community/selectors/robustness.py; the definitions
are there, in docs/product.md and in each response):

- GET /api/v1/accounts/<slug>/robustness/ — the account's bad times with their figures;
- POST /api/v1/accounts/<slug>/bad-times/ — record an incident (its team, programme admins);
- GET /api/v1/insights/robustness/?period_from=&period_to=&segment= — by level before the bad
  time, over the caller's accounts.

Internal users only (customers: 403 for their own account, 404 for another), over the accounts
they see, as loyalty outcomes and insights (community.access.robustness)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
)
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.robustness import (
    access_account_for_bad_times,
    access_account_robustness,
    visible_robustness_accounts,
)
from community.api.insights import OutcomeRatesQuerySerializer
from community.selectors import robustness
from community.services.robustness import NOTE_MAX_LENGTH, REFERENCE_MAX_LENGTH, bad_time_record
from config import api_serializers as serializers
from config.db_router import analytics_reads
from config.single_line import validate_single_line


class BadTimeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="bad_time.pk")
    kind = serializers.CharField(
        source="bad_time.kind", help_text="incident, pilot_gap or idea_declined."
    )
    kind_label = serializers.CharField(source="bad_time.get_kind_display")
    occurred_on = serializers.DateField(source="bad_time.occurred_on")
    reference = serializers.CharField(source="bad_time.reference")
    note = serializers.CharField(source="bad_time.note")
    source = serializers.CharField(source="bad_time.source")
    level_before = serializers.CharField(
        help_text="The level before the bad time, or not_computed."
    )
    score_before = serializers.FloatField(
        source="score_before_shown", allow_null=True, help_text="One decimal; null: no score."
    )
    drop = serializers.FloatField(
        source="drop_shown", allow_null=True, help_text="Score points, one decimal, ≥ 0."
    )
    days_to_recover = serializers.IntegerField(
        source="recovered_in",
        allow_null=True,
        help_text="0: did not fall; null: not yet recovered (or cannot be measured).",
    )
    recovery = serializers.CharField(source="recovery_label")
    renewal = serializers.CharField(
        source="renewal.state", help_text="renewed, not_renewed, no_decision or not_yet."
    )
    renewal_kind = serializers.CharField(source="renewal.kind")
    renewal_on = serializers.DateField(source="renewal.occurred_on", allow_null=True)


class AccountRobustnessSerializer(serializers.Serializer):
    account = serializers.SlugField()
    definitions = serializers.DictField(child=serializers.CharField())
    bad_times = BadTimeSerializer(many=True)


class AccountRobustnessView(APIView):
    """An account's bad times, latest first, with the drop, days to recover and renewal."""

    @extend_schema(
        responses={
            200: AccountRobustnessSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        }
    )
    def get(self, request, slug: str):
        account = access_account_robustness(request.user, slug)
        figures = robustness.account_robustness(account=account)
        body = {"account": account.slug, "definitions": robustness.DEFINITIONS}
        return Response(AccountRobustnessSerializer({**body, "bad_times": figures}).data)


class IncidentWriteSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REFERENCE_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="The ticket's id; empty: one incident per account and day.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class BadTimeCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.SlugField(source="account.slug")
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    reference = serializers.CharField()
    note = serializers.CharField()


class BadTimeCreateView(APIView):
    """Record an incident of the account (a bad time); the same one twice is a 400."""

    @extend_schema(
        request=IncidentWriteSerializer,
        responses={
            201: BadTimeCreatedSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        },
    )
    def post(self, request, slug: str):
        account = access_account_for_bad_times(request.user, slug)
        data = IncidentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bad_time = bad_time_record(account=account, recorded_by=request.user, **data.validated_data)
        return Response(BadTimeCreatedSerializer(bad_time).data, status=status.HTTP_201_CREATED)


class ShareSerializer(serializers.Serializer):
    k = serializers.IntegerField()
    n = serializers.IntegerField()
    too_few = serializers.BooleanField(
        help_text=f"n is under {robustness.MIN_SAMPLE}: too few to say (no figure)."
    )
    small = serializers.BooleanField(help_text=f"n is under {robustness.SMALL_GROUP}.")
    rate = serializers.FloatField(allow_null=True, help_text="k ÷ n (0–1); null: too few.")
    interval_low = serializers.FloatField(source="interval.low", allow_null=True)
    interval_high = serializers.FloatField(source="interval.high", allow_null=True)
    percent = serializers.IntegerField(allow_null=True, help_text="Whole percent, as shown.")
    low_percent = serializers.IntegerField(allow_null=True)
    high_percent = serializers.IntegerField(allow_null=True)


class LevelRobustnessSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="The level before the bad time, or not_computed.")
    label = serializers.CharField()
    bad_times = serializers.IntegerField()
    accounts = serializers.IntegerField()
    recovered = ShareSerializer(help_text="Back at the score before within the window.")
    median_days_to_recover = serializers.FloatField(source="median_days", allow_null=True)
    median_label = serializers.CharField(help_text="As the page says it ('too few to say' …).")
    renewed = ShareSerializer(help_text="Renewed or expanded, of those with a decision.")


class RobustnessByLevelSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    min_sample = serializers.IntegerField()
    small_group = serializers.IntegerField()
    recovery_days = serializers.IntegerField()
    definitions = serializers.DictField(child=serializers.CharField())
    levels = LevelRobustnessSerializer(many=True)


class RobustnessByLevelView(APIView):
    """Robustness after bad times by the level before, across the caller's accounts."""

    @extend_schema(
        parameters=[OutcomeRatesQuerySerializer],
        responses={200: RobustnessByLevelSerializer, 403: ErrorResponse403Serializer},
    )
    @analytics_reads()
    def get(self, request):
        accounts = visible_robustness_accounts(request.user)
        query = OutcomeRatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = robustness.robustness_by_level(
            accounts=accounts,
            period_from=query.validated_data["period_from"],
            period_to=query.validated_data["period_to"],
            segment=query.validated_data.get("segment", ""),
        )
        return Response(RobustnessByLevelSerializer(result).data)
