"""Community's models, one module per domain: activity, engagement, alerts, outcomes (and
imports), webhooks, chat channels, gardens, discussions, harvests, notifications, recognition,
robustness (bad times).
Import them from here."""

from community.models.activity import ActivityEvent, ActivityKind, OfflineEvent
from community.models.alerts import Alert, AlertDigestMark, AlertReason
from community.models.chat_channels import (
    ChatChannel,
    ChatChannelPreference,
    ChatDelivery,
    ChatDigest,
    ChatPostStatus,
    ChatProvider,
)
from community.models.discussions import (
    Post,
    PostFlag,
    PostMention,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from community.models.engagement import (
    DEFAULT_ACTIVITY_WEIGHTS,
    EngagementLevel,
    EngagementModel,
    EngagementRepair,
    EngagementRun,
    EngagementRunKind,
    EngagementSnapshot,
    _default_activity_weights,
)
from community.models.gardens import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
)
from community.models.harvests import Harvest, HarvestAudience, HarvestKind, HarvestRead
from community.models.notifications import (
    DigestPeriod,
    Notification,
    NotificationDigest,
    NotificationFanout,
    NotificationPreference,
)
from community.models.outcomes import (
    OUTCOME_KINDS_WITH_AMOUNT,
    ImportBatch,
    ImportKind,
    ImportStatus,
    LoyaltyOutcome,
    OutcomeKind,
    OutcomeSource,
)
from community.models.recognition import MILESTONE_DESCRIPTIONS, Milestone, MilestoneKind
from community.models.robustness import BadTime, BadTimeKind, BadTimeSource
from community.models.webhooks import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "DEFAULT_ACTIVITY_WEIGHTS",
    "OUTCOME_KINDS_WITH_AMOUNT",
    "ActivityEvent",
    "ActivityKind",
    "Alert",
    "AlertDigestMark",
    "AlertReason",
    "BadTime",
    "BadTimeKind",
    "BadTimeSource",
    "ChatChannel",
    "ChatChannelPreference",
    "ChatDelivery",
    "ChatDigest",
    "ChatPostStatus",
    "ChatProvider",
    "DigestPeriod",
    "EngagementLevel",
    "EngagementModel",
    "EngagementRepair",
    "EngagementRun",
    "EngagementRunKind",
    "EngagementSnapshot",
    "Garden",
    "GardenAccount",
    "GardenAccountStatus",
    "GardenMembership",
    "GardenTheme",
    "GardenVisibility",
    "Harvest",
    "HarvestAudience",
    "HarvestKind",
    "HarvestRead",
    "ImportBatch",
    "ImportKind",
    "ImportStatus",
    "LoyaltyOutcome",
    "Notification",
    "NotificationDigest",
    "NotificationFanout",
    "NotificationPreference",
    "OfflineEvent",
    "OutcomeKind",
    "OutcomeSource",
    "MILESTONE_DESCRIPTIONS",
    "Milestone",
    "MilestoneKind",
    "Post",
    "PostFlag",
    "PostMention",
    "PostRevision",
    "Reaction",
    "ReactionKind",
    "Thread",
    "ThreadVisit",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEvent",
    # Migration 0003 names the weights' default by this path.
    "_default_activity_weights",
]
