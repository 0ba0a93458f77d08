"""The idea pipeline board's cards (templates/ideas/board.html).

At full size the board shows 400 cards (50 per column); written by the template, each card cost
a dozen variable lookups, a `reverse` and a filter call (about a third of the page's CPU). Here
each card is one row of `config.html.html_rows` (`format_html`, faster) from values prepared
once per card: the same HTML.

{% load board_tags %}
{% board_cards column.ideas %}   the column's <li> items, top to bottom
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.formats import format_money
from config.html import html_rows

register = template.Library()

_CARD = (
    '\n      <li data-idea="{}"><a href="{}">{}</a><br>\n'
    '        <small class="muted">{} · {} {} · {} account{}{}</small></li>\n    '
)
_MARK = 987654321  # an id no idea has: the route is reversed once, then filled in per card


@register.simple_tag
def board_cards(ideas) -> SafeString:
    """The cards of `ideas` (annotated by `ideas.selectors.ideas.with_support`, with
    support_value and support_currency)."""
    url = reverse("ideas:idea-detail", kwargs={"pk": _MARK}).replace(str(_MARK), "{}")
    return html_rows(
        _CARD,
        (
            (
                idea.pk,
                url.format(int(idea.pk)),
                idea.title,
                idea.garden.name,
                idea.supporters,
                "person" if idea.supporters == 1 else "people",
                idea.supporting_accounts,
                "" if idea.supporting_accounts == 1 else "s",
                _value(idea),
            )
            for idea in ideas
        ),
    )


def _value(idea) -> str:
    """The supporting accounts' contract value, or why there is no one sum of it."""
    if idea.support_currency:
        return f" · {format_money(idea.support_value, idea.support_currency, whole=True)} ACV"
    if idea.supporting_accounts:
        return " · ACV in several currencies"
    return ""
