"""How a person is named to someone else: the one rule for every page and endpoint.

An account's members are its private data (docs/product.md). A customer sees the names of their
own colleagues and of the company's people (the garden team); members of other accounts stay
anonymous to them. Internal users see everyone's name.
"""

from __future__ import annotations

from accounts.access import customer_membership
from accounts.models import User

ANOTHER_ACCOUNT = "A member of another account"
FORMER_MEMBER = "A former member"


def person_name(*, viewer: User, person: User | None, person_account_id: int | None) -> str:
    """`person_account_id` is the person's account (None for internal people)."""
    if person is None:
        return FORMER_MEMBER
    name = person.full_name or "Someone"
    if person_account_id is None:
        return name
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None or viewer_membership.account_id == person_account_id:
        return name
    return ANOTHER_ACCOUNT


def membership_account_id(person: User | None) -> int | None:
    """The person's account id from an already loaded membership (None for internal people)."""
    if person is None:
        return None
    try:
        return person.membership.account_id
    except User.membership.RelatedObjectDoesNotExist:
        return None
