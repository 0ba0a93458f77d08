"""The audit trail in the API (/api/v1/audit-entries/): the programme admins' page as JSON, with
the same filters and the same rows, named for the caller (accounts/audit_trail.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import generics

from accounts import access, selectors
from accounts.audit import audited_kinds
from accounts.audit_trail import ACTIONS, AuditRow, audit_rows, audit_rows_of_values
from config import api_serializers as serializers
from config.api import asks_only_a_page
from config.api_rows import moment_shown
from config.single_line import validate_single_line

# The actions by the words the API takes and gives.
ACTION_WORDS = {label.lower(): value for value, label in ACTIONS.items()}


class AuditQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[], required=False, help_text="What the change was about, such as Membership."
    )
    account = serializers.SlugField(required=False, help_text="The account's slug.")
    who = serializers.CharField(
        required=False,
        max_length=100,
        validators=[validate_single_line],
        help_text="Part of the actor's name or address, or of “System”, “SCIM token …”.",
    )
    action = serializers.ChoiceField(choices=list(ACTION_WORDS), required=False)
    since = serializers.DateField(required=False, help_text="From this day on (site's time).")
    until = serializers.DateField(required=False, help_text="Up to this day, included.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(audited_kinds())

    def validate(self, data):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise serializers.ValidationError(
                {"until": "The last day comes on or after the first."}
            )
        return data


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField(help_text="Empty for none; a secret is “(hidden)”.")
    after = serializers.CharField(
        help_text="Empty for none; for people or roles added or removed, what was."
    )


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    timestamp = serializers.DateTimeField(source="when")
    who = serializers.CharField(help_text="Named by the naming rule, or in words (“System”).")
    address = serializers.CharField(help_text="The IP address it came from; empty if none.")
    kind = serializers.CharField()
    what = serializers.CharField()
    account = serializers.CharField(help_text="The account's name; empty for none.")
    action = serializers.CharField(help_text="Created, Changed or Deleted.")
    changes = AuditChangeSerializer(many=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[AuditQuerySerializer],
        responses={
            200: AuditEntrySerializer,
            400: ValidationErrorResponseSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        },
    )
)
class AuditEntryListView(generics.ListAPIView):
    """The audit trail, newest first: who changed what, when, from where, before and after
    (programme admins only)."""

    serializer_class = AuditEntrySerializer
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        access.require_audit_trail_reader(request.user)
        if asks_only_a_page(request):  # no filter: the whole trail, its SQL kept
            page = self.paginate_queryset(selectors.audit_trail_values())
            rows = audit_rows_of_values(page, viewer=request.user)
            return self.get_paginated_response(audit_entry_items(rows))
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        account = None
        if filters.get("account"):
            account = access.access_account(request.user, filters["account"])
        entries = selectors.audit_entries(
            kind=audited_kinds().get(filters.get("kind", "")),
            account_id=account.pk if account else None,
            who=filters.get("who", "").strip(),
            action=ACTION_WORDS.get(filters.get("action", "")),
            since=filters.get("since"),
            until=filters.get("until"),
        )
        return self._page(entries)

    def _page(self, entries):
        page = self.paginate_queryset(entries)
        rows = audit_rows(page, viewer=self.request.user)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def audit_entry_items(rows: list[AuditRow]) -> list[dict]:
    """AuditEntrySerializer's items of audit rows, the same, key for key and value for value,
    made without the serializer (its fields: texts as `str`, the moment in the request's
    time zone)."""
    moment = moment_shown()
    return [
        {
            "id": row.pk,
            "timestamp": moment(row.when),
            "who": _text(row.who),
            "address": _text(row.address),
            "kind": _text(row.kind),
            "what": _text(row.what),
            "account": _text(row.account),
            "action": _text(row.action),
            "changes": [
                {
                    "field": _text(change.field),
                    "before": _text(change.before),
                    "after": _text(change.after),
                }
                for change in row.changes
            ],
        }
        for row in rows
    ]


def _text(value) -> str | None:
    """A serializer's CharField's value (None stays None)."""
    return None if value is None else str(value)
