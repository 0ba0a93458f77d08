"""Writes of pilots: create and edit, move through draft → recruiting → running → closed (by a
product manager or by the schedule), and close the loop with a decision. Taking part —
invitations, agreements, enrolment — is ideas/services/enrolment.py, which locks and checks a
pilot with `pilot_lock`, `pilot_refuse_if_closed` and `agreement_check` from here, and tells
invited accounts through `pilot_invited_notify`.

People are told what concerns them through `community.services.notifications.notify`, never the
person who acted.

The idea follows its pilots. Creating a pilot for a planned idea is a product manager's move,
made through the ideas workflow (`idea_transition`). The pilot's own consequences (the idea is
evaluated when a pilot closes, then adopted / iterate / declined by the decision) may be made
by the schedule, with no person acting: `ideas_move` (ideas/services/ideas.py) logs them, as a
claim by UPDATE, so that a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, Segment, User
from community.access.gardens import accounts_inside
from community.models import ActivityKind, EngagementLevel
from community.models.notifications import NotifyKind
from community.services.engagement import activity_record
from community.services.notification_fanouts import notify_audience
from community.services.notifications import notify
from ideas.models import (
    Agreement,
    Enrolment,
    Idea,
    IdeaStatus,
    Pilot,
    PilotDecision,
    PilotInvitation,
    PilotState,
)
from ideas.selectors.ideas import IDEA_FOLLOWERS
from ideas.selectors.pilots import PILOT_STATE_ORDER, pilot_accounts_taking_part
from ideas.services.chat_deliveries import pilot_decided_chat
from ideas.services.feedback import check_ins_create_default
from ideas.services.ideas import idea_transition, ideas_move
from ideas.services.instrument import instrument_create_default
from ideas.services.robustness import pilot_gap_bad_times
from ideas.services.webhook_events import pilot_decided_emit

# Ideas for which a pilot may be created: planned ones (they move to piloting), and ideas
# already piloting (a second pilot, e.g. for another segment).
PILOTABLE_STATUSES = frozenset({IdeaStatus.PLANNED, IdeaStatus.PILOTING})

# What a decision makes of the idea.
DECISION_STATUS = {
    PilotDecision.ADOPT: IdeaStatus.ADOPTED,
    PilotDecision.ITERATE: IdeaStatus.ITERATE,
    PilotDecision.DECLINE: IdeaStatus.DECLINED,
}

# Fields a product manager may change after creating the pilot.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "what_to_expect",
        "recruiting_opens",
        "runs_from",
        "runs_until",
        "capacity",
        "eligible_segments",
        "min_engagement_level",
    }
)


# --- Validation --------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_pilot(pilot: Pilot, errors: dict[str, list[str]]) -> None:
    """Field rules and the schedule, as field errors a form can show beside its inputs."""
    for name in ("title", "description", "what_to_expect"):
        value = (getattr(pilot, name) or "").strip()
        setattr(pilot, name, value)
    if not pilot.title:
        _add(errors, "title", "Give the pilot a title.")
    elif len(pilot.title) > Pilot._meta.get_field("title").max_length:
        _add(errors, "title", "Keep the title under 200 characters.")
    if not pilot.description:
        _add(errors, "description", "Describe the pilot.")
    if not pilot.what_to_expect:
        _add(errors, "what_to_expect", "Say what participants should expect, before they join.")
    dates = {name: getattr(pilot, name) for name in ("recruiting_opens", "runs_from", "runs_until")}
    for name, value in dates.items():
        if not isinstance(value, dt.date):
            _add(errors, name, "Enter a date.")
    if all(isinstance(value, dt.date) for value in dates.values()):
        if pilot.recruiting_opens > pilot.runs_from:
            _add(errors, "runs_from", "The pilot cannot run before recruiting opens.")
        if pilot.runs_from >= pilot.runs_until:
            _add(errors, "runs_until", "The pilot must run until a later day than it starts.")
    if not isinstance(pilot.capacity, int) or pilot.capacity < 1:
        _add(errors, "capacity", "At least one account must be able to take part.")
    segments = pilot.eligible_segments
    if not isinstance(segments, list | tuple) or not all(s in Segment.values for s in segments):
        _add(errors, "eligible_segments", "Choose segments from the list.")
    else:
        pilot.eligible_segments = sorted(set(segments))
    if pilot.min_engagement_level not in ("", *EngagementLevel.values):
        _add(errors, "min_engagement_level", "Choose an engagement level from the list.")


def agreement_check(title: str, text: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    """An agreement's title and text, trimmed; what is wrong with them goes into `errors` (as
    `agreement_title`, `agreement_text`)."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        _add(errors, "agreement_title", "Give the agreement a title.")
    elif len(title) > Agreement._meta.get_field("title").max_length:
        _add(errors, "agreement_title", "Keep the title under 200 characters.")
    if not text:
        _add(errors, "agreement_text", "Write the agreement (NDA or terms) accounts accept.")
    return title, text


