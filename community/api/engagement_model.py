"""REST API of the engagement model: GET /api/v1/engagement/models/ lists its versions, newest
first (internal users; customers 403)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView

from accounts.access import customer_membership
from community.models import EngagementModel
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import (
    engagement_model_version_rows,
    engagement_model_versions,
)
from config import api_serializers as serializers
from config.api import asks_only_a_page


class EngagementModelSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", allow_null=True)
    weights = serializers.DictField(child=serializers.FloatField())

    class Meta:
        model = EngagementModel
        fields = ["version", "is_active", *MODEL_FIELDS, "note", "created_by", "created_at"]
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
        self._refuse_customers()
        return engagement_model_versions()

    def list(self, request, *args, **kwargs):
        if not asks_only_a_page(request):
            return super().list(request, *args, **kwargs)
        self._refuse_customers()
        page = self.paginate_queryset(engagement_model_version_rows())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _refuse_customers(self) -> None:
        if customer_membership(self.request.user) is not None:
            raise PermissionDenied("The engagement model is for internal users.")
