"""REST API of outgoing webhooks, for programme admins (everyone else 403, anonymous 401):

GET /api/v1/webhooks/ — the endpoints (never their secrets);
POST /api/v1/webhooks/ {url, description} — 201 with the new endpoint and its secret, shown
this once;
GET /api/v1/webhooks/deliveries/ (filters: status, endpoint) — the delivery log, paginated."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from community import selectors_webhooks, webhooks
from community.access import require_webhook_admin
from community.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "active", "created_by", "created_at"]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="Signs every post (HMAC-SHA256). Returned once, at creation."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="https:// only.")
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id")
    alert = serializers.IntegerField(source="alert_id")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "alert",
            "event",
            "status",
            "attempts",
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
        endpoints = selectors_webhooks.webhook_endpoints()
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
