"""What needs the demo logins on their homes ("What needs you", docs/product.md), where the
rest of the demo leaves them nothing of a kind: the printed admin has a colleague invited and
not in yet, and the programme admin an import that was rejected. (The other kinds come from the
demo's story: the admin's agreement and garden invitation, the product manager's ideas under
review and pilot awaiting a decision, the account teams' alerts, renewals and silent accounts,
the stewards' flagged post; the member's overdue mid-pilot check-in once they join *Offline
mode for the mobile app*.) The printed account manager, whose own accounts may all be healthy
today, has taken over the account with the most open alerts: a handover, as account teams do
(`demo_key_account_handover`, after the repair of the history). Draws nothing at random."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Count
from django.utils import timezone

from accounts import services as account_services
from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    TeamRole,
    User,
)
from community.models import Alert, ImportKind
from community.services.outcome_imports import csv_import
from demo.data.people import INTERNAL_DOMAIN

# A file the import refuses: an account the site does not know.
REJECTED_IMPORT = (
    b"account,kind,occurred_on,amount\r\nnorthwind-traders,renewed,2026-11-30,48000\r\n"
)


def demo_todos_build() -> None:
    first = Account.objects.order_by("pk").first()
    admin = Membership.objects.filter(account=first, role=MemberRole.ADMIN).order_by("pk").first()
    if first is not None and admin is not None:
        domain = admin.user.email.rsplit("@", 1)[1]
        now = timezone.now()
        Invitation.objects.get_or_create(
            account=first,
            email=f"jonas.berg@{domain}",
            defaults={
                "invited_by": admin.user,
                "sent_at": now - dt.timedelta(days=2),
                "expires_at": now + dt.timedelta(days=5),
            },
        )
    programme_admin = (
        User.objects.filter(groups__name=InternalRole.PROGRAMME_ADMIN.value).order_by("pk").first()
    )
    if programme_admin is not None:
        csv_import(
            kind=ImportKind.OUTCOMES,
            file=io.BytesIO(REJECTED_IMPORT),
            file_name="crm-renewals-november.csv",
            uploaded_by=programme_admin,
        )


def demo_key_account_handover() -> None:
    """The first account manager of the company (the one the demo prints) takes over as account
    manager of the account with the most open alerts, unless she has open alerts already. Runs
    after the history's repair, which resolves the alerts that its late events made untrue."""
    manager = (
        User.objects.filter(
            groups__name=InternalRole.ACCOUNT_MANAGER.value, email__endswith=INTERNAL_DOMAIN
        )
        .order_by("pk")
        .first()
    )
    if manager is None:
        return
    open_alerts = Alert.objects.filter(resolved_at__isnull=True)
    if open_alerts.filter(account__team_assignments__user=manager).exists():
        return
    troubled = (
        open_alerts.exclude(account__team_assignments__user=manager)
        .values("account_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "account_id")
        .first()
    )
    if troubled is None:
        return
    troubled = Account.objects.get(pk=troubled["account_id"])
    handed_over = AccountTeamAssignment.objects.filter(
        account=troubled, role=TeamRole.ACCOUNT_MANAGER
    ).first()
    if handed_over is not None:
        account_services.team_assignment_delete(assignment=handed_over)
    account_services.team_assignment_create(
        user=manager, account=troubled, role=TeamRole.ACCOUNT_MANAGER
    )
