"""Writes of taking part in a pilot: a product manager invites accounts (chosen ones, or those
whose members voted for the idea) and publishes the agreement's versions; an account's admin
accepts the current version once for the whole account; members enrol for their account.

Customers' actions record their activity event here; people are told what concerns them
through `community.services.notifications.notify`, never the person who acted. Every write locks
the pilot's row first (`pilot_lock`), so that two requests cannot both take the last place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.access import customer_membership
from accounts.formats import end_sentence
from accounts.models import Account, MemberRole, User
from community.access.gardens import accounts_inside
from community.models import ActivityKind
from community.models.notifications import NotifyKind, actor_text
from community.services.engagement import activity_record
from community.services.notifications import notify
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Enrolment,
    Follow,
    Pilot,
    PilotInvitation,
    PilotState,
)
from ideas.selectors.enrolment import (
    accounts_ineligibility,
    enrolment_refusal,
    idea_supporter_accounts,
    pilot_current_agreement,
)
from ideas.services.pilots import (
    agreement_check,
    pilot_invited_notify,
    pilot_lock,
    pilot_refuse_if_closed,
)

# --- Invitations -------------------------------------------------------------------------------


@transaction.atomic
def pilot_invite(
    *, pilot: Pilot, accounts: Iterable[Account], invited_by: User
) -> list[PilotInvitation]:
    """Invite eligible accounts (segment, minimum engagement level); accounts invited already
    are skipped. If any account is not eligible, nobody is invited and the error says why."""
    accounts = list({a.pk: a for a in accounts}.values())
    if not accounts:
        raise ValidationError({"accounts": ["Choose at least one account."]})
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "it takes no more invitations")
    reasons = accounts_ineligibility(pilot=pilot, accounts=accounts)
    if reasons:
        raise ValidationError({"accounts": list(reasons.values())})
    return _invite(pilot=pilot, accounts=accounts, invited_by=invited_by)


def _invite(*, pilot: Pilot, accounts: list[Account], invited_by: User) -> list[PilotInvitation]:
    already = set(
        PilotInvitation.objects.filter(pilot=pilot, account__in=accounts).values_list(
            "account_id", flat=True
        )
    )
    new = [a for a in accounts if a.pk not in already]
    created = PilotInvitation.objects.bulk_create(
        [PilotInvitation(pilot=pilot, account=a, invited_by=invited_by) for a in new],
        ignore_conflicts=True,  # invited by a parallel request: that invitation stands
    )
    if new and pilot.state != PilotState.DRAFT:  # otherwise they hear of it when it opens
        pilot_invited_notify(pilot=pilot, account_ids=[a.pk for a in new], actor=invited_by)
    return created


@dataclass(frozen=True)
class SupporterInvitations:
    invited: int
    already_invited: int
    not_eligible: int

    def __str__(self) -> str:
        parts = [f"{self.invited} account{'s' if self.invited != 1 else ''} that voted invited"]
        if self.already_invited:
            parts.append(f"{self.already_invited} invited already")
        if self.not_eligible:
            parts.append(f"{self.not_eligible} not eligible")
        return "; ".join(parts) + "."


@transaction.atomic
def pilot_invite_supporters(*, pilot: Pilot, invited_by: User) -> SupporterInvitations:
    """Invite the accounts whose members voted for the idea: the eligible ones not invited yet."""
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "it takes no more invitations")
    supporters = list(idea_supporter_accounts(idea_id=pilot.idea_id))
    already = set(PilotInvitation.objects.filter(pilot=pilot).values_list("account_id", flat=True))
    fresh = [a for a in supporters if a.pk not in already]
    reasons = accounts_ineligibility(pilot=pilot, accounts=fresh)
    eligible = [a for a in fresh if a.pk not in reasons]
    _invite(pilot=pilot, accounts=eligible, invited_by=invited_by)
    return SupporterInvitations(
        invited=len(eligible),
        already_invited=len(supporters) - len(fresh),
        not_eligible=len(reasons),
    )


# --- Agreements --------------------------------------------------------------------------------


@transaction.atomic
def agreement_publish(*, pilot: Pilot, actor: User, title: str, text: str) -> Agreement:
    """A new version of the pilot's agreement; every account must accept it again before more
    of its members enrol. The admins of the invited accounts are told."""
    errors: dict[str, list[str]] = {}
    title, text = agreement_check(title, text, errors)
    if errors:
        raise ValidationError(
            {name.removeprefix("agreement_"): messages for name, messages in errors.items()}
        )
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "its agreement can no longer change")
    current = pilot_current_agreement(pilot=pilot)
    agreement = Agreement.objects.create(
        pilot=pilot, version=(current.version + 1) if current else 1, title=title, text=text
    )
    if pilot.state != PilotState.DRAFT:
        notify(
            users=User.objects.filter(
                membership__account__pilot_invitations__pilot=pilot,
                membership__account__in=accounts_inside(garden_id=pilot.idea.garden_id),
                membership__role=MemberRole.ADMIN,
                is_active=True,
            ),
            kind=NotifyKind.PILOT_AGREEMENT,
            title=f"New agreement for the pilot “{pilot.title}”: please accept version "
            f"{agreement.version}",
            body="Your colleagues can enrol once you accept it for your account.",
            url=pilot.get_absolute_url(),
            exclude=actor,
        )
    return agreement


@transaction.atomic
def agreement_accept(*, pilot: Pilot, admin: User) -> AgreementAcceptance:
    """The account admin accepts the current version for their whole account; their colleagues
    are told they may enrol."""
    membership = customer_membership(admin)
    if membership is None or membership.role != MemberRole.ADMIN:
        raise ValidationError("Only your account admin accepts the pilot agreement.")
    account = membership.account
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "there is nothing left to accept")
    if not PilotInvitation.objects.filter(pilot=pilot, account=account).exists():
        raise ValidationError(f"{account.name} is not invited to this pilot.")
    agreement = pilot_current_agreement(pilot=pilot)
    if agreement is None:
        raise ValidationError("This pilot has no agreement to accept.")
    if AgreementAcceptance.objects.filter(agreement=agreement, account=account).exists():
        raise ValidationError(f"{account.name} has accepted version {agreement.version} already.")
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                agreement=agreement, account=account, accepted_by=admin
            )
    except IntegrityError:  # a second admin accepted in a parallel request
        raise ValidationError(
            f"{account.name} has accepted version {agreement.version} already."
        ) from None
    notify(
        users=User.objects.filter(membership__account=account, is_active=True),
        kind=NotifyKind.PILOT_AGREEMENT,
        title=actor_text("You can join the pilot “{title}”", title=pilot.title),
        body=end_sentence(
            actor_text("{actor} accepted its agreement for {account}", account=account.name)
        ),
        url=pilot.get_absolute_url(),
        exclude=admin,
        actor=admin,
        names_actor=True,
    )
    return acceptance


# --- Enrolment ---------------------------------------------------------------------------------


@transaction.atomic
def pilot_enrol(*, pilot: Pilot, member: User) -> Enrolment:
    """Enrol a customer member for their account. Refused, with the reason and no row written,
    unless the pilot is recruiting or running, the account is invited and eligible, its admin
    has accepted the current agreement, and a place is free (one per account; a colleague of
    an enrolled member takes none). The pilot's row is locked, so that two accounts cannot both
    take the last place. The member follows the idea."""
    pilot_lock(pilot)
    refusal = enrolment_refusal(pilot=pilot, user=member)
    if refusal is not None:
        raise ValidationError(refusal.message, code=refusal.code)
    account = customer_membership(member).account
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(pilot=pilot, user=member, account=account)
    except IntegrityError:  # a double click: the first request enrolled them
        raise ValidationError(
            "You are already enrolled in this pilot.", code="already_enrolled"
        ) from None
    Follow.objects.get_or_create(idea_id=pilot.idea_id, user=member)
    activity_record(
        account=account,
        user=member,
        kind=ActivityKind.PILOT_ENROLLED,
        obj=enrolment,
        pilot_ref=pilot.pk,
    )
    return enrolment
