"""Reads of pilots, shaped for their screens: the pilot list, the pilot page, eligibility and
the enrolment rules (which the enrolment service checks again under its lock)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.access import customer_membership
from accounts.models import Account, Membership, User, segment_label
from community.models import EngagementLevel
from community.selectors import account_levels
from ideas.access import can_manage_pilots
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Enrolment,
    FeedbackResponse,
    Pilot,
    PilotInvitation,
    PilotState,
    Vote,
)

# The states a pilot passes through, in order; a pilot only ever moves forward.
PILOT_STATE_ORDER: tuple[str, ...] = (
    PilotState.DRAFT,
    PilotState.RECRUITING,
    PilotState.RUNNING,
    PilotState.CLOSED,
)
ENROLMENT_STATES = frozenset({PilotState.RECRUITING, PilotState.RUNNING})

# The invite form lists at most this many candidate accounts (the API takes any slugs).
INVITE_CANDIDATE_LIMIT = 300


def _accounts_taking_part() -> Subquery:
    """How many distinct accounts have members enrolled, as a subquery of a pilot row."""
    counts = (
        Enrolment.objects.filter(pilot=OuterRef("pk"))
        .order_by()
        .values("pilot")
        .annotate(n=Count("account", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def pilot_list(
    *,
    pilots: QuerySet[Pilot],
    state: str = "",
    garden: str = "",
    idea: int | None = None,
) -> QuerySet[Pilot]:
    """Pilots with their idea, garden and the number of accounts taking part, filtered by
    state, garden (slug) and idea, newest schedule first."""
    pilots = pilots.select_related("idea", "idea__garden").annotate(
        accounts_taking_part=_accounts_taking_part()
    )
    if state:
        pilots = pilots.filter(state=state)
    if garden:
        pilots = pilots.filter(idea__garden__slug=garden)
    if idea:
        pilots = pilots.filter(idea_id=idea)
    return pilots.order_by("-runs_from", "-pk")


def pilot_accounts_taking_part(*, pilot: Pilot) -> int:
    return Enrolment.objects.filter(pilot=pilot).values("account").distinct().count()


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
    if agreement is not None and not _accepted(agreement=agreement, account=account):
        older = AgreementAcceptance.objects.filter(agreement__pilot=pilot, account=account).exists()
        who = (
            f"you, as the account admin, to accept it for {account.name}"
            if membership.is_admin
            else "your account admin to accept it"
        )
        return EnrolmentRefusal(
            "agreement_not_accepted",
            (
                f"The agreement changed (now version {agreement.version}): waiting for {who}."
                if older
                else f"The pilot agreement is waiting for {who}."
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


def _accepted(*, agreement: Agreement, account: Account) -> bool:
    return AgreementAcceptance.objects.filter(agreement=agreement, account=account).exists()


# --- The pilot page ----------------------------------------------------------------------------


@dataclass
class InvitedAccount:
    account: Account
    level: str
    accepted_current: bool
    ineligible: str
    enrolments: list[Enrolment] = field(default_factory=list)


@dataclass
class PilotPage:
    """Everything the pilot page shows, for one viewer."""

    pilot: Pilot
    agreement: Agreement | None
    accounts_taking_part: int
    check_ins: list[CheckIn]  # a customer's carry `response_status` ("", draft, submitted)
    # A customer viewer
    membership: Membership | None = None
    agreement_accepted: bool = False
    enrolment: Enrolment | None = None
    refusal: EnrolmentRefusal | None = None
    # A product manager
    manages: bool = False
    invited: list[InvitedAccount] = field(default_factory=list)
    candidates: list[tuple[Account, str]] = field(default_factory=list)
    more_candidates: bool = False
    enrolment_count: int = 0


def pilot_page(*, pilot: Pilot, user: User, accounts: QuerySet[Account]) -> PilotPage:
    """The pilot page for `user`; `accounts` are the accounts the user may see (the invite
    form's candidates). A constant number of queries, whatever the number of enrolments."""
    agreement = pilot_current_agreement(pilot=pilot)
    page = PilotPage(
        pilot=pilot,
        agreement=agreement,
        accounts_taking_part=pilot_accounts_taking_part(pilot=pilot),
        check_ins=list(CheckIn.objects.filter(pilot=pilot).order_by("position", "pk")),
    )
    membership = customer_membership(user)
    if membership is not None:
        _customer_part(page, user=user, membership=membership)
    elif can_manage_pilots(user):
        _manager_part(page, accounts=accounts)
    return page


def _customer_part(page: PilotPage, *, user: User, membership: Membership) -> None:
    pilot, agreement = page.pilot, page.agreement
    page.membership = membership
    page.agreement_accepted = agreement is None or _accepted(
        agreement=agreement, account=membership.account
    )
    page.enrolment = Enrolment.objects.filter(pilot=pilot, user=user).first()
    if page.enrolment is None:
        page.refusal = enrolment_refusal(pilot=pilot, user=user)
    else:
        statuses = dict(
            FeedbackResponse.objects.filter(enrolment=page.enrolment).values_list(
                "check_in_id", "status"
            )
        )
        for check_in in page.check_ins:
            check_in.response_status = statuses.get(check_in.pk, "")


def _manager_part(page: PilotPage, *, accounts: QuerySet[Account]) -> None:
    pilot, agreement = page.pilot, page.agreement
    page.manages = True
    invitations = list(PilotInvitation.objects.filter(pilot=pilot).select_related("account"))
    invited_ids = [i.account_id for i in invitations]
    candidates = list(
        accounts.exclude(pk__in=invited_ids).order_by("name")[: INVITE_CANDIDATE_LIMIT + 1]
    )
    page.more_candidates = len(candidates) > INVITE_CANDIDATE_LIMIT
    candidates = candidates[:INVITE_CANDIDATE_LIMIT]
    everyone = [i.account for i in invitations] + candidates
    levels = account_levels(account_ids=[a.pk for a in everyone])
    ineligible = accounts_ineligibility(pilot=pilot, accounts=everyone, levels=levels)
    accepted = (
        set(
            AgreementAcceptance.objects.filter(agreement=agreement).values_list(
                "account_id", flat=True
            )
        )
        if agreement is not None
        else set()
    )
    rows = {
        i.account_id: InvitedAccount(
            account=i.account,
            level=level_label(levels.get(i.account_id)),
            accepted_current=agreement is None or i.account_id in accepted,
            ineligible=ineligible.get(i.account_id, ""),
        )
        for i in invitations
    }
    enrolments = Enrolment.objects.filter(pilot=pilot).select_related("user", "account")
    for enrolment in enrolments:
        page.enrolment_count += 1
        row = rows.get(enrolment.account_id)
        if row is None:  # enrolled, then the invitation was removed (e.g. in the admin)
            row = rows[enrolment.account_id] = InvitedAccount(
                account=enrolment.account, level="", accepted_current=False, ineligible=""
            )
        row.enrolments.append(enrolment)
    page.invited = list(rows.values())
    page.candidates = [
        (a, level_label(levels.get(a.pk))) for a in candidates if a.pk not in ineligible
    ]
