"""The account engagement page's history table (templates/community/account_engagement.html).

A year of daily snapshots is 365 rows of six cells: written by a template, each row cost a dozen
variable lookups and filter calls (about 15 ms of CPU per page). Here each row is one
`format_html` with its display values prepared once: the day as `accounts.formats` writes it,
the score as the template wrote the Decimal, the level's badge (`levels.level_badge`) and the
components as `floatformat:2` writes them (`accounts.formats.format_decimal`). The HTML is the
same.

{% load engagement_tags %}
{% engagement_history_rows engagement.history %}   newest first; a row saying so when empty
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.formats import format_date, format_decimal
from community.templatetags.levels import level_badge

register = template.Library()

# Each row with the line breaks the template's loop wrote around it.
_ROW = (
    "\n        <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n      "
)
EMPTY_ROW = '<tr><td colspan="6">No snapshot in the last year.</td></tr>'


@register.simple_tag
def engagement_history_rows(history) -> SafeString:
    """The table's rows for `history` (snapshots oldest first), newest first."""
    if not history:
        return mark_safe(EMPTY_ROW)  # noqa: S308 (a constant)
    return format_html_join(
        "",
        _ROW,
        (
            (
                format_date(s.day),
                f"{s.score:f}",
                level_badge(s.level),
                format_decimal(s.activity, 2),
                format_decimal(s.breadth, 2),
                format_decimal(s.co_creation, 2),
            )
            for s in reversed(history)
        ),
    )
