"""Shared pieces of the REST API: pagination and the one error format."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages of 25 (`page_size` up to 200). A `page_size` that is no positive whole number is a
    400 field error, not silently the default; a page past the end (`page`) is DRF's 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty: the default, as an empty `page` is the first page
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["A page size is a whole number of at least 1."]}
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["allowEmptyValue"] = True  # the first page, the default size
        return parameters


class ExceptionHandler(StandardExceptionHandler):
    """drf-standardized-errors' format, plus: services' ValidationErrors become field errors,
    and the messages of 404/403 raised by the access helpers are kept."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            if hasattr(exc, "error_dict"):
                return exceptions.ValidationError(exc.message_dict)
            return exceptions.ValidationError({"non_field_errors": exc.messages})
        if isinstance(exc, Http404):
            return exceptions.NotFound(str(exc) or None)
        if isinstance(exc, PermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        return super().convert_known_exceptions(exc)
