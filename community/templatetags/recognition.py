"""The "garden partner" mark, for any page that shows an account.

{% load recognition %}
{% garden_partner_mark account %}            one account (no query when the account row
                                             carries `is_garden_partner` or the portfolio's
                                             `engagement_level`; else one query)
{% garden_partner_ids accounts as partners %} a list: one query for all of them, then
{% if a.pk in partners %}{% garden_partner_mark a partner=True %}{% endif %}
"""

from __future__ import annotations

from django import template

from community.selectors.recognition import account_is_garden_partner, garden_partner_ids

register = template.Library()


@register.inclusion_tag("community/profile_partner_mark.html")
def garden_partner_mark(account, partner=None) -> dict:
    if account is None:
        return {"partner": False}
    if partner is None:
        partner = account_is_garden_partner(account=account)
    return {"partner": bool(partner), "account": account}


@register.simple_tag(name="garden_partner_ids")
def garden_partner_ids_tag(accounts) -> set[int]:
    """The ids of the garden partners among `accounts` (accounts or ids)."""
    return garden_partner_ids(account_ids=(getattr(a, "pk", a) for a in accounts or ()))
