"""CSV downloads for every list: streamed, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

from config.db_router import analytics_reads, analytics_reads_active

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_safe(cell) for cell in row]) for row in _with_header(header, rows))
    if analytics_reads_active():  # the rows are read while streaming, after the view returned
        lines = _with_analytics_reads(lines)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_analytics_reads(lines: Iterator[str]) -> Iterator[str]:
    """Each line made inside `analytics_reads()`, as the view that started the export was."""
    while True:
        with analytics_reads():
            line = next(lines, None)
        if line is None:
            return
        yield line


def _with_header(header, rows):
    yield header
    yield from rows
