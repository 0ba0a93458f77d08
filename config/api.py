"""Shared pieces of the REST API: pagination and the one error format."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.http import Http404
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from config.sql_once import KeptRows

_LARGEST_OFFSET = 2**63 - 1  # PostgreSQL's OFFSET is a bigint
_PAGED = (QuerySet, KeptRows)  # lists read a page at a time (a kept read's rows: config.sql_once)


class CountSparingPaginator(DjangoPaginator):
    """Django's paginator, reading a page of a queryset (or of a kept read's rows) before
    counting the rows: a page that is not full tells how many there are (those of the pages
    before it and its own), so a list that fits on one page costs no COUNT query. A full page,
    or an empty one past the first, is counted as Django counts it; the pages and their errors
    are Django's."""

    def page(self, number):
        if self.orphans or "count" in self.__dict__ or not isinstance(self.object_list, _PAGED):
            return super().page(number)
        whole = self._whole_number(number)
        bottom = (whole - 1) * self.per_page
        if bottom + self.per_page > _LARGEST_OFFSET:  # no database pages that far: counted,
            return super().page(number)  # so that Django says the page is past the end
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if 0 < len(rows) < self.per_page or (whole == 1 and not rows):
            self.count = bottom + len(rows)  # Django's cached `count`, known without a query
        return self._get_page(rows, self.validate_number(whole), self)

    def _whole_number(self, number) -> int:
        """`number` as a page number, refused as `validate_number` refuses it below page 1."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            whole = int(number)
        except (TypeError, ValueError) as not_whole:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from not_whole
        if whole < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return whole


class Pagination(PageNumberPagination):
    """Pages of 25 (`page_size` up to 200). A `page_size` that is no positive whole number is a
    400 field error, not silently the default; a page past the end (`page`) is DRF's 404. A
    list that fits on its page is not counted apart (CountSparingPaginator)."""

    django_paginator_class = CountSparingPaginator
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


# The query parameters of a list call that ask only for a page of it.
_PAGE_PARAMETERS = frozenset({"page", "page_size"})


def asks_only_a_page(request) -> bool:
    """Whether a list call asks for nothing but a page: no filter, search or ordering. Such a
    call may be answered from a kept read (config.sql_once) of the view's unfiltered list in its
    default order; any other goes through the view's filter backends."""
    return _PAGE_PARAMETERS.issuperset(request.query_params)


class KeptPageList:
    """`list()` of a view whose unfiltered list has a kept read (config.sql_once): a call that
    asks for nothing but a page (`asks_only_a_page`) reads the page from `kept_rows()`, the
    view's queryset in its default order for the caller. Any other call, or one for whom
    `kept_rows()` gives None (the default), goes through the view's queryset and filters."""

    def kept_rows(self) -> KeptRows | None:
        return None

    def list(self, request, *args, **kwargs):
        rows = self.kept_rows() if asks_only_a_page(request) else None
        if rows is None:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(self.kept_data(self.paginate_queryset(rows)))

    def kept_data(self, page: list) -> list:
        """The page's items as the view's serializer gives them. A view whose kept rows are
        prepared rows, not model instances, gives them its own way, the same items."""
        return self.get_serializer(page, many=True).data
