"""REST API of an account's engagement: GET /api/v1/accounts/<slug>/engagement/ (the current
snapshot, its components and what would raise it) and .../engagement/history/?days=90; POST
/api/v1/engagement/recompute/ (recompute now); GET and POST /api/v1/accounts/<slug>/offline-events/
(the account's offline events; the account team records one).

The same readers as the engagement page (community.access.engagement.access_account_engagement): the
account team, product managers, programme admins, and the account's own customer admins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.outbox import enqueue
from community.access.engagement import (
    access_account_engagement,
    access_account_for_offline_events,
    access_account_for_recompute,
    access_account_offline_event_list,
    can_tune_engagement,
)
from community.models import EngagementSnapshot, OfflineEvent
from community.models.engagement import LEVEL_LABELS
from community.selectors.engagement import (
    TREND_DAYS,
    account_engagement,
    offline_events_of,
)
from community.selectors.engagement_lists import (
    SnapshotNumbers,
    offline_event_rows,
    snapshot_history,
)
from community.services.engagement import (
    OFFLINE_NOTE_MAX_LENGTH,
    offline_event_record,
    offline_kind_choices,
)
from community.tasks import engagement_recompute_accounts_task, engagement_recompute_all_task
from config import api_serializers as serializers
from config.api import asks_only_a_page


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

    def to_representation(self, snapshot: EngagementSnapshot) -> dict:
        """What DRF's fields give, written out: the history lists 90 snapshots or more, and
        DRF's field-by-field walk cost three quarters of its call (tests/community: the same
        JSON as the fields')."""
        return _snapshot_item(snapshot, self.fields["score"].to_representation(snapshot.score))


def snapshot_items(snapshots: list[SnapshotNumbers]) -> list[dict]:
    """SnapshotSerializer's items of a history's snapshots (as they are once rendered), made
    without a serializer object, whose fields would be built again for every call. A score is
    read from its column, of one decimal place: the score field's quantizing to one decimal
    place leaves it as it is, and the renderer writes the decimal as its float."""
    return [_snapshot_item(snapshot, float(snapshot.score)) for snapshot in snapshots]


def _snapshot_item(snapshot: EngagementSnapshot | SnapshotNumbers, score) -> dict:
    """A snapshot's item, with its `score` as shown."""
    return {
        "day": snapshot.day.isoformat(),
        "score": score,
        "level": snapshot.level,
        "level_label": _level_label(snapshot.level),
        "activity": float(snapshot.activity),
        "breadth": float(snapshot.breadth),
        "co_creation": float(snapshot.co_creation),
        "model_version": int(snapshot.model_version),
    }


def _level_label(level):
    """`snapshot.get_level_display()`, from the labels read once (Django builds them again on
    every call)."""
    return LEVEL_LABELS.get(level, level)


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


class ScoreChangeSerializer(serializers.Serializer):
    since = serializers.DateField(source="since.day", help_text="The day of the snapshot before.")
    ageing = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        coerce_to_string=False,
        help_text="What ageing alone did: the same events a day older, the windows moved on.",
    )
    new_events = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        coerce_to_string=False,
        help_text="What the events dated since then did (ageing + new_events = the change).",
    )
    events = serializers.IntegerField(help_text="Customer events dated since then.")
    sentence = serializers.CharField(help_text="The same in words, as the account page says it.")


class AccountEngagementSerializer(serializers.Serializer):
    account = serializers.SlugField(source="account.slug")
    snapshot = SnapshotSerializer(
        source="latest", allow_null=True, help_text="The latest snapshot; null until computed."
    )
    components = ComponentSerializer(many=True)
    change = ScoreChangeSerializer(
        allow_null=True, help_text="Why the score moved since the snapshot before; null if none."
    )
    next_level = NextLevelSerializer(allow_null=True)
    trend = serializers.CharField(
        source="trend.summary", help_text=f"The last {TREND_DAYS} days in words."
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
        result = account_engagement(account=account, days=TREND_DAYS)
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
        history = snapshot_history(account=account, days=days)
        # EngagementHistorySerializer's answer, made without it (its fields, and its snapshot
        # serializer's, would be built again for every call).
        return Response(
            {"account": str(account.slug), "days": int(days), "results": snapshot_items(history)}
        )


class RecomputeSerializer(serializers.Serializer):
    account = serializers.SlugField(
        allow_null=True,
        help_text="The account's slug; null recomputes every account (programme admins only).",
    )


class RecomputeEnqueuedSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["all", "account"])
    account = serializers.SlugField(allow_null=True)
    task = serializers.CharField(help_text="The engine's task enqueued after commit.")


