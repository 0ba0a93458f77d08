"""REST API of loyalty outcomes and CSV imports.

GET/POST /api/v1/outcomes/ — internal users only (customers: 403): the account team for its
accounts, product managers read every account's, programme admins read and record all.
POST /api/v1/imports/ (multipart: kind, file) — programme admins; 201 with the report when the
file was imported, 400 with the same report (status "rejected", one problem per row and column:
the first 1,000, with the count of all and a summary) when it was not, 413 when the upload is
over settings.IMPORT_MAX_BYTES (refused unread).
The rules of the files are in community/services/outcome_imports.py."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.outcomes import (
    access_account_for_outcomes,
    can_import,
    visible_outcome_accounts,
)
from community.api.rows import fields_shown
from community.models import ImportBatch, ImportKind, LoyaltyOutcome, OutcomeKind
from community.selectors import outcomes as selectors_outcomes
from community.services.outcome_imports import csv_import, import_max_bytes, too_large_problem
from community.services.outcomes import outcome_record
from config import api_serializers as serializers
from config.api import asks_only_a_page
from config.api_rows import moment_shown
from config.single_line import validate_single_line

# What a multipart envelope adds to the file (boundaries, the kind field, headers).
_ENVELOPE_BYTES = 64 * 1024


class OutcomeSerializer(serializers.ModelSerializer):
    account = serializers.SlugField(source="account.slug")
    account_name = serializers.CharField(source="account.name")
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    recorded_by = serializers.EmailField(source="recorded_by.email", allow_null=True)

    class Meta:
        model = LoyaltyOutcome
        fields = [
            "id",
            "account",
            "account_name",
            "kind",
            "occurred_on",
            "amount",
            "note",
            "source",
            "external_id",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


def outcome_items(rows: list[tuple]) -> list[dict]:
    """OutcomeSerializer's items of the outcomes API's list rows read as plain values
    (community.selectors.outcomes.OUTCOME_VALUES), the same, key for key and value for value,
    made without the serializer (the values each field turns into what it shows, as it does)."""
    kind, day, amount, source = fields_shown(OutcomeSerializer, "kind occurred_on amount source")
    moment = moment_shown()
    return [
        {
            "id": pk,
            "account": slug,
            "account_name": name,
            "kind": kind(kind_value),
            "occurred_on": day(occurred_on),
            "amount": None if amount_value is None else amount(amount_value),
            "note": note,
            "source": source(source_value),
            "external_id": external_id,
            "recorded_by": email,
            "created_at": moment(created_at),
        }
        for (
            pk,
            slug,
            name,
            kind_value,
            occurred_on,
            amount_value,
            note,
            source_value,
            external_id,
            email,
            created_at,
        ) in rows
    ]


class OutcomeWriteSerializer(serializers.Serializer):
    account = serializers.SlugField(help_text="The account's slug.")
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    occurred_on = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Required for expanded and contracted; must be empty otherwise.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        validators=[validate_single_line],
    )


class OutcomeQuerySerializer(serializers.Serializer):
    account = serializers.SlugField(required=False, help_text="The account's slug.")
    kind = serializers.ChoiceField(choices=OutcomeKind.choices, required=False)
    occurred_from = serializers.DateField(required=False)
    occurred_to = serializers.DateField(required=False)


class OutcomeListView(GenericAPIView):
    """Loyalty outcomes of the caller's accounts, newest first; and recording one."""

    serializer_class = OutcomeSerializer
    queryset = LoyaltyOutcome.objects.none()  # for the schema; get() scopes it
    filter_backends: list = []

    @extend_schema(
        parameters=[OutcomeQuerySerializer],
        responses={200: OutcomeSerializer(many=True), 403: ErrorResponse403Serializer},
    )
    def get(self, request):
        # A page of the unfiltered list of an internal user: a kept read of plain values.
        rows = (
            selectors_outcomes.outcome_values(user=request.user)
            if asks_only_a_page(request)
            else None
        )
        if rows is not None:
            return self.get_paginated_response(outcome_items(self.paginate_queryset(rows)))
        accounts = visible_outcome_accounts(request.user)
        query = OutcomeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        account = None
        if filters.get("account"):
            account = access_account_for_outcomes(request.user, filters["account"])
        outcomes = selectors_outcomes.outcome_list(
            accounts=accounts,
            account=account,
            kind=filters.get("kind", ""),
            occurred_from=filters.get("occurred_from"),
            occurred_to=filters.get("occurred_to"),
        )
        page = self.paginate_queryset(outcomes)
        return self.get_paginated_response(OutcomeSerializer(page, many=True).data)

    @extend_schema(
        request=OutcomeWriteSerializer,
        responses={201: OutcomeSerializer, 403: ErrorResponse403Serializer},
    )
    def post(self, request):
        data = OutcomeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        account = access_account_for_outcomes(request.user, fields.pop("account"), for_write=True)
        outcome = outcome_record(account=account, recorded_by=request.user, **fields)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file; 1 is the header, 0 the file.")
    column = serializers.CharField(help_text="The column, or empty for the whole row.")
    problem = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer):
    errors = ImportProblemSerializer(
        many=True, help_text="The first 1,000 problems (error_count counts them all)."
    )
    error_count = serializers.IntegerField(help_text="Every problem the file has.")
    summary = serializers.SerializerMethodField()
    error_report_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "rows",
            "created",
            "updated",
            "unchanged",
            "errors",
            "error_count",
            "summary",
            "error_report_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_summary(self, batch: ImportBatch) -> str:
        """A rejected file's: "1,000 of 48,213 problems shown; fix these and upload the file
        again"; empty when it was imported."""
        return "" if batch.imported else batch.problems_summary

    def get_error_report_url(self, batch: ImportBatch) -> str | None:
        if not batch.errors:
            return None
        return reverse("community:import-errors", args=[batch.pk])


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(help_text="A CSV file in UTF-8.")


class ImportTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The file is over the size limit."


class ImportView(APIView):
    """Import a CSV file of outcomes or accounts, all or nothing (programme admins)."""

    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication: a session's CSRF check would parse the whole body first.
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if request.method == "POST" and size > import_max_bytes() + _ENVELOPE_BYTES:
            raise ImportTooLarge(too_large_problem(size))
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportBatchSerializer,
            400: ImportBatchSerializer,
            403: ErrorResponse403Serializer,
            413: OpenApiResponse(description="The upload is over the size limit; not read."),
        },
    )
    def post(self, request):
        if not can_import(request.user):
            raise PermissionDenied("Only programme admins import files.")
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        batch = csv_import(
            kind=upload.validated_data["kind"],
            file=file,
            file_name=file.name,
            uploaded_by=request.user,
        )
        return Response(
            ImportBatchSerializer(batch).data,
            status=status.HTTP_201_CREATED if batch.imported else status.HTTP_400_BAD_REQUEST,
        )
