"""REST API of outgoing webhooks, for programme admins (everyone else 403, anonymous 401):

GET /api/v1/webhooks/ — the endpoints (never their secrets; until when a rotation period
lasts);
POST /api/v1/webhooks/ {url, description} — 201 with the new endpoint and its secret, shown
this once;
POST /api/v1/webhooks/<id>/deactivate/ and .../reactivate/ — stop or resume posting to it;
GET /api/v1/webhooks/deliveries/ (filters: status, endpoint) — the delivery log, paginated;
POST /api/v1/webhooks/deliveries/<id>/retry/ — "retry now" for a failed delivery of an active
endpoint (202; 400 for any other delivery)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from community.access.webhooks import (
    access_webhook_delivery,
    access_webhook_endpoint,
    require_webhook_admin,
)
from community.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from community.selectors import webhooks as selectors_webhooks
from community.services import webhooks
from config import api_serializers as serializers
from config.single_line import validate_single_line


class WebhookEndpointSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "active",
            "rotation_ends_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "rotation_ends_at": {
                "help_text": "Until then posts are signed with the previous secret too and "
                "carry the old-style X-Garden-* headers (null: the standard headers only)."
            }
        }


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="Signs every post (Standard Webhooks: whsec_ and the base64 key). Returned "
        "once, at creation."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=500,
        help_text="https:// only; its host must resolve to public addresses only (400 with the "
        "reason otherwise).",
        validators=[validate_single_line],
    )
    description = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_single_line],
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id")
    alert = serializers.IntegerField(
        source="alert_id", allow_null=True, help_text="The alert of an alert event, else null."
    )
    message_id = serializers.CharField(
        read_only=True, help_text="The webhook-id header, the same at every attempt."
    )
    last_error = serializers.CharField(
        read_only=True,
        help_text='Why the last attempt failed, in a few words of ours ("HTTP 500", "timed '
        'out", "refused: the address is private", "redirects are not followed"); never '
        "the target's answer. Empty after a success.",
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "alert",
            "event",
            "subject",
            "summary",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


class WebhookDeliveryQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WebhookDeliveryStatus.choices, required=False)
    endpoint = serializers.IntegerField(required=False, min_value=1)


class WebhookEndpointListView(GenericAPIView):
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()  # for the schema; get() uses the selector
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_webhook_admin(request.user)

    @extend_schema(responses=WebhookEndpointSerializer(many=True))
    def get(self, request):
        endpoints = selectors_webhooks.webhook_endpoint_list()
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
    )
    def post(self, request):
        data = WebhookEndpointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_create(**data.validated_data, created_by=request.user)
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookDeliveryListView(GenericAPIView):
    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()  # for the schema; get() uses the selector

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_webhook_admin(request.user)

    @extend_schema(parameters=[WebhookDeliveryQuerySerializer])
    def get(self, request):
        query = WebhookDeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = selectors_webhooks.webhook_deliveries(
            status=query.validated_data.get("status"),
            endpoint_id=query.validated_data.get("endpoint"),
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class _WebhookActionView(GenericAPIView):
    """A POST action on one endpoint or delivery, for programme admins (others 403; an id that
    does not exist 404)."""

    queryset = WebhookEndpoint.objects.none()  # for the schema; post() fetches through access
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_webhook_admin(request.user)


_ENDPOINT_ACTION_RESPONSES = {
    200: WebhookEndpointSerializer,
    403: ErrorResponse403Serializer,
    404: ErrorResponse404Serializer,
}


class WebhookEndpointDeactivateView(_WebhookActionView):
    serializer_class = WebhookEndpointSerializer

    @extend_schema(request=None, responses=_ENDPOINT_ACTION_RESPONSES)
    def post(self, request, pk: int):
        """No new events are posted to it (idempotent); its pending deliveries fail."""
        endpoint = webhooks.webhook_endpoint_deactivate(
            endpoint=access_webhook_endpoint(request.user, pk)
        )
        return Response(WebhookEndpointSerializer(endpoint).data)


class WebhookEndpointReactivateView(_WebhookActionView):
    serializer_class = WebhookEndpointSerializer

    @extend_schema(request=None, responses=_ENDPOINT_ACTION_RESPONSES)
    def post(self, request, pk: int):
        """New events are posted to it again, with the same secret (idempotent)."""
        endpoint = webhooks.webhook_endpoint_reactivate(
            endpoint=access_webhook_endpoint(request.user, pk)
        )
        return Response(WebhookEndpointSerializer(endpoint).data)


class WebhookDeliveryRetryView(_WebhookActionView):
    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()

    @extend_schema(
        request=None,
        responses={
            202: WebhookDeliverySerializer,
            400: ValidationErrorResponseSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        },
    )
    def post(self, request, pk: int):
        """Send a failed delivery again, with a fresh round of attempts (202: queued). Only a
        failed delivery of an active endpoint (400 otherwise)."""
        delivery = webhooks.webhook_delivery_retry(
            delivery=access_webhook_delivery(request.user, pk)
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
