"""Who sets up chat channels: an account's channels are its account team's and programme admins'
(they carry internal alerts: customers, the account's own included, never see them); a garden's
channels are its stewards' and programme admins'. Anyone who may not see the account or the
garden gets 404; who sees it but may not set its channels, 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import access_account, visible_accounts
from accounts.models import Account, User
from community.access.gardens import access_garden, garden_is_steward, visible_gardens
from community.access.outcomes import can_record_outcomes
from community.models import ChatChannel, Garden


def can_set_account_channels(user: User, account: Account) -> bool:
    """The account's team and programme admins (internal users only)."""
    return user.is_active and can_record_outcomes(user, account)


def can_set_garden_channels(user: User, garden: Garden) -> bool:
    """The garden's stewards and programme admins (internal users only)."""
    return garden_is_steward(user, garden)


def access_account_for_channels(user: User, slug: str) -> Account:
    account = access_account(user, slug)
    if not can_set_account_channels(user, account):
        raise PermissionDenied("Only the account's team and programme admins set its channels.")
    return account


def access_garden_for_channels(user: User, slug: str) -> Garden:
    garden = access_garden(user, slug)
    if not can_set_garden_channels(user, garden):
        raise PermissionDenied("Only the garden's stewards and programme admins set its channels.")
    return garden


def access_chat_channel(user: User, channel_id: int) -> ChatChannel:
    """A channel whose settings the user may change (its account or garden loaded): 404 when
    they may not see its account or garden, 403 when they may not set its channels."""
    channel = (
        ChatChannel.objects.select_related("account", "garden")
        .prefetch_related("preferences")
        .filter(pk=channel_id)
        .first()
    )
    if channel is None:
        raise Http404("No such channel.")
    if channel.account_id is not None:
        if not visible_accounts(user).filter(pk=channel.account_id).exists():
            raise Http404("No such channel.")
        allowed = can_set_account_channels(user, channel.account)
    else:
        if not visible_gardens(user).filter(pk=channel.garden_id).exists():
            raise Http404("No such channel.")
        allowed = can_set_garden_channels(user, channel.garden)
    if not allowed:
        raise PermissionDenied("You may not change this channel.")
    return channel
