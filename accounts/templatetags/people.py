"""Template tags that name a person to the viewer through accounts/people.py (the naming rule)."""

from django import template

from accounts.people import membership_account_id
from accounts.people import person_name as _person_name

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, person, account_id="membership") -> str:
    """{% person_name idea.author idea.author_account_id %}, or {% person_name c.author %} to
    read the account from the person's (select_related) membership."""
    if account_id == "membership":
        account_id = membership_account_id(person)
    return _person_name(viewer=context["request"].user, person=person, person_account_id=account_id)
