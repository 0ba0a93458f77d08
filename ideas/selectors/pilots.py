"""Reads of pilots, shaped for their screens: the pilot list and the pilot page (eligibility,
agreements and the enrolment rules it shows are ideas/selectors/enrolment.py's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.access import active_customer_account_id, customer_membership, is_internal
from accounts.models import Account, Membership, User
from community.selectors.account_levels import account_levels
from community.selectors.activity_objects import ObjectName, digit_ids
from config.sql_once import KeptRows, SqlOnce
from ideas.access import can_manage_pilots, customer_pilots, internal_pilots, visible_pilots
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Enrolment,
    FeedbackResponse,
    Pilot,
    PilotInvitation,
    PilotState,
)
from ideas.selectors.enrolment import (
    EnrolmentRefusal,
    accounts_ineligibility,
    agreement_is_accepted,
    enrolment_refusal,
    level_label,
    pilot_current_agreement,
)

# The states a pilot passes through, in order; a pilot only ever moves forward.
PILOT_STATE_ORDER: tuple[str, ...] = (
    PilotState.DRAFT,
    PilotState.RECRUITING,
    PilotState.RUNNING,
    PilotState.CLOSED,
)

# The invite form lists at most this many candidate accounts (the API takes any slugs).
INVITE_CANDIDATE_LIMIT = 300


def accounts_taking_part() -> Subquery:
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
        accounts_taking_part=accounts_taking_part()
    )
    if state:
        pilots = pilots.filter(state=state)
    if garden:
        pilots = pilots.filter(idea__garden__slug=garden)
    if idea:
        pilots = pilots.filter(idea_id=idea)
    return pilots.order_by("-runs_from", "-pk")


# The unfiltered pilot list in its order, read a page at a time by the API on every call: its
# SQL is written once per process for each branch of visible_pilots that reads a plain value.
_INTERNAL_PILOT_LIST = SqlOnce(Pilot, lambda: pilot_list(pilots=internal_pilots()))
_CUSTOMER_PILOT_LIST = SqlOnce(
    Pilot, lambda account_id: pilot_list(pilots=customer_pilots(account_id)), account_id=int
)


def visible_pilot_list_rows(*, user: User) -> KeptRows | None:
    """`pilot_list(pilots=visible_pilots(user))` with no filter, as rows the API's paginator
    reads a page at a time (config.sql_once): an active customer's (their account's rule) or
    an active internal user's (every pilot); None for anyone else, whose list the ORM reads."""
    if (account_id := active_customer_account_id(user)) is not None:
        return _CUSTOMER_PILOT_LIST.rows(account_id=account_id)
    if user.is_active and is_internal(user):
        return _INTERNAL_PILOT_LIST.rows()
    return None


def pilot_accounts_taking_part(*, pilot: Pilot) -> int:
    return Enrolment.objects.filter(pilot=pilot).values("account").distinct().count()


def pilot_accounts_enrolled(*, pilot: Pilot) -> QuerySet[Account]:
    """The accounts with someone enrolled in the pilot, by name."""
    return Account.objects.filter(enrolments__pilot=pilot).distinct().order_by("name", "pk")


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
    page.agreement_accepted = agreement is None or agreement_is_accepted(
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


def pilot_names(viewer: User, ids: list[str]) -> dict[str, ObjectName]:
    """The link and title of each of these pilots that the viewer may see: the namer of
    "ideas.pilot" for activity events (a pilot event's `pilot_ref`, a closed loop's object;
    community.selectors.activity_objects). One query."""
    pilots = visible_pilots(viewer).filter(pk__in=digit_ids(ids)).values_list("pk", "title")
    return {
        str(pk): ObjectName(reverse("ideas:pilot-detail", args=[pk]), title) for pk, title in pilots
    }
