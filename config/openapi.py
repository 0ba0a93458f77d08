"""How the OpenAPI schema documents the API's errors (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

Kept apart from config.api: DRF imports config.api's pagination while it is still loading its
generic views, and drf-spectacular's AutoSchema imports those views."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardAutoSchema
from drf_standardized_errors.openapi_serializers import ValidationErrorEnum
from rest_framework.permissions import AllowAny

from config import api_serializers as serializers


class _FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(
        allow_null=True,
        help_text="The field (nested ones joined by '.', list items by index), "
        "`non_field_errors`, or null.",
    )

    class Meta:
        ref_name = "FieldError"


class _ValidationErrorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    errors = _FieldErrorSerializer(many=True)

    class Meta:
        ref_name = "FieldValidationError"


class _ClientErrorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    errors = _FieldErrorSerializer(many=True)

    class Meta:
        ref_name = "IdempotencyKeyReusedError"


# The one description of the `Idempotency-Key` header (accounts/submissions.py), on every POST.
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string (a UUID, say) of 1 to 255 printable ASCII characters without spaces "
        "(otherwise a 400 field error). A repeat of this request with the "
        "same key by the same caller does not write again: it gets the first successful answer "
        "again, with the header `Idempotent-Replayed: true`. The same key with another method, "
        "path or body is a 422 `idempotency_key_reused`. A refused request keeps no key."
    ),
)


class AutoSchema(StandardAutoSchema):
    """drf-standardized-errors' error responses, plus 403 on every operation that needs a login.

    The package documents 403 only for permission classes other than IsAuthenticated, but here
    permissions live in the access helpers (accounts/community/ideas `access.py`): a visible
    object the caller may not change, or a route that is not for the caller's role (alerts,
    engagement, results for customers), is a 403 whatever the view's permission classes say.
    Writes also answer 403 when a session-authenticated call has no CSRF token."""

    def _should_add_http403_error_response(self) -> bool:
        return any(type(permission) is not AllowAny for permission in self.view.get_permissions())

    def _should_add_validation_error_response(self) -> bool:
        """Every operation can answer a 400 field error: a NUL character in the query string
        (config.errors), and besides writes (the services' own rules, bodies that are not
        objects), lists (`page_size`) and reads taking query parameters."""
        return True

    def _get_serializer_for_validation_error_response(self):
        """One shape for every 400 field error: services add `non_field_errors` and nested
        attributes (`links.0`) that no per-field list of the serializer's names foresees."""
        return _ValidationErrorSerializer

    def _takes_idempotency_key(self) -> bool:
        return self.method == "POST" and self.path.startswith("/api/")

    def get_override_parameters(self) -> list:
        """Every POST of the API takes an `Idempotency-Key` header."""
        parameters = list(super().get_override_parameters())
        return [*parameters, IDEMPOTENCY_KEY] if self._takes_idempotency_key() else parameters

    def _get_response_bodies(self, direction="response") -> dict:
        """…and answers 422 when its key was used before with another request."""
        responses = super()._get_response_bodies(direction=direction)
        if direction == "response" and self._takes_idempotency_key():
            responses["422"] = self._get_response_for_code(_ClientErrorSerializer, "422")
        return responses

    def _get_filter_parameters(self) -> list[dict]:
        """Filters, search and ordering ignore an empty value (`?renewal_before=` filters
        nothing), as django-filter and DRF do: documented with `allowEmptyValue`."""
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_parameters(self) -> list[dict]:
        """An optional query parameter sent empty counts as left out (`?period_from=`), in the
        filters and in the views reading their own query parameters alike."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters
