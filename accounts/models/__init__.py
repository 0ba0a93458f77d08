"""The accounts app's models: people, customer accounts, memberships, account teams,
invitations and API tokens (core), each account's identity provider and email domains (sso),
SCIM provisioning's tokens and people (scim), the audit trail's rows (audit), and the
records that make a form or API write happen once (submissions). Import them
from here."""

from accounts.models.audit import AuditEntry
from accounts.models.core import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    Currency,
    InternalRole,
    Invitation,
    InvitationQuerySet,
    MemberRole,
    Membership,
    OutboxTask,
    Segment,
    TeamRole,
    Tier,
    TimeStamped,
    User,
    UserManager,
    segment_label,
)
from accounts.models.scim import ScimPerson, ScimToken
from accounts.models.sso import EmailDomain, IdentityProvider, IdentityProviderKind
from accounts.models.submissions import FormSubmission, IdempotentRequest

__all__ = [
    "Account",
    "AccountTeamAssignment",
    "ApiToken",
    "AuditEntry",
    "Currency",
    "EmailDomain",
    "FormSubmission",
    "IdentityProvider",
    "IdentityProviderKind",
    "IdempotentRequest",
    "InternalRole",
    "Invitation",
    "InvitationQuerySet",
    "MemberRole",
    "Membership",
    "OutboxTask",
    "ScimPerson",
    "ScimToken",
    "Segment",
    "segment_label",
    "TeamRole",
    "Tier",
    "TimeStamped",
    "User",
    "UserManager",
]
