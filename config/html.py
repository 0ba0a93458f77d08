"""Django's `format_html` and `format_html_join` for pages that write hundreds of rows: the same
HTML, without the lazy-string checks Django's `escape` makes on every call (a year of daily
snapshots is 365 rows of six cells: 3.4 → 0.8 ms of CPU for the table; issue 16, item 3).

Every value is escaped as `conditional_escape` escapes it: a safe string (anything with
`__html__`) as it is, anything else as `html.escape(str(value))`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from django.utils.safestring import SafeString, mark_safe


def _escaped(value: object) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def html_format(format_string: str, *args: object) -> SafeString:
    """`format_html(format_string, *args)`: the same HTML."""
    return mark_safe(format_string.format(*map(_escaped, args)))  # noqa: S308 (escaped above)


def html_rows(row_format: str, rows: Iterable[Sequence[object]]) -> SafeString:
    """`format_html_join("", row_format, rows)`: the same HTML."""
    return mark_safe(  # noqa: S308 (every value escaped above)
        "".join(row_format.format(*map(_escaped, row)) for row in rows)
    )
