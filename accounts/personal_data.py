"""A person's personal data: what each app holds about them (the download) and how each app
forgets them (the erasure).

`accounts` knows neither `community` nor `ideas` (the dependencies point the other way), so each
app registers a *section* here: a name, an exporter (the person's rows as JSON-ready values)
and, optionally, an eraser (removes or anonymises what is theirs alone). `community` and `ideas`
register theirs from their AppConfig.ready (community/personal_data.py, ideas/personal_data.py).

    personal_data_section_register(
        name="ideas", exporter=_export, eraser=_erase
    )

Exporters return `{part: [rows] | {row}}`; every row is made of plain JSON values, and every
value in the download is the person's own (or what they did to shared things: the idea they
voted for, by id and title). Erasers keep the person's contributions (ideas, comments, posts,
votes, feedback) so that counts, results and other people's threads stay whole; after the
erasure those contributions show as a former member's because the person's name is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.audit_trail import audit_rows
from accounts.models import (
    ApiToken,
    AuditEntry,
    FormSubmission,
    IdempotentRequest,
    Invitation,
    Membership,
    User,
)

# The name an erased person carries: every page that names people shows this instead.
ERASED_NAME = "Former member"
# The address an erased person carries: unique, and at a domain that can never receive mail
# (".invalid" is reserved by RFC 2606).
ERASED_EMAIL_DOMAIN = "erased.invalid"

Exporter = Callable[[User], dict[str, Any]]
Eraser = Callable[[User], dict[str, int]]


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    exporter: Exporter
    eraser: Eraser | None = None


_sections: dict[str, PersonalDataSection] = {}


def personal_data_section_register(
    *, name: str, exporter: Exporter, eraser: Eraser | None = None
) -> None:
    """Register (or replace, so a second import is harmless) an app's section."""
    _sections[name] = PersonalDataSection(name=name, exporter=exporter, eraser=eraser)


def personal_data_sections() -> list[PersonalDataSection]:
    return list(_sections.values())


def erased_email(user: User) -> str:
    return f"former-member-{user.pk}@{ERASED_EMAIL_DOMAIN}"


def json_value(value: Any) -> Any:
    """A model field's value as plain JSON (dates as ISO 8601, decimals as strings)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def rows(queryset, *fields: str) -> list[dict[str, Any]]:
    """`queryset.values(*fields)` as JSON-ready dicts (one query)."""
    return [{k: json_value(v) for k, v in row.items()} for row in queryset.values(*fields)]


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the apps hold about `user`: {"format", "exported_at", section: {...}}."""
    data: dict[str, Any] = {
        "format": "customer-garden-personal-data/1",
        "exported_at": timezone.now().isoformat(),
    }
    for section in personal_data_sections():
        data[section.name] = section.exporter(user)
    return data


# --- accounts' own section ---------------------------------------------------------------------


def _export_accounts(user: User) -> dict[str, Any]:
    membership = Membership.objects.select_related("account").filter(user=user).first()
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "date_joined": json_value(user.date_joined),
            "last_login": json_value(user.last_login),
            "internal_roles": user.internal_roles,
        },
        "membership": (
            {
                "account": membership.account.name,
                "account_slug": membership.account.slug,
                "role": membership.role,
                "since": json_value(membership.created_at),
            }
            if membership
            else None
        ),
        "invitations_received": rows(
            Invitation.objects.filter(email__iexact=user.email).order_by("created_at", "pk"),
            "account__name",
            "role",
            "created_at",
            "accepted_at",
            "revoked_at",
        ),
        "invitations_sent": rows(
            Invitation.objects.filter(invited_by=user).order_by("created_at", "pk"),
            "account__name",
            "email",
            "role",
            "created_at",
            "accepted_at",
            "revoked_at",
        ),
        # What each token is called and when it was used; never the token, which is not kept.
        "api_tokens": rows(
            ApiToken.objects.filter(user=user).order_by("created", "token_key"),
            "name",
            "token_key",
            "created",
            "expiry",
            "last_used_at",
        ),
        "audit_trail": _audit_trail(user),
    }


def _audit_trail(user: User) -> list[dict[str, Any]]:
    """The audit trail's changes about them and by them, as they would read them (people named
    by the naming rule); the address a change came from only where they made it (another's
    address is not theirs)."""
    entries = (
        AuditEntry.objects.filter(Q(person=user) | Q(actor=user))
        .select_related("content_type", "actor")
        .order_by("timestamp", "pk")
    )
    entries = list(entries)
    by_them = {entry.pk for entry in entries if entry.actor_id == user.pk}
    return [
        {
            "when": json_value(row.when),
            "who": row.who,
            "from": row.address if row.pk in by_them else "",
            "what": row.what,
            "action": row.action,
            "changes": [change.text for change in row.changes],
        }
        for row in audit_rows(entries, viewer=user)
    ]


def _erase_accounts(user: User) -> dict[str, int]:
    """Forget the invitations addressed to them (their address), their API tokens, the records
    of the forms and API writes they sent (accounts/submissions.py) and the addresses their
    changes came from in the audit trail (the changes stay, by a former member); their
    membership and the person row itself are handled by accounts.services.person_erase."""
    invitations = Invitation.objects.filter(email__iexact=user.email).update(
        email=erased_email(user), updated_at=timezone.now()
    )
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    FormSubmission.objects.filter(user=user).delete()  # which forms they sent, and where to
    IdempotentRequest.objects.filter(caller=f"user:{user.pk}").delete()
    addresses = AuditEntry.objects.filter(actor=user, remote_addr__isnull=False).update(
        remote_addr=None, remote_port=None
    )
    return {
        "invitations_anonymised": invitations,
        "api_tokens_deleted": tokens,
        "audit_addresses_forgotten": addresses,
    }


personal_data_section_register(name="accounts", exporter=_export_accounts, eraser=_erase_accounts)
