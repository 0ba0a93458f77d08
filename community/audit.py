"""community's models in the audit trail (accounts/audit.py says how a model is registered):
gardens (who may see them, whether their members see each other, their stewards), the
engagement model's versions, the outgoing webhooks (their secrets masked) and the chat channels
(their incoming-webhook URLs masked). Registered from
CommunityConfig.ready."""

from __future__ import annotations

from accounts.audit import audit_register
from community.models import ChatChannel, EngagementModel, Garden, WebhookEndpoint
from community.models.engagement import MODEL_FIELDS


def register() -> None:
    audit_register(
        Garden,
        kind="Garden",
        fields=["name", "visibility", "shows_other_members"],
        m2m=["stewards"],
        describe=lambda garden: garden.name,
    )
    audit_register(
        EngagementModel,
        kind="Engagement model",
        fields=[*MODEL_FIELDS, "version", "is_active", "note", "created_by", "activated_at"],
        describe=lambda model: f"version {model.version}",
    )
    audit_register(
        WebhookEndpoint,
        kind="Webhook",
        fields=["url", "description", "active", "rotation_ends_at", "created_by"],
        masked=["secret", "previous_secret"],
        describe=lambda endpoint: endpoint.description or endpoint.url,
    )
    audit_register(
        ChatChannel,
        kind="Chat channel",
        fields=["provider", "name", "account", "garden"],
        masked=["url"],
        describe=lambda channel: f"{channel.get_provider_display()} {channel.name}",
        account=lambda channel: channel.account_id,
    )
