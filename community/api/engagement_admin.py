"""REST API for tuning and running the engagement engine.

POST /api/v1/engagement/recompute/ {account: slug | null} — recompute now: programme admins any
account or every account (null), the account team one of its own accounts; 202 with what was
enqueued (the engine's tasks, after commit). GET /api/v1/engagement/models/ — the versions of
the engagement model, newest first (internal users; customers 403).
GET /api/v1/accounts/<slug>/offline-events/ — the account's offline events with their notes
(internal users who see the account); POST {kind, occurred_on, note} — the account team (and
programme admins) record a workshop attended, a reference call, an executive meeting or a
referral; 201 with the record and its activity event."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import customer_membership
from accounts.outbox import enqueue
from community.access import (
    access_account_for_offline_events,
    access_account_for_recompute,
    access_account_offline_event_list,
    can_tune_engagement,
)
from community.engagement.offline_events import (
    OFFLINE_NOTE_MAX_LENGTH,
    offline_event_record,
    offline_events_of,
    offline_kind_choices,
)
from community.engagement.preview import engagement_model_versions
from community.models import EngagementModel, OfflineEvent
from community.tasks import engagement_recompute_accounts_task, engagement_recompute_all_task


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


class EngagementModelSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)
    weights = serializers.DictField(child=serializers.FloatField())

    class Meta:
        model = EngagementModel
        fields = [
            "version",
            "is_active",
            "weights",
            "half_life_days",
            "window_days",
            "activity_scale",
            "breadth_window_days",
            "breadth_min_members",
            "breadth_share",
            "co_creation_window_days",
            "weight_activity",
            "weight_breadth",
            "weight_co_creation",
            "threshold_observing",
            "threshold_participating",
            "threshold_contributing",
            "threshold_co_creating",
            "low_water_ratio",
            "hold_days",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class EngagementModelListView(ListAPIView):
    """The versions of the engagement model, newest first (internal users)."""

    serializer_class = EngagementModelSerializer
    queryset = EngagementModel.objects.none()  # for the schema; get_queryset scopes it
    filter_backends: list = []

    @extend_schema(
        responses={200: EngagementModelSerializer(many=True), 403: ErrorResponse403Serializer}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if customer_membership(self.request.user) is not None:
            raise PermissionDenied("The engagement model is for internal users.")
        return engagement_model_versions()


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
