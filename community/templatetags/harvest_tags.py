"""{% garden_harvests garden %}: a garden's latest harvests on its home (one query)."""

from __future__ import annotations

from django import template

from accounts.access import is_internal
from community.access.harvests import can_write_harvests
from community.selectors import harvests as selectors_harvests

register = template.Library()


@register.inclusion_tag("community/harvest_garden_section.html", takes_context=True)
def garden_harvests(context, garden) -> dict:
    user = context["request"].user
    return {
        "garden": garden,
        "harvests": selectors_harvests.garden_harvests(user=user, garden=garden),
        "can_write": can_write_harvests(user, garden),
        "is_internal": is_internal(user),
    }