def pilot_lock(pilot: Pilot) -> Pilot:
    """Lock the pilot's row and refresh what concurrent requests may have changed."""
    fresh = Pilot.objects.select_for_update().get(pk=pilot.pk)
    for name in ("state", "published", "capacity", "decision"):
        setattr(pilot, name, getattr(fresh, name))
    return pilot


def pilot_refuse_if_closed(pilot: Pilot, what: str) -> None:
    """Refuse a change to a closed pilot, saying `what` can no longer happen."""
    if pilot.state == PilotState.CLOSED:
        raise ValidationError(f"This pilot is closed; {what}.")


# --- Create and edit ---------------------------------------------------------------------------


@transaction.atomic
def pilot_create(
    *,
    idea: Idea,
    created_by: User,
    title: str,
    description: str,
    what_to_expect: str,
    recruiting_opens: dt.date,
    runs_from: dt.date,
    runs_until: dt.date,
    capacity: int,
    agreement_text: str,
    agreement_title: str = "Pilot agreement",
    eligible_segments: Sequence[str] = (),
    min_engagement_level: str = "",
) -> Pilot:
    """A draft pilot of `idea` with the default instrument and check-ins and version 1 of its
    agreement. A planned idea moves to piloting (logged, and told to its followers)."""
    errors: dict[str, list[str]] = {}
    if idea.status not in PILOTABLE_STATUSES:
        _add(
            errors,
            "idea",
            f"Pilots are created for planned ideas; this one is "
            f"{idea.get_status_display().lower()}.",
        )
    pilot = Pilot(
        idea=idea,
        created_by=created_by,
        title=title,
        description=description,
        what_to_expect=what_to_expect,
        recruiting_opens=recruiting_opens,
        runs_from=runs_from,
        runs_until=runs_until,
        capacity=capacity,
        eligible_segments=list(eligible_segments),
        min_engagement_level=min_engagement_level or "",
        state=PilotState.DRAFT,
    )
    _check_pilot(pilot, errors)
    agreement_title, agreement_text = agreement_check(agreement_title, agreement_text, errors)
    if errors:
        raise ValidationError(errors)
    pilot.save()
    instrument_create_default(pilot=pilot)
    check_ins_create_default(pilot=pilot)
    Agreement.objects.create(pilot=pilot, version=1, title=agreement_title, text=agreement_text)
    if idea.status == IdeaStatus.PLANNED:
        idea_transition(
            idea=idea,
            actor=created_by,
            to_status=IdeaStatus.PILOTING,
            reason=f"Pilot {pilot.title} created",
        )
    return pilot


