"""REST API of pilot perception next to later outcomes:
GET /api/v1/insights/pilot-perception/?period_from=&period_to=&segment=&window=

Per account and pilot (pilots that ended in the period): the expectation–experience gap, NPS
and the loyalty outcomes after the pilot, and the grouped summary — the same figures as the
insights page's fragment (ideas.selectors.perception_outcomes). Internal users only
(customers: 403), over the accounts they see
(community.access.outcomes.visible_outcome_accounts)."""

from __future__ import annotations

from django.db import router
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import sees_all_accounts
from accounts.models import Segment
from community.access.outcomes import visible_outcome_accounts
from community.selectors.insights import PERIOD_ORDER_ERROR, period_fill
from config import api_serializers as serializers
from config.db_router import analytics_reads
from config.figures_version import figures_version, remembered_figures
from ideas.api.results import serialized
from ideas.models import Enrolment
from ideas.selectors import perception_outcomes as selectors


class PilotPerceptionQuerySerializer(serializers.Serializer):
    period_from = serializers.DateField(
        required=False,
        help_text="Pilots that ended (last day) from this day (default: a year before the end).",
    )
    period_to = serializers.DateField(
        required=False, help_text="… up to this day (default: today)."
    )
    segment = serializers.ChoiceField(
        choices=Segment.choices, required=False, help_text="Only accounts of this segment."
    )
    window = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        default=selectors.DEFAULT_WINDOW_DAYS,
        help_text="Outcomes up to this many days after the pilot's last day.",
    )

    def validate(self, data):
        data["period_from"], data["period_to"] = period_fill(
            data.get("period_from"), data.get("period_to")
        )
        if data["period_from"] > data["period_to"]:
            raise serializers.ValidationError({"period_to": PERIOD_ORDER_ERROR})
        return data


class LaterOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(source="kind")
    label = serializers.CharField()
    occurred_on = serializers.DateField()


class AccountPilotPerceptionSerializer(serializers.Serializer):
    pilot = serializers.IntegerField(source="pilot_id")
    pilot_title = serializers.CharField()
    pilot_ended = serializers.DateField(help_text="The pilot's last day.")
    account = serializers.SlugField(source="account_slug")
    account_name = serializers.CharField()
    segment = serializers.CharField()
    members = serializers.IntegerField(help_text="Members of the account enrolled in the pilot.")
    gap_mean = serializers.FloatField(
        allow_null=True,
        help_text="Mean experienced − expected (1–7) over the members' paired dimensions.",
    )
    gap_shown = serializers.FloatField(
        allow_null=True,
        help_text="gap_mean as the page and the CSV show it: two decimals, halves away from zero.",
    )
    gap_pairs = serializers.IntegerField(source="gap_n")
    nps = serializers.IntegerField(
        allow_null=True, help_text="% promoters − % detractors of the members who answered."
    )
    nps_answers = serializers.IntegerField(source="nps_n")
    next_decision = serializers.ChoiceField(
        choices=[
            selectors.KEPT_OR_GREW,
            selectors.SHRANK_OR_LEFT,
            selectors.NO_DECISION,
        ],
        help_text="By the first renewal decision after the pilot.",
    )
    referred_or_advocated = serializers.BooleanField(source="advocated")
    outcomes = LaterOutcomeSerializer(many=True, help_text="After the pilot, oldest first.")


class PerceptionGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    accounts = serializers.IntegerField(source="rows", help_text="Account-pilots in the group.")
    gap_mean = serializers.FloatField(
        allow_null=True, help_text="Mean of the account-pilots' gaps (each weighs the same)."
    )
    gap_shown = serializers.FloatField(
        allow_null=True,
        help_text="gap_mean as the page shows it: two decimals, halves away from zero.",
    )
    gap_accounts = serializers.IntegerField(source="gap_rows")
    nps = serializers.IntegerField(allow_null=True, help_text="Over the members' answers pooled.")
    nps_answers = serializers.IntegerField(source="nps_n")
    few = serializers.BooleanField(help_text="Few accounts: read with care.")


class PilotPerceptionSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    segment = serializers.CharField()
    window_days = serializers.IntegerField()
    small_group = serializers.IntegerField()
    groups = PerceptionGroupSerializer(many=True)
    results = AccountPilotPerceptionSerializer(many=True, source="rows")


class PilotPerceptionView(APIView):
    """Pilot perception (gap, NPS) per account and pilot, next to the outcomes after it."""

    @extend_schema(
        parameters=[PilotPerceptionQuerySerializer],
        responses={200: PilotPerceptionSerializer, 403: ErrorResponse403Serializer},
    )
    @analytics_reads()  # after authentication, which reads from the primary
    def get(self, request):
        # Read before any row of the answer, from where those rows are read (config.figures_version)
        version = figures_version(router.db_for_read(Enrolment))
        user = request.user
        accounts = visible_outcome_accounts(user)
        query = PilotPerceptionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        # visible_outcome_accounts' rule for an active internal user (customers got 403)
        internal_user = (user.pk, sees_all_accounts(user)) if user.is_active else None

        def answer():
            result = selectors.pilot_perception_outcomes(
                accounts=accounts,
                period_from=data["period_from"],
                period_to=data["period_to"],
                segment=data.get("segment", ""),
                window_days=data["window"],
                internal_user=internal_user,
            )
            return serialized(PilotPerceptionSerializer, result)

        if internal_user is None:  # no rule names the accounts: computed, not remembered
            return Response(answer())
        # The accounts: every one, or those of the user's account teams.
        reader = "all" if internal_user[1] else f"user-{user.pk}"
        parts = (reader, data["period_from"], data["period_to"], data.get("segment", ""))
        parts += (data["window"],)
        return Response(remembered_figures("pilot-perception", parts, answer, version=version))
