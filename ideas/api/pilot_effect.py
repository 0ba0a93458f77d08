"""REST API of a pilot's effect against matched accounts: GET /api/v1/pilots/<id>/effect/.

The same figures as the page and its CSV (ideas.selectors.pilot_effect), with the same values:
scores to one decimal, renewals and expansions in whole percentage points, each rounded once.
For results readers who see loyalty outcomes, over the accounts they see
(access.access_pilot_effect): another account's customer 404, other customers and internal
users without the results permission 403."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from config import api_serializers as serializers
from config.db_router import analytics_reads
from ideas import access
from ideas.selectors import pilot_effect as selectors


class WindowsSerializer(serializers.Serializer):
    before_from = serializers.DateField(help_text="First day of the 90 days before the pilot.")
    before_to = serializers.DateField(help_text="The day before the pilot's first day.")
    after_from = serializers.DateField(help_text="The day after the pilot's last day.")
    after_to = serializers.DateField(help_text="Last day of the 90 days after the pilot.")
    after_days_so_far = serializers.IntegerField(help_text="Days of the after window by today.")
    outcomes_before_from = serializers.DateField(
        help_text="First day of the 12 months (365 days) before the pilot."
    )
    outcomes_after_to = serializers.DateField(
        help_text="Last day of the 12 months (365 days) after the pilot."
    )
    outcomes_complete = serializers.BooleanField(help_text="The 12 months after have passed.")


class EffectAccountSerializer(serializers.Serializer):
    account = serializers.SlugField(source="account.slug")
    account_name = serializers.CharField(source="account.name")
    segment = serializers.CharField(source="account.segment")
    score = serializers.FloatField(
        allow_null=True, help_text="On the day before the pilot (latest snapshot of the 90 days)."
    )
    trend = serializers.FloatField(
        allow_null=True, help_text="score − the first score of the 90 days before the pilot."
    )
    annual_contract_value = serializers.DecimalField(
        source="account.annual_contract_value", max_digits=14, decimal_places=2
    )
    currency = serializers.CharField(source="account.currency")
    before_mean = serializers.FloatField(
        allow_null=True, help_text="Mean daily score of the 90 days before (unrounded)."
    )
    before_days = serializers.IntegerField(help_text="Days with a snapshot in that window.")
    after_mean = serializers.FloatField(
        allow_null=True, help_text="Mean daily score of the 90 days after (unrounded)."
    )
    after_days = serializers.IntegerField()
    renewed_before = serializers.BooleanField(
        help_text="Renewed or expanded in the 12 months before the pilot."
    )
    renewed_after = serializers.BooleanField(
        help_text="Renewed or expanded in the 12 months after the pilot."
    )
    expanded_before = serializers.BooleanField()
    expanded_after = serializers.BooleanField()


class EffectPairSerializer(serializers.Serializer):
    participant = EffectAccountSerializer()
    matched = EffectAccountSerializer(allow_null=True)
    note = serializers.CharField(help_text="Why the participant has no match, if so.")
    scores_count = serializers.BooleanField(
        help_text="Both accounts have scores before and after: the pair counts for the score."
    )


class BalanceRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"score", "trend" or "contract_value".')
    label = serializers.CharField()
    participants = serializers.FloatField(allow_null=True, help_text="Mean over the matched pairs.")
    matched = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True, help_text="participants − matched.")


class EffectFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"score", "renewal" or "expansion".')
    label = serializers.CharField()
    unit = serializers.CharField(help_text='"points" (score) or "percentage points".')
    participants_n = serializers.IntegerField(help_text="Participating accounts counted.")
    matched_n = serializers.IntegerField(help_text="Matched accounts counted.")
    too_few = serializers.BooleanField(help_text="Too few to say: no estimate is given.")
    why = serializers.CharField(help_text="Why too few, if so.")
    estimate = serializers.FloatField(
        allow_null=True,
        help_text="Difference-in-differences: participants' change − matched accounts' change.",
    )
    low = serializers.FloatField(allow_null=True, help_text="95% interval, low end.")
    high = serializers.FloatField(allow_null=True, help_text="95% interval, high end.")
    participants_before = serializers.FloatField(allow_null=True)
    participants_after = serializers.FloatField(allow_null=True)
    matched_before = serializers.FloatField(allow_null=True)
    matched_after = serializers.FloatField(allow_null=True)
    reading = serializers.CharField(help_text="The figure in plain words.")


class PilotEffectSerializer(serializers.Serializer):
    pilot = serializers.IntegerField(source="pilot.pk")
    closed = serializers.BooleanField(help_text="Estimated for closed pilots only.")
    today = serializers.DateField()
    windows = WindowsSerializer()
    min_accounts = serializers.IntegerField(
        help_text="Matched pairs below which a figure is too few to say."
    )
    min_outcome_accounts = serializers.IntegerField(
        help_text="Account-years with the outcome below which it is too few to say."
    )
    reading = serializers.CharField(help_text="The score and the renewals in one sentence.")
    figures = EffectFigureSerializer(many=True)
    balance = BalanceRowSerializer(
        many=True,
        help_text="The matching variables' means over the matched pairs: score and trend to 1 "
        "decimal, contract value to whole units (each account's own currency).",
    )
    pairs = EffectPairSerializer(many=True)


class PilotEffectView(APIView):
    """A closed pilot's participating accounts next to matched accounts that did not take part,
    the balance of the matching variables, and the difference-in-differences of the engagement
    score and of renewals and expansions, with 95% intervals and sample sizes."""

    @extend_schema(responses={200: PilotEffectSerializer, 403: ErrorResponse403Serializer})
    @analytics_reads()  # after authentication, which reads from the primary
    def get(self, request, pk: int):
        pilot, accounts = access.access_pilot_effect(request.user, pk)
        effect = selectors.pilot_effect(pilot=pilot, accounts=accounts)
        return Response(PilotEffectSerializer(effect).data)
