"""Who reads an account's value exchanged (what it gave, what it got back): the readers of its
engagement (community.access.engagement.access_account_engagement): its account team, product
managers, programme admins, and its own customer admins. Another account's people and account
managers not on its team: 404 (they do not see the account); a member of the account who is
not its admin: 403."""

from __future__ import annotations

from accounts.models import Account, User
from community.access.engagement import access_account_engagement


def access_account_value_exchanged(user: User, account_id: int | str) -> Account:
    """The account whose ledger `user` may read (404 / 403 as its engagement page)."""
    return access_account_engagement(user, account_id)
