"""An engagement level as every page shows it: a badge in the level's own colour, always with
the level's name (never colour alone). The colours are design tokens of static/css/garden.css
(`--garden-level-<level>`); docs/design-system.md lists them.

{% load levels %}
{% level_badge level %}                 a level's value ("co_creating") or its label
                                        ("Co-creating"); anything else (None, "", a "not
                                        computed" marker) shows "Not computed yet"
{% level_badge level empty="Level not known yet" %}   the words for an account without a level
{% level_badge level label="…" %}       other words on the level's colour
{% account_level_badge account %}       an account's latest level (one query unless the row
                                        carries `engagement_level`)
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString

from community.models.engagement import EngagementLevel
from community.selectors.account_levels import account_levels
from config.html import html_format

register = template.Library()

NOT_COMPUTED_WORDS = "Not computed yet"
_BY_LABEL = {str(label): value for value, label in EngagementLevel.choices}


def level_value(level) -> str | None:
    """The level's value for a value or a label; None for anything else."""
    if level in EngagementLevel.values:
        return str(level)
    return _BY_LABEL.get(str(level)) if level else None


@register.simple_tag
def level_badge(level, label: str = "", empty: str = NOT_COMPUTED_WORDS) -> SafeString:
    if isinstance(level, str | None) and isinstance(label, str) and isinstance(empty, str):
        return _badge_of_strings(level, label, empty)  # a year of history: the same few badges
    return _badge(level, label, empty)


def _badge(level, label, empty) -> SafeString:
    value = level_value(level)
    if value is None:
        return html_format(
            '<span class="badge level level-none" data-level="none">{}</span>',
            empty or NOT_COMPUTED_WORDS,
        )
    return html_format(
        '<span class="badge level level-{}" data-level="{}" data-rank="{}">{}</span>',
        value,
        value,
        EngagementLevel.rank(value) + 1,
        label or EngagementLevel(value).label,
    )


# The badge depends on its three strings alone: each is drawn once per process.
_badge_of_strings = lru_cache(maxsize=256)(_badge)


@register.simple_tag
def account_level_badge(account) -> SafeString:
    """An account's latest level as a badge: no query when the row carries `engagement_level`
    (the portfolio's rows), else one, after which the account carries it (so that a garden
    partner mark after it on the page needs no query of its own)."""
    if not hasattr(account, "engagement_level"):
        account.engagement_level = account_levels(account_ids=[account.pk]).get(account.pk)
    return level_badge(account.engagement_level)
