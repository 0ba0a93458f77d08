"""Reads of taking part in a pilot: the agreement version accounts must accept, which accounts
are eligible, the accounts that voted for the idea, and why a member may not enrol now (which
the enrolment service checks again under its lock)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.access import customer_membership
from accounts.formats import end_sentence
from accounts.models import Account, User, segment_label
from community.models import EngagementLevel
from community.selectors.account_levels import account_levels
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Enrolment,
    Pilot,
    PilotInvitation,
    PilotState,
    Vote,
)

# Members enrol while a pilot recruits or runs.
ENROLMENT_STATES = frozenset({PilotState.RECRUITING, PilotState.RUNNING})


def pilot_current_agreement(*, pilot: Pilot) -> Agreement | None:
    """The version accounts must accept now: the newest."""
    return Agreement.objects.filter(pilot=pilot).order_by("-version").first()


def level_label(level: str | None) -> str:
    return EngagementLevel(level).label if level in EngagementLevel.values else "Dormant"


def accounts_ineligibility(
    *, pilot: Pilot, accounts: Iterable[Account], levels: dict[int, str] | None = None
) -> dict[int, str]:
    """Why each ineligible account may not take part (eligible accounts are missing). The
    engagement levels are read in one query unless given; accounts without a computed level
    count as Dormant."""
    accounts = list(accounts)
    minimum = pilot.min_engagement_level
    if levels is None:
        levels = account_levels(account_ids=[a.pk for a in accounts]) if minimum else {}
    reasons: dict[int, str] = {}
    for account in accounts:
        level = levels.get(account.pk)
        if not pilot.segment_allowed(account.segment):
            reasons[account.pk] = (
                f"{account.name}: the {segment_label(account.segment)} segment is not eligible."
            )
        elif minimum and EngagementLevel.rank(level) < EngagementLevel.rank(minimum):
            reasons[account.pk] = (
                f"{account.name}: engagement level {level_label(level)} is below the minimum, "
                f"{level_label(minimum)}."
            )
    return reasons


def idea_supporter_accounts(*, idea_id: int) -> QuerySet[Account]:
    """The accounts whose members voted for the idea."""
    return Account.objects.filter(
        pk__in=Vote.objects.filter(idea_id=idea_id, account__isnull=False).values("account")
    ).order_by("name")


@dataclass(frozen=True)
class EnrolmentRefusal:
    code: str
    message: str


def enrolment_refusal(*, pilot: Pilot, user: User) -> EnrolmentRefusal | None:
    """Why `user` may not enrol in `pilot` now, or None if they may. The first rule that fails
    is given, in the order a member would fix them."""
    membership = customer_membership(user)
    if membership is None:
        return EnrolmentRefusal("not_a_customer", "Only customer members take part in pilots.")
    account = membership.account
    if pilot.state not in ENROLMENT_STATES:
        return EnrolmentRefusal(
            "not_open",
            f"This pilot is not open for enrolment: it is {pilot.get_state_display().lower()}.",
        )
    if not PilotInvitation.objects.filter(pilot=pilot, account=account).exists():
        return EnrolmentRefusal("not_invited", f"{account.name} is not invited to this pilot.")
    if Enrolment.objects.filter(pilot=pilot, user=user).exists():
        return EnrolmentRefusal("already_enrolled", "You are already enrolled in this pilot.")
    reason = accounts_ineligibility(pilot=pilot, accounts=[account]).get(account.pk)
    if reason:
        return EnrolmentRefusal("not_eligible", f"Not eligible — {reason}")
    agreement = pilot_current_agreement(pilot=pilot)
    if agreement is not None and not agreement_is_accepted(agreement=agreement, account=account):
        older = AgreementAcceptance.objects.filter(agreement__pilot=pilot, account=account).exists()
        who = (
            f"you, as the account admin, to accept it for {account.name}"
            if membership.is_admin
            else "your account admin to accept it"
        )
        return EnrolmentRefusal(
            "agreement_not_accepted",
            (
                end_sentence(
                    f"The agreement changed (now version {agreement.version}): waiting for {who}"
                )
                if older
                else end_sentence(f"The pilot agreement is waiting for {who}")
            ),
        )
    taken = set(Enrolment.objects.filter(pilot=pilot).values_list("account_id", flat=True))
    if account.pk not in taken and len(taken) >= pilot.capacity:
        return EnrolmentRefusal(
            "full",
            f"This pilot is full: all {pilot.capacity} place{'s' if pilot.capacity != 1 else ''}"
            " (accounts) are taken.",
        )
    return None


def agreement_is_accepted(*, agreement: Agreement, account: Account) -> bool:
    """Whether `account` has accepted this version of the agreement."""
    return AgreementAcceptance.objects.filter(agreement=agreement, account=account).exists()
