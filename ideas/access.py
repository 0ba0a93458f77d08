"""Who may see and change which ideas, pilots, check-ins and responses.

Every view and API view of `ideas` fetches through these functions. A fetch returns the object
or raises Http404 (not visible: its existence does not leak) or PermissionDenied (visible, but
not this action).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import active_customer_account_id, customer_membership, is_internal
from accounts.models import Account, MemberRole, User
from community.access.engagement import access_account_engagement
from community.access.gardens import account_gardens, content_gardens, internal_gardens
from community.access.outcomes import visible_outcome_accounts
from config.sql_once import SqlOnce
from ideas.models import CheckIn, Enrolment, FeedbackResponse, Idea, Pilot, PilotState


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else 0


# --- Ideas -------------------------------------------------------------------------------------


def visible_ideas(user: User) -> QuerySet[Idea]:
    """Ideas of the gardens whose content the user sees (not those of a garden their account
    is only invited to: `community.access.gardens.content_gardens`)."""
    return Idea.objects.filter(garden__in=content_gardens(user))


def _active_internal(user: User) -> bool:
    """An active internal user: one whose visible ideas and pilots are every garden's (the
    branch of content_gardens and visible_pilots that reads no account)."""
    return is_internal(user) and user.is_active


def customer_ideas(account_id: int) -> QuerySet[Idea]:
    """`visible_ideas` of an active customer of this account (their account's rule)."""
    return Idea.objects.filter(garden__in=account_gardens(account_id))


def internal_ideas() -> QuerySet[Idea]:
    """`visible_ideas` of an active internal user: every garden's ideas."""
    return Idea.objects.filter(garden__in=internal_gardens())


def visible_ideas_rule(user: User) -> tuple[str, int | None] | None:
    """Which branch of `visible_ideas` is the user's, for reads that keep their SQL per branch
    (config.sql_once): ("customer", account id) for an active customer (`customer_ideas`),
    ("internal", None) for an active internal user (`internal_ideas`), None for anyone else
    (who reads `visible_ideas` itself)."""
    if (account_id := active_customer_account_id(user)) is not None:
        return "customer", account_id
    if _active_internal(user):
        return "internal", None
    return None


_IDEA_RELATED = ("garden", "author", "author_account", "merged_into")
# A customer's idea, asked on every idea page: its SQL is written once per process.
_CUSTOMER_IDEA = SqlOnce(
    Idea,
    lambda account_id, idea_id: (
        customer_ideas(account_id).select_related(*_IDEA_RELATED).filter(pk=idea_id)[:1]
    ),
    account_id=int,
    idea_id=int,
)


# An internal user's idea (visible_ideas: of every garden), asked on every idea page and API
# call of theirs: its SQL is written once per process.
_INTERNAL_IDEA = SqlOnce(
    Idea,
    lambda idea_id: internal_ideas().select_related(*_IDEA_RELATED).filter(pk=idea_id)[:1],
    idea_id=int,
)


def access_idea(user: User, idea_id, *, for_moderation: bool = False) -> Idea:
    if (account_id := active_customer_account_id(user)) is not None:
        idea = _CUSTOMER_IDEA.first(account_id=account_id, idea_id=_as_int(idea_id))
    elif _active_internal(user):
        idea = _INTERNAL_IDEA.first(idea_id=_as_int(idea_id))
    else:
        idea = (
            visible_ideas(user).select_related(*_IDEA_RELATED).filter(pk=_as_int(idea_id)).first()
        )
    if idea is None:
        raise Http404("No such idea.")
    if for_moderation and not user.has_perm("ideas.moderate_idea"):
        raise PermissionDenied("Only product managers and programme admins move ideas.")
    return idea


# --- Pilots ------------------------------------------------------------------------------------


def can_manage_pilots(user: User) -> bool:
    return user.is_authenticated and user.has_perm("ideas.manage_pilot")


def can_read_results(user: User) -> bool:
    return user.is_authenticated and user.has_perm("ideas.view_pilot_results")


def can_read_verbatims(user: User) -> bool:
    """Verbatims and the response export name who said what: internal results readers only,
    even should a customer ever be given the results permission."""
    return can_read_results(user) and is_internal(user)


def visible_pilots(user: User) -> QuerySet[Pilot]:
    """Internal users see every pilot; a customer sees the published pilots their account is
    invited to, in gardens whose content they see, and nothing else."""
    if not user.is_authenticated or not user.is_active:
        return Pilot.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return internal_pilots()
    return customer_pilots(membership.account_id)


def internal_pilots() -> QuerySet[Pilot]:
    """`visible_pilots` of an active internal user: every pilot."""
    return Pilot.objects.all()


def customer_pilots(account_id: int) -> QuerySet[Pilot]:
    """`visible_pilots` of an active customer of this account (their account's rule)."""
    return Pilot.objects.filter(
        ~Q(state=PilotState.DRAFT),
        invitations__account_id=account_id,
        # An invite-only garden the account has not accepted hides its pilots too.
        idea__garden__in=account_gardens(account_id),
    ).distinct()


_IDEA_PILOTS_ORDER = ("-runs_from", "-pk")
# A customer's and an internal user's pilots of one idea, on every idea page: SQL written once.
_CUSTOMER_IDEA_PILOTS = SqlOnce(
    Pilot,
    lambda account_id, idea_id: (
        customer_pilots(account_id).filter(idea_id=idea_id).order_by(*_IDEA_PILOTS_ORDER)
    ),
    account_id=int,
    idea_id=int,
)
_INTERNAL_IDEA_PILOTS = SqlOnce(
    Pilot,
    lambda idea_id: internal_pilots().filter(idea_id=idea_id).order_by(*_IDEA_PILOTS_ORDER),
    idea_id=int,
)


def idea_pilots(user: User, idea: Idea) -> list[Pilot]:
    """The pilots of `idea` among `visible_pilots(user)`, the latest first."""
    if (account_id := active_customer_account_id(user)) is not None:
        return _CUSTOMER_IDEA_PILOTS.all(account_id=account_id, idea_id=idea.pk)
    if _active_internal(user):
        return _INTERNAL_IDEA_PILOTS.all(idea_id=idea.pk)
    return list(visible_pilots(user).filter(idea=idea).order_by(*_IDEA_PILOTS_ORDER))


# A customer's pilot, asked on every pilot page: its SQL is written once per process.
_CUSTOMER_PILOT = SqlOnce(
    Pilot,
    lambda account_id, pilot_id: (
        customer_pilots(account_id).select_related("idea", "idea__garden").filter(pk=pilot_id)[:1]
    ),
    account_id=int,
    pilot_id=int,
)


# An internal user's pilot, asked on every pilot page and API call of theirs: SQL written once.
_INTERNAL_PILOT = SqlOnce(
    Pilot,
    lambda pilot_id: (
        internal_pilots().select_related("idea", "idea__garden").filter(pk=pilot_id)[:1]
    ),
    pilot_id=int,
)


def access_pilot(user: User, pilot_id, *, for_write: bool = False) -> Pilot:
    if (account_id := active_customer_account_id(user)) is not None:
        pilot = _CUSTOMER_PILOT.first(account_id=account_id, pilot_id=_as_int(pilot_id))
    elif _active_internal(user):
        pilot = _INTERNAL_PILOT.first(pilot_id=_as_int(pilot_id))
    else:
        pilot = (
            visible_pilots(user)
            .select_related("idea", "idea__garden")
            .filter(pk=_as_int(pilot_id))
            .first()
        )
    if pilot is None:
        raise Http404("No such pilot.")
    if for_write and not can_manage_pilots(user):
        raise PermissionDenied("Only product managers run pilots.")
    return pilot


def access_pilot_results(user: User, pilot_id) -> Pilot:
    pilot = access_pilot(user, pilot_id)
    if not can_read_results(user):
        raise PermissionDenied("Pilot results are for product managers.")
    return pilot


def access_pilot_effect(user: User, pilot_id) -> tuple[Pilot, QuerySet[Account]]:
    """The pilot and the accounts its effect is read over: for results readers who may see
    loyalty outcomes (internal users, each over the accounts they see, as insights). Another
    account's customer: 404; a customer of an invited account and internal users without the
    results permission: 403."""
    pilot = access_pilot_results(user, pilot_id)
    return pilot, visible_outcome_accounts(user)


def access_account_expectation_drift(user: User, account_id) -> Account:
    """An account's expectation drift across its pilots: for the internal readers of its
    engagement (its account team, product managers, programme admins). Another account's
    customers get 404; the account's own customers 403 (they see the account, not this)."""
    account = access_account_engagement(user, account_id)
    if not is_internal(user):
        raise PermissionDenied("Expectation drift is for the account team.")
    return account


def access_pilot_for_agreement(user: User, pilot_id) -> Pilot:
    """The pilot, if the user is the admin of an invited account (who accepts for it)."""
    pilot = access_pilot(user, pilot_id)
    membership = customer_membership(user)
    if membership is None or membership.role != MemberRole.ADMIN:
        raise PermissionDenied("Only your account admin accepts the pilot agreement.")
    return pilot


def access_pilot_for_enrolment(user: User, pilot_id) -> Pilot:
    """The pilot, if the user is a customer member who could take part (rules checked by the
    enrolment service)."""
    pilot = access_pilot(user, pilot_id)
    if is_internal(user):
        raise PermissionDenied("Only customer members take part in pilots.")
    return pilot


# --- Check-ins and responses -------------------------------------------------------------------


def own_enrolment(user: User, pilot: Pilot) -> Enrolment | None:
    return Enrolment.objects.filter(pilot=pilot, user=user).first()


def access_check_in_for_answer(user: User, check_in_id) -> tuple[CheckIn, Enrolment]:
    """A check-in the user may answer: one of a pilot they are enrolled in."""
    check_in = (
        CheckIn.objects.filter(pilot__in=visible_pilots(user), pk=_as_int(check_in_id))
        .select_related("pilot", "pilot__idea")
        .first()
    )
    if check_in is None:
        raise Http404("No such check-in.")
    enrolment = own_enrolment(user, check_in.pilot)
    if enrolment is None:
        raise PermissionDenied("Enrol in the pilot to answer its check-ins.")
    return check_in, enrolment


def visible_responses(user: User) -> QuerySet[FeedbackResponse]:
    """A member sees their own responses; results readers see all of the pilots they see."""
    if can_read_results(user):
        return FeedbackResponse.objects.filter(check_in__pilot__in=visible_pilots(user))
    return FeedbackResponse.objects.filter(enrolment__user=user)
