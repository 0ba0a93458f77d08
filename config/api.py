"""Shared pieces of the REST API: pagination and the one error format."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


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
