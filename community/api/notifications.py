"""REST API of a person's own notifications and notification preferences.

GET /api/v1/notifications/ (filters: kind, unread), GET /api/v1/notifications/<id>/,
POST /api/v1/notifications/read/ {ids?} (all unread when left out),
POST /api/v1/notifications/read-all/,
GET|PUT /api/v1/notification-preferences/ (every kind; PUT a list of {kind, delivery}),
GET|PUT /api/v1/notification-preferences/<kind>/ {delivery}.

Everything is the caller's own: someone else's notification is 404, and preferences are
addressed by kind, never by person."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.notifications import access_notification
from community.models import Notification
from community.models.notifications import KINDS, Delivery
from community.selectors.notifications import (
    notification_preferences_for,
    notification_rows,
    notifications_for,
    notifications_unread_count,
)
from community.services.notifications import notification_preferences_set, notifications_mark_read
from config import api_serializers as serializers
from config.api import asks_only_a_page


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        source="shown_title", read_only=True, help_text="Who acted is named for the caller."
    )
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark as read; all unread ones when left out.",
    )


class NotificationsReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class _StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is a 400, not silently "no filter"."""

    widget = forms.TextInput  # NullBooleanSelect would turn an unknown value into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class _StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class NotificationFilter(django_filters.FilterSet):
    unread = _StrictBooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications, newest first."""

    queryset = Notification.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return notifications_for(user=self.request.user)

    def list(self, request, *args, **kwargs):
        if not asks_only_a_page(request):
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(notification_rows(user_id=request.user.pk))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Notification:
        pk = self.kwargs["pk"]
        return access_notification(self.request.user, int(pk) if str(pk).isdigit() else 0)

    @extend_schema(
        request=NotificationsReadSerializer, responses={200: NotificationsReadResultSerializer}
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        data = NotificationsReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        unread = notifications_unread_count(user=request.user)
        return Response({"marked": marked, "unread": unread})

    @extend_schema(request=None, responses={200: NotificationsReadResultSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = notifications_mark_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


# --- Preferences ---------------------------------------------------------------------------------


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(
        choices=Delivery.choices,
        help_text="immediately, daily (digest), weekly (digest) or off (no email; the in-app "
        "notification still comes).",
    )
    default = serializers.CharField(read_only=True, help_text="The delivery when none is chosen.")
    deliveries = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The deliveries this kind offers."
    )


class NotificationPreferenceWriteSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    delivery = serializers.ChoiceField(choices=Delivery.choices)


class NotificationPreferencesWriteSerializer(serializers.Serializer):
    preferences = NotificationPreferenceWriteSerializer(many=True, max_length=len(KINDS) + 10)


class NotificationPreferenceDeliverySerializer(serializers.Serializer):
    delivery = serializers.ChoiceField(choices=Delivery.choices)


def _set(user, preferences: dict[str, str]) -> None:
    try:
        notification_preferences_set(user=user, preferences=preferences)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from error


def _rows(user) -> list:
    return notification_preferences_for(user=user)


class NotificationPreferenceListView(APIView):
    """How each kind of notification reaches the caller by email."""

    @extend_schema(
        operation_id="notification_preferences_list",
        responses={200: NotificationPreferenceSerializer(many=True)},
    )
    def get(self, request):
        return Response(NotificationPreferenceSerializer(_rows(request.user), many=True).data)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=NotificationPreferencesWriteSerializer,
        responses={200: NotificationPreferenceSerializer(many=True)},
    )
    def put(self, request):
        data = NotificationPreferencesWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = {row["kind"]: row["delivery"] for row in data.validated_data["preferences"]}
        offered = {row.kind for row in _rows(request.user)}
        for kind in chosen:
            if kind not in offered:  # unknown, or not for this person (internal kinds)
                raise ValidationError({"kind": [f"There is no kind of notification “{kind}”."]})
        _set(request.user, chosen)
        return Response(NotificationPreferenceSerializer(_rows(request.user), many=True).data)


class NotificationPreferenceDetailView(APIView):
    """One kind: how it reaches the caller. An unknown kind: 404."""

    def _row(self, request, kind: str):
        for row in _rows(request.user):
            if row.kind == kind:
                return row
        raise Http404

    @extend_schema(
        operation_id="notification_preference_retrieve",
        responses={200: NotificationPreferenceSerializer},
    )
    def get(self, request, kind: str):
        return Response(NotificationPreferenceSerializer(self._row(request, kind)).data)

    @extend_schema(
        operation_id="notification_preference_update",
        request=NotificationPreferenceDeliverySerializer,
        responses={200: NotificationPreferenceSerializer},
    )
    def put(self, request, kind: str):
        self._row(request, kind)
        data = NotificationPreferenceDeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _set(request.user, {kind: data.validated_data["delivery"]})
        return Response(NotificationPreferenceSerializer(self._row(request, kind)).data)
