"""The query string a paginated list keeps in its links (templates/_pagination.html shows them)."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def list_query(request: HttpRequest) -> QueryDict:
    """The list's filters, to carry into its page links: the request's query without the page
    number and without the CSV export switch (a copy the caller may change further)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query
