"""Whose profile a person may open: their own account's people and internal staff."""

from __future__ import annotations

from django.http import Http404

from accounts.access import (
    customer_membership,
    visible_accounts,
)
from accounts.models import User


def access_profile(user: User, person_id: int | str) -> User:
    """A person whose profile (contributions, badges) the user sees: a customer sees the active
    people of their own account; internal users see internal people and the people of the
    accounts they see (account teams: their accounts). Everyone else: 404, as if no one."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such person.")
    person = User.objects.select_related("membership__account").filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    try:
        person_account_id = person.membership.account_id
    except User.membership.RelatedObjectDoesNotExist:
        person_account_id = None  # an internal person
    viewer = customer_membership(user)
    if viewer is not None:
        visible = person.is_active and person_account_id == viewer.account_id
    elif person_account_id is None:
        visible = True
    else:
        visible = visible_accounts(user).filter(pk=person_account_id).exists()
    if not visible:
        raise Http404("No such person.")
    return person
