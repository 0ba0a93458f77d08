"""The query string a paginated list keeps in its links (templates/_pagination.html shows them),
and a list's page whose first page is read by a kept query."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict


def list_query(request: HttpRequest) -> QueryDict:
    """The list's filters, to carry into its page links: the request's query without the page
    number and without the CSV export switch (a copy the caller may change further)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query


def page_first_read(request: HttpRequest, rows, per_page: int, first: Callable[[], list]) -> Page:
    """Paginator's page of `rows` asked for by `?page=`. The first page is read by `first()`
    (SQL kept): shorter than a page, it is every row and no COUNT is asked; else it is page
    1's rows, counted as Paginator counts."""
    number = request.GET.get("page")
    if number not in (None, "1"):
        return Paginator(rows, per_page).get_page(number)
    first_rows = first()
    if len(first_rows) < per_page:
        return Paginator(first_rows, per_page).get_page(number)
    page = Paginator(rows, per_page).get_page(number)
    page.object_list = first_rows
    return page
