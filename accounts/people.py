"""How a person is named to someone else: the one rule for every page, fragment, API field,
export, notification, email, digest and data download.

An account's members are its private data (docs/product.md). A customer sees the names of their
own colleagues and of the company's people (the garden team); members of other accounts stay
"A member of another account" to them, unless the place they are named is a garden whose
`shows_other_members` is on: there they are named by first name and account ("Ana (Acme)"),
never by surname or address. Internal users see everyone's name. No one is ever named by their
email address.

`person_name` is the decision. Callers pass the garden the person is named in when there is
one (a discussion, an idea, a harvest, a notification about one of those); without a garden the
strict rule holds.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Protocol

from accounts.access import customer_membership
from accounts.models import Account, Membership, User

ANOTHER_ACCOUNT = "A member of another account"
FORMER_MEMBER = "A former member"
SOMEONE = "Someone"


# The names that are descriptions, not names: written lower case inside a sentence ("by a
# member of another account"), as they are at its start.
_DESCRIPTIONS = (ANOTHER_ACCOUNT, FORMER_MEMBER, SOMEONE)


def in_sentence(name: str) -> str:
    """`name` as written inside a sentence: a description ("A member of another account")
    starts lower case; a person's name stays as it is."""
    return name[:1].lower() + name[1:] if name in _DESCRIPTIONS else name


def names_listed(names: list[str]) -> str:
    """Names joined for a sentence: "Ana, Bo and 2 members of other accounts" (descriptions
    counted, not repeated)."""
    people = [name for name in names if name not in _DESCRIPTIONS]
    for description, many in (
        (ANOTHER_ACCOUNT, "members of other accounts"),
        (FORMER_MEMBER, "former members"),
        (SOMEONE, "other people"),
    ):
        n = names.count(description)
        if n:
            people.append(in_sentence(description) if n == 1 else f"{n} {many}")
    if len(people) <= 1:
        return "".join(people)
    return f"{', '.join(people[:-1])} and {people[-1]}"


class NamingSetting(Protocol):
    """What the rule reads from a garden (community's Garden; accounts does not import it)."""

    shows_other_members: bool


class PersonValues(SimpleNamespace):
    """A person read as plain values (`first_name`, `last_name`) instead of a User, for the
    lists that make their items from values: named as a User is (`full_name` is User's own)."""

    full_name = User.full_name


class _FromMembership:
    """The default of `person_account`: the person's account, read from their membership."""


FROM_MEMBERSHIP = _FromMembership()


def person_name(
    *,
    viewer: User,
    person: User | None,
    person_account_id: int | None | _FromMembership = FROM_MEMBERSHIP,
    person_account: Account | None = None,
    garden: NamingSetting | None = None,
) -> str:
    """How `person` is named to `viewer`.

    `person_account_id` (or the loaded `person_account`) is the account the person acted for
    (None: one of the company's people); left out, it is read from the person's membership
    (select_related "membership__account" to keep lists at one query). `garden` is where they
    are named: with `shows_other_members` on, another account's member is "First (Account)".
    """
    if person is None:
        return FORMER_MEMBER
    name = person.full_name or SOMEONE
    account_id, account = _account_of(person, person_account_id, person_account)
    if account_id is None:
        return name  # the company's own people are named
    viewer_membership = customer_membership(viewer)
    if viewer_membership is None or viewer_membership.account_id == account_id:
        return name
    if garden is not None and garden.shows_other_members:
        if account is None:
            account = Account.objects.only("name").get(pk=account_id)
        return f"{person.first_name or SOMEONE} ({account.name})"
    return ANOTHER_ACCOUNT


def reader_standing_in(*, internal: bool) -> User:
    """A reader who is not one person, for text read by many (a chat channel): an internal
    reader (an account team's channel), or a customer of no account of anyone named (a
    garden's channel, read by the members of every account in it), to whom the people of every
    account are named as to a member of another account. Never saved."""
    reader = User(is_active=True)
    reader._cg_membership = None if internal else Membership(role="member")
    return reader


def other_accounts_named(*, viewer: User, garden: NamingSetting) -> bool:
    """Whether `viewer` may read which other companies take part in `garden`: internal users
    always; customers where the garden's `shows_other_members` is on (as its people are named)."""
    return customer_membership(viewer) is None or garden.shows_other_members


def _account_of(
    person: User, account_id: int | None | _FromMembership, account: Account | None
) -> tuple[int | None, Account | None]:
    if account is not None:
        return account.pk, account
    if isinstance(account_id, _FromMembership):
        membership = _loaded_membership(person)
        if membership is None:
            return None, None
        loaded = membership._state.fields_cache.get("account")
        return membership.account_id, loaded
    return account_id, None


def _loaded_membership(person: User):
    try:
        return person.membership
    except User.membership.RelatedObjectDoesNotExist:
        return None


def membership_account_id(person: User | None) -> int | None:
    """The person's account id from an already loaded membership (None for internal people)."""
    if person is None:
        return None
    membership = _loaded_membership(person)
    return membership.account_id if membership is not None else None
