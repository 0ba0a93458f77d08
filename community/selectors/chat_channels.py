"""Reads of chat channels: an account's or a garden's channels for their settings page, each
with what it receives, in one query for the channels and one for their preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Account
from community.models import ChatChannel, Garden
from community.models.chat_channels import CHANNEL_DELIVERY_LABELS
from community.models.notifications import Delivery


@dataclass(frozen=True)
class ChannelReceives:
    label: str
    delivery: str  # as the settings say it


@dataclass(frozen=True)
class ChannelRow:
    channel: ChatChannel
    receives: list[ChannelReceives]


def chat_channels(*, account: Account | None = None, garden: Garden | None = None) -> QuerySet:
    """The channels of an account's team, or of a garden, by name."""
    scope = {"account": account} if account is not None else {"garden": garden}
    channels = ChatChannel.objects.filter(**scope).prefetch_related("preferences")
    return channels.order_by("name", "pk")


def chat_channel_rows(channels: QuerySet[ChatChannel]) -> list[ChannelRow]:
    """Each channel with the delivery of every kind it can receive (off when it has no row)."""
    rows = []
    for channel in channels:
        chosen = {p.kind: p.delivery for p in channel.preferences.all()}
        receives = [
            ChannelReceives(label, CHANNEL_DELIVERY_LABELS[chosen.get(kind, Delivery.OFF)])
            for kind, label in channel.kinds.items()
        ]
        rows.append(ChannelRow(channel=channel, receives=receives))
    return rows


def chat_channel_deliveries(channel: ChatChannel) -> dict[str, str]:
    """The delivery chosen for each kind the channel can receive."""
    chosen = {p.kind: p.delivery for p in channel.preferences.all()}
    return {kind: chosen.get(kind, Delivery.OFF) for kind in channel.kinds}
