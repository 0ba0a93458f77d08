"""How the OpenAPI schema documents the API's errors (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

Kept apart from config.api: DRF imports config.api's pagination while it is still loading its
generic views, and drf-spectacular's AutoSchema imports those views."""

from __future__ import annotations

from drf_standardized_errors.openapi import AutoSchema as StandardAutoSchema
from rest_framework.permissions import AllowAny


class AutoSchema(StandardAutoSchema):
    """drf-standardized-errors' error responses, plus 403 on every operation that needs a login.

    The package documents 403 only for permission classes other than IsAuthenticated, but here
    permissions live in the access helpers (accounts/community/ideas `access.py`): a visible
    object the caller may not change, or a route that is not for the caller's role (alerts,
    engagement, results for customers), is a 403 whatever the view's permission classes say.
    Writes also answer 403 when a session-authenticated call has no CSRF token."""

    def _should_add_http403_error_response(self) -> bool:
        return any(type(permission) is not AllowAny for permission in self.view.get_permissions())
