"""REST API of alerts: GET /api/v1/alerts/ (filters: state, reason, account — an account the
caller cannot see is a 404, as everywhere a list is filtered by account),
POST /api/v1/alerts/<id>/acknowledge/ and POST /api/v1/alerts/<id>/resolve/ {note}.

Alerts are internal (community.access.alerts.visible_alerts / access_alert): customers get 403 on
every route; an account manager asking for another account's alert gets 404; product
managers read every alert but do not act on them (403)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import access_account
from accounts.api.fields import COMPANY, PersonNameField
from accounts.models import User
from accounts.people import person_name
from community.access.alerts import access_alert, visible_alerts
from community.models import Alert, AlertReason
from community.selectors import alerts as alert_selectors
from community.selectors.alert_rows import AlertValues, open_alert_value_rows
from community.services import alerts
from config import api_serializers as serializers
from config.api import KeptPageList
from config.api_rows import moment_shown
from config.sql_once import KeptRows


class AlertPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = PersonNameField(account_id=COMPANY)


class AlertSerializer(serializers.ModelSerializer):
    account = serializers.SlugField(source="account.slug", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    state = serializers.CharField(read_only=True, help_text="new, acknowledged or resolved.")
    summary = serializers.SerializerMethodField(
        help_text="What happened, in words (silent alerts: since the true last customer event)."
    )
    details = serializers.DictField(
        read_only=True, help_text="The figures behind it when raised (levels, points, dates)."
    )
    still_true = serializers.SerializerMethodField(
        help_text="Whether an open alert still holds by the latest snapshot and events (as the "
        "inbox shows it); null for a resolved alert."
    )
    still_true_note = serializers.SerializerMethodField(
        help_text="Why, in words: 'Observing since 14 Sep 2026', 'Back at Participating since "
        "3 Dec 2026', 'Active again: 4 events since 25 Nov 2026'; empty when resolved."
    )
    acknowledged_by = AlertPersonSerializer(read_only=True, allow_null=True)
    resolved_by = AlertPersonSerializer(read_only=True, allow_null=True)
    resolution = serializers.CharField(
        read_only=True,
        help_text="How a resolved alert was resolved: person, or no_longer_true (by the "
        "engine, its reason in resolution_note); empty while open.",
    )

    def _status(self, alert: Alert) -> alert_selectors.AlertStatus:
        if not hasattr(alert, "_cg_status"):
            alert._cg_status = alert_selectors.alert_status(alert)
        return alert._cg_status

    def get_summary(self, alert: Alert) -> str:
        return self._status(alert).summary

    def get_still_true(self, alert: Alert) -> bool | None:
        return self._status(alert).holds

    def get_still_true_note(self, alert: Alert) -> str:
        return self._status(alert).words

    class Meta:
        model = Alert
        fields = [
            "id",
            "account",
            "account_name",
            "reason",
            "reason_label",
            "state",
            "summary",
            "details",
            "still_true",
            "still_true_note",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution",
            "resolution_note",
        ]
        read_only_fields = fields


# What Alert.get_reason_display reads: the reason's label, or the reason itself.
_REASON_LABELS = dict(Alert._meta.get_field("reason").flatchoices)


def alert_items(alerts: list[Alert | AlertValues], *, viewer: User) -> list[dict]:
    """AlertSerializer's items of a kept page's alerts (with their figures: alert_list; read as
    values, community.selectors.alert_rows), the same, key for key and value for value, made
    without the serializer."""
    moment = moment_shown()
    items = []
    for alert in alerts:
        status = alert_selectors.alert_status(alert)
        items.append(
            {
                "id": alert.pk,
                "account": str(alert.account.slug),
                "account_name": str(alert.account.name),
                "reason": alert.reason,
                "reason_label": str(_REASON_LABELS.get(alert.reason, alert.reason)),
                "state": alert.state,
                "summary": status.summary,
                "details": {str(key): value for key, value in alert.details.items()},
                "still_true": status.holds,
                "still_true_note": status.words,
                "raised_at": moment(alert.raised_at),
                "acknowledged_at": moment(alert.acknowledged_at),
                "acknowledged_by": _person_item(alert.acknowledged_by, viewer),
                "resolved_at": moment(alert.resolved_at),
                "resolved_by": _person_item(alert.resolved_by, viewer),
                "resolution": alert.resolution,
                "resolution_note": alert.resolution_note,
            }
        )
    return items


def _person_item(person: User | None, viewer: User) -> dict | None:
    """AlertPersonSerializer's item: one of the company's people (COMPANY), or None."""
    if person is None:
        return None
    name = person_name(viewer=viewer, person=person, person_account_id=None)
    return {"id": person.pk, "email": person.email, "name": name}


class AlertResolveSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=alerts.NOTE_MAX_LENGTH, help_text="What was done about it (required)."
    )


class AlertFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in alert_selectors.ALERT_STATES.items()],
        method="filter_state",
        help_text="open (default: new or acknowledged), new, acknowledged, resolved, all.",
    )
    reason = django_filters.ChoiceFilter(choices=AlertReason.choices)
    account = django_filters.CharFilter(
        method="filter_account",
        help_text="The account's slug. An account the caller cannot see is a 404, as fetching "
        "it would be.",
    )

    class Meta:
        model = Alert
        fields = ["state", "reason", "account"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("state"):
            queryset = alert_selectors.alert_list(alerts=queryset, state="open")
        return super().filter_queryset(queryset)

    def filter_state(self, queryset, name, value):
        return alert_selectors.alert_list(alerts=queryset, state=value)

    def filter_account(self, queryset, name, value):
        return queryset.filter(account=access_account(self.request.user, value))


class AlertViewSet(
    KeptPageList, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Alerts of the accounts the caller sees (internal users only), newest first; open ones
    unless `state` says otherwise."""

    queryset = Alert.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["raised_at"]

    def get_queryset(self):
        # The filter set picks the state and adds the figures (alert_list), once.
        return visible_alerts(self.request.user)

    def kept_rows(self) -> KeptRows | None:
        # The unfiltered list (the open alerts) of an internal user, as plain values.
        return open_alert_value_rows(user=self.request.user)

    def kept_data(self, page: list) -> list:
        # AlertSerializer's items, made without it.
        return alert_items([AlertValues(row) for row in page], viewer=self.request.user)

    def get_object(self) -> Alert:
        pk = self.kwargs["pk"]
        return access_alert(
            self.request.user,
            int(pk) if str(pk).isdigit() else 0,
            for_write=self.request.method == "POST",
        )

    @extend_schema(request=None, responses={200: AlertSerializer, 403: ErrorResponse403Serializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """ "Seen, on it." Idempotent; a resolved alert cannot be acknowledged (400)."""
        alert = alerts.alert_acknowledge(alert=self.get_object(), user=request.user)
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)

    @extend_schema(
        request=AlertResolveSerializer,
        responses={200: AlertSerializer, 403: ErrorResponse403Serializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Close the alert with a note (required) saying what was done."""
        alert = self.get_object()
        data = AlertResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alerts.alert_resolve(
            alert=alert, user=request.user, note=data.validated_data["note"]
        )
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)
