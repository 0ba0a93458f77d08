"""Reminders of due check-ins, with fatigue limits (a Celery beat job runs this daily).

Who is reminded: an active member, enrolled in a pilot, still a member of the account they
enrolled for, whose account is still invited, who has not *submitted* a check-in that is due:

- in a recruiting or running pilot: the expectation from enrolment on (after a day's grace,
  so that nobody is reminded of a form they saw an hour ago), an experience check-in from its
  `due_on` on;
- in a closed pilot: only its final experience check-in, for a week after the pilot's last day
  (`FEEDBACK_GRACE_DAYS`, the same week in which the form still takes answers).

The limits: at most one reminder per person and check-in every 3 days; at most
`settings.FEEDBACK_REMINDERS_PER_30_DAYS` reminders per person in any 30 days, across all
pilots (the `Reminder` rows count); and at most one per person per run: with several check-ins
due, the one due longest ago comes first, the others on later days. A second run on the same
day finds every candidate inside its 3-day spacing and sends nothing.

A run costs the same few queries whatever the number of pilots, members and check-ins: one
locks the due check-ins, one finds the candidates, one stores the reminders, and `notify_many`
reads the people and their email preferences and stores the in-app notifications (the emails
go out after commit, one task each, or in the person's digest).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.formats import format_date
from accounts.models import Membership, User
from community.models.notifications import NotifyKind
from community.services.notifications import NotificationMessage, notify_many
from ideas.models import (
    CheckIn,
    Enrolment,
    FeedbackResponse,
    Phase,
    PilotInvitation,
    PilotState,
    Reminder,
    ResponseStatus,
)
from ideas.selectors.feedback import FEEDBACK_GRACE_DAYS

REMINDER_SPACING = dt.timedelta(days=3)
CAP_WINDOW = dt.timedelta(days=30)
EXPECTATION_GRACE = dt.timedelta(days=1)


def due_check_ins(*, today: dt.date) -> QuerySet[CheckIn]:
    """Check-ins that are due today in pilots that take feedback (see the module's docstring)."""
    later = CheckIn.objects.filter(
        pilot=OuterRef("pilot"), phase=Phase.EXPERIENCE, position__gt=OuterRef("position")
    )
    in_open_pilot = Q(pilot__state__in=[PilotState.RECRUITING, PilotState.RUNNING]) & (
        Q(phase=Phase.EXPECTATION) | Q(due_on__lte=today)
    )
    final_of_closed_pilot = Q(
        pilot__state=PilotState.CLOSED,
        pilot__runs_until__gte=today - dt.timedelta(days=FEEDBACK_GRACE_DAYS),
        phase=Phase.EXPERIENCE,
    ) & ~Exists(later)
    return CheckIn.objects.filter(in_open_pilot | final_of_closed_pilot)


def _candidates(*, check_in_ids: list[int], now: dt.datetime) -> QuerySet:
    """(user, check-in, reminders in 30 days) for every enrolled member who owes an answer to
    one of the check-ins and has not been reminded of it in 3 days: one query."""
    submitted = FeedbackResponse.objects.filter(
        enrolment=OuterRef("pk"),
        check_in=OuterRef("check_in_id"),
        status=ResponseStatus.SUBMITTED,
    )
    reminded_lately = Reminder.objects.filter(
        user=OuterRef("user_id"),
        check_in=OuterRef("check_in_id"),
        sent_at__gt=now - REMINDER_SPACING,
    )
    reminders_30_days = (
        Reminder.objects.filter(user=OuterRef("user_id"), sent_at__gt=now - CAP_WINDOW)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    still_member = Membership.objects.filter(user=OuterRef("user_id"), account=OuterRef("account"))
    still_invited = PilotInvitation.objects.filter(
        pilot=OuterRef("pilot"), account=OuterRef("account")
    )
    return (
        # One row per enrolment and due check-in of its pilot (the join is reused below).
        Enrolment.objects.filter(pilot__check_ins__in=check_in_ids, user__is_active=True)
        .annotate(
            check_in_id=F("pilot__check_ins"),
            check_in_phase=F("pilot__check_ins__phase"),
            check_in_due_on=F("pilot__check_ins__due_on"),
            reminders_30_days=Coalesce(Subquery(reminders_30_days, output_field=IntegerField()), 0),
        )
        .filter(
            Q(check_in_phase=Phase.EXPERIENCE) | Q(created_at__lte=now - EXPECTATION_GRACE),
            Exists(still_member),
            Exists(still_invited),
            ~Exists(submitted),
            ~Exists(reminded_lately),
        )
        .order_by(
            "user_id",
            F("check_in_due_on").asc(nulls_first=True),  # the expectation, then the oldest due
            "check_in_id",
        )
        .values_list("user_id", "check_in_id", "reminders_30_days")
    )


def _message(check_in: CheckIn, today: dt.date) -> tuple[str, str]:
    pilot = check_in.pilot
    if check_in.phase == Phase.EXPECTATION:
        return (
            f"What do you expect from “{pilot.title}”?",
            "Tell us what you expect before the trial: it sets the bar we will be measured "
            "against, and takes two minutes.",
        )
    if pilot.state == PilotState.CLOSED:
        last_day = pilot.runs_until + dt.timedelta(days=FEEDBACK_GRACE_DAYS)
        return (
            f"How did “{pilot.title}” go?",
            f"The pilot has ended. Your answers to “{check_in.title}” count until "
            f"{format_date(last_day)}.",
        )
    return (
        f"How is “{pilot.title}” going?",
        f"“{check_in.title}” was due on {format_date(check_in.due_on)}: a few minutes of "
        "your view shape what happens next.",
    )


@transaction.atomic
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind members of due check-ins within the limits; the number of reminders sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cap = settings.FEEDBACK_REMINDERS_PER_30_DAYS
    # Locking the due check-ins makes a concurrent run wait, then see this run's reminders.
    check_ins = {
        c.pk: c
        for c in due_check_ins(today=today)
        .select_related("pilot")
        .select_for_update(of=("self",))
        .order_by("pk")
    }
    if not check_ins:
        return 0
    chosen: dict[int, int] = {}  # user → the one check-in they are reminded of today
    for user_id, check_in_id, sent_lately in _candidates(check_in_ids=list(check_ins), now=now):
        if user_id not in chosen and sent_lately < cap:
            chosen[user_id] = check_in_id
    if not chosen:
        return 0
    Reminder.objects.bulk_create(
        [Reminder(user_id=u, check_in_id=c, sent_at=now) for u, c in chosen.items()]
    )
    _notify_each(
        [(user_id, check_ins[check_in_id]) for user_id, check_in_id in chosen.items()],
        today=today,
    )
    return len(chosen)


def _notify_each(reminders: list[tuple[int, CheckIn]], *, today: dt.date) -> None:
    """One message per reminder (each names its own check-in): `notify_many` reads the people
    and their preferences in one query each and makes every notification in one insert."""
    users = User.objects.in_bulk([user_id for user_id, _ in reminders])
    messages = []
    for user_id, check_in in reminders:
        title, body = _message(check_in, today)
        messages.append(
            NotificationMessage(
                users=[users.get(user_id)],
                kind=NotifyKind.FEEDBACK_REMINDER,
                title=title,
                body=body,
                url=reverse("ideas:check-in-answer", kwargs={"pk": check_in.pk}),
            )
        )
    notify_many(messages=messages)