@transaction.atomic
def pilot_update(*, pilot: Pilot, actor: User, **changes) -> Pilot:
    """Change what a product manager may change (EDITABLE_FIELDS) until the pilot closes. The
    capacity cannot fall below the accounts already taking part."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: ["This cannot be changed here."] for name in sorted(unknown)})
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "it can no longer be changed")
    for name, value in changes.items():
        setattr(pilot, name, value)
    errors: dict[str, list[str]] = {}
    _check_pilot(pilot, errors)
    if "capacity" not in errors:
        taken = pilot_accounts_taking_part(pilot=pilot)
        if pilot.capacity < taken:
            _add(
                errors,
                "capacity",
                f"{taken} accounts take part already; the capacity cannot be lower.",
            )
    if errors:
        raise ValidationError(errors)
    pilot.save()
    return pilot


# --- States and the schedule -------------------------------------------------------------------


@transaction.atomic
def pilot_set_state(*, pilot: Pilot, actor: User, state: str) -> Pilot:
    """Move the pilot forward (draft → recruiting → running → closed; steps may be skipped)."""
    if state not in PILOT_STATE_ORDER:
        raise ValidationError({"state": ["Choose draft, recruiting, running or closed."]})
    pilot_lock(pilot)
    if PILOT_STATE_ORDER.index(state) <= PILOT_STATE_ORDER.index(pilot.state):
        later = PILOT_STATE_ORDER[PILOT_STATE_ORDER.index(pilot.state) + 1 :]
        current = pilot.get_state_display().lower()
        raise ValidationError(
            {
                "state": [
                    f"A pilot only moves forward: it is {current}, so it can move to "
                    + " or ".join(PilotState(s).label.lower() for s in later)
                    + "."
                    if later
                    else f"A pilot only moves forward, and this one is {current} already."
                ]
            }
        )
    _pilots_move(pilot_ids=[pilot.pk], to_state=state, actor=actor)
    pilot.refresh_from_db()
    return pilot


@transaction.atomic
def pilot_publish(*, pilot: Pilot, actor: User) -> Pilot:
    """Let the schedule move the pilot on its dates, starting now."""
    pilot_lock(pilot)
    pilot_refuse_if_closed(pilot, "there is nothing left to schedule")
    if not pilot.published:
        Pilot.objects.filter(pk=pilot.pk).update(published=True, updated_at=timezone.now())
    pilots_advance_schedule(pilots=[pilot])
    pilot.refresh_from_db()
    return pilot


def pilots_advance_schedule(
    *, today: dt.date | None = None, pilots: Iterable[Pilot] | None = None
) -> dict[str, int]:
    """Move published pilots on their dates: recruiting once recruiting opens, running from
    the first day, closed after the last. Set-based and idempotent (a second run changes
    nothing); returns how many pilots entered each state."""
    today = today or timezone.localdate()
    published = Pilot.objects.filter(published=True)
    if pilots is not None:
        published = published.filter(pk__in=[p.pk for p in pilots])
    due = {
        PilotState.CLOSED: published.filter(runs_until__lt=today).exclude(state=PilotState.CLOSED),
        PilotState.RUNNING: published.filter(
            state__in=[PilotState.DRAFT, PilotState.RECRUITING],
            runs_from__lte=today,
            runs_until__gte=today,
        ),
        PilotState.RECRUITING: published.filter(
            state=PilotState.DRAFT, recruiting_opens__lte=today, runs_from__gt=today
        ),
    }
    counts = {}
    for state, candidates in due.items():
        with transaction.atomic():
            # Claim the rows (other runs skip them), then move them in one UPDATE.
            ids = list(
                candidates.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            counts[str(state)] = _pilots_move(pilot_ids=ids, to_state=state, actor=None)
    return counts


def _pilots_move(*, pilot_ids: list[int], to_state: str, actor: User | None) -> int:
    """Move the pilots (locked by the caller) to `to_state`, with what follows from it: the
    invited accounts hear of a pilot once it leaves draft, and a closed pilot's idea is
    evaluated, told to the participants and followers."""
    if not pilot_ids:
        return 0
    pilots = list(Pilot.objects.filter(pk__in=pilot_ids).select_related("idea"))
    opened = [p for p in pilots if p.state == PilotState.DRAFT and to_state != PilotState.CLOSED]
    moved = Pilot.objects.filter(pk__in=pilot_ids).update(state=to_state, updated_at=timezone.now())
    for pilot in opened:
        pilot_invited_notify(pilot=pilot, account_ids=None, actor=actor)
    if to_state == PilotState.CLOSED:
        _pilots_closed(pilots=pilots, actor=actor)
    return moved


def _pilots_closed(*, pilots: list[Pilot], actor: User | None) -> None:
    pilot_gap_bad_times(pilots=pilots)  # the accounts whose expectations it fell short of
    for pilot in pilots:
        idea = pilot.idea
        evaluated = ideas_move(
            ideas=[idea],
            from_status=IdeaStatus.PILOTING,
            to_status=IdeaStatus.EVALUATED,
            actor=actor,
            reason=f"Pilot {pilot.title} closed",
        )
        participants = list(_participants(pilot))
        notify(
            users=participants,
            kind=NotifyKind.PILOT_CLOSED,
            title=f"The pilot “{pilot.title}” has closed",
            body="Thank you for taking part. We are evaluating what you told us, and you will "
            "hear what we decided.",
            url=pilot.get_absolute_url(),
            exclude=actor,
        )
        if evaluated:
            notify_audience(
                audience=IDEA_FOLLOWERS,
                audience_args={"idea": idea.pk, "except_pilot": pilot.pk},
                kind=NotifyKind.IDEA_STATUS,
                title=f"“{idea.title}” is now evaluated",
                body=f"Its pilot “{pilot.title}” has closed.",
                url=idea.get_absolute_url(),
                exclude=actor,
            )


def _participants(pilot: Pilot):
    return User.objects.filter(enrolments__pilot=pilot, is_active=True).distinct()


def pilot_invited_notify(*, pilot: Pilot, account_ids: Iterable[int] | None, actor: User | None):
    """Tell the members of the invited accounts (all of them, or those in `account_ids`) that
    see inside the pilot's garden (an account only invited to an invite-only garden hears of
    nothing in it). The callers wait until the pilot is out of draft: customers do not see
    drafts."""
    invited = PilotInvitation.objects.filter(
        pilot=pilot, account__in=accounts_inside(garden_id=pilot.idea.garden_id)
    )
    if account_ids is not None:
        invited = invited.filter(account_id__in=list(account_ids))
    notify(
        users=User.objects.filter(
            membership__account__in=invited.values("account"), is_active=True
        ),
        kind=NotifyKind.PILOT_INVITATION,
        title=f"Your account is invited to the pilot “{pilot.title}”",
        body=pilot.what_to_expect[:500],
        url=pilot.get_absolute_url(),
        exclude=actor,
    )


# --- Closing the loop --------------------------------------------------------------------------


def _loop_closed(*, pilot: Pilot, idea: Idea, actor: User) -> None:
    """A decision closes the loop ("you said, we did") with the account that proposed the idea
    and with every account that took part: one support event for each (kept apart from their
    engagement), when an internal user decided."""
    if customer_membership(actor) is not None:
        return
    account_ids = set(Enrolment.objects.filter(pilot=pilot).values_list("account_id", flat=True))
    if idea.author_account_id is not None:
        account_ids.add(idea.author_account_id)
    for account in Account.objects.filter(pk__in=account_ids).order_by("pk"):
        activity_record(
            account=account,
            user=actor,
            kind=ActivityKind.LOOP_CLOSED,
            obj=pilot,
            is_support=True,
        )


@transaction.atomic
def pilot_decide(*, pilot: Pilot, actor: User, decision: str, outcome_note: str) -> Pilot:
    """Record what the company does with a closed pilot — adopt, iterate or decline — and why
    ("you said, we did"). The idea follows (through evaluated, each step logged), the
    participants and the idea's followers are told, once each, the chat channels of the
    accounts concerned and of the garden too, and the webhooks get pilot.decided."""
    outcome_note = _check_decision(decision, outcome_note)
    pilot_lock(pilot)
    if pilot.state != PilotState.CLOSED:
        raise ValidationError({"decision": ["Close the pilot before recording the decision."]})
    if pilot.decision:
        raise ValidationError(
            {"decision": [f"The decision ({pilot.get_decision_display().lower()}) is recorded."]}
        )
    Pilot.objects.filter(pk=pilot.pk).update(
        decision=decision,
        outcome_note=outcome_note,
        decided_by=actor,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    pilot.refresh_from_db()
    idea = Idea.objects.get(pk=pilot.idea_id)
    _idea_decided(pilot=pilot, idea=idea, actor=actor)
    _loop_closed(pilot=pilot, idea=idea, actor=actor)
    pilot_gap_bad_times(pilots=[pilot])  # answers given after it closed count too
    _decision_notify(pilot=pilot, idea=idea, actor=actor)
    pilot_decided_chat(pilot=pilot, idea=idea, actor=actor)
    pilot_decided_emit(pilot=pilot)
    return pilot


def _check_decision(decision: str, outcome_note: str) -> str:
    """The outcome note, trimmed; field errors unless the decision is known and said why."""
    errors: dict[str, list[str]] = {}
    if decision not in DECISION_STATUS:
        _add(errors, "decision", "Choose adopt, iterate or decline.")
    outcome_note = (outcome_note or "").strip()
    if not outcome_note:
        _add(errors, "outcome_note", "Tell the participants what you did with what they said.")
    if errors:
        raise ValidationError(errors)
    return outcome_note


def _idea_decided(*, pilot: Pilot, idea: Idea, actor: User) -> None:
    """The idea of a decided pilot: evaluated (if it was still piloting), then what the
    decision makes of it, each step logged with the decision's reason."""
    reason = f"Pilot {pilot.title}: {pilot.get_decision_display().lower()}. {pilot.outcome_note}"
    ideas_move(
        ideas=[idea],
        from_status=IdeaStatus.PILOTING,
        to_status=IdeaStatus.EVALUATED,
        actor=actor,
        reason=f"Pilot {pilot.title} closed",
    )
    ideas_move(
        ideas=[idea],
        from_status=IdeaStatus.EVALUATED,
        to_status=DECISION_STATUS[pilot.decision],
        actor=actor,
        reason=reason,
    )


def _decision_notify(*, pilot: Pilot, idea: Idea, actor: User) -> None:
    """Tell the participants (with a link to the pilot) and the idea's other followers (to
    the idea) what was decided."""
    title = f"You said, we did: {pilot.get_decision_display().lower()} “{idea.title}”"
    participants = list(_participants(pilot))
    notify(
        users=participants,
        kind=NotifyKind.PILOT_DECISION,
        title=title,
        body=pilot.outcome_note,
        url=pilot.get_absolute_url(),
        exclude=actor,
    )
    notify_audience(  # the followers may be thousands: the rest by a task in chunks
        audience=IDEA_FOLLOWERS,
        audience_args={"idea": idea.pk, "except_pilot": pilot.pk},
        kind=NotifyKind.PILOT_DECISION,
        title=title,
        body=pilot.outcome_note,
        url=idea.get_absolute_url(),
        exclude=actor,
    )
