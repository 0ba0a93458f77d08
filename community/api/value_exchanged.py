"""REST API of the value exchanged: GET /api/v1/accounts/<slug>/value-exchanged/?months=12 —
what the account gave and what it got back, per month, with each line's definition
(community.selectors.value_exchanged.value_ledger; docs/product.md "The value exchanged").

The same readers as the page and the account's engagement
(community.access.value_exchanged.access_account_value_exchanged): its account team, product
managers, programme admins and its own customer admins; its other members 403; everyone
else 404. Counts only: no person is named."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.value_exchanged import access_account_value_exchanged
from community.selectors.value_exchanged import (
    GAVE,
    GOT,
    VALUE_MONTHS,
    VALUE_MONTHS_MAX,
    value_ledger,
)
from config import api_serializers as serializers
from config.db_router import analytics_reads


class ValueExchangedQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(
        min_value=1,
        max_value=VALUE_MONTHS_MAX,
        default=VALUE_MONTHS,
        help_text=f"Whole months, the current one last (1–{VALUE_MONTHS_MAX}).",
    )


class ValueKindSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key of the line in `counts` and in the CSV.")
    side = serializers.ChoiceField(choices=[GAVE, GOT])
    label = serializers.CharField()
    definition = serializers.CharField(help_text="What is counted, and in which month.")


class ValueMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Each kind's count in the month, by key."
    )
    gave = serializers.IntegerField(help_text="The month's counts of the kinds given, added up.")
    got = serializers.IntegerField(help_text="The month's counts of the kinds got back.")


class ValueExchangedSerializer(serializers.Serializer):
    account = serializers.SlugField(source="account.slug")
    period_from = serializers.DateField(help_text="The first day of the first month.")
    period_to = serializers.DateField(help_text="The last day of the last (current) month.")
    kinds = ValueKindSerializer(many=True)
    months = ValueMonthSerializer(many=True, help_text="Every month of the period, oldest first.")
    totals = serializers.DictField(
        child=serializers.IntegerField(), help_text="Each kind's count over the period."
    )
    gave = serializers.IntegerField(help_text="Everything given over the period.")
    got = serializers.IntegerField(help_text="Everything got back over the period.")


class AccountValueExchangedView(APIView):
    """What an account gave and what it got back, month by month."""

    @extend_schema(
        parameters=[ValueExchangedQuerySerializer],
        # 403: a member of the account who is not its admin.
        responses={200: ValueExchangedSerializer, 403: ErrorResponse403Serializer},
    )
    @analytics_reads()  # after authentication, which reads from the primary
    def get(self, request, slug: str):
        account = access_account_value_exchanged(request.user, slug)
        query = ValueExchangedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ledger = value_ledger(account=account, months=query.validated_data["months"])
        return Response(ValueExchangedSerializer(ledger).data)
