"""Template filters for the formats of accounts/formats.py (dates, money, sentence ends):

{% load formats %}
{{ account.renewal_date|day }}                 22 Nov 2026
{{ alert.raised_at|moment }}                   22 Nov 2026, 14:05
{{ account.customer_since|month }}             Nov 2026
{% day_range pilot.runs_from pilot.runs_until %}   15 Dec 2026 – 13 Jun 2027
{{ account.annual_contract_value|contract_value:account.currency }}   €50,589
{{ outcome.amount|money:outcome.account.currency }}                    €12,541.50
… at {{ account.name|end_sentence }}            … at Redwood Energy B.V.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from accounts import formats

register = template.Library()


@register.filter
def day(value) -> str:
    return formats.format_date(value)


@register.filter
def moment(value) -> str:
    return formats.format_datetime(value)


@register.filter
def month(value) -> str:
    return formats.format_month(value)


@register.simple_tag
def day_range(start, end) -> str:
    return formats.format_date_range(start, end)


@register.filter
def money(amount, currency=None) -> str:
    return formats.format_money(amount, currency)


@register.filter
def contract_value(amount, currency=None) -> str:
    """A contract value: whole units."""
    return formats.format_money(amount, currency, whole=True)


@register.filter
def relative(value) -> str:
    """ "3 weeks ago", "in 2 months": beside a date, never instead of it."""
    return formats.format_relative(value)


@register.filter(needs_autoescape=True)
def end_sentence(text, autoescape=True) -> str:
    if autoescape and not isinstance(text, SafeData):
        text = conditional_escape(text)
    ended = formats.end_sentence(text)
    return mark_safe(ended) if autoescape or isinstance(text, SafeData) else ended  # noqa: S308


@register.filter
def full_stop(text) -> str:
    """The full stop a sentence that ends with `text` still needs: "." or, after "B.V.", none.
    For a name set apart in markup: <strong>{{ name }}</strong>{{ name|full_stop }}."""
    stripped = "" if text is None else str(text).rstrip()
    return "" if formats.end_sentence(stripped) == stripped else "."
