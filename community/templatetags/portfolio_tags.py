"""The portfolio's table rows (templates/community/portfolio_rows.html).

Written by the template, each of the 25 rows cost three `reverse` calls and two dozen variable
lookups and filter calls (about 40% of the page's CPU). Here each row is one row of
`config.html.html_rows` from values prepared once per row, the routes reversed once per page:
the same HTML (tests/community/test_portfolio_rows_tag.py renders both).

{% load portfolio_tags %}
{% portfolio_table_rows rows %}   the rows' <tr> elements; a row saying so when empty
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date, floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from accounts.formats import format_date, format_relative
from community.templatetags.levels import level_badge
from config.html import html_format, html_rows

register = template.Library()

_ROW = (
    '\n    <tr>\n      <th scope="row"><a href="{}">{}</a></th>\n      <td>{}</td>\n'
    '      <td>{}</td>\n      <td class="trend">{}<small class="trend-summary">{}</small></td>\n'
    "      <td>{}</td>\n"
    '      <td class="nowrap">{}</td>\n      <td>{}</td>\n'
    '      <td class="nowrap" data-value="{}/{}"><a href="{}">{} / {}'
    '<span class="visually-hidden">: gave {}, got {} back</span></a></td>\n'
    "      <td>{}</td>\n    </tr>\n  "
)
_SPARK = (
    '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true" '
    'focusable="false"><polyline points="{}" fill="none" stroke="currentColor" '
    'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/></svg><br>'
)
_EMPTY = '\n    <tr><td colspan="9">No account matches these filters.</td></tr>\n  '
_MARK = "slug-mark-for-portfolio-rows"  # a slug no account has: reversed once, filled per row


def _route(name: str) -> str:
    return reverse(name, kwargs={"slug": _MARK}).replace(_MARK, "{}")


@register.simple_tag
def portfolio_table_rows(rows) -> SafeString:
    """The table's rows for `rows` (community.selectors.portfolio.PortfolioRow)."""
    if not rows:
        return mark_safe(_EMPTY)  # noqa: S308 (a constant)
    engagement, value = (
        _route("community:account-engagement"),
        _route("community:account-value-exchanged"),
    )
    alerts = reverse("community:alert-inbox")
    return html_rows(_ROW, (_cells(row, engagement, value, alerts) for row in rows))


def _cells(row, engagement: str, value: str, alerts: str) -> tuple:
    account, spark = row.account, row.sparkline
    gave, got = localize(row.gave), localize(row.got)
    return (
        engagement.format(account.slug),
        account.name,
        level_badge(account.engagement_level),
        floatformat(account.engagement_score, 1) or "—",
        html_format(
            _SPARK,
            *(localize(n) for n in (spark.width, spark.height, spark.width, spark.height)),
            spark.points,
        )
        if spark.drawable
        else "",
        spark.summary,
        _last_activity(account.last_activity_at),
        format_date(account.renewal_date),
        html_format('<a href="{}?account={}">{}</a>', alerts, account.slug, localize(n))
        if (n := account.open_alerts)
        else mark_safe('<span class="muted">0</span>'),  # noqa: S308 (a constant)
        gave,
        got,
        value.format(account.slug),
        gave,
        got,
        gave,
        got,
        account.get_segment_display(),
    )


def _last_activity(moment) -> SafeString:
    if not moment:
        return mark_safe('<span class="muted">None yet</span>')  # noqa: S308 (a constant)
    return html_format(
        '<time datetime="{}">{}</time> <small class="muted">({})</small>',
        date(template_localtime(moment), "c"),
        format_date(moment),
        format_relative(moment),
    )
