"""What needs the demo logins on their homes ("What needs you", docs/product.md), where the
rest of the demo leaves them nothing of a kind: the printed admin has a colleague invited and
not in yet, and the programme admin an import that was rejected. (The other kinds come from the
demo's story: the admin's agreement and garden invitation, the product manager's ideas under
review and pilot awaiting a decision, the account teams' alerts, renewals and silent accounts,
the stewards' flagged post; the member's overdue mid-pilot check-in once they join *Offline
mode for the mobile app*.) Runs last, adds rows only, draws nothing at random."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from accounts.models import Account, InternalRole, Invitation, MemberRole, Membership, User
from community.models import ImportKind
from community.services.outcome_imports import csv_import

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
