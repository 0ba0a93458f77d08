"""The demo's actions on a timeline: performed in the order they would have happened, each then
dated back to its moment (the services stamp rows with the real time, and a demo in which
everything happened a second ago would not look alive). demo.data.ideas puts its ideas' and
pilots' actions on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db.models import F, Max, Model
from django.utils import timezone

from community.models import ActivityEvent, Notification
from community.services.notifications import notification_emails_suppressed
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Comment,
    Enrolment,
    FeedbackResponse,
    Follow,
    Idea,
    IdeaTransition,
    Instrument,
    Pilot,
    PilotInvitation,
    Vote,
)

# The timestamps the services set to "now", per model, that each action is dated back to.
DATED: dict[type[Model], tuple[str, ...]] = {
    Idea: ("created_at", "updated_at"),
    IdeaTransition: ("created_at",),
    Vote: ("created_at",),
    Follow: ("created_at",),
    Comment: ("created_at", "updated_at"),
    ActivityEvent: ("occurred_at", "created_at"),
    Notification: ("created_at",),
    Pilot: ("created_at", "updated_at", "decided_at"),
    Instrument: ("created_at",),
    Agreement: ("created_at",),
    PilotInvitation: ("created_at",),
    AgreementAcceptance: ("accepted_at",),
    Enrolment: ("created_at",),
    FeedbackResponse: ("created_at", "updated_at", "submitted_at"),
}
PROPOSE = (Idea, Follow, ActivityEvent)
VOTE = (Vote, Follow, ActivityEvent)
COMMENT = (Comment, ActivityEvent, Notification)
MOVE = (Idea, IdeaTransition, Notification, ActivityEvent)  # a decision: a closed loop
PILOT = tuple(DATED)  # pilot actions touch many tables; there are few of them


class Timeline:
    """The demo's actions, performed in the order they would have happened and dated back to
    their moment: after each, the rows it wrote (rows of this run whose timestamp is not older
    than the action's start) get the action's time. One UPDATE per timestamp it may have set."""

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self._actions: list[tuple[float, int, Callable[[], Any], tuple[type[Model], ...]]] = []
        self._floors = {
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in DATED
        }

    def at(self, days_ago: float, touches: tuple[type[Model], ...], action: Callable[[], Any]):
        self._actions.append((days_ago, len(self._actions), action, touches))

    def run(self) -> None:
        for days_ago, _, action, touches in sorted(self._actions, key=lambda a: (-a[0], a[1])):
            moment = self.now - dt.timedelta(days=days_ago)
            started = timezone.now()
            action()
            for model in touches:
                for name in DATED[model]:
                    model.objects.filter(
                        pk__gt=self._floors[model], **{f"{name}__gte": started}
                    ).update(**{name: moment})

    def read_older_notifications(self, *, days: int) -> None:
        """People have read what they were told more than `days` ago."""
        Notification.objects.filter(
            pk__gt=self._floors[Notification],
            created_at__lt=self.now - dt.timedelta(days=days),
            read_at__isnull=True,
        ).update(read_at=F("created_at") + dt.timedelta(hours=5))


@contextmanager
def history_not_emailed():
    """The demo's notifications are weeks old: keep them in the app, send no e-mail for them
    (a first `make demo` would otherwise print thousands of e-mails to the console)."""
    with notification_emails_suppressed():
        yield