class RecomputeView(APIView):
    """Recompute engagement now (for today), in the background."""

    @extend_schema(
        request=RecomputeSerializer,
        responses={202: RecomputeEnqueuedSerializer, 403: ErrorResponse403Serializer},
    )
    def post(self, request):
        data = RecomputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data["account"]
        if slug is None:
            if not can_tune_engagement(request.user):
                raise PermissionDenied("Only programme admins recompute every account.")
            enqueue(engagement_recompute_all_task)
            result = {"scope": "all", "account": None, "task": engagement_recompute_all_task.name}
        else:
            account = access_account_for_recompute(request.user, slug)
            enqueue(engagement_recompute_accounts_task, [account.pk])
            result = {
                "scope": "account",
                "account": account.slug,
                "task": engagement_recompute_accounts_task.name,
            }
        return Response(RecomputeEnqueuedSerializer(result).data, status=status.HTTP_202_ACCEPTED)


class OfflineEventWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=offline_kind_choices())
    occurred_on = serializers.DateField(help_text="Not in the future, at most a year ago.")
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=OFFLINE_NOTE_MAX_LENGTH,
        help_text="Who took part, what came of it (internal: customers never see it).",
    )


class OfflineEventSerializer(serializers.ModelSerializer):
    account = serializers.SlugField(source="account.slug")
    event = serializers.IntegerField(
        source="event_id", help_text="The customer activity event that engagement counts."
    )
    occurred_at = serializers.DateTimeField(
        source="event.occurred_at", help_text="The event's moment: noon of the day, or earlier."
    )
    is_support = serializers.BooleanField(
        source="event.is_support", help_text="Always false: the customer did it."
    )
    recorded_by = serializers.EmailField(
        source="recorded_by.email",
        allow_null=True,
        help_text="The account team member who recorded it (null once their user is deleted).",
    )

    class Meta:
        model = OfflineEvent
        fields = [
            "id",
            "account",
            "kind",
            "occurred_on",
            "occurred_at",
            "note",
            "recorded_by",
            "event",
            "is_support",
            "created_at",
        ]
        read_only_fields = fields


class OfflineEventListCreateView(ListAPIView):
    """What customers of the account did outside the product (workshops, reference calls,
    executive meetings, referrals), latest first: internal users who see the account read them,
    its account team and programme admins record them. Customers: 403 on their own account
    (the notes are internal), 404 on another."""

    serializer_class = OfflineEventSerializer
    queryset = OfflineEvent.objects.none()  # for the schema; get_queryset scopes it
    filter_backends: list = []

    @extend_schema(
        responses={200: OfflineEventSerializer(many=True), 403: ErrorResponse403Serializer}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        account = access_account_offline_event_list(self.request.user, self.kwargs["slug"])
        return offline_events_of(account=account)

    def list(self, request, *args, **kwargs):
        if not asks_only_a_page(request):
            return super().list(request, *args, **kwargs)
        account = access_account_offline_event_list(request.user, self.kwargs["slug"])
        page = self.paginate_queryset(offline_event_rows(account_id=account.pk))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=OfflineEventWriteSerializer,
        responses={201: OfflineEventSerializer, 403: ErrorResponse403Serializer},
    )
    def post(self, request, slug: str):
        """Record something the customer did outside the product, so its engagement counts it."""
        account = access_account_for_offline_events(request.user, slug)
        data = OfflineEventWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = offline_event_record(
            account=account, recorded_by=request.user, **data.validated_data
        )
        return Response(OfflineEventSerializer(record).data, status=status.HTTP_201_CREATED)
