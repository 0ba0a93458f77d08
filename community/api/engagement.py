"""REST API of an account's engagement: GET /api/v1/accounts/<slug>/engagement/ (the current
snapshot, its components and what would raise it) and .../engagement/history/?days=90.

The same readers as the engagement page (community.access.access_account_engagement): the
account team, product managers, programme admins, and the account's own customer admins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors_engagement as engagement
from community.access import access_account_engagement
from community.models import EngagementSnapshot


class SnapshotSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    score = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = EngagementSnapshot
        fields = [
            "day",
            "score",
            "level",
            "level_label",
            "activity",
            "breadth",
            "co_creation",
            "model_version",
        ]
        read_only_fields = fields


class ComponentSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["activity", "breadth", "co_creation"])
    label = serializers.CharField()
    value = serializers.FloatField(help_text="0–1.")
    weight = serializers.FloatField(help_text="The component's share of the score.")
    points = serializers.FloatField(help_text="What it adds to the score: 100 × weight × value.")
    room = serializers.FloatField(help_text="What it could still add: 100 × weight × (1 − value).")


class NextLevelSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The next level's name.")
    threshold = serializers.FloatField(help_text="The score at which it starts.")
    points_needed = serializers.FloatField()


class AccountEngagementSerializer(serializers.Serializer):
    account = serializers.SlugField(source="account.slug")
    snapshot = SnapshotSerializer(
        source="latest", allow_null=True, help_text="The latest snapshot; null until computed."
    )
    components = ComponentSerializer(many=True)
    next_level = NextLevelSerializer(allow_null=True)
    trend = serializers.CharField(
        source="trend.summary", help_text=f"The last {engagement.TREND_DAYS} days in words."
    )
    suggestions = serializers.ListField(
        child=serializers.CharField(), help_text="What would raise the score, most room first."
    )


class HistoryQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=730, default=90, help_text="How many days back (1–730)."
    )


class EngagementHistorySerializer(serializers.Serializer):
    account = serializers.SlugField()
    days = serializers.IntegerField()
    results = SnapshotSerializer(
        many=True, help_text="One snapshot per computed day, oldest first."
    )


class AccountEngagementView(APIView):
    """An account's current engagement: level, score, the three components, what would raise
    it. For its account team, product managers, programme admins and its own admins."""

    @extend_schema(
        # 403: a member of the account who is not its admin.
        responses={200: AccountEngagementSerializer, 403: ErrorResponse403Serializer},
    )
    def get(self, request, slug: str):
        account = access_account_engagement(request.user, slug)
        result = engagement.account_engagement(account=account, days=engagement.TREND_DAYS)
        return Response(AccountEngagementSerializer(result).data)


class EngagementHistoryView(APIView):
    """An account's daily snapshots over the last `days` days, oldest first."""

    @extend_schema(
        parameters=[HistoryQuerySerializer],
        responses={200: EngagementHistorySerializer, 403: ErrorResponse403Serializer},
    )
    def get(self, request, slug: str):
        account = access_account_engagement(request.user, slug)
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        history = engagement.snapshot_history(account=account, days=days)
        return Response(
            EngagementHistorySerializer(
                {"account": account.slug, "days": days, "results": history}
            ).data
        )
