"""Template tags that name a person to the viewer through accounts/people.py (the naming rule)."""

from django import template

from accounts import people
from accounts.people import FROM_MEMBERSHIP
from accounts.people import person_name as _person_name

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, person, account_id="membership", garden=None, in_sentence=False) -> str:
    """{% person_name idea.author idea.author_account_id garden=idea.garden %}, or
    {% person_name c.author %} to read the account from the person's (select_related)
    membership. `garden`: where the person is named (its setting may show first names).
    `in_sentence=True` inside a sentence ("by a member of another account")."""
    name = _person_name(
        viewer=context["request"].user,
        person=person,
        person_account_id=FROM_MEMBERSHIP if account_id == "membership" else account_id,
        garden=garden,
    )
    return people.in_sentence(name) if in_sentence else name


@register.filter(name="in_sentence")
def in_sentence_filter(name) -> str:
    """{{ thread.author_label|in_sentence }}: a description starts lower case mid-sentence."""
    return people.in_sentence(str(name))
